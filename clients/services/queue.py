"""The counselling queue (kö till bearbetande samtal): clients waiting for sessions, in the
order they were added unless moved by hand with a recorded reason; a place offered assigns the
counsellor. Practical wishes only, never case content."""

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from prostenhet.exceptions import DomainError
from prostenhet.roles import UnitCode

from ..models import (
    CounsellorGender,
    Journal,
    QueueEntry,
    QueueMove,
    QueueRemoval,
    QueueSource,
    Register,
)
from .counselling import create_contract
from .records import assign_counsellor, enroll

__all__ = ["add_to_queue", "move_in_queue", "remove_from_queue", "offer_place"]


@transaction.atomic
def add_to_queue(client, *, source, by, added_on=None, language="", interpreter_needed=False,
                 counsellor_gender=""):
    """Put a client in the counselling queue, last, with the date, the source and practical
    wishes. The queue is counselling's: a client not yet enrolled there is enrolled (so that
    those who keep the queue see whom they keep). Raises DomainError for a KAST client, a
    client already waiting, a date in the future or an unknown source or wish."""
    if client.register != Register.MAIN:
        raise DomainError(_("KAST:s klienter står inte i kön till bearbetande samtal."))
    if client.merged_into_id:
        raise DomainError(_("Klienten är sammanslagen med en annan klient."))
    if source not in QueueSource.values:
        raise DomainError(_("Välj varifrån klienten kommer."), field="source")
    if (counsellor_gender or "") not in CounsellorGender.values:
        raise DomainError(_("Välj en önskan om behandlare i listan."), field="counsellor_gender")
    if QueueEntry.objects.filter(client=client, left_at__isnull=True).exists():
        raise DomainError(_("Klienten står redan i kön."))
    if added_on is not None and added_on > timezone.localdate():
        raise DomainError(_("Datumet kan inte vara i framtiden."), field="added_on")
    if not client.enrollments.active().filter(unit=UnitCode.COUNSELLING).exists():
        enroll(client, UnitCode.COUNSELLING, by=by)
    # Appending takes the last place under a lock, so two assistants adding at once do not
    # share a place.
    last = (
        QueueEntry.objects.select_for_update().filter(left_at__isnull=True)
        .order_by("-position").values_list("position", flat=True).first()
    )
    try:
        with transaction.atomic():
            return QueueEntry.objects.create(
                client=client, source=source, added_by=by,
                added_on=added_on or timezone.localdate(), language=language,
                interpreter_needed=interpreter_needed,
                counsellor_gender=counsellor_gender or "",
                position=(last or 0) + 1,
            )
    except IntegrityError:
        raise DomainError(_("Klienten står redan i kön.")) from None


def _locked_queue_entry(entry, expected_version):
    entry = QueueEntry.objects.select_for_update().get(pk=entry.pk)
    if entry.left_at is not None:
        raise DomainError(_("Klienten står inte längre i kön."))
    if expected_version is not None and entry.version != expected_version:
        raise DomainError(
            _("Någon annan har ändrat kön medan du arbetade. Se hur den ser ut nu och gör om "
              "din ändring.")
        )
    return entry


@transaction.atomic
def move_in_queue(entry, *, to_place, reason, by, expected_version=None):
    """Move a client to another place in the queue (1 = first) by hand, with a reason that
    is recorded."""
    if not (reason or "").strip():
        raise DomainError(_("Ange ett skäl till att ordningen ändras."), field="reason")
    if len(reason.strip()) > 300:
        raise DomainError(_("Skälet får vara högst 300 tecken."), field="reason")
    if to_place is None or to_place < 1:
        raise DomainError(_("Platserna räknas från 1."), field="to_place")
    waiting = list(QueueEntry.objects.select_for_update().waiting())
    entry = _locked_queue_entry(entry, expected_version)
    order = [e for e in waiting if e.pk != entry.pk]
    to_place = min(to_place, len(order) + 1)
    from_place = next(i for i, e in enumerate(waiting, 1) if e.pk == entry.pk)
    if to_place == from_place:
        raise DomainError(_("Klienten står redan på den platsen."), field="to_place")
    order.insert(to_place - 1, entry)
    for position, item in enumerate(order, 1):
        if item.position != position or item.pk == entry.pk:
            item.position = position
            item.version += 1
            item.save(update_fields=["position", "version"])
    QueueMove.objects.create(entry=entry, from_position=from_place, to_position=to_place,
                             reason=reason.strip(), moved_by=by)
    return entry


@transaction.atomic
def remove_from_queue(entry, *, reason, by, expected_version=None):
    """Take a client out of the queue with a reason (started elsewhere, no longer wanted,
    no contact)."""
    if reason not in QueueRemoval.values or reason == QueueRemoval.OFFERED:
        raise DomainError(_("Välj ett skäl."), field="reason")
    entry = _locked_queue_entry(entry, expected_version)
    entry.left_at = timezone.now()
    entry.left_reason = reason
    entry.version += 1
    entry.save(update_fields=["left_at", "left_reason", "version"])
    return entry


@transaction.atomic
def offer_place(entry, *, counsellor, by, expected_version=None, contract=None):
    """Offer the client a place with a counsellor: the client leaves the queue, the
    counsellor is assigned to the client's counselling journal (through the access module)
    and, with contract (weekday, start_time, starts_on, minutes, room as agreed), the session
    contract starts and the term's weekly sessions are booked; the contract's ContractResult
    is then entry.contract_result (None without a contract)."""
    entry = _locked_queue_entry(entry, expected_version)
    client = entry.client
    if not client.enrollments.active().filter(unit=UnitCode.COUNSELLING).exists():
        enroll(client, UnitCode.COUNSELLING, by=by)
    journal = Journal.objects.get(client=client, unit=UnitCode.COUNSELLING, merged_into=None)
    assign_counsellor(journal, counsellor, by=by)
    started = None
    if contract:
        started = create_contract(journal, by=by, counsellor=counsellor, **contract)
    entry.left_at = timezone.now()
    entry.left_reason = QueueRemoval.OFFERED
    entry.offered_to = counsellor
    entry.version += 1
    entry.save(update_fields=["left_at", "left_reason", "offered_to", "version"])
    entry.contract_result = started
    return entry
