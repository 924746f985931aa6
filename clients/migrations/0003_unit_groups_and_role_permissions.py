"""Create each unit's staff group ("unit:<code>", kept in step with the staff's units by
prostenhet.access) and give the roles their permissions on client records."""

from django.apps import apps as global_apps
from django.contrib.auth.management import create_permissions
from django.db import migrations

UNITS = ["counselling", "outreach", "spiralen", "trafficking", "kast"]
CASEWORK = ["view_client", "add_client", "change_client", "record_consent"]
JOURNAL = ["view_journal", "change_journal", "open_emergency_access"]
ROLE_PERMISSIONS = {
    "office_assistant": [*CASEWORK, "merge_client", "assign_counsellor"],
    "outreach_worker": [*CASEWORK, *JOURNAL],
    "counsellor": [*CASEWORK, *JOURNAL, "assign_counsellor"],
    "clinician": [*CASEWORK, *JOURNAL],
    "manager": ["view_client", "view_journal", "open_emergency_access", "undo_merge"],
}


def forwards(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for unit in UNITS:
        Group.objects.get_or_create(name=f"unit:{unit}")
    create_permissions(global_apps.get_app_config("clients"), apps=apps, verbosity=0)
    for role, codenames in ROLE_PERMISSIONS.items():
        group, _ = Group.objects.get_or_create(name=role)
        group.permissions.add(
            *Permission.objects.filter(content_type__app_label="clients", codename__in=codenames)
        )


def backwards(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    Group.objects.filter(name__in=[f"unit:{unit}" for unit in UNITS]).delete()
    perms = Permission.objects.filter(content_type__app_label="clients")
    for group in Group.objects.filter(name__in=ROLE_PERMISSIONS):
        group.permissions.remove(*perms)


class Migration(migrations.Migration):
    dependencies = [
        ("clients", "0002_signed_entry_trigger"),
        ("prostenhet", "0002_create_units_and_roles"),
    ]

    operations = [migrations.RunPython(forwards, backwards)]
