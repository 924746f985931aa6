"""The clinic's appointment types with their professions and default lengths; the roles'
permissions on the clinic's records (clinicians keep the record, hours and types; the office
assistant and outreach workers book and see the clinic's times); and, on PostgreSQL, a
trigger that refuses any change to a signed encounter's details, like the signed entry's."""

from django.apps import apps as global_apps
from django.contrib.auth.management import create_permissions
from django.db import migrations

TYPES = [
    # code, profession, minutes
    ("midwife_visit", "midwife", 30),
    ("gyn_examination", "gynaecologist", 45),
    ("cervical_screening", "midwife", 30),
    ("sti_testing", "midwife", 30),
    ("contraception", "midwife", 30),
    ("abortion_counselling", "midwife", 45),
    ("physician", "physician", 30),
    ("psychiatric", "psychiatrist", 60),
]


def crud(model, *actions):
    return [f"{action}_{model}" for action in actions or ("view", "add", "change")]


BOOKING = [*crud("appointment", "view", "add"), "view_consultationhours"]
ROLE_PERMISSIONS = {
    "office_assistant": BOOKING,
    "outreach_worker": BOOKING,
    "clinician": [
        *crud("appointment"), *crud("consultationhours"), *crud("hoursexception"),
        "delete_hoursexception", *crud("appointmenttype", "view", "change"),
        *crud("encounter"), *crud("sample"),
    ],
}

CREATE = """
CREATE OR REPLACE FUNCTION spiralen_encounter_signed_is_locked() RETURNS trigger AS $$
BEGIN
    IF EXISTS (SELECT 1 FROM clients_journalentry
               WHERE id = OLD.entry_id AND state = 'signed') THEN
        RAISE EXCEPTION USING
            MESSAGE = 'the encounter of signed entry ' || OLD.entry_id || ' cannot change',
            ERRCODE = 'integrity_constraint_violation';
    END IF;
    IF TG_OP = 'DELETE' THEN
        RETURN OLD;
    END IF;
    RETURN NEW;
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER spiralen_encounter_signed_is_locked
    BEFORE UPDATE OR DELETE ON spiralen_encounter
    FOR EACH ROW EXECUTE FUNCTION spiralen_encounter_signed_is_locked();
"""
DROP = """
DROP TRIGGER IF EXISTS spiralen_encounter_signed_is_locked ON spiralen_encounter;
DROP FUNCTION IF EXISTS spiralen_encounter_signed_is_locked();
"""


def forwards(apps, schema_editor):
    AppointmentType = apps.get_model("spiralen", "AppointmentType")
    for order, (code, profession, minutes) in enumerate(TYPES):
        AppointmentType.objects.get_or_create(
            code=code, defaults={"profession": profession, "minutes": minutes, "order": order}
        )
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    create_permissions(global_apps.get_app_config("spiralen"), apps=apps, verbosity=0)
    for role, codenames in ROLE_PERMISSIONS.items():
        group, _ = Group.objects.get_or_create(name=role)
        group.permissions.add(
            *Permission.objects.filter(content_type__app_label="spiralen", codename__in=codenames)
        )


def backwards(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for role, codenames in ROLE_PERMISSIONS.items():
        group = Group.objects.filter(name=role).first()
        if group is not None:
            group.permissions.remove(*Permission.objects.filter(
                content_type__app_label="spiralen", codename__in=codenames
            ))


def create_trigger(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE)


def drop_trigger(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP)


class Migration(migrations.Migration):
    dependencies = [
        ("spiralen", "0001_initial"),
        ("clients", "0012_reception_permissions"),
        ("prostenhet", "0002_create_units_and_roles"),
    ]

    operations = [
        migrations.RunPython(forwards, backwards),
        migrations.RunPython(create_trigger, drop_trigger),
    ]
