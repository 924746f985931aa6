"""The shared cache's table (settings.CACHES): what `manage.py createcachetable` makes, made by
migrating, so that a deployment needs no extra step."""

from django.core.management import call_command
from django.db import migrations


def create_cache_table(apps, schema_editor):
    call_command("createcachetable", database=schema_editor.connection.alias, verbosity=0)


def drop_cache_table(apps, schema_editor):
    schema_editor.execute("DROP TABLE IF EXISTS prostenhet_cache")


class Migration(migrations.Migration):
    dependencies = [("prostenhet", "0011_weeding")]

    operations = [migrations.RunPython(create_cache_table, drop_cache_table)]
