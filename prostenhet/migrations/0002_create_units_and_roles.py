"""Create the five units and the six roles (groups) with their model permissions."""

from django.apps import apps as global_apps
from django.contrib.auth.management import create_permissions
from django.db import migrations

UNITS = ["counselling", "outreach", "spiralen", "trafficking", "kast"]

ROLE_PERMISSIONS = {
    "office_assistant": [],
    "outreach_worker": [],
    "counsellor": [],
    "clinician": [],
    "manager": ["prostenhet.view_statistics", "prostenhet.review_access_log"],
    "sysadmin": [
        "prostenhet.view_user",
        "prostenhet.add_user",
        "prostenhet.change_user",
        "prostenhet.manage_staff",
    ],
}


def create_units_and_roles(apps, schema_editor):
    Unit = apps.get_model("prostenhet", "Unit")
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for code in UNITS:
        Unit.objects.get_or_create(code=code)
    # Permissions are normally created after all migrations; the roles need them now.
    create_permissions(global_apps.get_app_config("prostenhet"), apps=apps, verbosity=0)
    for role, perms in ROLE_PERMISSIONS.items():
        group, _ = Group.objects.get_or_create(name=role)
        for perm in perms:
            app_label, codename = perm.split(".")
            group.permissions.add(
                Permission.objects.get(content_type__app_label=app_label, codename=codename)
            )


def remove_units_and_roles(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name__in=ROLE_PERMISSIONS).delete()
    apps.get_model("prostenhet", "Unit").objects.filter(code__in=UNITS).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("prostenhet", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(create_units_and_roles, remove_units_and_roles)]
