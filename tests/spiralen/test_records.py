"""The patient record (issue 9): the encounter editor (drafts autosaved and signed like every
journal entry; signing takes the samples ordered), each sample step and each refused jump,
the follow-up list at its day limits, anonymous testing, access for every role, read-log
rows, the lock on a signed encounter and the query bounds."""

from datetime import datetime, time, timedelta

import pytest
from django.conf import settings
from django.db import DatabaseError, connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from clients import services as client_services
from clients.models import Booking, BookingKind, EntryKind, JournalEntry
from prostenhet.exceptions import DomainError
from prostenhet.models import AccessLog
from prostenhet.roles import Role, UnitCode
from spiralen import services
from spiralen.models import (
    Appointment,
    AppointmentType,
    Encounter,
    EncounterKind,
    InformedHow,
    Sample,
    SampleKind,
    SampleResult,
    SampleState,
)
from tests.clients.helpers import main_html
from tests.factories import UserFactory
from tests.world import staff

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true"}


# --- helpers -----------------------------------------------------------------------------------


def encounter(journal, by, kinds=(SampleKind.CHLAMYDIA, SampleKind.HIV), *, sign=True,
              kind=EncounterKind.STI_TESTING, event_date=None, postponed=False):
    entry = services.save_encounter(
        journal=journal, by=by, kind=kind, findings="Inga besvär. Provtagning.",
        actions="Prover tagna.", sample_kinds=list(kinds), event_date=event_date,
        examination_postponed=postponed,
    )
    if sign:
        entry = client_services.sign_entry(entry, by=by)
    return entry


def sample_of(entry, kind):
    return Sample.objects.get(entry=entry, kind=kind)


def at_day(day, hour=10):
    return timezone.make_aware(datetime.combine(day, time(hour)))


def positive(sample, by):
    sample = services.mark_sent(sample, by=by)
    return services.record_result(sample, result=SampleResult.POSITIVE, text="Påvisad.", by=by)


def reads(user, client):
    return AccessLog.objects.filter(user=user, client=client).count()


def patient_url(client):
    return reverse("spiralen:patient", args=[client.public_id])


def step_url(name, sample):
    return reverse(f"spiralen:{name}", args=[sample.public_id])


# --- the encounter editor ----------------------------------------------------------------------


def test_the_editor_autosaves_a_draft_and_signing_takes_the_samples(login, world):
    browser = login(world.cl)
    url = reverse("spiralen:encounter-create", args=[world.anna.public_id])
    page = browser.get(url)
    assert page.status_code == 200
    assert "Ny mottagningsanteckning" not in main_html(page)  # the editor, not the overview
    editor = page.context["form"].initial["editor"]
    data = {
        "kind": EncounterKind.STI_TESTING, "event_date": timezone.localdate().isoformat(),
        "text": "Önskar provtagning.", "actions": "Klamydia och hiv tagna.",
        "sample_kinds": [SampleKind.HIV, SampleKind.CHLAMYDIA], "editor": editor, "seq": 1,
        "version": 1,
    }
    autosave = browser.post(url, data, **HTMX)
    assert autosave.status_code == 200
    assert "Sparat" in autosave.content.decode()
    entry = JournalEntry.objects.get(author=world.cl, editor_token=editor)
    assert autosave["HX-Replace-Url"] == reverse("spiralen:encounter-edit",
                                                 args=[entry.public_id])
    assert entry.kind == EntryKind.VISIT and entry.text == "Önskar provtagning."
    assert entry.unit == UnitCode.SPIRALEN and not entry.is_signed
    assert entry.encounter.kind == EncounterKind.STI_TESTING
    # In the order of the choices, whatever the order ticked.
    assert entry.encounter.sample_kinds == [SampleKind.HIV, SampleKind.CHLAMYDIA]
    assert not Sample.objects.filter(entry=entry).exists()  # only a signed encounter has them

    # The same page goes on saving (to the new draft's address), then signs.
    edit = reverse("spiralen:encounter-edit", args=[entry.public_id])
    assert browser.get(edit).status_code == 200
    data.update(seq=2, examination_postponed="on", sample_kinds=[SampleKind.CHLAMYDIA])
    assert browser.post(edit, data, **HTMX).status_code == 200
    entry.refresh_from_db()
    assert entry.encounter.examination_postponed
    assert entry.encounter.sample_kinds == [SampleKind.CHLAMYDIA]
    assert entry.version == 2  # a change of the encounter alone is a change of the draft
    data.update(seq=3, sign="")
    response = browser.post(edit, data)
    assert response.status_code == 302
    assert response["Location"] == reverse("clients:entry-sign", args=[entry.public_id])
    signed = browser.post(response["Location"], {"version": entry.version})
    assert signed.status_code == 302
    sample = Sample.objects.get(entry=entry)
    assert sample.kind == SampleKind.CHLAMYDIA and sample.state == SampleState.TAKEN
    assert sample.taken_by == world.cl and sample.journal == world.anna_spiralen
    # A signed encounter's editor sends to the entry's page, which shows the encounter.
    assert browser.get(edit)["Location"] == reverse("clients:entry-detail",
                                                    args=[entry.public_id])
    # A save from another window that comes after the signing is refused with why, and the
    # text typed there is given back in the form; the signed encounter is as it was.
    late = dict(data, text="Skrivet i ett annat fönster.", seq=4)
    late.pop("sign")
    response = browser.post(edit, late)
    assert response.status_code == 200
    assert "besöket kan inte ändras" in response.content.decode()
    assert "Skrivet i ett annat fönster." in response.content.decode()
    entry.refresh_from_db()
    assert entry.is_signed and "Skrivet i ett annat fönster." not in entry.text
    detail = browser.get(reverse("clients:entry-detail", args=[entry.public_id]))
    html = main_html(detail)
    assert "Provtagning för STI och hiv" in html and "Klamydia" in html
    assert "Erbjöds men sköts upp" in html


def test_a_discarded_draft_leaves_no_encounter_and_no_samples(login, world):
    entry = encounter(world.anna_spiralen, world.cl, sign=False)
    browser = login(world.cl)
    response = browser.post(reverse("clients:entry-discard", args=[entry.public_id]))
    assert response.status_code == 302
    assert not JournalEntry.objects.filter(pk=entry.pk).exists()
    assert not Encounter.objects.filter(entry_id=entry.pk).exists()
    assert not Sample.objects.filter(entry_id=entry.pk).exists()


def test_an_encounter_written_afterwards_took_its_samples_on_the_day(world):
    day = timezone.localdate() - timedelta(days=3)
    entry = encounter(world.anna_spiralen, world.cl, event_date=day)
    sample = sample_of(entry, SampleKind.HIV)
    assert timezone.localtime(sample.taken_at) == at_day(day, 12)


def test_the_editor_starts_from_a_booking(login, world):
    start = timezone.now() - timedelta(hours=1)
    booking = Booking.objects.create(
        unit=UnitCode.SPIRALEN, kind=BookingKind.VISIT, client=world.anna,
        staff=world.cl, starts_at=start, ends_at=start + timedelta(minutes=45),
        created_by=world.cl,
    )
    Appointment.objects.create(booking=booking,
                               type=AppointmentType.objects.get(code="gyn_examination"))
    browser = login(world.cl)
    url = reverse("spiralen:encounter-create", args=[world.anna.public_id])
    page = browser.get(url + f"?booking={booking.public_id}")
    assert page.context["form"].initial["kind"] == EncounterKind.GYN_EXAMINATION
    data = {
        "kind": EncounterKind.GYN_EXAMINATION,
        "event_date": timezone.localdate(start).isoformat(), "text": "Undersökning utförd.",
        "editor": page.context["form"].initial["editor"], "seq": 1, "version": 1,
    }
    response = browser.post(url + f"?booking={booking.public_id}", data)
    assert response.status_code == 302
    assert JournalEntry.objects.get(author=world.cl, booking=booking).encounter.kind == (
        EncounterKind.GYN_EXAMINATION)
    # Another client's booking is not this patient's.
    other = client_services.register_client(unit=UnitCode.SPIRALEN, by=world.cl, alias="Kod 1")
    assert browser.get(
        reverse("spiralen:encounter-create", args=[other.public_id])
        + f"?booking={booking.public_id}"
    ).status_code == 404


def test_a_signed_encounter_cannot_change(world):
    entry = encounter(world.anna_spiralen, world.cl)
    with pytest.raises(DomainError, match="signerad"):
        services.save_encounter(
            journal=world.anna_spiralen, by=world.cl, entry=entry,
            kind=EncounterKind.MIDWIFE_VISIT, findings="Ändrat.",
        )
    encounter_row = Encounter.objects.get(entry=entry)
    encounter_row.actions = "Ändrat i efterhand."
    with pytest.raises(DomainError, match="signerad"):
        encounter_row.save()
    assert Encounter.objects.get(entry=entry).actions == "Prover tagna."


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the trigger is PostgreSQL's")
def test_the_database_refuses_changing_a_signed_encounter(world):
    entry = encounter(world.anna_spiralen, world.cl)
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("UPDATE spiralen_encounter SET actions = 'x' WHERE entry_id = %s",
                       [entry.pk])


def test_an_encounter_is_written_only_in_a_spiralen_journal(world):
    with pytest.raises(DomainError, match="Spiralen"):
        services.save_encounter(journal=world.anna_counselling, by=world.co,
                                kind=EncounterKind.MIDWIFE_VISIT, findings="x")
    with pytest.raises(DomainError, match="besökets art"):
        services.save_encounter(journal=world.anna_spiralen, by=world.cl, kind="massage",
                                findings="x")


# --- sample steps ------------------------------------------------------------------------------


def test_a_sample_moves_step_by_step_until_the_patient_knows(world):
    entry = encounter(world.anna_spiralen, world.cl)
    sample = sample_of(entry, SampleKind.HIV)
    sample = services.mark_sent(sample, by=world.cl, expected_version=1)
    assert (sample.state, sample.sent_by, sample.version) == (SampleState.SENT, world.cl, 2)
    sample = services.record_result(sample, result=SampleResult.NEGATIVE, text="Ej påvisad.",
                                    by=world.cl, expected_version=2)
    assert sample.state == SampleState.RESULT and sample.result_by == world.cl
    sample = services.inform_patient(sample, how=InformedHow.PHONE, by=world.cl,
                                     expected_version=3)
    assert sample.state == SampleState.INFORMED
    assert sample.informed_how == InformedHow.PHONE and sample.informed_by == world.cl


def test_refused_jumps(world):
    entry = encounter(world.anna_spiralen, world.cl,
                      kinds=[SampleKind.CHLAMYDIA, SampleKind.PREGNANCY, SampleKind.CYTOLOGY])
    chlamydia = sample_of(entry, SampleKind.CHLAMYDIA)
    with pytest.raises(DomainError, match="innan provet har skickats"):
        services.record_result(chlamydia, result=SampleResult.NEGATIVE, by=world.cl)
    with pytest.raises(DomainError, match="inget svar ännu"):
        services.inform_patient(chlamydia, how=InformedHow.PHONE, by=world.cl)
    chlamydia = services.mark_sent(chlamydia, by=world.cl)
    with pytest.raises(DomainError, match="redan skickat"):
        services.mark_sent(chlamydia, by=world.cl)
    with pytest.raises(DomainError, match="inget svar ännu"):
        services.inform_patient(chlamydia, how=InformedHow.PHONE, by=world.cl)

    pregnancy = sample_of(entry, SampleKind.PREGNANCY)
    with pytest.raises(DomainError, match="skickas inte"):
        services.mark_sent(pregnancy, by=world.cl)
    pregnancy = services.record_result(pregnancy, result=SampleResult.NEGATIVE, by=world.cl)
    assert pregnancy.state == SampleState.RESULT  # read at once
    with pytest.raises(DomainError, match="bara för ett positivt svar"):
        services.record_follow_up_plan(pregnancy, plan="Ny kontroll.", by=world.cl)
    with pytest.raises(DomainError, match="redan ett registrerat svar"):
        services.record_result(pregnancy, result=SampleResult.POSITIVE, by=world.cl)

    cytology = positive(sample_of(entry, SampleKind.CYTOLOGY), world.cl)
    with pytest.raises(DomainError, match="inte anmälningspliktigt"):
        services.record_notification(cytology, notified_on=timezone.localdate(), by=world.cl)
    with pytest.raises(DomainError, match="uppföljningsplan"):
        services.inform_patient(cytology, how=InformedHow.PHONE, by=world.cl)
    with pytest.raises(DomainError, match="framtiden"):
        services.inform_patient(cytology, how=InformedHow.PHONE, plan="Kolposkopi.",
                                at=timezone.now() + timedelta(hours=1), by=world.cl)
    cytology = services.inform_patient(cytology, how=InformedHow.IN_PERSON,
                                       plan="Kolposkopi.", by=world.cl)
    assert cytology.follow_up_plan == "Kolposkopi." and cytology.follow_up_by == world.cl
    with pytest.raises(DomainError, match="redan informerad"):
        services.inform_patient(cytology, how=InformedHow.PHONE, by=world.cl)

    negative = services.mark_sent(
        sample_of(encounter(world.anna_spiralen, world.cl, kinds=[SampleKind.HIV]),
                  SampleKind.HIV), by=world.cl)
    negative = services.record_result(negative, result=SampleResult.NEGATIVE, by=world.cl)
    with pytest.raises(DomainError, match="bara för ett positivt svar"):
        services.record_notification(negative, notified_on=timezone.localdate(), by=world.cl)


def test_notification_dates(world):
    sample = positive(sample_of(encounter(world.anna_spiralen, world.cl), SampleKind.HIV),
                      world.cl)
    today = timezone.localdate()
    with pytest.raises(DomainError, match="framtiden"):
        services.record_notification(sample, notified_on=today + timedelta(days=1),
                                     by=world.cl)
    with pytest.raises(DomainError, match="innan svaret kom"):
        services.record_notification(sample, notified_on=today - timedelta(days=1),
                                     by=world.cl)
    sample = services.record_notification(sample, notified_on=today, by=world.cl)
    assert sample.notified_by == world.cl and not sample.needs_notification
    with pytest.raises(DomainError, match="redan registrerad"):
        services.record_notification(sample, notified_on=today, by=world.cl)


def test_version_conflicts(world):
    sample = sample_of(encounter(world.anna_spiralen, world.cl), SampleKind.HIV)
    services.mark_sent(sample, by=world.cl, expected_version=1)
    with pytest.raises(DomainError, match="ändrats av någon annan"):
        services.record_result(sample, result=SampleResult.NEGATIVE, by=world.cl,
                               expected_version=1)


def test_a_refused_step_shows_the_error_and_keeps_what_was_typed(login, world):
    sample = sample_of(encounter(world.anna_spiralen, world.cl), SampleKind.HIV)
    browser = login(world.cl)
    url = step_url("sample-result", sample)
    response = browser.post(url, {"result": "positive", "text": "Påvisad, 1:2", "version": 1})
    assert response.status_code == 200
    html = main_html(response)
    assert "innan provet har skickats" in html and "Påvisad, 1:2" in html
    assert Sample.objects.get(pk=sample.pk).state == SampleState.TAKEN


def test_the_step_pages_go_back_to_a_safe_next(login, world):
    sample = sample_of(encounter(world.anna_spiralen, world.cl), SampleKind.HIV)
    browser = login(world.cl)
    follow_up = reverse("spiralen:follow-up")
    response = browser.post(step_url("sample-sent", sample) + f"?next={follow_up}",
                            {"version": 1})
    assert response["Location"] == follow_up
    response = browser.post(step_url("sample-result", sample) + "?next=https://evil.example/",
                            {"result": "negative", "version": 2})
    assert response["Location"] == patient_url(world.anna)


# --- the follow-up list ------------------------------------------------------------------------


def taken_days_ago(journal, by, kind, days, today):
    entry = encounter(journal, by, kinds=[kind])
    sample = sample_of(entry, kind)
    Sample.objects.filter(pk=sample.pk).update(taken_at=at_day(today - timedelta(days=days)))
    return Sample.objects.get(pk=sample.pk)


def ids(rows):
    return {s.pk for s in rows}


def test_results_not_received_at_their_day_limits(world):
    today = timezone.localdate()
    days = settings.SPIRALEN_RESULT_DAYS
    chlamydia_late = taken_days_ago(world.anna_spiralen, world.cl, SampleKind.CHLAMYDIA,
                                    days["chlamydia"], today)
    chlamydia_early = taken_days_ago(world.anna_spiralen, world.cl, SampleKind.CHLAMYDIA,
                                     days["chlamydia"] - 1, today)
    cytology_early = taken_days_ago(world.anna_spiralen, world.cl, SampleKind.CYTOLOGY,
                                    days["chlamydia"] + 5, today)
    listed = services.follow_up(world.cl, today=today)
    assert ids(listed.overdue) == {chlamydia_late.pk}
    assert listed.overdue[0].days == days["chlamydia"]
    assert chlamydia_early.pk not in ids(listed.overdue)
    # Each kind has its own limit: cytology's is weeks.
    later = services.follow_up(world.cl, today=today + timedelta(
        days=days["cytology"] - days["chlamydia"] - 5))
    assert cytology_early.pk in ids(later.overdue)
    # A sent sample still waits; one with a result does not.
    services.mark_sent(chlamydia_late, by=world.cl)
    assert chlamydia_late.pk in ids(services.follow_up(world.cl, today=today).overdue)
    services.record_result(Sample.objects.get(pk=chlamydia_late.pk),
                           result=SampleResult.NEGATIVE, by=world.cl)
    assert chlamydia_late.pk not in ids(services.follow_up(world.cl, today=today).overdue)


def test_results_the_patient_has_not_been_told_at_the_day_limit(world):
    sample = sample_of(encounter(world.anna_spiralen, world.cl), SampleKind.HIV)
    services.mark_sent(sample, by=world.cl)
    sample = services.record_result(Sample.objects.get(pk=sample.pk),
                                    result=SampleResult.NEGATIVE, by=world.cl)
    result_day = timezone.localdate(sample.result_at)
    limit = settings.SPIRALEN_INFORM_DAYS
    before = services.follow_up(world.cl, today=result_day + timedelta(days=limit - 1))
    assert sample.pk not in ids(before.uninformed)
    at = services.follow_up(world.cl, today=result_day + timedelta(days=limit))
    assert ids(at.uninformed) == {sample.pk} and at.uninformed[0].days == limit
    assert at.uninformed[0].patient == world.anna
    services.inform_patient(sample, how=InformedHow.LETTER, by=world.cl)
    assert not services.follow_up(world.cl, today=result_day + timedelta(days=limit)).uninformed


def test_a_positive_chlamydia_from_the_list_to_an_empty_list(login, world):
    sample = positive(sample_of(encounter(world.anna_spiralen, world.cl,
                                          kinds=[SampleKind.CHLAMYDIA]), SampleKind.CHLAMYDIA),
                      world.cl)
    listed = services.follow_up(world.cl)
    assert ids(listed.without_plan) == {sample.pk}
    assert ids(listed.to_notify) == {sample.pk}
    browser = login(world.cl)
    page = browser.get(reverse("spiralen:follow-up"))
    html = main_html(page)
    assert "Anna" in html and "Klamydia" in html and "Smittskyddsanmälan att göra" in html
    assert step_url("sample-notified", sample) in html

    here = reverse("spiralen:follow-up")
    form = browser.get(step_url("sample-notified", sample) + f"?next={here}")
    assert form.status_code == 200
    response = browser.post(step_url("sample-notified", sample) + f"?next={here}", {
        "notified_on": timezone.localdate().isoformat(), "version": sample.version,
    })
    assert response.status_code == 302 and response["Location"] == here
    listed = services.follow_up(world.cl)
    assert not listed.to_notify and ids(listed.without_plan) == {sample.pk}  # reminder gone

    sample.refresh_from_db()
    response = browser.post(step_url("sample-informed", sample), {
        "how": InformedHow.IN_PERSON, "at": timezone.localtime().strftime("%Y-%m-%dT%H:%M"),
        "plan": "Doxycyklin i sju dagar, smittspårning.", "version": sample.version,
    })
    assert response.status_code == 302
    sample.refresh_from_db()
    assert sample.state == SampleState.INFORMED and sample.follow_up_plan
    assert services.follow_up(world.cl).empty
    page = browser.get(reverse("spiralen:follow-up"))
    assert "Inget att följa upp just nu." in main_html(page)
    start = browser.get(reverse("start"))
    assert "Inget att följa upp just nu." in start.content.decode()


def test_the_start_panel_lists_in_short(login, world):
    sample = positive(sample_of(encounter(world.anna_spiralen, world.cl,
                                          kinds=[SampleKind.HIV]), SampleKind.HIV), world.cl)
    start = login(world.cl).get(reverse("start"))
    html = start.content.decode()
    assert 'data-testid="follow-up-panel"' in html and "Hiv" in html
    assert patient_url(world.anna) in html
    assert sample.result_text not in html  # aliases and dates, not the result's text


def test_anonymous_testing(login, world):
    code = client_services.register_client(unit=UnitCode.SPIRALEN, by=world.cl, alias="Kod 4711")
    journal = code.journals.get(unit=UnitCode.SPIRALEN)
    sample = sample_of(encounter(journal, world.cl, kinds=[SampleKind.HIV]), SampleKind.HIV)
    sample = services.mark_sent(sample, by=world.cl)
    sample = services.record_result(sample, result=SampleResult.NEGATIVE, by=world.cl)
    browser = login(world.cl)
    response = browser.post(step_url("sample-informed", sample), {
        "how": InformedHow.PHONE, "at": timezone.localtime().strftime("%Y-%m-%dT%H:%M"),
        "version": sample.version,
    })
    assert response.status_code == 302
    assert Sample.objects.get(pk=sample.pk).state == SampleState.INFORMED
    page = browser.get(patient_url(code))
    assert "Kod 4711" in main_html(page) and "Per telefon" in main_html(page)


# --- access ------------------------------------------------------------------------------------


def record_urls(world, sample, entry_draft):
    return [
        patient_url(world.anna),
        reverse("spiralen:encounter-create", args=[world.anna.public_id]),
        reverse("spiralen:encounter-edit", args=[entry_draft.public_id]),
        *[step_url(name, sample) for name in ("sample-sent", "sample-result", "sample-informed",
                                              "sample-plan", "sample-notified")],
    ]


@pytest.mark.parametrize("role", [Role.COUNSELLOR, Role.OFFICE_ASSISTANT,
                                  Role.OUTREACH_WORKER, Role.MANAGER, Role.SYSADMIN])
def test_others_than_the_clinic_never_reach_the_record(login, world, role):
    sample = sample_of(encounter(world.anna_spiralen, world.cl), SampleKind.HIV)
    draft = encounter(world.anna_spiralen, world.cl, sign=False)
    browser = login(world.staff_for(role))
    for url in record_urls(world, sample, draft):
        assert browser.get(url).status_code in (403, 404), url
        assert browser.post(url, {"version": 1}).status_code in (403, 404), url
    assert browser.get(reverse("spiralen:follow-up")).status_code == 403
    assert Sample.objects.get(pk=sample.pk).state == SampleState.TAKEN
    assert not services.follow_up(world.staff_for(role)).counts


def test_the_clinic_shares_its_records_and_no_one_else(login, world):
    sample = sample_of(encounter(world.anna_spiralen, world.cl), SampleKind.HIV)
    colleague = staff(Role.CLINICIAN, "cl2")
    browser = login(colleague)
    assert browser.get(patient_url(world.anna)).status_code == 200
    assert browser.get(step_url("sample-sent", sample)).status_code == 200
    Sample.objects.filter(pk=sample.pk).update(taken_at=timezone.now() - timedelta(days=30))
    assert ids(services.follow_up(colleague).overdue) == {sample.pk}

    outside = staff(Role.CLINICIAN, "cl3", units=[UnitCode.COUNSELLING])
    browser = login(outside)
    assert browser.get(patient_url(world.anna)).status_code == 404
    assert browser.get(step_url("sample-sent", sample)).status_code == 404
    assert browser.get(reverse("spiralen:encounter-create",
                               args=[world.anna.public_id])).status_code == 404
    assert services.follow_up(outside).empty
    page = browser.get(reverse("spiralen:follow-up"))
    assert page.status_code == 200 and "Anna" not in main_html(page)


def test_another_clinicians_draft_is_not_reachable(login, world):
    draft = encounter(world.anna_spiralen, world.cl, sign=False)
    colleague = staff(Role.CLINICIAN, "cl2")
    response = login(colleague).get(reverse("spiralen:encounter-edit",
                                            args=[draft.public_id]))
    assert response.status_code == 404


def test_read_log_rows(login, world):
    sample = sample_of(encounter(world.anna_spiralen, world.cl), SampleKind.HIV)
    browser = login(world.cl)
    before = reads(world.cl, world.anna)
    assert browser.get(patient_url(world.anna)).status_code == 200
    assert reads(world.cl, world.anna) == before + 1
    for name in ("sample-sent", "sample-result", "sample-informed", "sample-plan",
                 "sample-notified"):
        count = reads(world.cl, world.anna)
        assert browser.get(step_url(name, sample)).status_code == 200
        assert reads(world.cl, world.anna) == count + 1, name
    count = reads(world.cl, world.anna)
    browser.get(reverse("spiralen:encounter-create", args=[world.anna.public_id]))
    assert reads(world.cl, world.anna) == count + 1
    count = reads(world.cl, world.anna)
    browser.get(reverse("spiralen:follow-up"))
    assert reads(world.cl, world.anna) == count  # aliases only


def test_the_patient_page_shows_encounters_and_samples(login, world):
    entry = encounter(world.anna_spiralen, world.cl, postponed=True,
                      kind=EncounterKind.GYN_EXAMINATION)
    positive(sample_of(entry, SampleKind.CHLAMYDIA), world.cl)
    html = main_html(login(world.cl).get(patient_url(world.anna)))
    assert "Gynekologisk undersökning" in html and "Undersökningen uppskjuten" in html
    assert reverse("clients:entry-detail", args=[entry.public_id]) in html
    assert "Positivt" in html and "Plan saknas" in html
    assert reverse("clients:referral-create", args=[world.anna.public_id]) in html
    assert step_url("sample-notified", sample_of(entry, SampleKind.CHLAMYDIA)) in html
    assert step_url("sample-sent", sample_of(entry, SampleKind.HIV)) in html


def test_each_sample_names_who_took_it_and_who_answered(login, world):
    doctor = UserFactory(role=Role.CLINICIAN, first_name="Doris", last_name="Doktorsson")
    entry = encounter(world.anna_spiralen, world.cl)
    sample = services.mark_sent(sample_of(entry, SampleKind.CHLAMYDIA), by=world.cl)
    services.record_result(sample, result=SampleResult.NEGATIVE, text="", by=doctor)
    html = main_html(login(world.cl).get(patient_url(world.anna)))
    row = next(part for part in html.split("<tr") if "Klamydia" in part)
    assert str(world.cl) in row and "Doris Doktorsson" in row


def test_the_generic_journal_shows_each_encounter(login, world):
    encounter(world.anna_spiralen, world.cl, postponed=True)
    page = login(world.cl).get(reverse("clients:journal",
                                       args=[world.anna.public_id, UnitCode.SPIRALEN]))
    html = main_html(page)
    assert html.count('data-testid="encounter-detail"') == 1
    assert "Klamydia, Hiv" in html or "Hiv, Klamydia" in html


# --- query bounds ------------------------------------------------------------------------------


def many_samples(world, n):
    """n samples in Anna's journal, in every state that the list shows."""
    entry = encounter(world.anna_spiralen, world.cl, kinds=[SampleKind.HIV])
    old = timezone.now() - timedelta(days=60)
    rows = []
    for i in range(n):
        state = [SampleState.TAKEN, SampleState.SENT, SampleState.RESULT][i % 3]
        rows.append(Sample(
            journal=world.anna_spiralen, entry_id=entry.pk, kind=SampleKind.CHLAMYDIA,
            taken_at=old, taken_by=world.cl, state=state,
            result=SampleResult.POSITIVE if state == SampleState.RESULT else "",
            result_at=old if state == SampleState.RESULT else None,
        ))
    # One sample per (entry, kind): each row gets its own signed entry in bulk.
    entries = JournalEntry.objects.bulk_create([
        JournalEntry(journal=world.anna_spiralen, unit=UnitCode.SPIRALEN, author=world.cl,
                     text="x", kind=EntryKind.VISIT, state="signed", signed_by=world.cl,
                     signed_at=old, editor_token=f"bulk-{len(rows)}-{i}")
        for i in range(n)
    ])
    for row, bulk_entry in zip(rows, entries, strict=True):
        row.entry_id = bulk_entry.pk
    Sample.objects.bulk_create(rows)


def count_queries(browser, url):
    browser.get(url)  # the first request after the login settles the session
    with CaptureQueriesContext(connection) as queries:
        response = browser.get(url)
    assert response.status_code == 200, url
    return len(queries)


def test_the_follow_up_list_stays_within_its_bound(login, world):
    browser = login(world.cl)
    many_samples(world, 5)
    small = count_queries(browser, reverse("spiralen:follow-up"))
    start_small = count_queries(browser, reverse("start"))
    many_samples(world, 5000)
    large = count_queries(browser, reverse("spiralen:follow-up"))
    start_large = count_queries(browser, reverse("start"))
    assert large == small and large <= 12, (small, large)
    assert start_large == start_small, (start_small, start_large)
    listed = services.follow_up(world.cl)
    assert len(listed.overdue) == 100 and listed.counts["overdue"] > 3000


def test_the_follow_up_list_is_two_queries_the_longest_waiting_first_and_cut_at_its_limit(
    world, django_assert_num_queries
):
    many_samples(world, 9)  # three of each state, all taken 60 days ago
    waiting = list(Sample.objects.filter(
        state__in=[SampleState.TAKEN, SampleState.SENT],
        taken_at__lt=timezone.now() - timedelta(days=30),
    ).order_by("pk"))
    # The last one has waited longest; the others tie on the day and go by id.
    Sample.objects.filter(pk=waiting[-1].pk).update(
        taken_at=timezone.now() - timedelta(days=90)
    )
    services.follow_up(world.cl)  # the user's permissions are read once

    with django_assert_num_queries(3):  # the emergency-access check, the waiting, the listed
        listed = services.follow_up(world.cl, limit=4)

    assert [s.pk for s in listed.overdue] == [waiting[-1].pk] + [s.pk for s in waiting[:3]]
    assert listed.counts["overdue"] == 6 and listed.overdue[0].days == 90
    assert listed.overdue[0].patient == world.anna
    # A positive result is in two categories, listed in both.
    assert len(listed.without_plan) == len(listed.to_notify) == 3
    assert listed.counts == {"overdue": 6, "uninformed": 3, "without_plan": 3, "to_notify": 3}


def test_the_patient_page_is_bounded(login, world):
    browser = login(world.cl)
    many_samples(world, 5)
    small = count_queries(browser, patient_url(world.anna))
    many_samples(world, 300)
    for _ in range(10):
        encounter(world.anna_spiralen, world.cl)
    large = count_queries(browser, patient_url(world.anna))
    assert large == small and large <= 15, (small, large)


def test_the_generic_journal_page_is_bounded_with_encounters(login, world):
    browser = login(world.cl)
    url = reverse("clients:journal", args=[world.anna.public_id, UnitCode.SPIRALEN])
    encounter(world.anna_spiralen, world.cl)
    small = count_queries(browser, url)
    for _ in range(10):
        encounter(world.anna_spiralen, world.cl)
    assert count_queries(browser, url) == small


def test_after_a_merge_the_survivors_rights_count(world):
    survivor = client_services.register_client(unit=UnitCode.SPIRALEN, by=world.cl,
                                               alias="Kod 1")
    duplicate = client_services.register_client(unit=UnitCode.SPIRALEN, by=world.cl,
                                                alias="Kod 2")
    journal = duplicate.journals.get(unit=UnitCode.SPIRALEN)
    sample = sample_of(encounter(journal, world.cl, kinds=[SampleKind.HIV]), SampleKind.HIV)
    Sample.objects.filter(pk=sample.pk).update(taken_at=timezone.now() - timedelta(days=30))
    client_services.merge_clients(survivor, duplicate, by=world.cl)
    listed = services.follow_up(world.cl)
    assert ids(listed.overdue) == {sample.pk}
    assert listed.overdue[0].patient == survivor
    outside = staff(Role.CLINICIAN, "cl3", units=[UnitCode.COUNSELLING])
    assert services.follow_up(outside).empty


@pytest.fixture
def _roles_and_units(roles_and_units):
    """Units and roles back, in case an earlier transactional test ran (as tests/e2e do)."""


@pytest.mark.skipif(connection.vendor != "postgresql",
                    reason="two transactions at once need a server database")
@pytest.mark.django_db(transaction=True)
def test_signing_while_the_pages_late_save_arrives_does_not_deadlock(_roles_and_units, world):
    """The midwife signs (the entry is locked, then the samples are written, which refer to
    the journal) while the editor page's last save comes in (the journal first, then the
    entry): the save waits and is refused as signed, never a deadlock."""
    import threading
    import time as clock

    draft = encounter(world.anna_spiralen, world.cl, sign=False)
    signing_holds_the_entry = threading.Event()
    outcome = {}

    def sign():
        try:
            with transaction.atomic():
                JournalEntry.objects.select_for_update().get(pk=draft.pk)
                signing_holds_the_entry.set()
                clock.sleep(0.5)  # the save has taken the journal and waits for the entry
                client_services.sign_entry(draft, by=world.cl)
            outcome["sign"] = "signed"
        except Exception as error:  # noqa: BLE001 - the outcome is the assertion
            outcome["sign"] = error
        finally:
            connection.close()

    def save():
        try:
            signing_holds_the_entry.wait(timeout=10)
            services.save_encounter(journal=world.anna_spiralen, by=world.cl, entry=draft,
                                    kind=EncounterKind.STI_TESTING, findings="Sent sparat")
            outcome["save"] = "saved"
        except Exception as error:  # noqa: BLE001
            outcome["save"] = error
        finally:
            connection.close()

    threads = [threading.Thread(target=sign), threading.Thread(target=save)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert outcome["sign"] == "signed"
    assert isinstance(outcome["save"], DomainError), outcome["save"]
    assert not isinstance(outcome["save"], DatabaseError)
    assert Sample.objects.filter(entry=draft).count() == 2
