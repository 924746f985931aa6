"""Counselling's and KAST's work with a client: session contracts and their weekly
bookings, goals per term and their evaluation, session notes from a booking, and the short
entry a missed contracted session leaves in the journal by itself.

Only the counsellor assigned to the journal (responsible or a current substitute) works with
its contracts and goals. Views that change a booking's status call set_session_status (not
reception's set_booking_status directly), so that a contracted session's no-show or late
cancellation is written in the journal."""

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.db import transaction
from django.db.models import Exists, F, OuterRef
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from prostenhet.exceptions import DomainError

from .. import access
from ..models import (
    Assignment,
    Booking,
    BookingKind,
    BookingStatus,
    EntryKind,
    EntryState,
    Goal,
    GoalOutcome,
    GoalStatus,
    Journal,
    JournalEntry,
    SessionContract,
    Weekday,
    term_of,
)
from .reception import book as book_time
from .reception import set_booking_status

__all__ = [
    "LATE_CANCELLATION_HOURS",
    "EVALUATION_WEEKS",
    "ContractResult",
    "GoalDecision",
    "contract_dates",
    "create_contract",
    "renew_contract",
    "end_contract",
    "next_term_start",
    "set_session_status",
    "record_missed_session",
    "add_goal",
    "evaluate_goal",
    "goals_due",
    "check_may_counsel",
    "session_note_draft",
]

# A client's cancellation this close to the session counts as a late cancellation.
LATE_CANCELLATION_HOURS = 24
# Goals are evaluated from this many weeks before the term's end.
EVALUATION_WEEKS = 3
MISSED_TEXT = {
    EntryKind.NO_SHOW: gettext_lazy("Klienten kom inte till samtalet."),
    EntryKind.LATE_CANCELLATION: gettext_lazy("Klienten avbokade sent."),
}


@dataclass
class ContractResult:
    """A contract and what became of its weeks: the bookings made and the dates skipped
    (the slot taken, outside opening hours or already past), each with its reason."""

    contract: SessionContract
    booked: list = field(default_factory=list)
    skipped: list = field(default_factory=list)  # [(date, reason)]


def _current_journal(journal):
    return journal.merged_into if journal.merged_into_id else journal


def check_may_counsel(journal, user):
    """The user is the journal's assigned counsellor (responsible or a current substitute)
    and holds the role's permissions on contracts; else DomainError."""
    if journal.unit not in access.ASSIGNED_UNITS:
        raise DomainError(_("Samtalskontrakt finns bara i samtalsbehandling och KAST."))
    if not user.has_perm("clients.change_sessioncontract") or not (
        Assignment.objects.current().filter(journal=journal, counsellor=user).exists()
    ):
        raise DomainError(_("Bara klientens tilldelade behandlare kan göra det."))


def next_term_start(day):
    """The first day of the term after the one day belongs to."""
    last = term_of(day)[3]
    # The day after spring's end is in July, which term_of counts to the autumn ahead.
    return term_of(last + timedelta(days=1))[2]


def contract_dates(weekday, starts_on, ends_on):
    """The contract's weekly dates: every weekday from starts_on to ends_on inclusive."""
    day = starts_on + timedelta(days=(weekday - starts_on.isoweekday()) % 7)
    dates = []
    while day <= ends_on:
        dates.append(day)
        day += timedelta(days=7)
    return dates


def _book_weeks(contract, *, by):
    """Book the contract's weekly sessions; a week that cannot be booked is skipped and
    named. Each week in its own savepoint, so that one refusal keeps the others."""
    # Read back, so that the counsellor is a plain user row (not a request's lazy user).
    contract = SessionContract.objects.select_related(
        "counsellor", "room", "journal__client"
    ).get(pk=contract.pk)
    result = ContractResult(contract=contract)
    client = contract.journal.client
    for day in contract_dates(contract.weekday, contract.starts_on, contract.ends_on):
        starts_at = timezone.make_aware(datetime.combine(day, contract.start_time))
        try:
            with transaction.atomic():
                booking = book_time(
                    unit=contract.journal.unit, kind=BookingKind.SESSION,
                    starts_at=starts_at, ends_at=starts_at + timedelta(minutes=contract.minutes),
                    staff=contract.counsellor, room=contract.room, client=client, by=by,
                )
                Booking.objects.filter(pk=booking.pk).update(contract=contract)
        except DomainError as error:
            result.skipped.append((day, error.message))
        else:
            booking.contract = contract
            result.booked.append(booking)
    if not result.booked:
        raise DomainError(
            _("Inga samtal kunde bokas: %(reasons)s")
            % {"reasons": "; ".join(f"{d:%Y-%m-%d} {m}" for d, m in result.skipped)
               or _("terminen har inga fler sådana veckodagar.")}
        )
    return result


def _check_slot(*, weekday, minutes, starts_on, today):
    if weekday not in Weekday.values:
        raise DomainError(_("Välj en veckodag måndag–fredag."), field="weekday")
    if not 15 <= minutes <= 240:
        raise DomainError(_("Ett samtal är 15–240 minuter."), field="minutes")
    if starts_on < today:
        raise DomainError(_("Startdatumet har redan varit."), field="starts_on")


@transaction.atomic
def create_contract(journal, *, by, weekday, start_time, starts_on, minutes=60, room=None,
                    renews=None, today=None, counsellor=None):
    """Start a session contract for the rest of the term starts_on belongs to (a start in
    July starts in August), with the assigned counsellor (`by`, or `counsellor` when the
    office assistant starts it as she offers a place from the queue), and book its weekly
    sessions. Weeks that cannot be booked are skipped and returned with their reasons; a
    contract where no week can be booked is refused. One running contract per journal and
    term."""
    today = today or timezone.localdate()
    counsellor = counsellor or by
    journal = Journal.objects.select_for_update().select_related("client").get(pk=journal.pk)
    journal = _current_journal(journal)
    check_may_counsel(journal, counsellor)
    # The time itself is checked against the opening hours by each week's booking.
    _check_slot(weekday=weekday, minutes=minutes, starts_on=starts_on, today=today)
    year, half, first, last = term_of(starts_on)
    starts_on = max(starts_on, first)
    if room is not None and not room.active:
        raise DomainError(_("Rummet används inte längre."), field="room")
    if SessionContract.objects.filter(
        journal=journal, term_year=year, term_half=half, ended_on__isnull=True
    ).exists():
        raise DomainError(_("Klienten har redan ett samtalskontrakt för den terminen."))
    contract = SessionContract.objects.create(
        journal=journal, counsellor=counsellor, weekday=weekday, start_time=start_time,
        minutes=minutes, room=room, starts_on=starts_on, ends_on=last, term_year=year,
        term_half=half, renews=renews, created_by=by,
    )
    return _book_weeks(contract, by=by)


def _locked_contract(contract, expected_version):
    contract = SessionContract.objects.select_for_update().select_related(
        "journal__client"
    ).get(pk=contract.pk)
    if expected_version is not None and contract.version != expected_version:
        raise DomainError(
            _("Någon annan har ändrat kontraktet medan du arbetade. Se hur det ser ut nu och "
              "gör om din ändring.")
        )
    return contract


@transaction.atomic
def renew_contract(contract, *, by, expected_version=None, weekday=None, start_time=None,
                   minutes=None, room=None, starts_on=None, today=None):
    """Renew the contract for the next term (the same slot unless another is given): a new
    contract that renews the old one, with the next term's bookings. Goals kept at the
    evaluation come along as the new term's goals; revisions made for them move along."""
    contract = _locked_contract(contract, expected_version)
    if contract.ended_on is not None:
        raise DomainError(_("Kontraktet är avslutat och kan inte förnyas."))
    if SessionContract.objects.filter(renews=contract).exists():
        raise DomainError(_("Kontraktet är redan förnyat."))
    next_start = next_term_start(contract.ends_on)
    starts_on = starts_on or next_start
    if starts_on < next_start:
        raise DomainError(_("Det förnyade kontraktet börjar nästa termin."), field="starts_on")
    result = create_contract(
        contract.journal, by=by, today=today,
        weekday=weekday or contract.weekday,
        start_time=start_time or contract.start_time,
        minutes=minutes or contract.minutes,
        room=room if room is not None else contract.room,
        starts_on=starts_on, renews=contract,
    )
    new = result.contract
    for goal in contract.goals.filter(status=GoalStatus.KEPT):
        Goal.objects.create(contract=new, text=goal.text, revises=goal, created_by=by)
    contract.goals.filter(
        status=GoalStatus.OPEN, outcome="", revises__contract=contract
    ).update(contract=new)
    contract.version += 1
    contract.save(update_fields=["version"])
    return result


@transaction.atomic
def end_contract(contract, *, reason, by, expected_version=None):
    """End the contract with a reason: its future sessions are cancelled by the unit."""
    if not (reason or "").strip():
        raise DomainError(_("Ange ett skäl till att kontraktet avslutas."), field="reason")
    contract = _locked_contract(contract, expected_version)
    check_may_counsel(_current_journal(contract.journal), by)
    if contract.ended_on is not None:
        raise DomainError(_("Kontraktet är redan avslutat."))
    for booking in contract.bookings.filter(
        status=BookingStatus.BOOKED, starts_at__gt=timezone.now()
    ):
        set_booking_status(booking, BookingStatus.CANCELLED_BY_UNIT, by=by)
    contract.ended_on = timezone.localdate()
    contract.end_reason = reason.strip()[:300]
    contract.version += 1
    contract.save(update_fields=["ended_on", "end_reason", "version"])
    return contract


# --- single sessions ---------------------------------------------------------------------------


@transaction.atomic
def set_session_status(booking, status, *, by, expected_version=None, now=None):
    """set_booking_status, and for a contracted session a no-show, or a client's
    cancellation less than LATE_CANCELLATION_HOURS before it, adds its short signed entry to
    the journal (record_missed_session). Any booking may come through here."""
    now = now or timezone.now()
    before = Booking.objects.get(pk=booking.pk)
    if status == BookingStatus.NO_SHOW and before.starts_at > now:
        raise DomainError(_("Samtalet har inte börjat än: det kan inte ha uteblivit."))
    booking = set_booking_status(booking, status, by=by, expected_version=expected_version)
    if booking.contract_id is None or before.status == booking.status:
        return booking
    if status == BookingStatus.NO_SHOW:
        record_missed_session(booking, EntryKind.NO_SHOW, by=by)
    elif status == BookingStatus.CANCELLED_BY_CLIENT and (
        booking.starts_at - now < timedelta(hours=LATE_CANCELLATION_HOURS)
    ):
        record_missed_session(booking, EntryKind.LATE_CANCELLATION, by=by)
    return booking


def record_missed_session(booking, kind, *, by):
    """The short signed entry of a contracted session that did not take place (a no-show or
    a late cancellation), dated the session's day, written by the acting user. Written once
    per session and kind."""
    journal = _current_journal(booking.contract.journal)
    if JournalEntry.objects.filter(booking=booking, kind=kind).exists():
        return None
    now = timezone.now()
    return JournalEntry.objects.create(
        journal=journal, unit=journal.unit, kind=kind, booking=booking,
        event_date=timezone.localdate(booking.starts_at), author=by,
        text=str(MISSED_TEXT[kind]), state=EntryState.SIGNED, signed_by=by, signed_at=now,
        written_at=now, updated_at=now,
    )


def session_note_draft(booking, user):
    """The user's unsigned note of the session, or None."""
    return JournalEntry.objects.drafts_of(user).filter(booking=booking).first()


# --- goals -------------------------------------------------------------------------------------


class GoalDecision:
    KEEP = "keep"
    REVISE = "revise"
    CLOSE = "close"


@transaction.atomic
def add_goal(contract, *, text, by):
    """A goal the client and the counsellor agree on for the contract's term."""
    contract = SessionContract.objects.select_related("journal").get(pk=contract.pk)
    check_may_counsel(_current_journal(contract.journal), by)
    if contract.ended_on is not None:
        raise DomainError(_("Kontraktet är avslutat."))
    text = (text or "").strip()
    if not text:
        raise DomainError(_("Skriv målet."), field="text")
    return Goal.objects.create(contract=contract, text=text[:500], created_by=by)


def _evaluation_opens(contract):
    return contract.ends_on - timedelta(weeks=EVALUATION_WEEKS)


@transaction.atomic
def evaluate_goal(goal, *, outcome, comment, decision, by, new_text="", expected_version=None,
                  today=None):
    """Evaluate a goal at the term's end (from EVALUATION_WEEKS before it, or once the
    contract has ended): achieved, partly or not achieved, with a comment; and keep it,
    revise it (a new goal that revises it, on the next term's contract if there is one) or
    close it."""
    today = today or timezone.localdate()
    goal = Goal.objects.select_for_update().select_related("contract__journal").get(pk=goal.pk)
    contract = goal.contract
    check_may_counsel(_current_journal(contract.journal), by)
    if expected_version is not None and goal.version != expected_version:
        raise DomainError(
            _("Någon annan har ändrat målet medan du arbetade. Se hur det ser ut nu.")
        )
    if goal.outcome or goal.status != GoalStatus.OPEN:
        raise DomainError(_("Målet är redan utvärderat."))
    if contract.ended_on is None and today < _evaluation_opens(contract):
        raise DomainError(
            _("Målen utvärderas vid terminens slut, från %(day)s.")
            % {"day": f"{_evaluation_opens(contract):%Y-%m-%d}"}
        )
    if outcome not in GoalOutcome.values:
        raise DomainError(_("Välj hur det gick."), field="outcome")
    if not (comment or "").strip():
        raise DomainError(_("Skriv en kommentar till utvärderingen."), field="comment")
    statuses = {
        GoalDecision.KEEP: GoalStatus.KEPT,
        GoalDecision.REVISE: GoalStatus.REVISED,
        GoalDecision.CLOSE: GoalStatus.CLOSED,
    }
    if decision not in statuses:
        raise DomainError(_("Välj om målet behålls, omformuleras eller avslutas."),
                          field="decision")
    new_text = (new_text or "").strip()
    if decision == GoalDecision.REVISE and not new_text:
        raise DomainError(_("Skriv det omformulerade målet."), field="new_text")
    goal.outcome = outcome
    goal.comment = comment.strip()
    goal.status = statuses[decision]
    goal.evaluated_at = timezone.now()
    goal.evaluated_by = by
    goal.version += 1
    goal.save()
    revision = None
    if decision == GoalDecision.REVISE:
        target = SessionContract.objects.filter(renews=contract).first() or contract
        revision = Goal.objects.create(
            contract=target, text=new_text[:500], revises=goal, created_by=by
        )
    return goal, revision


def goals_due(user, today=None):
    """The user's running contracts whose term ends within EVALUATION_WEEKS (or ended
    lately) with goals not yet evaluated (a revision made at this term's evaluation is the
    next term's)."""
    today = today or timezone.localdate()
    unevaluated = Goal.objects.filter(
        contract=OuterRef("pk"), status=GoalStatus.OPEN, outcome=""
    ).exclude(revises__contract=F("contract"))
    return (
        SessionContract.objects.filter(
            counsellor=user, ended_on__isnull=True,
            ends_on__lte=today + timedelta(weeks=EVALUATION_WEEKS),
            ends_on__gte=today - timedelta(weeks=8),
        )
        .filter(Exists(unevaluated))
        .select_related("journal__client")
        .order_by("ends_on")
    )
