"""Give the roles their permissions on reception's and counselling's records: bookings, visits
and referrals for those who receive and book people, the queue for the office assistant,
session contracts and goals for counsellors only (never the office assistant)."""

from django.apps import apps as global_apps
from django.contrib.auth.management import create_permissions
from django.db import migrations


def crud(model, *actions):
    return [f"{action}_{model}" for action in actions or ("view", "add", "change")]


BOOKING = crud("booking") + crud("room", "view")
REFERRAL = crud("referral")
ROLE_PERMISSIONS = {
    "office_assistant": [*BOOKING, *crud("visit"), *crud("queueentry"), *REFERRAL],
    "outreach_worker": [*BOOKING, *REFERRAL],
    "counsellor": [*BOOKING, *crud("visit", "view", "change"), *REFERRAL,
                   *crud("sessioncontract"), *crud("goal")],
    "clinician": [*BOOKING, *crud("visit", "view", "change"), *REFERRAL],
}


def forwards(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    create_permissions(global_apps.get_app_config("clients"), apps=apps, verbosity=0)
    for role, codenames in ROLE_PERMISSIONS.items():
        group, _ = Group.objects.get_or_create(name=role)
        group.permissions.add(
            *Permission.objects.filter(content_type__app_label="clients", codename__in=codenames)
        )


def backwards(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for role, codenames in ROLE_PERMISSIONS.items():
        group = Group.objects.filter(name=role).first()
        if group is not None:
            group.permissions.remove(*Permission.objects.filter(
                content_type__app_label="clients", codename__in=codenames
            ))


class Migration(migrations.Migration):
    dependencies = [("clients", "0011_referrals_contracts_goals")]

    operations = [migrations.RunPython(forwards, backwards)]
