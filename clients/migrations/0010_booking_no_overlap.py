"""No double booking, in the database: on PostgreSQL two holding bookings of one staff member
or one room cannot overlap, whatever writes them (exclusion constraints over the time range;
btree_gist lets the staff member's id take part). The services also lock the staff member's
and the room's rows and answer with a clear message; on SQLite, which writes one transaction
at a time, that lock-and-check is what holds."""

from django.db import migrations

HOLDING = "('booked', 'arrived', 'completed', 'no_show')"

CREATE = f"""
CREATE EXTENSION IF NOT EXISTS btree_gist;
ALTER TABLE clients_booking ADD CONSTRAINT booking_staff_no_overlap
    EXCLUDE USING gist (staff_id WITH =, tstzrange(starts_at, ends_at) WITH &&)
    WHERE (staff_id IS NOT NULL AND status IN {HOLDING});
ALTER TABLE clients_booking ADD CONSTRAINT booking_room_no_overlap
    EXCLUDE USING gist (room_id WITH =, tstzrange(starts_at, ends_at) WITH &&)
    WHERE (room_id IS NOT NULL AND status IN {HOLDING});
"""

DROP = """
ALTER TABLE clients_booking DROP CONSTRAINT IF EXISTS booking_staff_no_overlap;
ALTER TABLE clients_booking DROP CONSTRAINT IF EXISTS booking_room_no_overlap;
"""


def create(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE)


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP)


class Migration(migrations.Migration):
    dependencies = [("clients", "0009_bookings_visits_queue")]

    operations = [migrations.RunPython(create, drop)]
