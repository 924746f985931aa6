"""Weeding (DESIGN §5) may delete the encounter of a signed entry, as it may the entry: only
under the transaction-local permit clients.services.weeding sets for the entry's client
("client:<id>", see prostenhet 0011). Any other change to it is refused as before."""

from importlib import import_module

from django.db import migrations

PREVIOUS = import_module("spiralen.migrations.0002_types_permissions_and_lock")

CREATE = """
CREATE OR REPLACE FUNCTION spiralen_encounter_signed_is_locked() RETURNS trigger AS $$
BEGIN
    IF EXISTS (SELECT 1 FROM clients_journalentry
               WHERE id = OLD.entry_id AND state = 'signed') THEN
        IF TG_OP = 'DELETE' AND prostenhet_weeding_permits(
                (SELECT journal.client_id
                 FROM clients_journalentry entry
                 JOIN clients_journal journal ON journal.id = entry.journal_id
                 WHERE entry.id = OLD.entry_id)) THEN
            RETURN OLD;
        END IF;
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
"""


def create(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE)


def restore(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(PREVIOUS.CREATE.split("CREATE TRIGGER")[0])


class Migration(migrations.Migration):
    dependencies = [
        ("spiralen", "0002_types_permissions_and_lock"),
        ("clients", "0014_weeding_path"),
    ]

    operations = [migrations.RunPython(create, restore)]
