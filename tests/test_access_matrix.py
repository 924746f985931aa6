"""The access matrix: every URL pattern of the project against every role.

A new view without a row here fails `test_every_url_pattern_has_a_row`. Expectations:
an HTTP status for a GET, LOGIN (redirected to the login page) or OTP (redirected to the
second factor). "half" is a user who gave the password but not yet the code."""

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.urls.exceptions import NoReverseMatch
from django.utils import timezone

from prostenhet.roles import Role

from .factories import UserFactory
from .outreach.helpers import a_nickname, a_shift, an_email_template, an_internet_session, olle
from .trafficking.helpers import (
    a_deadline,
    a_placement,
    case_kwargs,
    client_case_kwargs,
    in_trafficking_team,
    raid_kwargs,
)

LOGIN, OTP = "login", "otp"
OA, OW, CO, CL, MA, SA = (
    Role.OFFICE_ASSISTANT, Role.OUTREACH_WORKER, Role.COUNSELLOR,
    Role.CLINICIAN, Role.MANAGER, Role.SYSADMIN,
)
ALL_ROLES = list(Role)


def row(anonymous, half, **by_role):
    """A row: what anonymous, a half-logged-in user and each role get."""
    expected = {"anonymous": anonymous, "half": half}
    default = by_role.pop("default", None)
    for role in ALL_ROLES:
        expected[role.value] = by_role.get(role.value, default)
    return expected


def sysadmin_only():
    return row(LOGIN, OTP, default=403, sysadmin=200)


def only(status_for, default):
    """A row for logged-in roles: status_for maps role values to statuses."""
    return row(LOGIN, OTP, default=default, **status_for)


MATRIX = {
    "home": row(LOGIN, OTP, default=302),
    "start": row(LOGIN, OTP, default=200),
    "healthz": row(200, 200, default=200),
    "readyz": row(200, 200, default=200),
    "set_language": row(302, 302, default=302),
    "account:login": row(200, 302, default=302),
    "account:otp-verify": row(LOGIN, 200, default=302),
    "account:otp-setup": row(LOGIN, 302, default=302),
    "account:logout": row(LOGIN, 405, default=405),
    "account:password-change": row(LOGIN, OTP, default=200),
    "account:end-other-sessions": row(LOGIN, OTP, default=405),
    "staff:list": sysadmin_only(),
    "staff:create": sysadmin_only(),
    "staff:update": sysadmin_only(),
    "staff:set-password": sysadmin_only(),
    "staff:reset-otp": sysadmin_only(),
    "staff:deactivate": sysadmin_only(),
    "staff:reactivate": sysadmin_only(),
    # Client registry. Anna is a counselling client of the counsellor (responsible) and a
    # Spiralen patient; the outreach worker, the manager and the sysadmin are outside.
    "clients:client-search": only({SA: 403}, 200),
    "clients:client-create": only({MA: 403, SA: 403}, 200),
    # A key the session does not hold answers 404 to everyone who may register.
    "clients:client-enrol-existing": only({MA: 403, SA: 403}, 404),
    "clients:client-detail": only({OA: 200, CO: 200, CL: 200}, 404),
    "clients:client-update": only({OA: 200, CO: 200, CL: 200}, 404),
    "clients:enrollment-create": only({OA: 200, CO: 200, CL: 200, MA: 403, SA: 403}, 404),
    "clients:enrollment-end": only({OA: 200, CO: 200}, 404),
    "clients:consent-create": only({OA: 200, CO: 200, CL: 200, MA: 403, SA: 403}, 404),
    # The office assistant (counselling) may not know of Anna's Spiralen care: 404.
    "clients:consent-revoke": only({CO: 200, CL: 200, MA: 403, SA: 403}, 404),
    "clients:assignment-create": only({OA: 200, CO: 200}, 403),
    "clients:assignment-end": only({OA: 200, CO: 200}, 403),
    "clients:merge-search": only({OA: 200}, 403),
    "clients:merge-confirm": only({OA: 200}, 403),
    "clients:merge-list": only({MA: 200}, 403),
    # Weeding reports name records by opaque id only; the manager reads them and may make a
    # dry run (which changes nothing); executing is the command's.
    "clients:weeding": only({MA: 200}, 403),
    "clients:weeding-dry-run": only({MA: 405}, 403),
    "clients:weeding-run": only({MA: 200}, 403),
    "clients:merge-undo": only({MA: 200}, 403),
    "clients:emergency-search": only({OA: 403, SA: 403}, 200),
    "clients:emergency-open": only({OA: 403, SA: 403}, 200),
    # Journals: Anna's counselling journal is her counsellor's alone (no consent).
    "clients:journal": only({CO: 200}, 404),
    "clients:journal-print": only({CO: 200}, 404),
    "clients:journal-pdf": only({CO: 200}, 404),
    "clients:entry-create": only({CO: 200}, 404),
    "clients:entry-detail": only({CO: 200}, 404),
    "clients:entry-edit": only({CO: 200}, 404),
    "clients:entry-autosave": only({}, 405),
    "clients:entry-sign": only({CO: 200}, 404),
    "clients:entry-correct": only({CO: 200}, 404),
    "clients:entry-discard": only({CO: 200}, 404),
    # The access-log review is the manager's.
    "audit:access-log": only({MA: 200}, 403),
    "clients:access-log-extract": only({MA: 200}, 403),
    # The client's register extract: the manager (units of her profile where Anna is
    # enrolled), Anna's assigned counsellor (counselling) and the clinician (Spiralen) may make
    # one; the manager's extract covers counselling and Spiralen, so only she opens it.
    "clients:extract-search": only({MA: 200}, 403),
    "clients:extract-create": only({MA: 200, CO: 200, CL: 200}, 404),
    "clients:extract-review": only({MA: 200}, 404),
    "clients:extract-detail": only({MA: 200}, 404),
    "clients:extract-pdf": only({MA: 200}, 404),
    "audit:access-log-review": only({MA: 200}, 403),
    "audit:security-events": only({MA: 200}, 403),
    # The yearly statistics are the manager's: figures, never people. Closing a year is a
    # POST (405 to a GET); reopening asks for a reason first.
    "statistics:index": only({MA: 200}, 403),
    "statistics:export": only({MA: 200}, 403),
    "statistics:close-year": only({MA: 405}, 403),
    "statistics:refresh": only({MA: 405}, 403),
    "statistics:reopen-year": only({MA: 200}, 403),
    # The counselling queue is the office assistant's (who works in counselling). A
    # referral from Spiralen (the clinician) to outreach about Anna: the outreach worker
    # answers it and marks it done, the clinician's unit withdraws it; a unit on neither side
    # gets 404; sending one needs a unit of one's own where the client is enrolled.
    "clients:queue": only({OA: 200}, 403),
    "clients:queue-add": only({OA: 200}, 403),
    "clients:queue-move": only({OA: 200}, 403),
    "clients:queue-offer": only({OA: 200}, 403),
    "clients:queue-remove": only({OA: 200}, 403),
    "clients:referral-create": only({OA: 200, CO: 200, CL: 200, OW: 404}, 403),
    "clients:referral-list": only({OA: 200, OW: 200, CO: 200, CL: 200}, 403),
    "clients:referral-answer": only({OW: 200, OA: 404, CO: 404, CL: 404}, 403),
    "clients:referral-complete": only({OW: 200, OA: 404, CO: 404, CL: 404}, 403),
    "clients:referral-withdraw": only({CL: 200, OA: 404, OW: 404, CO: 404}, 403),
    # Counselling: contracts, goals and session notes are the assigned counsellor's (Anna's);
    # the roles without contract rights (the office assistant among them) get 403, the
    # clinician and the outreach worker, who may write journals, 404 on the session note.
    "clients:contract-list": only({CO: 200}, 403),
    "clients:contract-create": only({CO: 200}, 403),
    "clients:contract-detail": only({CO: 200}, 403),
    "clients:contract-renew": only({CO: 200}, 403),
    "clients:contract-end": only({CO: 200}, 403),
    "clients:goal-create": only({CO: 200}, 403),
    "clients:goal-evaluate": only({CO: 200}, 403),
    "clients:session-cancel": only({CO: 200}, 403),
    "clients:session-no-show": only({CO: 200}, 403),
    "clients:session-note": only({CO: 200, OW: 404, CL: 404}, 403),
    # Reception: the office assistant receives (today's panel, arrivals, drop-ins); a visit
    # is taken in and completed by the practitioner whose booking it is (the counsellor's,
    # Anna's): anyone else who may take visitors in gets 404.
    "clients:reception-today": only({OA: 200}, 403),
    "clients:reception-drop-in": only({OA: 200}, 403),
    "clients:reception-arrival": only({OA: 200}, 403),
    "clients:reception-arrivals": only({OA: 200, CO: 200, CL: 200}, 403),
    "clients:reception-take-in": only({OA: 404, CO: 200, CL: 404}, 403),
    "clients:reception-complete": only({OA: 404, OW: 404, CO: 200, CL: 404}, 403),
    # Bookings: every casework role sees the calendars and books in its own units. The
    # booking is counselling's (the counsellor's, Anna's): the outreach worker and the
    # clinician see it in a calendar but may not change it.
    "clients:calendar-day": only({MA: 403, SA: 403}, 200),
    "clients:calendar-week": only({MA: 403, SA: 403}, 200),
    "clients:booking-create": only({MA: 403, SA: 403}, 200),
    "clients:booking-client-options": only({MA: 403, SA: 403}, 405),
    "clients:booking-move": only({OA: 200, CO: 200}, 403),
    "clients:booking-status": only({OA: 200, CO: 200}, 403),
    # Spiralen. The office assistant and the outreach worker book the clinic's times and see
    # its schedule and hours (time, alias, profession); counsellors, managers and the sysadmin
    # do not. The hours, exceptions and appointment types are the clinicians' to change; the
    # patient record (Anna's, signed by the clinician) is theirs alone.
    "spiralen:schedule": only({OA: 200, OW: 200, CL: 200}, 403),
    "spiralen:book": only({OA: 200, OW: 200, CL: 200}, 403),
    "spiralen:book-client-options": only({OA: 405, OW: 405, CL: 405}, 403),
    "spiralen:hours": only({OA: 200, OW: 200, CL: 200}, 403),
    "spiralen:hours-create": only({CL: 200}, 403),
    "spiralen:hours-end": only({CL: 200}, 403),
    "spiralen:exception-create": only({CL: 200}, 403),
    "spiralen:exception-delete": only({CL: 200}, 403),
    "spiralen:appointment-types": only({CL: 200}, 403),
    "spiralen:follow-up": only({CL: 200}, 403),
    "spiralen:patient": only({CL: 200}, 403),
    "spiralen:encounter-create": only({CL: 200}, 403),
    "spiralen:encounter-edit": only({CL: 200}, 403),
    "spiralen:sample-sent": only({CL: 200}, 403),
    "spiralen:sample-result": only({CL: 200}, 403),
    "spiralen:sample-informed": only({CL: 200}, 403),
    "spiralen:sample-plan": only({CL: 200}, 403),
    "spiralen:sample-notified": only({CL: 200}, 403),
    # Outreach: the team's records; only outreach workers hold outreach permissions (a GET of
    # the contact form's and the client search's POST-only addresses goes back to the shift).
    "outreach:shift-list": only({OW: 200}, 403),
    "outreach:shift-create": only({OW: 200}, 403),
    "outreach:shift-detail": only({OW: 200}, 403),
    "outreach:shift-edit": only({OW: 200}, 403),
    "outreach:shift-close": only({OW: 200}, 403),
    "outreach:contact-create": only({OW: 302}, 403),
    "outreach:client-search": only({OW: 302}, 403),
    "outreach:nickname-list": only({OW: 200}, 403),
    "outreach:nickname-register": only({OW: 200}, 403),
    "outreach:client": only({OW: 200}, 403),
    "outreach:support-create": only({OW: 200}, 403),
    "outreach:internet-list": only({OW: 200}, 403),
    "outreach:internet-create": only({OW: 200}, 403),
    "outreach:internet-edit": only({OW: 200}, 403),
    "outreach:address-check": only({OW: 200}, 403),
    "outreach:template-list": only({OW: 200}, 403),
    "outreach:template-create": only({OW: 200}, 403),
    "outreach:template-edit": only({OW: 200}, 403),
    "outreach:talk-list": only({OW: 200}, 403),
    "outreach:talk-create": only({OW: 200}, 403),
    # KAST is sealed: no matrix role works in KAST (the KAST counsellor is kco). Its pages
    # answer 403 to everyone else, its records 404, whether they exist or not.
    "kast:call-list": only({}, 403),
    "kast:call-create": only({}, 403),
    "kast:call-client-options": only({}, 403),
    "kast:client-list": only({}, 403),
    "kast:outreach-list": only({}, 403),
    "kast:outreach-create": only({}, 403),
    "kast:call-detail": only({}, 404),
    "kast:call-edit": only({}, 404),
    "kast:call-register": only({}, 404),
    "kast:call-book": only({}, 404),
    "kast:client-detail": only({}, 404),
    "kast:client-referral": only({}, 404),
    "kast:outreach-edit": only({}, 404),
    # Trafficking: the team's (the outreach worker, made to work in the unit by the KWARGS
    # factories); the counsellor has the role's permissions but is outside the unit: 403 on
    # its pages, 404 on its records.
    "trafficking:case-list": only({OW: 200}, 403),
    "trafficking:case-create": only({OW: 200}, 403),
    "trafficking:case-detail": only({OW: 200, CO: 404}, 403),
    "trafficking:case-edit": only({OW: 200, CO: 404}, 403),
    "trafficking:case-close": only({OW: 200, CO: 404}, 403),
    "trafficking:client-case": only({OW: 302, CO: 404}, 403),
    "trafficking:housing-create": only({OW: 200, CO: 404}, 403),
    "trafficking:housing-end": only({OW: 200, CO: 404}, 403),
    "trafficking:contact-create": only({OW: 200, CO: 404}, 403),
    "trafficking:deadline-create": only({OW: 200, CO: 404}, 403),
    "trafficking:deadline-done": only({OW: 200, CO: 404}, 403),
    "trafficking:return-edit": only({OW: 200, CO: 404}, 403),
    "trafficking:raid-list": only({OW: 200}, 403),
    "trafficking:raid-create": only({OW: 200}, 403),
    "trafficking:raid-detail": only({OW: 200, CO: 404}, 403),
    "trafficking:raid-edit": only({OW: 200, CO: 404}, 403),
}


def anna(w):
    return {"public_id": w.anna.public_id}


def anna_journal(w):
    return {"public_id": w.anna.public_id, "unit": "counselling"}


def a_consent(w):
    from clients import services

    consent = services.give_consent(w.anna, "counselling", "spiralen", method="verbal", by=w.co)
    return {"public_id": w.anna.public_id, "consent_id": consent.pk}


def an_assignment(w):
    return {
        "public_id": w.anna.public_id,
        "assignment_id": w.anna_counselling.assignments.get().pk,
    }


def a_merge(w):
    from clients import services

    duplicate = services.register_client(unit="counselling", by=w.oa, alias="Anna dubblett")
    merge = services.merge_clients(w.anna, duplicate, by=w.oa)
    return {"merge_id": merge.pk}


def a_booking(w):
    """Anna's booking with her counsellor, next weekday at ten."""
    from datetime import datetime, time, timedelta

    from django.utils import timezone

    from clients import services

    day = timezone.localdate() + timedelta(days=1)
    while day.isoweekday() > 5:
        day += timedelta(days=1)
    start = timezone.make_aware(datetime.combine(day, time(10)))
    return services.book(unit="counselling", staff=w.co, client=w.anna, by=w.oa,
                         starts_at=start, ends_at=start + timedelta(hours=1))


def an_arrival(w):
    """Anna has come to her booking with her counsellor today."""
    from datetime import timedelta

    from django.utils import timezone

    from clients import services
    from clients.models import Booking

    start = timezone.now().replace(second=0, microsecond=0)
    booking = Booking.objects.create(
        unit="counselling", staff=w.co, client=w.anna, created_by=w.oa,
        starts_at=start, ends_at=start + timedelta(hours=1),
    )
    return {"visit_id": services.register_arrival(booking, by=w.oa).public_id}


def a_contract(w):
    """Anna's session contract with her counsellor, the last weeks of the next term."""
    from datetime import time, timedelta

    from django.utils import timezone

    from clients import services
    from clients.models import term_of

    last = term_of(services.next_term_start(timezone.localdate()))[3]
    return services.create_contract(
        w.anna_counselling, by=w.co, weekday=2, start_time=time(10),
        starts_on=last - timedelta(days=20),
    ).contract


def a_goal(w):
    from clients import services

    return {"goal_id": services.add_goal(a_contract(w), text="Sätta gränser", by=w.co).public_id}


def a_session(w, *, started=False):
    """A session of Anna's contract (one that has begun, for its note)."""
    from datetime import timedelta

    from django.utils import timezone

    from clients.models import Booking

    session = a_contract(w).bookings.first()
    if started:
        now = timezone.now()
        Booking.objects.filter(pk=session.pk).update(
            starts_at=now - timedelta(minutes=30), ends_at=now + timedelta(minutes=30)
        )
    return {"booking_id": session.public_id}


def a_queue_place(w):
    from clients import services

    entry = services.add_to_queue(w.anna, source="reception", by=w.oa)
    return {"queue_id": entry.public_id}


def a_referral(w):
    from clients import services

    referral = services.send_referral(
        w.anna, from_unit="spiralen", to_unit="outreach", message="Vill träffa uppsökarna.",
        by=w.cl, consent_method="verbal",
    )
    return {"referral_id": referral.public_id}


def a_register_extract(w, *, released=False):
    """The manager's register extract of Anna (counselling and Spiralen)."""
    from clients.services import extracts

    extract = extracts.create_extract(w.ma, w.anna, timezone.localdate())
    return extracts.release(w.ma, extract) if released else extract


def entry(attribute):
    return lambda w: {"entry_id": getattr(w, attribute).public_id}


def a_patient(w):
    return {"client_id": w.anna.public_id}


def an_encounter_draft(w):
    from spiralen import services as clinic

    draft = clinic.save_encounter(
        journal=w.anna_spiralen, by=w.cl, kind="sti_testing", findings="Provtagning.",
        sample_kinds=["chlamydia"],
    )
    return {"entry_id": draft.public_id}


def a_sample(w):
    """Anna's chlamydia sample, taken at a signed encounter (signing takes it)."""
    from clients import services
    from clients.models import JournalEntry

    entry = JournalEntry.objects.get(public_id=an_encounter_draft(w)["entry_id"])
    services.sign_entry(entry, by=w.cl)
    return {"sample_id": entry.samples.get().public_id}


def some_hours(w):
    from datetime import time

    from spiralen.models import ConsultationHours

    hours = ConsultationHours.objects.create(
        clinician=w.cl, weekday=1, starts=time(9), ends=time(12), created_by=w.cl
    )
    return {"pk": hours.pk}


def an_exception(w):
    from datetime import timedelta

    from django.utils import timezone

    from spiralen.models import HoursException

    day = timezone.localdate() + timedelta(days=60)
    exception = HoursException.objects.create(
        starts_on=day, ends_on=day, reason="holiday", created_by=w.cl
    )
    return {"pk": exception.pk}


def a_kast_call(w, **extra):
    from datetime import timedelta

    from django.utils import timezone

    from kast import services as kast

    return kast.record_call(
        by=w.kco, occurred_at=timezone.now() - timedelta(hours=1), minutes=15,
        heard_via="police", summary="Vill sluta.", outcome="offered", **extra,
    )


def kast_call(w):
    return {"call_id": a_kast_call(w).public_id}


def karls_call(w):
    return {"call_id": a_kast_call(w, client=w.karl).public_id}


def karl(w):
    return {"client_id": w.karl.public_id}


def kast_outreach(w):
    from django.utils import timezone

    from kast import services as kast

    counted = kast.record_buyer_outreach(
        by=w.kco, kind="street_contacts", period="shift", day=timezone.localdate(), count=3
    )
    return {"outreach_id": counted.public_id}


# URL arguments for patterns that take them, made from the world for each test.
def a_table(w):
    """The first table the apps provide for last year, as CSV."""
    from prostenhet import registry

    year = timezone.localdate().year - 1
    provider = next(iter(registry.statistics))
    return {"year": year, "key": provider.tables([year])[year][0].key, "extension": "csv"}


def a_closed_year(w):
    from prostenhet import services

    year = timezone.localdate().year - 2
    services.close_year(year, by=w.staff_for(MA.value))
    return {"year": year}


def a_weeding_run(w):
    from clients.services import weeding

    return {"pk": weeding.run(execute=False).pk}


KWARGS = {
    "clients:weeding-run": a_weeding_run,
    "statistics:export": a_table,
    "statistics:close-year": lambda w: {"year": timezone.localdate().year - 1},
    "statistics:refresh": lambda w: {"year": timezone.localdate().year - 1},
    "statistics:reopen-year": a_closed_year,
    "staff:update": lambda w: {"public_id": w.co.public_id},
    "staff:set-password": lambda w: {"public_id": w.co.public_id},
    "staff:reset-otp": lambda w: {"public_id": w.co.public_id},
    "staff:deactivate": lambda w: {"public_id": w.co.public_id},
    "staff:reactivate": lambda w: {"public_id": w.co.public_id},
    "clients:client-detail": anna,
    "clients:client-update": anna,
    "clients:enrollment-create": anna,
    "clients:enrollment-end": anna_journal,
    "clients:consent-create": anna,
    "clients:consent-revoke": a_consent,
    "clients:journal": anna_journal,
    "clients:journal-print": anna_journal,
    "clients:journal-pdf": anna_journal,
    "clients:entry-create": anna_journal,
    "clients:assignment-create": anna_journal,
    "clients:assignment-end": an_assignment,
    "clients:emergency-open": anna,
    "clients:merge-search": anna,
    "clients:merge-confirm": lambda w: {
        "public_id": w.anna.public_id, "other_id": w.petra.public_id,
    },
    "clients:merge-undo": a_merge,
    "clients:entry-detail": entry("anna_signed"),
    "clients:entry-edit": entry("anna_draft"),
    "clients:entry-autosave": entry("anna_draft"),
    "clients:entry-sign": entry("anna_draft"),
    "clients:entry-correct": entry("anna_signed"),
    "clients:entry-discard": entry("anna_draft"),
    "clients:client-enrol-existing": lambda w: {"key": "not-a-kept-key"},
    "clients:access-log-extract": anna,
    "clients:extract-create": anna,
    "clients:extract-review": lambda w: {"extract_id": a_register_extract(w).public_id},
    "clients:extract-detail": lambda w: {
        "extract_id": a_register_extract(w, released=True).public_id},
    "clients:extract-pdf": lambda w: {
        "extract_id": a_register_extract(w, released=True).public_id},
    "clients:queue-add": anna,
    "clients:queue-move": a_queue_place,
    "clients:queue-offer": a_queue_place,
    "clients:queue-remove": a_queue_place,
    "clients:referral-create": anna,
    "clients:referral-answer": a_referral,
    "clients:referral-complete": a_referral,
    "clients:referral-withdraw": a_referral,
    "clients:contract-list": anna_journal,
    "clients:contract-create": anna_journal,
    "clients:contract-detail": lambda w: {"contract_id": a_contract(w).public_id},
    "clients:contract-renew": lambda w: {"contract_id": a_contract(w).public_id},
    "clients:contract-end": lambda w: {"contract_id": a_contract(w).public_id},
    "clients:goal-create": lambda w: {"contract_id": a_contract(w).public_id},
    "clients:goal-evaluate": a_goal,
    "clients:session-cancel": a_session,
    "clients:session-no-show": a_session,
    "clients:session-note": lambda w: a_session(w, started=True),
    "clients:reception-arrival": lambda w: {"booking_id": a_booking(w).public_id},
    "clients:reception-take-in": an_arrival,
    "clients:reception-complete": an_arrival,
    "clients:booking-move": lambda w: {"booking_id": a_booking(w).public_id},
    "clients:booking-status": lambda w: {
        "booking_id": a_booking(w).public_id, "action": "avbokad-av-klienten",
    },
    "spiralen:hours-end": some_hours,
    "spiralen:exception-delete": an_exception,
    "spiralen:patient": a_patient,
    "spiralen:encounter-create": a_patient,
    "spiralen:encounter-edit": an_encounter_draft,
    "spiralen:sample-sent": a_sample,
    "spiralen:sample-result": a_sample,
    "spiralen:sample-informed": a_sample,
    "spiralen:sample-plan": a_sample,
    "spiralen:sample-notified": a_sample,
    "outreach:shift-detail": a_shift,
    "outreach:shift-edit": a_shift,
    "outreach:shift-close": a_shift,
    "outreach:contact-create": a_shift,
    "outreach:client-search": a_shift,
    "outreach:nickname-register": a_nickname,
    "outreach:client": olle,
    "outreach:support-create": olle,
    "outreach:internet-edit": an_internet_session,
    "outreach:template-edit": an_email_template,
    "kast:call-detail": kast_call,
    "kast:call-edit": kast_call,
    "kast:call-register": kast_call,
    "kast:call-book": karls_call,
    "kast:client-detail": karl,
    "kast:client-referral": karl,
    "kast:outreach-edit": kast_outreach,
    "trafficking:case-list": in_trafficking_team,
    "trafficking:case-create": in_trafficking_team,
    "trafficking:case-detail": case_kwargs,
    "trafficking:case-edit": case_kwargs,
    "trafficking:case-close": case_kwargs,
    "trafficking:client-case": client_case_kwargs,
    "trafficking:housing-create": case_kwargs,
    "trafficking:housing-end": a_placement,
    "trafficking:contact-create": case_kwargs,
    "trafficking:deadline-create": case_kwargs,
    "trafficking:deadline-done": a_deadline,
    "trafficking:return-edit": case_kwargs,
    "trafficking:raid-list": in_trafficking_team,
    "trafficking:raid-create": in_trafficking_team,
    "trafficking:raid-detail": raid_kwargs,
    "trafficking:raid-edit": raid_kwargs,
}


def url_pattern_names(resolver=None, namespace=""):
    resolver = resolver or get_resolver()
    for pattern in resolver.url_patterns:
        if isinstance(pattern, URLResolver):
            inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
            yield from url_pattern_names(pattern, inner)
        elif isinstance(pattern, URLPattern):
            yield f"{namespace}{pattern.name}" if pattern.name else f"<unnamed {pattern}>"


def test_every_url_pattern_has_a_row():
    names = set(url_pattern_names())
    assert names - set(MATRIX) == set(), "views without an access-matrix row"
    assert set(MATRIX) - names == set(), "rows for views that no longer exist"


def test_every_pattern_with_arguments_knows_how_to_make_them():
    for name in MATRIX:
        if name in KWARGS:
            continue
        try:
            reverse(name)
        except NoReverseMatch:
            pytest.fail(f"{name} takes arguments: add it to KWARGS")


CASES = [(name, who) for name in MATRIX for who in MATRIX[name]]


@pytest.mark.django_db
@pytest.mark.parametrize("name, who", CASES, ids=[f"{n}-{w}" for n, w in CASES])
def test_access(client, login, world, name, who):
    expected = MATRIX[name][who]
    url = reverse(name, kwargs=KWARGS[name](world) if name in KWARGS else None)
    if who == "half":
        from .factories import PASSWORD, add_totp_device

        user = UserFactory(role=Role.COUNSELLOR)
        add_totp_device(user)
        client.post(reverse("account:login"), {"username": user.username, "password": PASSWORD})
    elif who != "anonymous":
        login(world.staff_for(who))
    response = client.get(url)
    if expected == LOGIN:
        assert response.status_code == 302
        assert response.url.startswith(reverse("account:login") + "?next=")
    elif expected == OTP:
        assert response.status_code == 302
        assert response.url.startswith(reverse("account:otp-verify"))
    else:
        assert response.status_code == expected
