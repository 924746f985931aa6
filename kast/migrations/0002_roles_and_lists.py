"""The roles' permissions on KAST's records: counsellors record and see calls, referral
sources and buyers reached (the role is shared with counselling's counsellors: KAST's pages
also ask that the user works in KAST). KAST keeps no lists of its own: its sources, channels,
outcomes and topics are fixed choices. Nobody else holds a KAST permission (KAST is sealed)."""

from django.apps import apps as global_apps
from django.contrib.auth.management import create_permissions
from django.db import migrations


def crud(model, *actions):
    return [f"{action}_{model}" for action in actions or ("view", "add", "change")]


ROLE_PERMISSIONS = {
    "counsellor": [*crud("call"), *crud("kastprofile"), *crud("buyeroutreach")],
}


def forwards(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    create_permissions(global_apps.get_app_config("kast"), apps=apps, verbosity=0)
    for role, codenames in ROLE_PERMISSIONS.items():
        group, _ = Group.objects.get_or_create(name=role)
        group.permissions.add(
            *Permission.objects.filter(content_type__app_label="kast", codename__in=codenames)
        )


def backwards(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for role, codenames in ROLE_PERMISSIONS.items():
        group = Group.objects.filter(name=role).first()
        if group is not None:
            group.permissions.remove(*Permission.objects.filter(
                content_type__app_label="kast", codename__in=codenames
            ))


class Migration(migrations.Migration):
    dependencies = [
        ("kast", "0001_initial"),
        ("clients", "0012_reception_permissions"),
        ("prostenhet", "0002_create_units_and_roles"),
    ]

    operations = [migrations.RunPython(forwards, backwards)]
