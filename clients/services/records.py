"""Domain operations on clients and their records. Each checks its preconditions, raises
DomainError with a Swedish message, runs in a transaction, takes the acting user explicitly,
and lets clients.access recompute the object permissions the change calls for."""

from datetime import timedelta

from auditlog.models import LogEntry
from django.apps import apps
from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from prostenhet.exceptions import DomainError
from prostenhet.lib import personnummer
from prostenhet.lib.text import fold
from prostenhet.roles import Role, UnitCode

from .. import access
from ..models import (
    Assignment,
    AssignmentRole,
    Client,
    ClientMerge,
    Consent,
    EmergencyAccess,
    Enrollment,
    EntryState,
    Journal,
    JournalEntry,
    QueueEntry,
    Register,
)
from ..signals import entry_signed

ADULT_AGE = 18
# Registry fields a client form edits (the identity number is normalised before it gets here).
CLIENT_FIELDS = [
    "alias", "legal_name", "legal_name_quality", "identity_number", "identity_number_quality",
    "birth_year", "birth_year_quality", "gender", "born_in_sweden", "country_of_birth",
    "languages", "interpreter_needed", "phone", "email", "address", "protected_identity",
]


class UnderAgeError(DomainError):
    pass


class DuplicateClientError(DomainError):
    def __init__(self, message, *, existing):
        super().__init__(message, field="identity_number")
        self.existing = existing


class ConcurrentEditError(DomainError):
    def __init__(self, message, *, current, changed_fields):
        super().__init__(message)
        self.current = current
        self.changed_fields = changed_fields


def register_for_unit(unit):
    return Register.KAST if unit == UnitCode.KAST else Register.MAIN


def check_adult(*, identity_number="", birth_year=None, estimated_age=None, today=None):
    """Refuse anyone under 18: the unit serves adults; a child is a matter for the social
    services' child unit (orosanmälan)."""
    today = today or timezone.localdate()
    # Any sign of a child is enough: an estimate never outweighs a known younger age.
    under_age = (
        (identity_number and personnummer.age_on(identity_number, today) < ADULT_AGE)
        or (estimated_age is not None and estimated_age < ADULT_AGE)
        or (birth_year and today.year - birth_year < ADULT_AGE)
    )
    if under_age:
        raise UnderAgeError(
            _(
                "Personen är under 18 år och kan inte registreras: enheten arbetar med vuxna. "
                "Gör i stället en orosanmälan till socialtjänstens barn- och ungdomsenhet."
            )
        )


def find_duplicate(identity_number, register):
    """The current client in register with identity_number, or None. A number held only by
    the tombstone of a merge points to the client it was merged into."""
    if not identity_number:
        return None
    holders = Client.objects.filter(register=register, identity_number=identity_number)
    current = holders.filter(merged_into__isnull=True).first()
    if current is not None:
        return current
    client = holders.first()
    seen = set()
    while client is not None and client.merged_into_id and client.pk not in seen:
        seen.add(client.pk)
        client = Client.objects.filter(pk=client.merged_into_id).first()
    return client


def similar_clients(user, *, alias, birth_year, register):
    """Clients the user may see with the same alias (folded) and birth year."""
    if not alias or not birth_year:
        return Client.objects.none()
    return access.visible_clients(user).filter(
        register=register, alias_folded=fold(alias), birth_year=birth_year
    )


@transaction.atomic
def register_client(*, unit, by, estimated_age=None, **fields):
    """Register a client and enrol them in the unit (the registrant's own). KAST's clients go
    to KAST's own register. Raises UnderAgeError or DuplicateClientError."""
    check_adult(
        identity_number=fields.get("identity_number", ""),
        birth_year=fields.get("birth_year"),
        estimated_age=estimated_age,
    )
    register = register_for_unit(unit)
    existing = find_duplicate(fields.get("identity_number", ""), register)
    if existing is not None:
        raise DuplicateClientError(
            _("Det finns redan en klient med det personnumret."), existing=existing
        )
    client = Client(register=register, created_by=by, **fields)
    try:
        with transaction.atomic():
            client.save()
    except IntegrityError:
        # Someone registered the same number a moment ago: the constraint caught it.
        raise DuplicateClientError(
            _("Det finns redan en klient med det personnumret."),
            existing=find_duplicate(fields.get("identity_number", ""), register),
        ) from None
    enroll(client, unit, by=by)
    return client


@transaction.atomic
def update_client(client, *, expected_version, by, **fields):
    """Save registry fields if nobody else saved the client since expected_version; else
    raise ConcurrentEditError naming what the other person changed."""
    if "identity_number" in fields or "birth_year" in fields:
        check_adult(
            identity_number=fields.get("identity_number", client.identity_number),
            birth_year=fields.get("birth_year", client.birth_year),
        )
    number = fields.get("identity_number")
    if number:
        existing = find_duplicate(number, client.register)
        if existing is not None and existing.pk != client.pk:
            raise DuplicateClientError(
                _("Det finns redan en klient med det personnumret."), existing=existing
            )
    try:
        with transaction.atomic():
            updated = Client.objects.filter(pk=client.pk, version=expected_version).update(
                version=F("version") + 1, **fields
            )
    except IntegrityError:
        raise DuplicateClientError(
            _("Det finns redan en klient med det personnumret."),
            existing=find_duplicate(number, client.register),
        ) from None
    current = Client.objects.get(pk=client.pk)
    if not updated:
        raise ConcurrentEditError(
            _(
                "Någon annan har sparat klientens uppgifter medan du arbetade. Dina ändringar "
                "är inte sparade: se vad som ändrats och gör om dem."
            ),
            current=current,
            changed_fields=_changed_since(current, expected_version),
        )
    # Keep the search columns in step (update() does not call save()).
    current.save(update_fields=["alias_folded", "phone_digits"])
    _log_change(current, client, fields, by)
    return current


def _changed_since(client, version):
    """The registry fields changed by saves after `version`, from the change log."""
    changed = set()
    for entry in LogEntry.objects.get_for_object(client).filter(
        additional_data__version__gt=version
    ):
        changed |= set(entry.changes_dict)
    return [name for name in CLIENT_FIELDS if name in changed]


def _log_change(current, before, fields, by):
    # QuerySet.update() sends no signals: write the change-log row ourselves.
    changes = {
        name: [str(getattr(before, name)), str(getattr(current, name))]
        for name in fields
        if getattr(before, name) != getattr(current, name)
    }
    if "identity_number" in changes:
        changes["identity_number"] = ["*" * 12, "*" * 12]
    if changes:
        LogEntry.objects.log_create(
            current, action=LogEntry.Action.UPDATE, changes=changes, actor=by, force_log=True,
            additional_data={"version": current.version},
        )


@transaction.atomic
def enroll(client, unit, *, by):
    """Make the client a client of the unit (and give the unit a journal for them)."""
    if register_for_unit(unit) != client.register:
        raise DomainError(
            _("KAST:s klienter hålls åtskilda: de kan bara skrivas in i KAST.")
            if client.register == Register.KAST or unit == UnitCode.KAST
            else _("Klienten kan inte skrivas in i den verksamhetsdelen.")
        )
    client = Client.objects.select_for_update().get(pk=client.pk)
    if client.enrollments.active().filter(unit=unit).exists():
        raise DomainError(_("Klienten är redan inskriven i verksamhetsdelen."))
    enrollment = Enrollment.objects.create(client=client, unit=unit, created_by=by)
    journal, _created = Journal.objects.get_or_create(
        client=client, unit=unit, merged_into=None
    )
    if (
        unit in access.ASSIGNED_UNITS
        and by.has_role(Role.COUNSELLOR)
        and not journal.assignments.current().filter(role=AssignmentRole.RESPONSIBLE).exists()
    ):
        Assignment.objects.create(
            journal=journal, counsellor=by, role=AssignmentRole.RESPONSIBLE, created_by=by
        )
    access.sync_client(client)
    return enrollment


@transaction.atomic
def end_enrollment(enrollment, *, by):
    if not enrollment.is_active:
        raise DomainError(_("Inskrivningen är redan avslutad."))
    enrollment.ended_on = timezone.localdate()
    enrollment.save(update_fields=["ended_on"])
    access.sync_client(enrollment.client)
    return enrollment


def _check_may_assign(journal, by):
    """The office assistant assigns from the queue; a counsellor only for a journal they are
    responsible for (naming a substitute, or handing over). Nobody takes a journal."""
    if by.has_role(Role.OFFICE_ASSISTANT):
        return
    if journal.assignments.current().filter(
        role=AssignmentRole.RESPONSIBLE, counsellor=by
    ).exists():
        return
    raise DomainError(
        _("Bara byråassistenten eller klientens ansvariga behandlare kan tilldela behandlare.")
    )


def _check_counsellor(journal, counsellor):
    if journal.unit not in access.ASSIGNED_UNITS:
        raise DomainError(_("Den verksamhetsdelen har ingen tilldelad behandlare."))
    if not counsellor.is_active or not counsellor.has_role(Role.COUNSELLOR):
        raise DomainError(_("Personen är inte samtalsbehandlare."), field="counsellor")
    if journal.unit not in access.user_units(counsellor):
        raise DomainError(
            _("Behandlaren arbetar inte i den verksamhetsdelen."), field="counsellor"
        )


@transaction.atomic
def assign_counsellor(journal, counsellor, *, by):
    """Make counsellor the responsible counsellor of the journal (ending the previous one)."""
    journal = Journal.objects.select_for_update().get(pk=journal.pk)
    _check_may_assign(journal, by)
    _check_counsellor(journal, counsellor)
    now = timezone.now()
    # One by one, so that each ended assignment has its row in the change log.
    for previous in journal.assignments.current().filter(role=AssignmentRole.RESPONSIBLE):
        previous.ended_at = now
        previous.save(update_fields=["ended_at"])
    assignment = Assignment.objects.create(
        journal=journal, counsellor=counsellor, role=AssignmentRole.RESPONSIBLE, created_by=by
    )
    access.sync_client(journal.client)
    return assignment


@transaction.atomic
def name_substitute(journal, counsellor, *, ends_on, by):
    """Name a substitute for the journal until ends_on (inclusive)."""
    journal = Journal.objects.select_for_update().get(pk=journal.pk)
    _check_may_assign(journal, by)
    _check_counsellor(journal, counsellor)
    if ends_on < timezone.localdate():
        raise DomainError(_("Slutdatumet har redan passerat."), field="ends_on")
    assignment = Assignment.objects.create(
        journal=journal, counsellor=counsellor, role=AssignmentRole.SUBSTITUTE,
        ends_on=ends_on, created_by=by,
    )
    access.sync_client(journal.client)
    return assignment


@transaction.atomic
def end_assignment(assignment, *, by):
    _check_may_assign(assignment.journal, by)
    if assignment.ended_at:
        raise DomainError(_("Tilldelningen är redan avslutad."))
    assignment.ended_at = timezone.now()
    assignment.save(update_fields=["ended_at"])
    access.sync_client(assignment.journal.client)
    return assignment


@transaction.atomic
def end_assignments_outside_rights(user):
    """End the user's assignments that their roles and units no longer allow (a role or unit
    change, a deactivation), and recompute the grants on those clients."""
    counsellor = user.is_active and user.has_role(Role.COUNSELLOR)
    keep_units = access.user_units(user) if counsellor else set()
    lapsed = Assignment.objects.current().filter(counsellor=user).exclude(
        journal__unit__in=keep_units
    ).select_related("journal__client")
    clients = {}
    for assignment in lapsed:
        assignment.ended_at = timezone.now()
        assignment.save(update_fields=["ended_at"])
        clients[assignment.journal.client_id] = assignment.journal.client
    for client in clients.values():
        access.sync_client(client)


@transaction.atomic
def give_consent(client, unit, other_unit, *, method, by):
    """Record the client's consent that two of its units share information."""
    if unit == other_unit:
        raise DomainError(_("Välj två olika verksamhetsdelar."), field="other_unit")
    if UnitCode.KAST in (unit, other_unit):
        raise DomainError(_("KAST:s uppgifter delas inte med andra verksamhetsdelar."))
    first, second = sorted([unit, other_unit])
    client = Client.objects.select_for_update().get(pk=client.pk)
    if client.consents.active().between(first, second).exists():
        raise DomainError(_("Det finns redan ett gällande samtycke för de verksamhetsdelarna."))
    try:
        with transaction.atomic():
            consent = Consent.objects.create(
                client=client, unit_a=first, unit_b=second, method=method, recorded_by=by
            )
    except IntegrityError:
        raise DomainError(
            _("Det finns redan ett gällande samtycke för de verksamhetsdelarna.")
        ) from None
    access.sync_client(client)
    return consent


@transaction.atomic
def revoke_consent(consent, *, by):
    if consent.revoked_at:
        raise DomainError(_("Samtycket är redan återkallat."))
    consent.revoked_at = timezone.now()
    consent.revoked_by = by
    consent.save(update_fields=["revoked_at", "revoked_by"])
    access.sync_client(consent.client)
    return consent


@transaction.atomic
def open_emergency_access(client, *, user, reason, hours=None):
    """Open the client's record to the user outside their rights, for a stated reason, for a
    limited time (DESIGN §3.7). Listed for the manager's review."""
    hours = hours or settings.EMERGENCY_ACCESS_HOURS
    if not reason.strip():
        raise DomainError(_("Ange skälet till nödåtkomsten."), field="reason")
    if not 1 <= hours <= settings.EMERGENCY_ACCESS_HOURS:
        raise DomainError(
            _("Nödåtkomst kan gälla i högst %(hours)d timmar.")
            % {"hours": settings.EMERGENCY_ACCESS_HOURS},
            field="hours",
        )
    if client.register == Register.KAST and UnitCode.KAST not in access.user_units(user):
        raise DomainError(_("Klienten hittades inte."))
    now = timezone.now()
    emergency = EmergencyAccess.objects.create(
        user=user, client=client, reason=reason.strip(), opened_at=now,
        expires_at=now + timedelta(hours=hours),
    )
    access.sync_client(client)
    return emergency


# --- journal entries -------------------------------------------------------------------------


DRAFT_FIELDS = ("kind", "event_date", "text")


class EmptyDraftError(DomainError):
    pass


@transaction.atomic
def save_draft(*, journal, by, entry=None, editor="", seq=None, expected_version=None,
               corrects=None, **fields):
    """Create or update the author's draft; autosave calls this every few seconds.

    editor names the page the text comes from, seq numbers that page's saves. Saves from one
    page are one writer: its autosave and its explicit save never conflict, a save that comes
    in after a later one from the same page is dropped, and the first save from a new-note
    page creates the draft once however the page's requests race. A save from another page
    (a second tab, another device) that did not see the latest version raises DomainError.
    A new draft is made only with text in it (EmptyDraftError): a mis-click keeps nothing.
    A save that changes nothing writes nothing."""
    # Every save of a journal's draft takes the journal's row first, then the entry's: one
    # order, so that a page's racing requests (an autosave to the draft's own address, the
    # save button on the new-note page) queue instead of deadlocking; and one new draft at a
    # time per journal, so that they find the draft the first of them made. FOR NO KEY
    # UPDATE: rows that merely refer to the journal (the samples a signing writes while it
    # holds the entry) are not held up by it, which would deadlock with that signing.
    Journal.objects.select_for_update(no_key=True).filter(pk=journal.pk).first()
    if entry is None and editor:
        entry = JournalEntry.objects.filter(author=by, editor_token=editor).first()
    if entry is None:
        if not fields.get("text", "").strip():
            raise EmptyDraftError(_("Anteckningen är tom: skriv något innan du sparar."))
        if corrects is not None:
            fields.setdefault("kind", corrects.kind)
        try:
            with transaction.atomic():
                return JournalEntry.objects.create(
                    journal=journal, unit=journal.unit, author=by, corrects=corrects,
                    editor_token=editor, editor_seq=seq or 0, **fields,
                )
        except IntegrityError:
            # The same page's other request created it a moment ago.
            entry = JournalEntry.objects.get(author=by, editor_token=editor)
    entry = JournalEntry.objects.select_for_update().get(pk=entry.pk)
    if entry.author_id != by.pk:
        raise DomainError(_("Bara den som skriver anteckningen kan ändra utkastet."))
    if entry.is_signed:
        raise DomainError(_("Anteckningen är signerad och kan inte ändras."))
    same_editor = bool(editor) and entry.editor_token == editor
    if same_editor and seq is not None and seq <= entry.editor_seq:
        return entry  # a late save from this page: a newer one is already saved
    if not same_editor and expected_version is not None and entry.version != expected_version:
        raise DomainError(
            _("Utkastet har sparats från ett annat fönster. Ladda om sidan innan du fortsätter.")
        )
    changed = {name: value for name, value in fields.items() if getattr(entry, name) != value}
    if editor:
        entry.editor_token = editor
        if seq is not None:
            entry.editor_seq = seq
    if not changed:
        if editor:
            entry.save(update_fields=["editor_token", "editor_seq"])
        return entry
    for name, value in changed.items():
        setattr(entry, name, value)
    entry.version += 1
    entry.updated_at = timezone.now()
    entry.save()
    return entry


@transaction.atomic
def discard_draft(entry, *, by):
    """Throw away the author's own unsigned draft. The change log keeps that a draft was
    discarded (the entry's kind, date and state), not its text."""
    entry = JournalEntry.objects.select_for_update().get(pk=entry.pk)
    if entry.author_id != by.pk:
        raise DomainError(_("Bara den som skriver utkastet kan kasta det."))
    if entry.is_signed:
        raise DomainError(_("En signerad anteckning kan inte kastas."))
    entry.delete()


@transaction.atomic
def sign_entry(entry, *, by, expected_version=None, at=None):
    """Sign the author's draft as it was shown (expected_version): from now on it is never
    changed or deleted. at is the time of signing (now, unless records are brought in)."""
    entry = JournalEntry.objects.select_for_update().get(pk=entry.pk)
    if expected_version is not None and entry.version != expected_version:
        raise DomainError(
            _("Utkastet har ändrats sedan du öppnade sidan. Läs igenom det igen innan du "
              "signerar.")
        )
    if entry.author_id != by.pk:
        raise DomainError(_("Bara den som skrivit anteckningen kan signera den."))
    if entry.is_signed:
        raise DomainError(_("Anteckningen är redan signerad."))
    if not entry.text.strip():
        raise DomainError(_("En tom anteckning kan inte signeras."), field="text")
    if entry.event_date > timezone.localdate():
        raise DomainError(_("Händelsedatumet kan inte vara i framtiden."), field="event_date")
    now = at or timezone.now()
    entry.state = EntryState.SIGNED
    entry.signed_by = by
    entry.signed_at = now
    entry.updated_at = now
    entry.save()
    entry_signed.send(sender=JournalEntry, entry=entry, by=by)
    return entry


def check_correctable(entry):
    """Only a signed entry is corrected (a draft is changed directly)."""
    if not entry.is_signed:
        raise DomainError(_("Bara signerade anteckningar rättas; ett utkast ändras direkt."))


# --- merge -----------------------------------------------------------------------------------


def _client_foreign_keys():
    """Every (model, field) that points at Client, except the merge bookkeeping itself and the
    object-permission tables (recomputed after the merge)."""
    skip = {"ClientMerge", "ClientUserObjectPermission", "ClientGroupObjectPermission"}
    for relation in Client._meta.related_objects:
        model = relation.related_model
        if relation.many_to_many or model is Client or model.__name__ in skip:
            continue
        yield model, relation.field


@transaction.atomic
def merge_clients(survivor, duplicate, *, by):
    """Merge duplicate into survivor: every row that points at the duplicate moves to the
    survivor and the move is recorded, so that a manager can undo it; the duplicate stays as
    a tombstone that redirects. KAST's register is never merged."""
    if survivor.pk == duplicate.pk:
        raise DomainError(_("Välj två olika klienter."))
    # Lock both, always in the same order (no deadlock), then check again under the lock.
    locked = {
        c.pk: c
        for c in Client.objects.select_for_update().filter(pk__in=[survivor.pk, duplicate.pk])
        .order_by("pk")
    }
    survivor, duplicate = locked[survivor.pk], locked[duplicate.pk]
    if Register.KAST in (survivor.register, duplicate.register):
        raise DomainError(_("KAST:s klienter slås aldrig samman."))
    if survivor.is_tombstone or duplicate.is_tombstone:
        raise DomainError(_("Klienten är redan sammanslagen med en annan."))
    moved = []

    def move(obj, field, new_value):
        moved.append(
            {"model": obj._meta.label_lower, "pk": obj.pk, "field": field,
             "old": getattr(obj, field)}
        )
        type(obj).objects.filter(pk=obj.pk).update(**{field: new_value})

    # Journals of a unit both have: the duplicate's joins the survivor's, entries untouched.
    survivor_journals = {
        j.unit: j for j in survivor.journals.filter(merged_into__isnull=True)
    }
    for journal in duplicate.journals.all():
        if journal.merged_into_id is None and journal.unit in survivor_journals:
            move(journal, "merged_into_id", survivor_journals[journal.unit].pk)
    # Two active enrollments in one unit: the duplicate's ends.
    survivor_units = set(survivor.enrollments.active().values_list("unit", flat=True))
    for enrollment in duplicate.enrollments.active().filter(unit__in=survivor_units):
        move(enrollment, "ended_on", timezone.localdate())
    # The same consent given twice (both records hold it): the survivor's stands, the
    # duplicate's ends, so that one active consent per pair of units remains.
    survivor_pairs = set(survivor.consents.active().values_list("unit_a", "unit_b"))
    for consent in duplicate.consents.active():
        if (consent.unit_a, consent.unit_b) in survivor_pairs:
            move(consent, "revoked_at", timezone.now())
    # Both waiting in the counselling queue: the survivor keeps its place.
    if QueueEntry.objects.filter(client=survivor, left_at__isnull=True).exists():
        for entry in QueueEntry.objects.filter(client=duplicate, left_at__isnull=True):
            move(entry, "left_at", timezone.now())
    try:
        with transaction.atomic():
            for model, field in _client_foreign_keys():
                for obj in model.objects.filter(**{field.name: duplicate}):
                    move(obj, field.attname, survivor.pk)
    except IntegrityError:
        # A unit app's row that may exist once per client (an open case) exists for both.
        raise DomainError(_(
            "Klienterna kan inte slås samman: båda har något som bara får finnas en gång per "
            "klient (till exempel ett öppet ärende i samma verksamhetsdel). Avsluta det ena "
            "och försök igen."
        )) from None
    _move_change_log(duplicate, survivor, moved)
    # The tombstone first: the identity number is unique among current clients only.
    Client.objects.filter(pk=duplicate.pk).update(merged_into=survivor)
    if duplicate.protected_identity and not survivor.protected_identity:
        # Protection is never lost in a merge.
        moved.append({"model": "clients.client", "pk": survivor.pk,
                      "field": "protected_identity", "old": False})
        Client.objects.filter(pk=survivor.pk).update(protected_identity=True)
    if duplicate.identity_number and not survivor.identity_number:
        moved.append({"model": "clients.client", "pk": survivor.pk,
                      "field": "identity_number", "old": survivor.identity_number})
        moved.append({"model": "clients.client", "pk": survivor.pk,
                      "field": "identity_number_quality",
                      "old": survivor.identity_number_quality})
        Client.objects.filter(pk=survivor.pk).update(
            identity_number=duplicate.identity_number,
            identity_number_quality=duplicate.identity_number_quality,
        )
    merge = ClientMerge.objects.create(
        survivor=survivor, merged=duplicate, merged_by=by, moved=_jsonable(moved)
    )
    _log_moves(moved + [{"model": "clients.client", "pk": duplicate.pk,
                         "field": "merged_into_id", "old": None}], by=by, merge=merge)
    survivor.refresh_from_db()
    duplicate.refresh_from_db()
    access.sync_client(survivor)
    access.sync_client(duplicate)
    return merge


def _move_change_log(duplicate, survivor, moved):
    content_type = ContentType.objects.get_for_model(Client)
    for entry in LogEntry.objects.filter(content_type=content_type, object_id=duplicate.pk):
        moved.append({"model": "auditlog.logentry", "pk": entry.pk, "field": "object_id",
                      "old": duplicate.pk})
        LogEntry.objects.filter(pk=entry.pk).update(
            object_id=survivor.pk, object_pk=str(survivor.pk)
        )


def _log_moves(moved, *, by, merge, undo=False):
    """QuerySet.update() writes no change-log row: write one for each row a merge (or its
    undoing) moved, with the merge it belongs to. The change log's own rows moved along are
    not logged again; an identity number is masked."""
    for row in moved:
        if row["model"] == "auditlog.logentry":
            continue
        instance = apps.get_model(row["model"]).objects.filter(pk=row["pk"]).first()
        if instance is None:
            continue
        old, new = row["old"], getattr(instance, row["field"])
        if row["field"] == "identity_number":
            old, new = "*" * 12, "*" * 12
        LogEntry.objects.log_create(
            instance, action=LogEntry.Action.UPDATE, actor=by, force_log=True,
            changes={row["field"]: [str(old), str(new)]},
            additional_data={"undo_merge" if undo else "merge": merge.pk},
        )


def _current_value(row):
    """What a moved row holds before the undo puts it back (for the undo's change-log row)."""
    if row["model"] == "auditlog.logentry":
        return None
    instance = apps.get_model(row["model"]).objects.filter(pk=row["pk"]).first()
    return getattr(instance, row["field"]) if instance is not None else None


def _jsonable(moved):
    for row in moved:
        if hasattr(row["old"], "isoformat"):
            row["old"] = row["old"].isoformat()
    return moved


@transaction.atomic
def undo_merge(merge, *, by):
    """Put every moved row back where it was and revive the merged client."""
    merge = ClientMerge.objects.select_for_update().get(pk=merge.pk)
    if merge.undone_at:
        raise DomainError(_("Sammanslagningen är redan ångrad."))
    # What each row holds now, for the change log of the undo.
    undone = [{**row, "old": _current_value(row)} for row in merge.moved]
    for row in reversed(merge.moved):
        model = apps.get_model(row["model"])
        values = {row["field"]: row["old"]}
        if row["model"] == "auditlog.logentry":
            values["object_pk"] = str(row["old"])
        model.objects.filter(pk=row["pk"]).update(**values)
    # Every row is back (the survivor's own number too); the rollback undoes them if the
    # merged client cannot live again.
    merged = Client.objects.get(pk=merge.merged_id)
    if merged.identity_number and Client.objects.current().filter(
        register=merged.register, identity_number=merged.identity_number
    ).exclude(pk=merged.pk).exists():
        # The number was registered again after the merge: two living clients cannot hold it.
        raise DomainError(_(
            "Sammanslagningen kan inte ångras: personnumret har registrerats på en annan klient "
            "efter sammanslagningen. Slå först samman eller rätta den klienten."
        ))
    Client.objects.filter(pk=merge.merged_id).update(merged_into=None)
    _log_moves(
        undone + [{"model": "clients.client", "pk": merge.merged_id,
                   "field": "merged_into_id", "old": merge.survivor_id}],
        by=by, merge=merge, undo=True,
    )
    merge.undone_at = timezone.now()
    merge.undone_by = by
    merge.save(update_fields=["undone_at", "undone_by"])
    access.sync_client(Client.objects.get(pk=merge.survivor_id))
    access.sync_client(Client.objects.get(pk=merge.merged_id))
    return merge

