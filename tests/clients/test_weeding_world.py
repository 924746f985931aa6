"""Every kind of row that can hang on a client, made through the real services of each app
(for tests/clients/test_weeding.py, which weeds them all). No tests of its own: pytest
collects nothing here.

What build_everything(world) leaves behind, spread over the world's clients:

- Anna (counselling, Spiralen): a correction of her signed entry; a place in the queue
  offered with a session contract (weekly bookings), renewed for the next term, both ended;
  a goal evaluated and revised onto the renewal; a session note on a booking; a substitute
  counsellor; a booking of today arrived, taken in and completed (its visit); a consent
  given and revoked; a referral counselling → Spiralen sent, accepted and done; a clinic
  appointment; an encounter whose samples went taken → sent → result → informed; a
  correction of her clinic entry; a register extract with a withholding, released; reads
  in the access log.
- Petra (counselling, protected identity): a place in the queue moved by hand (QueueMove)
  and then left; a drop-in visit; a referral counselling → outreach declined; an emergency
  access with its access-log rows; a duplicate merged into her (a tombstone, a merged
  journal, a drop-in visit and an entry moved over).
- Olle (outreach): contacts on a shift; a support action; a clinic appointment booked by
  outreach with its referral outreach → Spiralen (accepted, done); a trafficking case from a
  raid with a housing placement, an authority contact, a deadline (handled), a return home,
  closed.
- Blondie: a nickname met on the shift, registered as an outreach client (her contacts
  moved to her), met again as a client.
- Karl (KAST): a call, his KAST profile, a session contract (ended). Kurt: a caller
  registered as a KAST client from his call (profile), his first session booked.

Nothing is left that keeps a record apart from the enrolments and the world's draft (the
test ends and deletes those): every referral is closed, every sample informed, every queue
place left, the trafficking case closed.
"""

from datetime import datetime, time, timedelta

from django.test import RequestFactory
from django.utils import timezone

import clients.models as client_models
from clients import audit as client_audit
from clients import services
from clients.models import (
    Booking,
    BookingStatus,
    ConsentMethod,
    GoalOutcome,
    Journal,
    QueueRemoval,
    QueueSource,
    VisitPurpose,
)
from clients.services.counselling import GoalDecision
from prostenhet.roles import Role, UnitCode
from tests.world import signed_entry, staff

__all__ = ["build_everything"]


def _today():
    return timezone.localdate()


def _at(day, hour, minute=0):
    return timezone.make_aware(datetime.combine(day, time(hour, minute)))


def _weekday(days_ahead):
    """A weekday days_ahead or more from today."""
    day = _today() + timedelta(days=days_ahead)
    while day.isoweekday() > 5:
        day += timedelta(days=1)
    return day


def _request(user):
    request = RequestFactory().get("/")
    request.user = user
    return request


def _journal(client, unit):
    return Journal.objects.get(client=client, unit=unit, merged_into__isnull=True)


def build_everything(world):
    w = world
    _counselling(w)
    _queue_and_contracts(w)
    _reception(w)
    _referrals_and_consents(w)
    _spiralen(w)
    _outreach(w)
    _kast(w)
    _trafficking(w)
    _merge(w)
    _access_log(w)
    _register_extract(w)


# --- clients -------------------------------------------------------------------------------


def _counselling(w):
    """A signed entry corrected; a substitute counsellor named on Anna's journal."""
    correction = services.save_draft(
        journal=w.anna_counselling, by=w.co, text="Rättelse: samtalet gällde gränser.",
        corrects=w.anna_signed,
    )
    services.sign_entry(correction, by=w.co)
    co2 = staff(Role.COUNSELLOR, "co2")
    services.name_substitute(w.anna_counselling, co2, ends_on=_today() + timedelta(days=14),
                             by=w.co)


def _queue_and_contracts(w):
    """Petra moved in the queue and then out of it; Anna offered a place with a contract,
    renewed, with a goal revised onto the renewal, a session note and both contracts ended."""
    anna_place = services.add_to_queue(w.anna, source=QueueSource.RECEPTION, by=w.oa)
    petra_place = services.add_to_queue(w.petra, source=QueueSource.SELF, by=w.oa)
    services.move_in_queue(petra_place, to_place=1, reason="Akut behov.", by=w.oa)
    services.remove_from_queue(petra_place, reason=QueueRemoval.STARTED_ELSEWHERE, by=w.oa)

    starts_on = _weekday(1)
    offered = services.offer_place(
        anna_place, counsellor=w.co, by=w.oa,
        contract={"weekday": starts_on.isoweekday(), "start_time": time(15),
                  "starts_on": starts_on},
    )
    contract = offered.contract_result.contract
    goal = services.add_goal(contract, text="Sätta gränser i vardagen.", by=w.co)
    session = offered.contract_result.booked[0]
    note = services.save_draft(journal=w.anna_counselling, by=w.co, text="Samtal om målet.",
                               booking=session)
    services.sign_entry(note, by=w.co)
    renewal = services.renew_contract(contract, by=w.co).contract
    services.end_contract(contract, reason="Terminen slut.", by=w.co)
    services.evaluate_goal(goal, outcome=GoalOutcome.PARTLY, comment="På väg.",
                           decision=GoalDecision.REVISE, new_text="Säga nej oftare.",
                           by=w.co)
    services.end_contract(renewal, reason="Klienten avslutar.", by=w.co)


def _reception(w):
    """A booking of today (written directly, as the reception tests do: the hour may have
    passed) that arrives, is taken in and completed; a drop-in visit of Petra."""
    start = _at(_today(), 8)
    booking = Booking.objects.create(
        unit=UnitCode.COUNSELLING, staff=w.co, client=w.anna, created_by=w.oa,
        starts_at=start, ends_at=start + timedelta(minutes=45),
    )
    visit = services.register_arrival(booking, by=w.oa)
    services.take_in(visit, by=w.co)
    services.set_booking_status(booking, BookingStatus.COMPLETED, by=w.co)
    services.register_drop_in(unit=UnitCode.COUNSELLING, purpose=VisitPurpose.DROP_IN,
                              by=w.oa, client=w.petra)


def _referrals_and_consents(w):
    """Anna: a consent counselling–outreach given and revoked; a referral counselling →
    Spiralen sent (with consent), accepted, done. Petra: a referral counselling → outreach
    declined."""
    consent = services.give_consent(w.anna, UnitCode.COUNSELLING, UnitCode.OUTREACH,
                                    method=ConsentMethod.WRITTEN, by=w.co)
    services.revoke_consent(consent, by=w.co)
    done = services.send_referral(
        w.anna, from_unit=UnitCode.COUNSELLING, to_unit=UnitCode.SPIRALEN,
        message="Provtagning önskas.", by=w.co, consent_method=ConsentMethod.VERBAL,
    )
    services.accept_referral(done, by=w.cl)
    services.complete_referral(done, by=w.cl)
    declined = services.send_referral(
        w.petra, from_unit=UnitCode.COUNSELLING, to_unit=UnitCode.OUTREACH,
        message="Stöd i kontakt med myndigheter.", by=w.oa,
        consent_method=ConsentMethod.VERBAL,
    )
    services.decline_referral(declined, reason="Inte vår målgrupp.", by=w.ow)


# --- Spiralen ------------------------------------------------------------------------------


def _spiralen(w):
    """Consultation hours; an appointment for Anna (by reception) and one for Olle (by
    outreach, with its referral accepted and done); an encounter of Anna's whose samples go
    all the way to informed; a correction of her clinic entry."""
    from spiralen import services as clinic
    from spiralen.models import (
        AppointmentCode,
        AppointmentType,
        EncounterKind,
        InformedHow,
        Sample,
        SampleKind,
        SampleResult,
    )

    day = _weekday(2)
    clinic.add_hours(clinician=w.cl, weekday=day.isoweekday(), starts=time(9), ends=time(12),
                     valid_from=_today(), by=w.cl)
    visit_type = AppointmentType.objects.get(code=AppointmentCode.MIDWIFE_VISIT)
    appointment = clinic.book_appointment(appointment_type=visit_type, staff=w.cl,
                                          starts_at=_at(day, 9), client=w.anna, by=w.oa)
    olles = clinic.book_appointment(appointment_type=visit_type, staff=w.cl,
                                    starts_at=_at(day, 10), client=w.olle, by=w.ow,
                                    consent_method=ConsentMethod.VERBAL)
    assert olles.referral is not None
    services.accept_referral(olles.referral, by=w.cl)
    services.complete_referral(olles.referral, by=w.cl)

    entry = clinic.save_encounter(
        journal=w.anna_spiralen, by=w.cl, kind=EncounterKind.STI_TESTING,
        findings="Inga besvär. Provtagning.", actions="Prover tagna.",
        sample_kinds=[SampleKind.CHLAMYDIA, SampleKind.HIV], booking=appointment.booking,
    )
    entry = services.sign_entry(entry, by=w.cl)
    for sample in Sample.objects.filter(entry=entry):
        sample = clinic.mark_sent(sample, by=w.cl)
        sample = clinic.record_result(sample, result=SampleResult.NEGATIVE, text="Ej påvisad.",
                                      by=w.cl)
        clinic.inform_patient(sample, how=InformedHow.PHONE, by=w.cl)
    correction = services.save_draft(journal=w.anna_spiralen, by=w.cl,
                                     text="Rättelse: även hiv-prov.",
                                     corrects=w.anna_clinic_entry)
    services.sign_entry(correction, by=w.cl)


# --- outreach ------------------------------------------------------------------------------


def _outreach(w):
    """A shift with a contact with Olle and one under a nickname; the nickname registered as
    a client and met again; a support action in Olle's journal; the shift closed."""
    from outreach import services as outreach
    from outreach.models import Authority, Nickname, SupportKind

    now = timezone.now()
    shift = outreach.open_shift(starts_at=now - timedelta(hours=1),
                                ends_at=now + timedelta(hours=3), staff=[w.ow], by=w.ow)
    outreach.add_contact(shift, by=w.ow, first_contact=True, client=w.olle)
    outreach.add_contact(shift, by=w.ow, first_contact=True, nickname="Blondie")
    blondie = outreach.register_nickname(Nickname.objects.get(name="Blondie"), by=w.ow,
                                         consent_method=ConsentMethod.VERBAL)
    assert blondie.moved_contacts == 1
    outreach.add_contact(shift, by=w.ow, first_contact=False, nickname="Blondie")
    outreach.record_support_action(
        journal=_journal(w.olle, UnitCode.OUTREACH), by=w.ow,
        kind=SupportKind.AUTHORITY_CONTACT, authority=Authority.SOCIAL_SERVICES,
        text="Följde upp ansökan om bistånd.",
    )
    shift.refresh_from_db()
    outreach.close_shift(shift, by=w.ow, expected_version=shift.version,
                         starts_at=shift.starts_at, ends_at=shift.ends_at, staff=[w.ow],
                         report="Lugnt pass.")
    w.blondie = blondie


# --- KAST ----------------------------------------------------------------------------------


def _kast(w):
    """A call with Karl, his KAST profile and an ended session contract; a caller registered
    as a client (Kurt) from his call, with his first session booked."""
    from kast import services as kast
    from kast.models import CallOutcome, HeardVia

    called = timezone.now() - timedelta(minutes=30)
    kast.record_call(by=w.kco, occurred_at=called, minutes=20, heard_via=HeardVia.POLICE,
                     summary="Uppföljande samtal.", outcome=CallOutcome.ADVICE, client=w.karl)
    kast.set_referral_source(w.karl, by=w.kco, referral_source=HeardVia.POLICE)
    starts_on = _weekday(1)
    contract = services.create_contract(
        _journal(w.karl, UnitCode.KAST), by=w.kco, weekday=starts_on.isoweekday(),
        start_time=time(11), starts_on=starts_on,
    ).contract
    services.end_contract(contract, reason="Klienten avslutar.", by=w.kco)

    call = kast.record_call(by=w.kco, occurred_at=called, minutes=15,
                            heard_via=HeardVia.INTERNET, summary="Vill ha samtal.",
                            outcome=CallOutcome.OFFERED, caller_code="K-17")
    w.kurt = kast.register_caller(call, by=w.kco, alias="Kurt", birth_year=1980)
    kast.book_first_session(call, by=w.kco, starts_at=_at(_weekday(1), 9))


# --- trafficking ---------------------------------------------------------------------------


def _trafficking(w):
    """Olle's case from a raid, with a placement, an authority contact, a handled deadline
    and a return home, closed."""
    from tests.trafficking.helpers import trafficking_team
    from trafficking import services as trafficking
    from trafficking.models import HousingProvider

    ow = trafficking_team(w)
    yesterday = _today() - timedelta(days=1)
    raid = trafficking.save_raid(by=ow, date=yesterday, place_kind="apartment",
                                 police_reference="NOA 7", staff=[ow], persons_met=2,
                                 persons_accepted=1)
    case = trafficking.open_case(w.olle, by=ow, country_of_origin="RO", identified_by="raid",
                                 identified_on=yesterday, raid=raid)
    trafficking.add_placement(case, by=ow, provider=HousingProvider.objects.first(),
                              starts_on=yesterday, ends_on=_today())
    trafficking.add_contact(case, by=ow, authority="police", date=_today(),
                            purpose="Förhör inför åtal.")
    deadline = trafficking.add_deadline(case, by=ow, kind="reflection_period",
                                        ends_on=_today() + timedelta(days=10))
    trafficking.mark_deadline_done(deadline, by=ow)
    trafficking.save_return(case, by=ow, state="completed", date=_today(), country="RO",
                            arranged_by="iom", receiving_organisation="IOM Bukarest")
    case.refresh_from_db()
    trafficking.close_case(case, by=ow, expected_version=case.version)


# --- merge, access log, register extract ---------------------------------------------------


def _merge(w):
    """A duplicate of Petra (with a counselling journal, an entry and a drop-in visit)
    merged into her: the duplicate stays as a tombstone."""
    duplicate = services.register_client(unit=UnitCode.COUNSELLING, by=w.oa, alias="Petra H")
    services.register_drop_in(unit=UnitCode.COUNSELLING, purpose=VisitPurpose.PRACTICAL,
                              by=w.oa, client=duplicate)
    services.assign_counsellor(_journal(duplicate, UnitCode.COUNSELLING), w.co, by=w.oa)
    signed_entry(_journal(duplicate, UnitCode.COUNSELLING), w.co, "Första samtalet.")
    services.merge_clients(w.petra, duplicate, by=w.ma)
    w.petra_duplicate = duplicate


def _access_log(w):
    """Reads of each client's record, and an emergency access to Petra with the row of its
    opening and a read under it."""
    for user, client in [(w.co, w.anna), (w.cl, w.anna), (w.ow, w.olle), (w.kco, w.karl),
                         (w.kco, w.kurt), (w.ow, w.blondie), (w.oa, w.petra)]:
        client_audit.log_read(_request(user), client)
    emergency = services.open_emergency_access(w.petra, user=w.cl, reason="Akut vårdbehov.")
    client_audit.log_emergency_opened(_request(w.cl), emergency)
    client_audit.log_read(_request(w.cl), w.petra)


def _register_extract(w):
    """Anna's register extract (when the app has them): a withholding, released."""
    if not hasattr(client_models, "RegisterExtract"):
        return
    from clients.models import WithholdingReason
    from clients.services import extracts

    extract = extracts.create_extract(w.co, w.anna, _today())
    item = next(item for section in extracts.build_extract(extract)
                for item in section.items if item.key.startswith("clients.entry:"))
    extracts.withhold(w.co, extract, item.key, "", WithholdingReason.OTHER_PERSON)
    extracts.release(w.co, extract)
