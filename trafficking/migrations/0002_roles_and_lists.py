"""The unit's fixed list of protected-housing providers, and the roles' permissions on the
unit's records: outreach workers and counsellors (those of them who work in the unit, which
the views and clients.access ask) keep cases, raids, housing, authority contacts, deadlines
and returns, and see the providers. Nobody else holds any: the office assistant sees only
the interpreter language of a booking (clients), the manager only statistics."""

from django.apps import apps as global_apps
from django.contrib.auth.management import create_permissions
from django.db import migrations

PROVIDERS = [
    "Kvinnojour, skyddat boende",
    "Plattformen Civila Sverige mot människohandel",
    "Socialtjänstens skyddade boende",
    "Stödboende för brottsoffer",
    "Annat skyddat boende",
]


def crud(model, *actions):
    return [f"{action}_{model}" for action in actions or ("view", "add", "change")]


TEAM = [
    *crud("traffickingcase"), *crud("raid"), *crud("housingplacement"),
    *crud("authoritycontact"), *crud("deadline"), *crud("returnhome"),
    *crud("housingprovider", "view"),
]
ROLE_PERMISSIONS = {
    "outreach_worker": TEAM,
    "counsellor": TEAM,
}


def forwards(apps, schema_editor):
    HousingProvider = apps.get_model("trafficking", "HousingProvider")
    for order, name in enumerate(PROVIDERS):
        HousingProvider.objects.get_or_create(name=name, defaults={"order": order})
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    create_permissions(global_apps.get_app_config("trafficking"), apps=apps, verbosity=0)
    for role, codenames in ROLE_PERMISSIONS.items():
        group, _ = Group.objects.get_or_create(name=role)
        group.permissions.add(*Permission.objects.filter(
            content_type__app_label="trafficking", codename__in=codenames
        ))


def backwards(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for role, codenames in ROLE_PERMISSIONS.items():
        group = Group.objects.filter(name=role).first()
        if group is not None:
            group.permissions.remove(*Permission.objects.filter(
                content_type__app_label="trafficking", codename__in=codenames
            ))


class Migration(migrations.Migration):
    dependencies = [
        ("trafficking", "0001_initial"),
        ("clients", "0012_reception_permissions"),
        ("prostenhet", "0002_create_units_and_roles"),
    ]

    operations = [migrations.RunPython(forwards, backwards)]
