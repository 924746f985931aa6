"""The access log's indexes, measured at 20,000,000 rows (issue 13): the foreign keys' own
indexes go ((user, at) and (client, at) begin with them), and the columns that are empty in
nearly every row (emergency, weeded_client) are indexed where they are not.

The fields' change is stated to Django only: the database merely drops the indexes. (Django
would also drop and re-add each foreign key's constraint, checking every row of the log again
under a lock.) On PostgreSQL the indexes are dropped and built CONCURRENTLY, outside a
transaction: every page read writes a row to the log, and a plain CREATE INDEX would hold those
writes for as long as it reads the whole log."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

OLD_INDEXES = [
    "prostenhet_accesslog_client_id_5460e6fa",
    "prostenhet_accesslog_emergency_id_663ff2b5",
    "prostenhet_accesslog_user_id_6522fa5a",
    "prostenhet_accesslog_weeded_client_c78cf3ee",
]


NEW_INDEXES = [
    models.Index(
        condition=models.Q(("emergency__isnull", False)), fields=["emergency", "-at"],
        name="accesslog_emergency_at",
    ),
    models.Index(
        condition=models.Q(("weeded_client__isnull", False)), fields=["weeded_client"],
        name="accesslog_weeded_client",
    ),
]


def drop_indexes(schema_editor, names):
    concurrently = " CONCURRENTLY" if schema_editor.connection.vendor == "postgresql" else ""
    for name in names:
        schema_editor.execute(f'DROP INDEX{concurrently} IF EXISTS "{name}"')


def drop_old_indexes(apps, schema_editor):
    drop_indexes(schema_editor, OLD_INDEXES)


def create_new_indexes(apps, schema_editor):
    model = apps.get_model("prostenhet", "AccessLog")
    for index in NEW_INDEXES:
        if schema_editor.connection.vendor == "postgresql":
            schema_editor.execute(index.create_sql(model, schema_editor, concurrently=True))
        else:
            schema_editor.add_index(model, index)


def drop_new_indexes(apps, schema_editor):
    drop_indexes(schema_editor, [index.name for index in NEW_INDEXES])


class Migration(migrations.Migration):
    # CONCURRENTLY cannot run in a transaction.
    atomic = False

    dependencies = [
        ("clients", "0015_register_extract"),
        ("prostenhet", "0012_cache_table"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[
                migrations.RunPython(drop_old_indexes, migrations.RunPython.noop),
            ],
            state_operations=[
                migrations.AlterField(
                    model_name="accesslog",
                    name="client",
                    field=models.ForeignKey(
                        blank=True, db_index=False, null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="access_log", to="clients.client", verbose_name="klient",
                    ),
                ),
                migrations.AlterField(
                    model_name="accesslog",
                    name="emergency",
                    field=models.ForeignKey(
                        blank=True, db_index=False, null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="access_log", to="clients.emergencyaccess",
                    ),
                ),
                migrations.AlterField(
                    model_name="accesslog",
                    name="user",
                    field=models.ForeignKey(
                        db_index=False, on_delete=django.db.models.deletion.PROTECT,
                        related_name="access_log", to=settings.AUTH_USER_MODEL,
                        verbose_name="personal",
                    ),
                ),
                migrations.AlterField(
                    model_name="accesslog",
                    name="weeded_client",
                    field=models.UUIDField(blank=True, editable=False, null=True),
                ),
            ],
        ),
        migrations.SeparateDatabaseAndState(
            database_operations=[
                migrations.RunPython(create_new_indexes, drop_new_indexes),
            ],
            state_operations=[
                migrations.AddIndex(model_name="accesslog", index=index)
                for index in NEW_INDEXES
            ],
        ),
    ]
