"""The outreach unit's lists (the areas the street outreach visits and the kinds of material it
hands out) and the outreach workers' permissions on the unit's records: shifts and contacts,
nicknames, support actions, internet outreach (sessions, e-mail templates, the hashes of the
addresses mailed) and the information work. The unit's lists are the workers' to read; nobody
else holds a permission here (managers get the figures through the statistics)."""

from django.apps import apps as global_apps
from django.contrib.auth.management import create_permissions
from django.db import migrations

AREAS = [
    "Malmskillnadsgatan",
    "Norra Bantorget",
    "Centralstationen",
    "Kungsgatan",
    "Hötorget",
    "Södermalm",
    "Hotell och lägenheter",
]

MATERIAL_KINDS = [
    "Kondomer",
    "Glidmedel",
    "Informationsblad",
    "Visitkort",
    "Hygienartiklar",
    "Fika",
]


def crud(model, *actions):
    return [f"{action}_{model}" for action in actions or ("view", "add", "change")]


ROLE_PERMISSIONS = {
    "outreach_worker": [
        *crud("shift"), *crud("contact"), *crud("nickname"), *crud("supportaction", "view", "add"),
        *crud("internetsession"), *crud("emailtemplate"), *crud("emailhash", "add"),
        *crud("infotalk"), *crud("area", "view"), *crud("materialkind", "view"),
    ],
}


def forwards(apps, schema_editor):
    Area = apps.get_model("outreach", "Area")
    MaterialKind = apps.get_model("outreach", "MaterialKind")
    for order, name in enumerate(AREAS):
        Area.objects.get_or_create(name=name, defaults={"order": order})
    for order, name in enumerate(MATERIAL_KINDS):
        MaterialKind.objects.get_or_create(name=name, defaults={"order": order})
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    create_permissions(global_apps.get_app_config("outreach"), apps=apps, verbosity=0)
    for role, codenames in ROLE_PERMISSIONS.items():
        group, _ = Group.objects.get_or_create(name=role)
        group.permissions.add(
            *Permission.objects.filter(content_type__app_label="outreach", codename__in=codenames)
        )


def backwards(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for role, codenames in ROLE_PERMISSIONS.items():
        group = Group.objects.filter(name=role).first()
        if group is not None:
            group.permissions.remove(*Permission.objects.filter(
                content_type__app_label="outreach", codename__in=codenames
            ))


class Migration(migrations.Migration):
    dependencies = [
        ("outreach", "0001_initial"),
        ("clients", "0012_reception_permissions"),
        ("prostenhet", "0002_create_units_and_roles"),
    ]

    operations = [migrations.RunPython(forwards, backwards)]
