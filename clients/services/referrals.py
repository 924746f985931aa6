"""Referrals between units: sent, accepted or declined, done, or withdrawn by the sender.

A small state machine: SENT → ACCEPTED → DONE, SENT → DECLINED (with a reason), and SENT or
ACCEPTED → WITHDRAWN by the sending unit. A referral is sent only with the client's consent
for the pair of units (recorded on the spot when the client gives it now). Until the receiving
unit accepts, its staff see only what the referral says; accepting enrols the client there
(and, for counselling, puts the client in the queue). KAST is sealed: it neither sends nor
receives referrals."""

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from prostenhet.exceptions import DomainError
from prostenhet.roles import UnitCode

from .. import access
from ..models import (
    Client,
    Consent,
    ConsentMethod,
    QueueEntry,
    QueueSource,
    Referral,
    ReferralState,
    Register,
)
from .queue import add_to_queue
from .records import enroll, give_consent

__all__ = [
    "send_referral", "accept_referral", "decline_referral", "complete_referral",
    "withdraw_referral", "may_accept",
]

MESSAGE_MAX_LENGTH = 2000
REASON_MAX_LENGTH = 300

# Where a client accepted into counselling's queue comes from, by the referring unit.
QUEUE_SOURCE_OF_UNIT = {
    UnitCode.OUTREACH: QueueSource.OUTREACH,
    UnitCode.SPIRALEN: QueueSource.CLINIC,
}



def _check_not_kast(*units):
    if UnitCode.KAST in units:
        raise DomainError(_("KAST är avskilt: KAST skickar och tar inte emot remisser."))


def _check_works_in(user, unit, message):
    if unit not in access.user_units(user):
        raise DomainError(message)


@transaction.atomic
def send_referral(client, *, from_unit, to_unit, message, by, consent_method=None):
    """Send a referral of the client from one of the sender's units (where the client is
    enrolled) to another unit. Requires the client's active consent for the pair of units;
    without one, consent_method (the client consents now) records it on the spot. Raises
    DomainError for KAST, the same unit twice, an empty or too long message, a sender or a
    client outside from_unit, a missing consent, or an open referral of the same pair."""
    _check_not_kast(from_unit, to_unit)
    if client.register != Register.MAIN:
        raise DomainError(_("KAST är avskilt: KAST skickar och tar inte emot remisser."))
    if from_unit not in UnitCode.values:
        raise DomainError(_("Välj den verksamhetsdel som skickar remissen."), field="from_unit")
    if to_unit not in UnitCode.values:
        raise DomainError(_("Välj den verksamhetsdel som remissen går till."), field="to_unit")
    if from_unit == to_unit:
        raise DomainError(_("En remiss går till en annan verksamhetsdel."), field="to_unit")
    message = (message or "").strip()
    if not message:
        raise DomainError(_("Skriv vad remissen gäller."), field="message")
    if len(message) > MESSAGE_MAX_LENGTH:
        raise DomainError(
            _("Remisstexten får vara högst %(max)d tecken.") % {"max": MESSAGE_MAX_LENGTH},
            field="message",
        )
    if consent_method and consent_method not in ConsentMethod.values:
        raise DomainError(_("Välj hur samtycket gavs."), field="consent_method")
    _check_works_in(by, from_unit, _("Du arbetar inte i den verksamhetsdel som skickar."))
    client = Client.objects.select_for_update().get(pk=client.pk)
    if client.merged_into_id:
        raise DomainError(_("Klienten är sammanslagen med en annan klient."))
    if not client.enrollments.active().filter(unit=from_unit).exists():
        raise DomainError(
            _("Klienten är inte inskriven i den verksamhetsdel som skickar."), field="from_unit"
        )
    if Referral.objects.open().filter(
        client=client, from_unit=from_unit, to_unit=to_unit
    ).exists():
        raise DomainError(_("Det finns redan en öppen remiss till den verksamhetsdelen."))
    consent = Consent.objects.active().between(from_unit, to_unit).filter(client=client).first()
    if consent is None:
        if not consent_method:
            raise DomainError(
                _("Klienten har inte samtyckt till att de två verksamhetsdelarna delar "
                  "uppgifter. Fråga klienten och ange hur samtycket ges, annars kan remissen "
                  "inte skickas."),
                field="consent_method",
            )
        consent = give_consent(client, from_unit, to_unit, method=consent_method, by=by)
    return Referral.objects.create(
        client=client, from_unit=from_unit, to_unit=to_unit, message=message,
        consent=consent, sent_by=by,
    )


def _locked_referral(referral, expected_version):
    referral = Referral.objects.select_for_update().select_related("client").get(pk=referral.pk)
    if expected_version is not None and referral.version != expected_version:
        raise DomainError(
            _("Någon annan har ändrat remissen medan du arbetade (den är nu: %(state)s). "
              "Se hur den ser ut nu.") % {"state": referral.get_state_display().lower()}
        )
    return referral


def _refuse_state(referral, action):
    """A clear message for an action the referral's state does not allow."""
    state = referral.get_state_display().lower()
    raise DomainError(
        _("Remissen kan inte %(action)s: den är %(state)s.") % {"action": action, "state": state}
    )


def _close(referral, state, *, by, update_fields=()):
    now = timezone.now()
    referral.state = state
    referral.closed_at = now
    referral.version += 1
    referral.save(update_fields=["state", "closed_at", "version", *update_fields])
    return referral


def may_accept(user, referral):
    """Whether the user answers referrals of this kind: staff of the receiving unit; for
    counselling, whoever keeps the queue (the office assistant), since accepting puts the
    client in it."""
    if referral.to_unit not in access.user_units(user):
        return False
    if referral.to_unit == UnitCode.COUNSELLING:
        return user.has_perm("clients.add_queueentry")
    return True


def _check_receiver(referral, by):
    if referral.to_unit not in access.user_units(by):
        raise DomainError(_("Bara den mottagande verksamhetsdelen kan besvara remissen."))
    if not may_accept(by, referral):
        raise DomainError(
            _("Remisser till samtalsbehandling tas emot av byråassistenten, som sätter "
              "klienten i kön.")
        )


@transaction.atomic
def accept_referral(referral, *, by, expected_version=None):
    """The receiving unit accepts: the client is enrolled there (if not already) and, for
    counselling, put in the queue with the source of the referring unit."""
    referral = _locked_referral(referral, expected_version)
    _check_receiver(referral, by)
    if referral.state != ReferralState.SENT:
        _refuse_state(referral, _("tas emot"))
    client = referral.client
    if client.merged_into_id:
        # The referral moves with a merge; a tombstone here is a race with the merge.
        raise DomainError(_("Klienten har slagits samman med en annan klient. Försök igen."))
    if referral.consent_id and referral.consent.revoked_at is not None and not (
        Consent.objects.active().between(referral.from_unit, referral.to_unit)
        .filter(client=client).exists()
    ):
        raise DomainError(
            _("Klienten har återkallat sitt samtycke: remissen kan inte tas emot.")
        )
    if not client.enrollments.active().filter(unit=referral.to_unit).exists():
        enroll(client, referral.to_unit, by=by)
    if referral.to_unit == UnitCode.COUNSELLING and not QueueEntry.objects.filter(
        client=client, left_at__isnull=True
    ).exists():
        add_to_queue(
            client, by=by,
            source=QUEUE_SOURCE_OF_UNIT.get(referral.from_unit, QueueSource.OTHER),
        )
    referral.state = ReferralState.ACCEPTED
    referral.handled_by = by
    referral.handled_at = timezone.now()
    referral.version += 1
    referral.save(update_fields=["state", "handled_by", "handled_at", "version"])
    return referral


@transaction.atomic
def decline_referral(referral, *, reason, by, expected_version=None):
    """The receiving unit declines, with a reason the sender sees."""
    reason = (reason or "").strip()
    if not reason:
        raise DomainError(_("Ange varför remissen avböjs."), field="reason")
    if len(reason) > REASON_MAX_LENGTH:
        raise DomainError(
            _("Skälet får vara högst %(max)d tecken.") % {"max": REASON_MAX_LENGTH},
            field="reason",
        )
    referral = _locked_referral(referral, expected_version)
    _check_receiver(referral, by)
    if referral.state != ReferralState.SENT:
        _refuse_state(referral, _("avböjas"))
    referral.decline_reason = reason
    referral.handled_by = by
    referral.handled_at = timezone.now()
    return _close(referral, ReferralState.DECLINED, by=by,
                  update_fields=["decline_reason", "handled_by", "handled_at"])


@transaction.atomic
def complete_referral(referral, *, by, expected_version=None):
    """The receiving unit marks an accepted referral done."""
    referral = _locked_referral(referral, expected_version)
    if referral.to_unit not in access.user_units(by):
        raise DomainError(_("Bara den mottagande verksamhetsdelen kan avsluta remissen."))
    if referral.state != ReferralState.ACCEPTED:
        _refuse_state(referral, _("markeras som klar"))
    return _close(referral, ReferralState.DONE, by=by)


@transaction.atomic
def withdraw_referral(referral, *, by, expected_version=None):
    """The sending unit withdraws a referral while it is open (sent or accepted). What an
    acceptance did (the enrolment, a place in the queue) is the receiving unit's to undo."""
    referral = _locked_referral(referral, expected_version)
    if referral.from_unit not in access.user_units(by):
        raise DomainError(_("Bara den verksamhetsdel som skickade remissen kan ta tillbaka den."))
    if referral.state not in (ReferralState.SENT, ReferralState.ACCEPTED):
        _refuse_state(referral, _("tas tillbaka"))
    return _close(referral, ReferralState.WITHDRAWN, by=by)
