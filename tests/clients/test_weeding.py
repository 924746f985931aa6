"""Weeding (issue 12, DESIGN §5): each rule at its boundary, the dry run, the execution, a
failure mid-person, and the closed years' statistics."""

from datetime import date, datetime, time, timedelta

import pytest
from auditlog.models import LogEntry
from django.core.management import call_command
from django.utils import timezone

from clients.models import (
    Booking,
    BookingKind,
    BookingStatus,
    Client,
    Enrollment,
    EntryState,
    Journal,
    JournalEntry,
    Referral,
    Visit,
    VisitPurpose,
)
from clients.services import weeding
from prostenhet import services as base_services
from prostenhet import stats
from prostenhet.models import AccessKind, AccessLog, WeedingRun
from prostenhet.roles import Role, UnitCode

from ..factories import UserFactory
from ..world import ADULT_NUMBERS

COUNSELLING, OUTREACH, SPIRALEN = UnitCode.COUNSELLING, UnitCode.OUTREACH, UnitCode.SPIRALEN
KAST, TRAFFICKING = UnitCode.KAST, UnitCode.TRAFFICKING
LAST = date(2019, 3, 12)  # a last entry
FIVE = date(2024, 3, 12)  # five years after it
TEN = date(2029, 3, 12)


def local(day, hour=12):
    return timezone.make_aware(datetime.combine(day, time(hour)))


def luhn(digits):
    total = 0
    for index, char in enumerate(digits):
        value = int(char) * (2 - index % 2)
        total += value - 9 if value > 9 else value
    return str((10 - total % 10) % 10)


def number_born_on(day):
    """A test identity number (Skatteverket's) moved to another day of the month, its check
    digit recomputed; day > 60 makes a samordningsnummer."""
    base = next(n for n in ADULT_NUMBERS if n[6:8] == "18")
    ten = base[2:6] + f"{day:02d}" + base[8:11]
    return base[:2] + ten + luhn(ten)


class Data:
    """Rows written directly, with the dates the rules need."""

    def __init__(self):
        self.by = UserFactory()

    def client(self, alias="Klient", **fields):
        fields.setdefault("created_at", local(LAST - timedelta(days=400)))
        return Client.objects.create(alias=alias, created_by=self.by, **fields)

    def record(self, client, unit, last=LAST, *, ended=True, state=EntryState.SIGNED,
               text="Anteckning"):
        """An enrolment (ended on the last day unless open), a journal and one entry."""
        first = last - timedelta(days=300)
        Enrollment.objects.create(client=client, unit=unit, started_on=first,
                                  ended_on=last if ended else None, created_by=self.by)
        journal, _ = Journal.objects.get_or_create(
            client=client, unit=unit, merged_into=None, defaults={"created_at": local(first)}
        )
        return JournalEntry.objects.create(
            journal=journal, unit=unit, event_date=last, written_at=local(last),
            updated_at=local(last), author=self.by, text=text, state=state,
            signed_by=self.by if state == EntryState.SIGNED else None,
            signed_at=local(last) if state == EntryState.SIGNED else None,
        )


@pytest.fixture
def data(db):
    return Data()


def decided(as_of):
    """{(client public id, unit): decision} of a plan."""
    decisions, _not_due, _units = weeding.plan(as_of)
    return {(d.ref, d.unit): d for d in decisions}


def ref(client):
    return str(client.public_id)


# --- the rules at their boundaries ---------------------------------------------------------


def test_a_social_services_record_is_due_five_years_after_its_last_entry(data):
    client = data.client()
    data.record(client, COUNSELLING)
    assert (ref(client), COUNSELLING) not in decided(FIVE - timedelta(days=1))
    for day in (FIVE, FIVE + timedelta(days=1)):
        decision = decided(day)[(ref(client), COUNSELLING)]
        assert decision.weed and decision.regime == "social"
        assert decision.last == LAST and decision.due_on == FIVE
        # Weeded at the latest in the calendar year after the one it became due.
        assert decision.deadline == date(2025, 12, 31)


def test_the_retention_is_a_setting(data, settings):
    settings.SOCIAL_SERVICES_RETENTION_YEARS = 3
    client = data.client()
    data.record(client, OUTREACH)
    assert decided(date(2022, 3, 12))[(ref(client), OUTREACH)].weed
    assert (ref(client), OUTREACH) not in decided(date(2022, 3, 11))


def test_a_patient_record_is_kept_ten_years_never_fewer(data, settings):
    client = data.client()
    data.record(client, SPIRALEN)
    assert (ref(client), SPIRALEN) not in decided(FIVE + timedelta(days=1))
    assert (ref(client), SPIRALEN) not in decided(TEN - timedelta(days=1))
    decision = decided(TEN)[(ref(client), SPIRALEN)]
    assert decision.weed and decision.regime == "patient" and decision.deadline is None
    assert decided(TEN + timedelta(days=1))[(ref(client), SPIRALEN)].weed
    # A longer retention is honoured; a shorter one never.
    from prostenhet.retention import retention_years

    settings.SPIRALEN_RETENTION_YEARS = 12
    assert retention_years(SPIRALEN) == 12
    assert (ref(client), SPIRALEN) not in decided(TEN + timedelta(days=1))


def test_the_last_entry_is_the_latest_date_of_any_row_of_the_record(data):
    client = data.client()
    data.record(client, COUNSELLING)
    later = LAST + timedelta(days=30)
    Booking.objects.create(
        unit=COUNSELLING, kind=BookingKind.SESSION, client=client, staff=data.by,
        starts_at=local(later), ends_at=local(later, 13), status=BookingStatus.COMPLETED,
        created_by=data.by,
    )
    assert (ref(client), COUNSELLING) not in decided(FIVE + timedelta(days=1))
    assert decided(FIVE + timedelta(days=30))[(ref(client), COUNSELLING)].weed


@pytest.mark.parametrize("day", [5, 15, 25, 65, 75, 85])
def test_persons_born_on_the_5th_15th_or_25th_are_kept_for_research(data, day):
    # Days 65, 75 and 85 are samordningsnummer of persons born on the 5th, 15th and 25th.
    client = data.client(identity_number=number_born_on(day))
    data.record(client, COUNSELLING)
    data.record(client, SPIRALEN, LAST - timedelta(days=3700))
    decisions = decided(FIVE + timedelta(days=1))
    decision = decisions[(ref(client), COUNSELLING)]
    assert not decision.weed and decision.reason == "research"
    # The exemption is the Social Services Ordinance's: the patient record follows its own.
    assert decisions[(ref(client), SPIRALEN)].weed


@pytest.mark.parametrize("day", [1, 4, 6, 16, 26, 31, 66, 76])
def test_other_birth_days_follow_the_general_rule(data, day):
    client = data.client(identity_number=number_born_on(day))
    data.record(client, COUNSELLING)
    assert decided(FIVE)[(ref(client), COUNSELLING)].weed


def test_an_anonymous_client_with_no_birth_date_follows_the_general_rule(data):
    client = data.client(alias="Anonym", birth_year=1990)
    data.record(client, OUTREACH)
    assert decided(FIVE)[(ref(client), OUTREACH)].weed


def test_the_research_exemption_can_cover_every_record(data, settings):
    settings.WEEDING_RESEARCH_EXEMPTION = "all"
    client = data.client(alias="Anonym")
    data.record(client, COUNSELLING)
    data.record(client, SPIRALEN, LAST - timedelta(days=3700))
    decisions = decided(FIVE)
    assert decisions[(ref(client), COUNSELLING)].reason == "research_all"
    assert decisions[(ref(client), SPIRALEN)].weed


def test_another_kept_social_record_of_the_person_holds_back_weeding(data):
    client = data.client()
    data.record(client, COUNSELLING)
    data.record(client, OUTREACH, LAST + timedelta(days=400))
    decision = decided(FIVE)[(ref(client), COUNSELLING)]
    assert not decision.weed and decision.reason == "person_kept"
    # Once the other is due too, both go.
    later = decided(FIVE + timedelta(days=401))
    assert later[(ref(client), COUNSELLING)].weed and later[(ref(client), OUTREACH)].weed


def test_a_kept_patient_record_does_not_hold_back_the_social_ones(data):
    client = data.client()
    data.record(client, COUNSELLING)
    data.record(client, SPIRALEN)
    decisions = decided(FIVE)
    assert decisions[(ref(client), COUNSELLING)].weed
    assert (ref(client), SPIRALEN) not in decisions


def test_an_open_case_a_draft_or_an_open_referral_keeps_a_record(data):
    open_case, draft, referred = data.client("A"), data.client("B"), data.client("C")
    data.record(open_case, COUNSELLING, ended=False)
    data.record(draft, COUNSELLING, state=EntryState.DRAFT)
    data.record(referred, COUNSELLING)
    Referral.objects.create(client=referred, from_unit=COUNSELLING, to_unit=TRAFFICKING,
                            message="Remiss", sent_by=data.by, sent_at=local(LAST))
    decisions = decided(FIVE + timedelta(days=1))
    assert decisions[(ref(open_case), COUNSELLING)].reason == "open_case"
    assert decisions[(ref(draft), COUNSELLING)].reason == "draft"
    assert decisions[(ref(referred), COUNSELLING)].reason == "open_referral"
    assert not any(d.weed for d in decisions.values())


def test_a_pending_sample_result_keeps_the_patient_record(data):
    from spiralen.models import Encounter, EncounterKind, Sample, SampleKind, SampleState

    client = data.client()
    entry = data.record(client, SPIRALEN)
    Encounter.objects.create(entry=entry, kind=EncounterKind.STI_TESTING)
    sample = Sample.objects.create(journal=entry.journal, entry=entry, kind=SampleKind.CHLAMYDIA,
                                   taken_at=local(LAST), taken_by=data.by)
    decision = decided(TEN)[(ref(client), SPIRALEN)]
    assert not decision.weed and decision.reason == "unit_hold"
    assert decision.detail == "Provsvar väntas"
    Sample.objects.filter(pk=sample.pk).update(
        state=SampleState.INFORMED, result_at=local(LAST), informed_at=local(LAST)
    )
    assert decided(TEN)[(ref(client), SPIRALEN)].weed


def test_an_open_trafficking_case_keeps_the_record(data):
    from trafficking.models import IdentifiedBy, TraffickingCase

    client = data.client()
    entry = data.record(client, TRAFFICKING)
    case = TraffickingCase.objects.create(
        client=client, journal=entry.journal, identified_by=IdentifiedBy.RAID, identified_on=LAST,
        opened_on=LAST, created_by=data.by,
    )
    decision = decided(FIVE)[(ref(client), TRAFFICKING)]
    assert decision.reason == "unit_hold" and decision.detail == "Ärendet är öppet"
    TraffickingCase.objects.filter(pk=case.pk).update(closed_on=LAST)
    assert decided(FIVE)[(ref(client), TRAFFICKING)].weed


def test_a_client_with_no_record_in_any_unit_is_weeded_as_a_registry_record(data):
    client = data.client(created_at=local(LAST))
    assert decided(FIVE)[(ref(client), weeding.REGISTER)].weed
    assert (ref(client), weeding.REGISTER) not in decided(FIVE - timedelta(days=1))


# --- dry run and execution -----------------------------------------------------------------


def counts():
    return {model.__name__: model.objects.count()
            for model in (Client, Enrollment, Journal, JournalEntry, Booking, Visit, Referral)}


def test_a_dry_run_changes_nothing_and_stores_its_report(data, capsys):
    client = data.client()
    data.record(client, COUNSELLING)
    before = counts()
    call_command("weed", "--as-of", FIVE.isoformat())
    assert "Provkörning (inget ändrat)" in capsys.readouterr().out
    assert counts() == before
    run = WeedingRun.objects.get()
    assert not run.executed and run.as_of == FIVE
    assert run.totals[COUNSELLING]["weeded"] == 1
    assert [record["ref"] for record in run.records] == [ref(client)]
    # The report holds no personal data: opaque ids only.
    assert client.alias not in str(run.records) and "identity" not in str(run.records)


def test_the_command_prints_the_report_without_identity_numbers(data, capsys):
    number = number_born_on(16)
    client = data.client(alias="Synlig", identity_number=number)
    data.record(client, COUNSELLING)
    call_command("weed", "--as-of", FIVE.isoformat(), "--list")
    out = capsys.readouterr().out
    assert ref(client) in out and number not in out and "Synlig" not in out
    assert "gallras 1" in out


def test_execute_needs_a_named_manager(data, staff_of):
    from django.core.management.base import CommandError

    with pytest.raises(CommandError):
        call_command("weed", "--execute")
    counsellor = staff_of(Role.COUNSELLOR)
    with pytest.raises(CommandError):
        call_command("weed", "--execute", "--by", counsellor.username)
    manager = staff_of(Role.MANAGER)
    future = timezone.localdate() + timedelta(days=1)
    with pytest.raises(CommandError):
        call_command("weed", "--execute", "--by", manager.username, "--as-of",
                     future.isoformat())
    with pytest.raises(ValueError):
        weeding.run(execute=True, as_of=future, by=manager)
    assert not WeedingRun.objects.exists()


def test_execute_removes_exactly_what_the_dry_run_listed(data, staff_of):
    manager = staff_of(Role.MANAGER)
    gone = data.client("Gallras")
    data.record(gone, COUNSELLING, text="Ska bort")
    data.record(gone, OUTREACH)
    kept = data.client("Sparas", identity_number=number_born_on(15))
    data.record(kept, COUNSELLING, text="Forskning")
    partly = data.client("Delvis")
    data.record(partly, COUNSELLING, text="Socialt")
    clinic_entry = data.record(partly, SPIRALEN, text="Patientjournal")
    young = data.client("Ung")
    data.record(young, COUNSELLING, FIVE, text="Nyligen")

    dry = weeding.run(execute=False, as_of=FIVE)
    done = weeding.run(execute=True, as_of=FIVE, by=manager)
    listed = {(r["ref"], r["unit"]) for r in dry.records if r["weed"]}
    assert listed == {(r["ref"], r["unit"]) for r in done.records if r["weed"]}
    assert listed == {(ref(gone), COUNSELLING), (ref(gone), OUTREACH),
                      (ref(partly), COUNSELLING)}
    assert done.failed == []
    # What was listed is gone, the client row too when nothing of the person is left.
    assert not Client.objects.filter(pk=gone.pk).exists()
    assert not JournalEntry.objects.filter(text__in=["Ska bort", "Socialt"]).exists()
    assert not Enrollment.objects.filter(client=partly, unit=COUNSELLING).exists()
    # Nothing else is touched.
    assert JournalEntry.objects.filter(pk=clinic_entry.pk).exists()
    assert Client.objects.filter(pk=partly.pk).exists()
    assert set(JournalEntry.objects.values_list("text", flat=True)) == {
        "Forskning", "Patientjournal", "Nyligen",
    }
    assert done.removed["clients.JournalEntry"] == 3
    assert done.removed["clients.Client"] == 1
    # A second run finds nothing more to weed.
    again = weeding.run(execute=True, as_of=FIVE, by=manager)
    assert again.weeded_count == 0


def test_the_change_log_keeps_that_a_weeding_happened_and_nothing_of_the_weeded(data, staff_of):
    manager = staff_of(Role.MANAGER)
    client = data.client("Loggad")
    client.alias = "Loggad igen"
    client.save()  # a change-log row about the client
    data.record(client, COUNSELLING)
    assert LogEntry.objects.get_for_object(client).exists()
    run = weeding.run(execute=True, as_of=FIVE, by=manager)
    assert not LogEntry.objects.filter(object_repr__contains="Loggad").exists()
    assert not LogEntry.objects.get_for_object(client).exists()
    logged = LogEntry.objects.get_for_object(run).latest("timestamp")
    assert "totals" in logged.changes and "records" not in logged.changes
    assert str(manager.pk) in str(LogEntry.objects.get_for_object(run).values_list(
        "changes", flat=True))


def test_read_access_rows_go_with_the_record_after_their_own_retention(data, staff_of,
                                                                        settings):
    settings.ACCESS_LOG_RETENTION_YEARS = 5
    manager = staff_of(Role.MANAGER)
    client = data.client()
    data.record(client, COUNSELLING)
    reader = data.by
    now = timezone.now()
    old = AccessLog.objects.create(user=reader, client=client, kind=AccessKind.READ,
                                   view="clients:journal", at=now - timedelta(days=6 * 365))
    young = AccessLog.objects.create(user=reader, client=client, kind=AccessKind.READ,
                                     view="clients:journal", at=now - timedelta(days=365))
    weeding.run(execute=True, as_of=FIVE, by=manager)
    assert not AccessLog.objects.filter(pk=old.pk).exists()
    young.refresh_from_db()
    assert young.client_id is None and young.weeded_client == client.public_id
    assert young.user == reader and young.view == "clients:journal"
    # A later run weeds it once it is old enough (here: a retention that it has reached).
    other = AccessLog.objects.create(user=reader, kind=AccessKind.SEARCH, view="clients:x",
                                     at=now - timedelta(days=2 * 365))
    settings.ACCESS_LOG_RETENTION_YEARS = 0
    weeding.run(execute=True, as_of=FIVE, by=manager)
    assert not AccessLog.objects.filter(pk=young.pk).exists()
    # Rows about no weeded client (a search) are not the weeding's to remove.
    assert AccessLog.objects.filter(pk=other.pk).exists()


def test_a_failure_mid_person_leaves_the_person_whole(data, staff_of):
    manager = staff_of(Role.MANAGER)
    broken, fine = data.client("Trasig"), data.client("Hel")
    for client in (broken, fine):
        data.record(client, COUNSELLING, text=f"Text {client.alias}")
        data.record(client, OUTREACH, text=f"Uppsök {client.alias}")
    before = JournalEntry.objects.filter(journal__client=broken).count()

    def fail(weeded_ref):
        if weeded_ref == ref(broken):
            raise RuntimeError("disk full")

    run = weeding.run(execute=True, as_of=FIVE, by=manager, fail_on=fail)
    assert run.failed == [ref(broken)]
    assert JournalEntry.objects.filter(journal__client=broken).count() == before == 2
    assert Enrollment.objects.filter(client=broken).count() == 2
    assert Journal.objects.filter(client=broken).count() == 2
    assert not Client.objects.filter(pk=fine.pk).exists()
    failed = {r["unit"]: r for r in run.records if r["ref"] == ref(broken)}
    assert {r["reason"] for r in failed.values()} == {"failed"}
    assert run.totals[COUNSELLING]["weeded"] == 1


def test_closed_year_statistics_do_not_change_when_records_are_weeded(data, staff_of):
    manager = staff_of(Role.MANAGER)
    year = LAST.year
    for index in range(6):
        client = data.client(f"K{index}")
        data.record(client, COUNSELLING, LAST + timedelta(days=index))
        Visit.objects.create(unit=COUNSELLING, purpose=VisitPurpose.DROP_IN, client=client,
                             arrived_at=local(LAST), registered_by=data.by)
    base_services.close_year(year, by=manager)
    before = [table.to_dict() for table in stats.figures([year], fresh=True)[year]]
    run = weeding.run(execute=True, as_of=FIVE + timedelta(days=10), by=manager)
    assert run.weeded_count == 6 and not Client.objects.exists()
    after = [table.to_dict() for table in stats.figures([year], fresh=True)[year]]
    assert after == before
    assert any(any(any(value for value in row["values"]) for row in table["rows"])
               for table in after)


# --- everything a person can have goes ------------------------------------------------------


def test_every_kind_of_row_of_a_person_goes_and_the_client_row_last(world, staff_of):
    """The world's clients have every kind of row the services make (entries, corrections,
    bookings, visits, referrals, consents, contracts, goals, queue places, assignments, a
    merge, emergency access, the clinic's encounters and samples, outreach's contacts,
    KAST's calls, a trafficking case); eleven years on, with every case closed, all goes."""
    from tests.clients.test_weeding_world import build_everything

    build_everything(world)
    today = timezone.localdate()
    Enrollment.objects.filter(ended_on__isnull=True).update(ended_on=today)
    JournalEntry.objects.filter(state=EntryState.DRAFT).delete()
    run = weeding.run(execute=True, as_of=today.replace(year=today.year + 11),
                      by=world.ma, allow_future=True)
    assert run.failed == []
    assert not Client.objects.exists()
    assert not JournalEntry.objects.exists() and not Booking.objects.exists()
    # The access log keeps who read (unlinked, until its own retention).
    assert AccessLog.objects.filter(weeded_client__isnull=False).exists()
    assert not AccessLog.objects.filter(client__isnull=False).exists()


def test_a_released_extract_keeps_its_release_but_not_its_copy_of_weeded_records(data, staff_of):
    from clients.models import ExtractWithholding, RegisterExtract, WithholdingReason

    manager = staff_of(Role.MANAGER)
    client = data.client()
    data.record(client, COUNSELLING, text="Kopierad text")
    data.record(client, SPIRALEN)
    content = {"title": "Registerutdrag", "subtitle": client.alias, "meta": [], "footer": "",
               "sections": [
                   {"heading": "Samtal", "note": "", "unit": COUNSELLING,
                    "items": [{"heading": "x", "meta": [], "text": "Kopierad text",
                               "indent": False, "withheld": False}]},
                   {"heading": "Spiralen", "note": "", "unit": SPIRALEN,
                    "items": [{"heading": "y", "meta": [], "text": "Klinikens text",
                               "indent": False, "withheld": False}]},
               ]}
    released = RegisterExtract.objects.create(
        client=client, units=[COUNSELLING], requested_on=LAST, created_by=data.by,
        released_by=data.by, released_at=local(LAST), content=content,
    )
    ExtractWithholding.objects.create(extract=released, item_key="clients.entry:1",
                                      passage="Kopierad", reason=WithholdingReason.HARM,
                                      note="Om hennes syster", by=data.by)
    draft = RegisterExtract.objects.create(client=client, units=[COUNSELLING, SPIRALEN],
                                           requested_on=LAST, created_by=data.by)
    clinic_only = RegisterExtract.objects.create(client=client, units=[SPIRALEN],
                                                 requested_on=LAST, created_by=data.by)
    assert LogEntry.objects.filter(changes__icontains="syster").exists()
    weeding.run(execute=True, as_of=FIVE, by=manager)
    released.refresh_from_db()
    assert released.released_by == data.by and "Kopierad text" not in str(released.content)
    assert released.content["title"] == "Registerutdrag"
    # The kept unit's part of what the client was given stays.
    assert "Klinikens text" in str(released.content)
    assert not released.withholdings.exists()
    assert not LogEntry.objects.filter(changes__icontains="syster").exists()
    assert not RegisterExtract.objects.filter(pk=draft.pk).exists()
    assert RegisterExtract.objects.filter(pk=clinic_only.pk).exists()
