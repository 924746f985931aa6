"""Clients saved with a value but the quality "not asked" (the old default) get "known": a
typed value was known to whoever typed it. Reversing leaves the data as it is."""

from django.db import migrations

QUALITY_OF = [
    ("legal_name", "legal_name_quality"),
    ("identity_number", "identity_number_quality"),
    ("birth_year", "birth_year_quality"),
]


def set_known_where_a_value_is_given(apps, schema_editor):
    Client = apps.get_model("clients", "Client")
    for value_field, quality_field in QUALITY_OF:
        rows = Client.objects.filter(**{quality_field: "not_asked"})
        if value_field == "birth_year":
            rows = rows.filter(birth_year__isnull=False)
        else:
            rows = rows.exclude(**{value_field: ""})
        rows.update(**{quality_field: "known"})


class Migration(migrations.Migration):
    dependencies = [("clients", "0006_entry_editor")]

    operations = [
        migrations.RunPython(set_known_where_a_value_is_given, migrations.RunPython.noop),
    ]
