"""KAST's phone counselling: calls and e-mails, mostly anonymous; a repeat caller's caller code;
registering a caller as a KAST client (their earlier calls follow); booking the first session of
a call that ended in one (counselling's booking machinery); and the referral source kept on a
KAST client. Each operation runs in a transaction, takes the acting user explicitly and raises
DomainError with a Swedish message.

KAST is sealed (DESIGN §3.4): only staff working in KAST (its unit group, clients.access's
user_units) with the role's permissions see or record any of it. An anonymous call is the KAST
team's; a call of a registered client is seen only by those who may see the client (the
assigned counsellors, clients.access)."""

from datetime import timedelta

from django.db import transaction
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from clients import access
from clients import services as client_services
from clients.models import Booking, BookingKind, Client, Gender, Quality, Register
from prostenhet.exceptions import DomainError
from prostenhet.roles import UnitCode

from ..models import MAX_CALL_MINUTES, Call, CallOutcome, CallTopic, HeardVia, KastProfile

__all__ = [
    "FOLLOW_UP_DAYS",
    "SESSION_MINUTES",
    "works_in_kast",
    "check_works_in_kast",
    "visible_calls",
    "kast_clients",
    "follow_up_calls",
    "record_call",
    "update_call",
    "register_caller",
    "book_first_session",
    "set_referral_source",
]

# Calls this recent whose caller was offered sessions (or booked) but not yet registered or
# booked are "to follow up".
FOLLOW_UP_DAYS = 60
# A first session's length bounds (as a contract's, clients.services.counselling).
SESSION_MINUTES = (15, 240)
# A call typed a few minutes ahead of the server's clock is not "in the future".
CLOCK_SLACK = timedelta(minutes=5)

NOT_IN_KAST = _("Bara den som arbetar i KAST kan göra det.")


def works_in_kast(user):
    """Whether the user works in KAST (its staff group): the KAST pages' first question."""
    return UnitCode.KAST in access.user_units(user)


def check_works_in_kast(user, perm):
    if not (user.has_perm(perm) and works_in_kast(user)):
        raise DomainError(NOT_IN_KAST)


def kast_clients(user):
    """The user's KAST clients: those whose KAST journal is theirs (the assigned counsellor
    or a current substitute; all of KAST's staff see the registry data of KAST's clients, but
    a client's calls and sessions are their counsellors'). None outside KAST. KAST's journal
    has no consent readers, so its readers are its writers (clients.access)."""
    if not works_in_kast(user):
        return Client.objects.none()
    journals = access.writable_journals(user).filter(
        unit=UnitCode.KAST, merged_into__isnull=True, client=OuterRef("pk")
    )
    return access.visible_clients(user).filter(register=Register.KAST).filter(Exists(journals))


def visible_calls(user):
    """The calls the user may see: none outside KAST; the anonymous ones and those of the
    KAST clients the user may see."""
    if not user.has_perm("kast.view_call") or not works_in_kast(user):
        return Call.objects.none()
    return Call.objects.filter(
        Q(client__isnull=True) | Q(client__in=kast_clients(user).values("pk"))
    )


def follow_up_calls(user, *, calls=None, now=None):
    """Recent calls whose caller was offered sessions and is not yet a client, or that ended
    in a booking not yet made (of `calls`, the user's visible calls if already at hand)."""
    since = (now or timezone.now()) - timedelta(days=FOLLOW_UP_DAYS)
    calls = visible_calls(user) if calls is None else calls
    return calls.filter(occurred_at__gte=since).filter(
        Q(outcome=CallOutcome.OFFERED, client__isnull=True)
        | Q(outcome=CallOutcome.BOOKED, booking__isnull=True)
    )


def _clean_call(*, by, occurred_at, minutes, heard_via, outcome, topics, client, now=None):
    now = now or timezone.now()
    if occurred_at > now + CLOCK_SLACK:
        raise DomainError(_("Samtalet kan inte ha ägt rum i framtiden."), field="occurred_at")
    if minutes is None or not 1 <= minutes <= MAX_CALL_MINUTES:
        raise DomainError(
            _("Ett samtal är 1–%(max)d minuter.") % {"max": MAX_CALL_MINUTES}, field="minutes"
        )
    if heard_via not in HeardVia.values:
        raise DomainError(_("Välj hur personen hörde talas om KAST."), field="heard_via")
    if outcome not in CallOutcome.values:
        raise DomainError(_("Välj hur samtalet slutade."), field="outcome")
    unknown = set(topics) - set(CallTopic.values)
    if unknown:
        raise DomainError(_("Okänt ämne."), field="topics")
    if client is not None and not kast_clients(by).filter(pk=client.pk).exists():
        # The same words whether the client does not exist, is not KAST's or is not the
        # user's: nothing about other records.
        raise DomainError(_("Du kan inte koppla samtalet till den klienten."), field="client")


def _client_of_code(by, caller_code):
    """The client a caller code already belongs to, if the user may see that client."""
    if not caller_code:
        return None
    client_id = (
        Call.objects.filter(caller_code=caller_code, client__isnull=False)
        .order_by("-occurred_at").values_list("client_id", flat=True).first()
    )
    if client_id is None:
        return None
    return kast_clients(by).filter(pk=client_id).first()


@transaction.atomic
def record_call(*, by, occurred_at, minutes, heard_via, summary, outcome, channel="phone",
                topics=(), caller_code="", client=None, now=None):
    """Record a call or e-mail. A caller code that already belongs to one of the user's KAST
    clients links the call to that client."""
    check_works_in_kast(by, "kast.add_call")
    caller_code = caller_code.strip()
    topics = list(dict.fromkeys(topics))
    _clean_call(by=by, occurred_at=occurred_at, minutes=minutes, heard_via=heard_via,
                outcome=outcome, topics=topics, client=client, now=now)
    if client is None:
        client = _client_of_code(by, caller_code)
    return Call.objects.create(
        occurred_at=occurred_at, minutes=minutes, channel=channel, heard_via=heard_via,
        summary=summary.strip(), topics=topics, outcome=outcome, caller_code=caller_code,
        client=client, counsellor=by,
    )


def _locked_call(call, expected_version):
    call = Call.objects.select_for_update().get(pk=call.pk)
    if expected_version is not None and call.version != expected_version:
        raise DomainError(
            _("Någon annan har ändrat samtalet medan du arbetade. Se hur det ser ut nu och "
              "gör om din ändring.")
        )
    return call


@transaction.atomic
def update_call(call, *, by, expected_version, occurred_at, minutes, heard_via, summary,
                outcome, channel, topics=(), caller_code="", client=None):
    """Correct a call, if nobody else changed it since expected_version. A call already
    linked to a client stays that client's (client=None keeps it)."""
    check_works_in_kast(by, "kast.change_call")
    call = _locked_call(call, expected_version)
    topics = list(dict.fromkeys(topics))
    _clean_call(by=by, occurred_at=occurred_at, minutes=minutes, heard_via=heard_via,
                outcome=outcome, topics=topics, client=client)
    if call.booking_id and outcome != CallOutcome.BOOKED:
        raise DomainError(
            _("Samtalet har ett bokat samtal: utfallet är \"Bokade samtal\"."), field="outcome"
        )
    call.occurred_at, call.minutes, call.channel = occurred_at, minutes, channel
    call.heard_via, call.summary, call.topics = heard_via, summary.strip(), topics
    call.outcome, call.caller_code = outcome, caller_code.strip()
    if client is not None:
        call.client = client
    call.version += 1
    call.save()
    return call


@transaction.atomic
def register_caller(call, *, by, alias, referral_source=None, birth_year=None,
                    gender=Gender.MAN, expected_version=None):
    """Register the caller as a KAST client (KAST's own register; the counsellor who
    registers becomes the assigned counsellor), keep their referral source (by default how
    they heard of KAST) and link the call, and every earlier call with the same caller code
    that is not anyone's yet, to the client. Returns the client."""
    check_works_in_kast(by, "kast.change_call")
    check_works_in_kast(by, "kast.add_kastprofile")
    call = _locked_call(call, expected_version)
    if call.client_id is not None:
        raise DomainError(_("Uppringaren är redan registrerad som klient."))
    alias = alias.strip()
    if not alias:
        raise DomainError(_("Ge klienten ett alias."), field="alias")
    referral_source = referral_source or call.heard_via
    if referral_source not in HeardVia.values:
        raise DomainError(_("Välj en hänvisningsväg."), field="referral_source")
    client = client_services.register_client(
        unit=UnitCode.KAST, by=by, alias=alias, gender=gender, birth_year=birth_year,
        birth_year_quality=Quality.KNOWN if birth_year else Quality.NOT_ASKED,
    )
    KastProfile.objects.create(client=client, referral_source=referral_source, updated_by=by)
    calls = Q(pk=call.pk)
    if call.caller_code:
        calls |= Q(caller_code=call.caller_code, client__isnull=True)
    # One by one, so that each linked call has its row in the change log (a caller has few).
    for linked in Call.objects.select_for_update().filter(calls):
        linked.client = client
        linked.version += 1
        linked.save(update_fields=["client", "version"])
    return client


@transaction.atomic
def book_first_session(call, *, by, starts_at, minutes=60, room=None, request_token=""):
    """Book the first session of a call's caller, now a KAST client, with the counsellor
    (counselling's booking: no double booking, opening hours), and mark the call "booked"
    with that booking. A weekly contract is started from the client's contracts instead."""
    check_works_in_kast(by, "kast.change_call")
    call = _locked_call(call, None)
    if call.client_id is None:
        raise DomainError(_("Registrera uppringaren som klient innan samtalet bokas."))
    if call.booking_id is not None:
        booking = Booking.objects.get(pk=call.booking_id)
        if request_token and booking.request_token == request_token:
            return booking  # the same form sent twice
        if not booking.is_cancelled:
            raise DomainError(_("Samtalet har redan ett bokat första samtal."))
    low, high = SESSION_MINUTES
    if minutes is None or not low <= minutes <= high:
        raise DomainError(_("Ett samtal är %(low)d–%(high)d minuter.") % {"low": low,
                                                                          "high": high},
                          field="minutes")
    if room is not None and (room.unit != UnitCode.KAST or not room.active):
        raise DomainError(_("Välj ett av KAST:s rum."), field="room")
    booking = client_services.book(
        unit=UnitCode.KAST, kind=BookingKind.SESSION, starts_at=starts_at,
        ends_at=starts_at + timedelta(minutes=minutes), by=by, staff=by, room=room,
        client=call.client, request_token=request_token,
    )
    call.booking, call.outcome = booking, CallOutcome.BOOKED
    call.version += 1
    call.save(update_fields=["booking", "outcome", "version"])
    return booking


@transaction.atomic
def set_referral_source(client, *, by, referral_source, expected_version=None):
    """Set or change a KAST client's referral source (how they came to KAST)."""
    check_works_in_kast(by, "kast.change_kastprofile")
    if client.register != Register.KAST or not kast_clients(by).filter(pk=client.pk).exists():
        raise DomainError(_("Du kan inte ändra den klientens uppgifter."))
    if referral_source not in HeardVia.values:
        raise DomainError(_("Välj en hänvisningsväg."), field="referral_source")
    profile = KastProfile.objects.select_for_update().filter(client=client).first()
    if profile is None:
        return KastProfile.objects.create(
            client=client, referral_source=referral_source, updated_by=by
        )
    if expected_version is not None and profile.version != expected_version:
        raise DomainError(
            _("Någon annan har ändrat uppgiften medan du arbetade. Se hur den ser ut nu och "
              "gör om din ändring.")
        )
    profile.referral_source = referral_source
    profile.updated_by, profile.updated_at = by, timezone.now()
    profile.version += 1
    profile.save()
    return profile
