"""Weeding (gallring, DESIGN §5): every record is let go on time by the rules of its regime,
and only then.

A record is what a unit holds of one person (the client and the tombstones merged into it):
enrolments, the journal, bookings, visits, referrals, consents and the unit app's rows
(registry.record_parts). Its last entry is the latest date any of them carries.

- Social-services records (counselling, outreach, KAST, trafficking) are due
  SOCIAL_SERVICES_RETENTION_YEARS after the last entry and weeded at the latest in the next
  calendar year (the report gives that deadline). Nothing of a person is weeded while another
  of the person's social-services records is kept. Records of persons born on the 5th, 15th
  or 25th are kept for research (WEEDING_RESEARCH_EXEMPTION "birthdays"; "all" keeps every
  social-services record); a person with no known birth date follows the general rule.
- Spiralen's patient records are kept at least ten years after the last entry
  (retention.retention_years).
- An open enrolment (open case), an unsigned draft, an open referral, a place in the queue or
  what a unit app holds (a pending sample result, an open trafficking case) keeps a record.

plan() decides, in a fixed number of grouped queries; run() stores the decision as a
prostenhet.WeedingRun report and, executed, weeds each person in one transaction of its own,
so that a failure leaves that person whole. The client row goes when nothing of the person
remains. Change-log rows about what was weeded go with it (a weeding is recorded by its run,
with counts and no personal data); read-access rows go once they are ACCESS_LOG_RETENTION_YEARS
old, younger ones stay unlinked until a later run. On PostgreSQL signed entries and the logs
are locked by triggers; the one path through them is the transaction-local permit set here.
"""

import datetime
import logging
from collections import Counter, defaultdict
from dataclasses import asdict, dataclass

from auditlog.context import disable_auditlog
from auditlog.models import LogEntry
from django.apps import apps
from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import connection, transaction
from django.db.models import Max, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import override

from prostenhet import registry, retention
from prostenhet.models import AccessLog, WeedingRun
from prostenhet.retention import as_date, is_patient_record, latest_dates, retention_years
from prostenhet.roles import UnitCode

from ..models import (
    Assignment,
    Booking,
    Client,
    ClientMerge,
    Consent,
    EmergencyAccess,
    Enrollment,
    EntryState,
    ExtractWithholding,
    Goal,
    Journal,
    JournalEntry,
    QueueEntry,
    QueueMove,
    Referral,
    RegisterExtract,
    SessionContract,
    Visit,
)

__all__ = ["plan", "run", "rules", "removed_labels", "Decision", "KEEP_REASONS"]

logger = logging.getLogger(__name__)

SOCIAL, PATIENT = "social", "patient"
# A person registered but never a client of any unit: the registry row is their record,
# under the social-services rule.
REGISTER = "register"
RESEARCH_DAYS = {5, 15, 25}
# Read-access rows kept (younger than their retention) but no longer linked to the client.
UNLINKED = "prostenhet.AccessLog.unlinked"
CHUNK = 2000

KEEP_REASONS = {
    "research": _("Forskningsundantaget: personen är född den 5, 15 eller 25"),
    "research_all": _("Forskningsundantaget: alla personakter sparas"),
    "open_case": _("Inskrivningen är inte avslutad"),
    "draft": _("Det finns en osignerad anteckning"),
    "open_referral": _("Det finns en öppen remiss"),
    "queue": _("Klienten står i kö"),
    "person_kept": _("En annan personakt om personen sparas"),
    "unit_hold": _("Verksamheten håller kvar akten"),
    "failed": _("Gallringen misslyckades och gjordes inte"),
}


@dataclass
class Decision:
    """What the rules say of one record: weed it, or keep it and why."""

    person: int  # the client id the person's rows are weeded under (not a tombstone)
    ref: str  # the client's opaque id
    unit: str
    regime: str
    last: datetime.date
    due_on: datetime.date
    deadline: datetime.date | None
    weed: bool
    reason: str = ""  # KEEP_REASONS key when kept
    detail: str = ""  # a unit app's own reason (unit_hold)

    def as_report(self):
        row = asdict(self)
        del row["person"]
        for key in ("last", "due_on", "deadline"):
            row[key] = row[key].isoformat() if row[key] else None
        return row


def rules():
    """The rules as they are set (stored with each run, stated on the managers' page)."""
    return {
        "social_years": settings.SOCIAL_SERVICES_RETENTION_YEARS,
        "patient_years": retention_years(UnitCode.SPIRALEN),
        "research_exemption": settings.WEEDING_RESEARCH_EXEMPTION,
        "access_log_years": settings.ACCESS_LOG_RETENTION_YEARS,
    }


def add_years(day, years):
    """The same date `years` later; 29 February becomes 1 March (kept a day longer, never
    shorter)."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return datetime.date(day.year + years, 3, 1)


def birth_day(identity_number):
    """The day of the month a person is born on, from a personnummer or samordningsnummer
    (day + 60), or None when it is not known."""
    if len(identity_number or "") != 12 or not identity_number.isdigit():
        return None
    day = int(identity_number[6:8])
    if day > 60:
        day -= 60
    try:
        datetime.date(int(identity_number[:4]), int(identity_number[4:6]), day)
    except ValueError:
        return None
    return day


# --- deciding ------------------------------------------------------------------------------


def _persons():
    """{person id: [client ids]}, with each person's data: (public_id, identity number)."""
    rows = list(Client.objects.order_by().values_list(
        "id", "merged_into_id", "public_id", "identity_number", "created_at",
    ))
    parent = {client_id: merged_into for client_id, merged_into, *_ in rows}

    def root(client_id):
        seen = set()
        while parent.get(client_id) and client_id not in seen:
            seen.add(client_id)
            client_id = parent[client_id]
        return client_id

    members = defaultdict(list)
    info = {}
    for client_id, merged_into, public_id, identity_number, created_at in rows:
        members[root(client_id)].append(client_id)
        if merged_into is None:
            info[client_id] = (str(public_id), identity_number, timezone.localdate(created_at))
    return members, info


def _chunks(ids):
    ids = list(ids)
    for start in range(0, len(ids), CHUNK):
        yield ids[start:start + CHUNK]


def _merge_latest(into, key, day):
    if day is not None:
        into[key] = max(day, into.get(key, day))


def _activity(person_of):
    """{(person, unit): last date} over the shared models and the unit apps' rows."""
    last = {}

    def add(rows, client_key, unit_key, *fields):
        for row in rows.order_by().values(client_key, unit_key).annotate(
            **{f"m{index}": Max(field) for index, field in enumerate(fields)}
        ):
            days = [as_date(row[f"m{index}"]) for index in range(len(fields))]
            person = person_of.get(row[client_key])
            if person is not None:
                for day in days:
                    _merge_latest(last, (person, row[unit_key]), day)

    add(JournalEntry.objects.all(), "journal__client_id", "journal__unit",
        "event_date", "written_at")
    add(Journal.objects.all(), "client_id", "unit", "created_at")
    add(Enrollment.objects.all(), "client_id", "unit", "started_on", "ended_on")
    add(Booking.objects.filter(client__isnull=False), "client_id", "unit", "starts_at")
    add(Visit.objects.filter(client__isnull=False), "client_id", "unit", "arrived_at")
    for side in ("from_unit", "to_unit"):
        add(Referral.objects.all(), "client_id", side, "sent_at", "handled_at", "closed_at")
    for side in ("unit_a", "unit_b"):
        add(Consent.objects.all(), "client_id", side, "given_at", "revoked_at")
    add(SessionContract.objects.all(), "journal__client_id", "journal__unit",
        "starts_on", "ended_on")
    add(Goal.objects.all(), "contract__journal__client_id", "contract__journal__unit",
        "created_at", "evaluated_at")
    queue = latest_dates(QueueEntry.objects.all(), "client_id", "added_on", "left_at")
    for client_id, day in queue.items():
        if client_id in person_of:
            _merge_latest(last, (person_of[client_id], UnitCode.COUNSELLING), day)
    ids = list(person_of)
    for part in registry.record_parts:
        for chunk in _chunks(ids):
            for client_id, day in part.last_dates(chunk).items():
                _merge_latest(last, (person_of[client_id], part.unit), day)
    return last


def _holds(person_of):
    """{(person, unit): (reason, detail)}: what keeps a record whatever its age."""
    held = {}

    def hold(client_id, unit, reason, detail=""):
        person = person_of.get(client_id)
        if person is not None:
            held.setdefault((person, unit), (reason, detail))

    for client_id, unit in Enrollment.objects.active().values_list("client_id", "unit"):
        hold(client_id, unit, "open_case")
    drafts = JournalEntry.objects.filter(state=EntryState.DRAFT)
    for client_id, unit in drafts.values_list("journal__client_id", "journal__unit").distinct():
        hold(client_id, unit, "draft")
    for client_id, from_unit, to_unit in Referral.objects.open().values_list(
        "client_id", "from_unit", "to_unit"
    ):
        hold(client_id, from_unit, "open_referral")
        hold(client_id, to_unit, "open_referral")
    for client_id in QueueEntry.objects.filter(left_at__isnull=True).values_list(
        "client_id", flat=True
    ):
        hold(client_id, UnitCode.COUNSELLING, "queue")
    ids = list(person_of)
    with override(settings.LANGUAGE_CODE):
        for part in registry.record_parts:
            for chunk in _chunks(ids):
                for client_id, detail in part.holds(chunk).items():
                    hold(client_id, part.unit, "unit_hold", str(detail))
    return held


def plan(as_of=None):
    """Every record that is due, or would be but is kept, with the rule and the reason;
    per unit the number of records not yet due; and the units each person has a record in.
    Returns (decisions, not_due, units_of)."""
    as_of = as_of or timezone.localdate()
    members, info = _persons()
    person_of = {client_id: person for person, ids in members.items() for client_id in ids}
    last = _activity(person_of)
    held = _holds(person_of)

    records = defaultdict(dict)  # person -> {unit: last}
    for (person, unit), day in last.items():
        records[person][unit] = day
    for person, (_ref, _number, created_on) in info.items():
        if not records.get(person):
            records[person][REGISTER] = created_on

    decisions, not_due = [], Counter()
    social_years = settings.SOCIAL_SERVICES_RETENTION_YEARS
    for person, units in records.items():
        ref, identity_number, _created = info[person]
        research = None
        if settings.WEEDING_RESEARCH_EXEMPTION == "all":
            research = "research_all"
        elif birth_day(identity_number) in RESEARCH_DAYS:
            research = "research"
        mine = []
        for unit, day in units.items():
            patient = is_patient_record(unit)
            years = retention_years(unit) if patient else social_years
            due_on = add_years(day, years)
            if as_of < due_on:
                not_due[unit] += 1
                if not patient:
                    mine.append(None)  # a social-services record still kept
                continue
            reason, detail = held.get((person, unit), ("", ""))
            if not reason and research and not patient:
                reason = research
            mine.append(Decision(
                person=person, ref=ref, unit=unit, regime=PATIENT if patient else SOCIAL,
                last=day, due_on=due_on,
                deadline=None if patient else datetime.date(due_on.year + 1, 12, 31),
                weed=not reason, reason=reason, detail=detail,
            ))
        # Nothing of a person is weeded while another of their social-services records is kept.
        social_kept = any(
            decision is None or (decision.regime == SOCIAL and not decision.weed)
            for decision in mine
        )
        for decision in mine:
            if decision is None:
                continue
            if decision.regime == SOCIAL and decision.weed and social_kept:
                decision.weed, decision.reason = False, "person_kept"
            decisions.append(decision)
    decisions.sort(key=lambda decision: (decision.unit, decision.due_on, decision.ref))
    return decisions, not_due, {person: set(units) for person, units in records.items()}


# --- weeding -------------------------------------------------------------------------------


def _permit(value):
    """The transaction-local permit the PostgreSQL triggers let weeding through with (see
    prostenhet migration 0011). Only this module sets it."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT set_config('prostenhet.weeding', %s, true)", [value])


class _Removal:
    """Deletes querysets, counting rows per model and remembering what the change log holds
    about them."""

    def __init__(self):
        self.removed = Counter()
        self.logged = defaultdict(set)  # content type id -> {object pk as text}

    def delete(self, queryset):
        model = queryset.model
        pks = list(queryset.order_by().values_list("pk", flat=True))
        if not pks:
            return
        for chunk in _chunks(pks):
            _, counts = model._base_manager.filter(pk__in=chunk).delete()
            self.removed.update({label: n for label, n in counts.items() if n})
        content_type = ContentType.objects.get_for_model(model, for_concrete_model=False)
        self.logged[content_type.pk].update(str(pk) for pk in pks)

    def delete_leaves_first(self, queryset, referrer):
        """Delete rows that point to each other (a correction to what it corrects): those no
        other row of the set points to first, until none is left."""
        for _round in range(100):
            leaves = queryset.filter(**{f"{referrer}__isnull": True})
            if not leaves.exists():
                break
            self.delete(leaves)
        if queryset.exists():
            raise RuntimeError("rows still point to each other")

    def forget_logged(self):
        for content_type, pks in self.logged.items():
            for chunk in _chunks(sorted(pks)):
                LogEntry.objects.filter(content_type_id=content_type, object_pk__in=chunk).delete()


def _weed_person(ids, ref, units, kept_units, removal, now):
    """Remove the records of `units` of the person (client ids `ids`); the client rows too
    when the person keeps no record (kept_units empty). In the caller's transaction."""
    units = [unit for unit in units if unit != REGISTER]
    for part in registry.record_parts:
        if part.unit in units:
            for queryset in part.rows(ids):
                removal.delete(queryset)
    journals = Journal.objects.filter(client_id__in=ids, unit__in=units)
    removal.delete_leaves_first(JournalEntry.objects.filter(journal__in=journals), "corrections")
    removal.delete(Visit.objects.filter(
        (Q(client_id__in=ids) | Q(booking__client_id__in=ids))
        & (Q(unit__in=units) | Q(booking__unit__in=units))
    ))
    removal.delete(Booking.objects.filter(client_id__in=ids, unit__in=units))
    removal.delete_leaves_first(Goal.objects.filter(contract__journal__in=journals), "revisions")
    removal.delete_leaves_first(
        SessionContract.objects.filter(journal__in=journals), "renewal"
    )
    if UnitCode.COUNSELLING in units:
        removal.delete(QueueMove.objects.filter(entry__client_id__in=ids))
        removal.delete(QueueEntry.objects.filter(client_id__in=ids))
    removal.delete(Assignment.objects.filter(journal__in=journals))
    removal.delete(journals.filter(merged_into__isnull=False))
    removal.delete(journals)
    removal.delete(Enrollment.objects.filter(client_id__in=ids, unit__in=units))
    # What is between two units goes when neither keeps a record of the person.
    removal.delete(Referral.objects.filter(client_id__in=ids).exclude(
        Q(from_unit__in=kept_units) | Q(to_unit__in=kept_units)
    ))
    removal.delete(Consent.objects.filter(client_id__in=ids, referrals__isnull=True).exclude(
        Q(unit_a__in=kept_units) | Q(unit_b__in=kept_units)
    ))
    if kept_units:
        _weed_extract_copies(ids, units, removal, now)
        return
    # Nothing of the person remains: the client rows go, with what hangs on them.
    access = AccessLog.objects.filter(client_id__in=ids)
    cutoff = now - datetime.timedelta(days=365 * settings.ACCESS_LOG_RETENTION_YEARS)
    removal.delete(access.filter(at__lt=cutoff))
    unlinked = access.update(client=None, emergency=None, weeded_client=ref)
    if unlinked:
        removal.removed[UNLINKED] += unlinked
    removal.delete(EmergencyAccess.objects.filter(client_id__in=ids))
    removal.delete(ExtractWithholding.objects.filter(extract__client_id__in=ids))
    removal.delete(RegisterExtract.objects.filter(client_id__in=ids))
    removal.delete(ClientMerge.objects.filter(Q(survivor_id__in=ids) | Q(merged_id__in=ids)))
    removal.delete(Client.objects.filter(id__in=ids, merged_into__isnull=False))
    removal.delete(Client.objects.filter(id__in=ids))


def _weed_extract_copies(ids, units, removal, now):
    """A register extract is a copy of the records it covered: one not yet released goes with
    any of them; a released one keeps who made and released it, and its copy of the weeded
    units' records is replaced by a note that they were weeded (the kept units' stays)."""
    extracts = RegisterExtract.objects.filter(client_id__in=ids)
    covering = [extract for extract in extracts if set(extract.units) & set(units)]
    unreleased = [extract.pk for extract in covering if not extract.is_released]
    removal.delete(ExtractWithholding.objects.filter(extract_id__in=unreleased))
    removal.delete(extracts.filter(pk__in=unreleased))
    note = {
        "heading": str(_("Gallrat")), "items": [], "unit": "",
        "note": str(_("Uppgifterna i utdraget gallrades %(day)s med akterna de kom från.")
                    % {"day": timezone.localdate(now).isoformat()}),
    }
    for extract in covering:
        if extract.is_released:
            removal.delete(extract.withholdings.all())
            sections = extract.content.get("sections", [])
            kept = [section for section in sections
                    if "unit" in section and section["unit"] not in units]
            extract.content = {**extract.content, "sections": [*kept, note]}
            extract.save(update_fields=["content"])


def run(*, execute=False, as_of=None, by=None, fail_on=None, allow_future=False):
    """Decide (plan) and store the report as a WeedingRun; executed, weed every record the
    report lists as due and not kept, one person per transaction. A dry run may look ahead
    (as_of in the future); an execution never weeds ahead of time (allow_future: tests that
    play years ahead). fail_on: a callable (person ref) for tests, raising inside the
    person's transaction after the deletes."""
    as_of = as_of or timezone.localdate()
    if execute and as_of > timezone.localdate() and not allow_future:
        raise ValueError("weeding is never executed ahead of its time")
    started = timezone.now()
    decisions, not_due, units_of = plan(as_of)
    weeding = WeedingRun.objects.create(
        executed=execute, as_of=as_of, started_at=started, run_by=by,
        rules=rules(),
    )
    removed, failed = Counter(), []
    if execute:
        by_person = defaultdict(list)
        for decision in decisions:
            by_person[decision.person].append(decision)
        members, _info = _persons()
        for person, mine in by_person.items():
            weed = [decision.unit for decision in mine if decision.weed]
            if not weed:
                continue
            kept = sorted(units_of[person] - set(weed))
            try:
                removal = _Removal()
                with transaction.atomic(), disable_auditlog(), retention.weeding():
                    ids = members[person]
                    _permit("client:" + ",".join(str(client_id) for client_id in ids))
                    _weed_person(ids, mine[0].ref, weed, kept, removal, started)
                    removal.forget_logged()
                    if fail_on is not None:
                        fail_on(mine[0].ref)
                    _permit("")
            except Exception:
                # The person is left whole (the transaction rolled back); the run goes on.
                logger.exception("weeding failed for client %s", mine[0].ref)
                failed.append(mine[0].ref)
                for decision in mine:
                    if decision.weed:
                        decision.weed, decision.reason = False, "failed"
                continue
            removed.update(removal.removed)
        removed.update(_weed_unlinked_access_rows(started))
    weeding.records = [decision.as_report() for decision in decisions]
    weeding.failed = failed
    weeding.totals = _totals(decisions, not_due)
    weeding.removed = dict(removed)
    weeding.finished_at = timezone.now()
    weeding.save()
    return weeding


def _weed_unlinked_access_rows(now):
    """Read-access rows about clients weeded earlier, once ACCESS_LOG_RETENTION_YEARS old."""
    cutoff = now - datetime.timedelta(days=365 * settings.ACCESS_LOG_RETENTION_YEARS)
    with transaction.atomic():
        _permit("log")
        count, _ = AccessLog.objects.filter(
            client__isnull=True, weeded_client__isnull=False, at__lt=cutoff
        ).delete()
        _permit("")
    return {"prostenhet.AccessLog": count} if count else {}


def _totals(decisions, not_due):
    totals = {}
    for unit in {decision.unit for decision in decisions} | set(not_due):
        totals[unit] = {"regime": PATIENT if is_patient_record(unit) else SOCIAL,
                        "due": 0, "weeded": 0, "kept": {}, "not_due": not_due.get(unit, 0)}
    for decision in decisions:
        unit = totals[decision.unit]
        unit["due"] += 1
        if decision.weed:
            unit["weeded"] += 1
        else:
            unit["kept"][decision.reason] = unit["kept"].get(decision.reason, 0) + 1
    return totals


def removed_labels(removed):
    """A run's removed rows as a person reads them: [(kind of row, count)]."""
    labels = []
    for label, count in sorted(removed.items()):
        if label == UNLINKED:
            labels.append((_("Loggrader om läsning, kvar utan koppling till klienten"), count))
            continue
        try:
            model = apps.get_model(label)
        except (LookupError, ValueError):
            labels.append((label, count))
            continue
        labels.append((str(model._meta.verbose_name_plural).capitalize(), count))
    return labels
