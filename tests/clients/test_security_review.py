"""The security review's findings about client records (issue 7): each test fails on the code
before the fix."""

import io
import logging

import pytest
from auditlog.models import LogEntry
from django.urls import reverse

from clients import services
from clients.models import Client, ConsentMethod, JournalEntry
from prostenhet.models import AccessKind, AccessLog
from prostenhet.roles import Role, UnitCode
from tests.world import ADULT_NUMBERS, staff

from .helpers import SPARE_NUMBERS, as_post, main_html

pytestmark = pytest.mark.django_db


def test_trying_another_persons_number_on_an_edit_is_logged_and_flagged(world, login):
    """Finding 3: editing a client to someone else's number is an existence oracle unless it
    leaves a trace the manager reviews, as registering the number does."""
    browser = login(world.ow)
    url = reverse("clients:client-update", args=[world.olle.public_id])
    data = as_post(browser.get(url).context["form"].initial)

    response = browser.post(url, {**data, "identity_number": ADULT_NUMBERS[10],
                                  "identity_number_quality": ""})

    assert response.status_code == 200
    assert "redan" in main_html(response)
    row = AccessLog.objects.get(user=world.ow, flagged=True)
    assert row.kind == AccessKind.SEARCH
    assert row.client == world.anna
    assert ADULT_NUMBERS[10] not in row.detail
    review = login(world.ma).get(reverse("audit:access-log"), {"flagged": "on"})
    page = review.content.decode()
    assert "en annan klients personnummer angavs vid ändring" in page
    assert ADULT_NUMBERS[10] not in page


def merged_pair(world):
    """Lisa (with her own number) and a duplicate with another number, merged into her."""
    survivor = services.register_client(
        unit=UnitCode.COUNSELLING, by=world.oa, alias="Lisa", identity_number=SPARE_NUMBERS[1]
    )
    duplicate = services.register_client(
        unit=UnitCode.COUNSELLING, by=world.oa, alias="Lisa D", identity_number=SPARE_NUMBERS[2]
    )
    merge = services.merge_clients(survivor, duplicate, by=world.oa)
    return survivor, duplicate, merge


def test_a_merged_away_number_points_to_the_survivor(world):
    """Finding 6: the duplicate check sees tombstones."""
    survivor, _, _ = merged_pair(world)
    with pytest.raises(services.DuplicateClientError) as refused:
        services.register_client(
            unit=UnitCode.COUNSELLING, by=world.oa, alias="Lisa igen",
            identity_number=SPARE_NUMBERS[2],
        )
    assert refused.value.existing == survivor


def test_undoing_a_merge_whose_number_was_registered_again_is_refused_clearly(world, login):
    """Finding 6: no IntegrityError (a 500 whose text held the number) but a clear refusal."""
    _, duplicate, merge = merged_pair(world)
    # A client registered with the number before tombstones were checked.
    Client.objects.create(
        register=duplicate.register, alias="Ny Lisa", identity_number=SPARE_NUMBERS[2],
        created_by=world.oa,
    )
    response = login(world.ma).post(
        reverse("clients:merge-undo", args=[merge.pk]), follow=True
    )
    assert response.status_code == 200
    assert "Sammanslagningen kan inte ångras" in main_html(response)
    merge.refresh_from_db()
    assert merge.undone_at is None
    assert SPARE_NUMBERS[2] not in main_html(response)


def test_no_log_line_holds_an_identity_number():
    """Finding 6: whatever a library writes, the log shows no identity number."""
    handler = next(h for h in logging.getLogger().handlers if h.name == "console")
    buffer = io.StringIO()
    previous = handler.setStream(buffer)
    try:
        log = logging.getLogger("django.db.backends")
        number = SPARE_NUMBERS[3]
        short = f"{number[2:8]}-{number[8:]}"
        log.error("duplicate key value (register, identity_number)=(main, %s)", number)
        log.error("a short form %s in the message", short)
        try:
            raise ValueError(f"Key (identity_number)=({number}) already exists.")
        except ValueError:
            log.exception("failed")
    finally:
        handler.setStream(previous)
    written = buffer.getvalue()
    assert "already exists" in written and "duplicate key" in written
    assert number not in written and short not in written
    assert written.count("[personnummer]") == 3


def test_an_emergency_search_shows_nobody_before_a_reason_is_given(world, login):
    """Finding 4: the reason first, then alias and birth year."""
    browser = login(world.ma)
    response = browser.post(
        reverse("clients:emergency-search"), {"identity_number": world.anna.identity_number},
        follow=True,
    )
    assert response.context["found"] is None
    assert "Anna" not in main_html(response)
    assert not AccessLog.objects.filter(client=world.anna).exists()

    response = browser.post(
        reverse("clients:emergency-search"),
        {"identity_number": world.anna.identity_number, "reason": "Medvetslös i väntrummet."},
        follow=True,
    )
    assert response.context["found"] == world.anna
    # The reason comes along to the page that opens the access.
    opening = browser.get(main_html(response).split('href="')[-1].split('"')[0]
                          .replace("&amp;", "&"))
    assert opening.context["form"].initial["reason"] == "Medvetslös i väntrummet."


def test_a_kast_managers_main_register_look_up_is_reviewed_by_every_manager(world, login):
    """Finding 4: only rows that could reveal a KAST client are sealed."""
    kast_manager = staff(Role.MANAGER, "kma", units=[UnitCode.KAST, UnitCode.COUNSELLING])
    login(kast_manager).post(
        reverse("clients:emergency-search"),
        {"identity_number": world.anna.identity_number, "reason": "Akut."}, follow=True,
    )
    rows = AccessLog.objects.filter(user=kast_manager)
    assert rows.exists() and not rows.filter(sealed=True).exists()
    # A KAST counsellor's free-text search in KAST's register stays sealed.
    login(world.kco).post(reverse("clients:client-search"), {"q": "Karl"}, follow=True)
    assert AccessLog.objects.get(user=world.kco, kind=AccessKind.SEARCH, client=None).sealed
    # The client's extract shows a non-KAST manager no sealed row.
    extract = login(world.ma).get(
        reverse("clients:access-log-extract", args=[world.anna.public_id])
    )
    assert all(not row.sealed for row in extract.context["rows"])


def test_every_row_a_merge_moves_has_its_change_log_row(world):
    """Finding 9: QuerySet.update() bypassed the change log; the merge record was the only
    trace of what moved."""
    survivor, duplicate, merge = merged_pair(world)
    moved = [row for row in merge.moved if row["model"] != "auditlog.logentry"]
    assert moved
    logged = LogEntry.objects.filter(additional_data__merge=merge.pk, actor=world.oa)
    for row in moved:
        assert logged.filter(object_pk=str(row["pk"]), changes__has_key=row["field"]).exists(), row
    tombstone = logged.get(object_pk=str(duplicate.pk), changes__has_key="merged_into_id")
    assert tombstone.changes_dict["merged_into_id"] == ["None", str(survivor.pk)]

    services.undo_merge(merge, by=world.ma)
    undone = LogEntry.objects.filter(additional_data__undo_merge=merge.pk, actor=world.ma)
    assert undone.count() == logged.count()


def test_ending_the_previous_counsellor_is_in_the_change_log(world):
    """Finding 9: the previous assignment ended through QuerySet.update()."""
    journal = world.anna_counselling
    previous = journal.assignments.get(ended_at__isnull=True)
    other = staff(Role.COUNSELLOR, "co2")
    services.assign_counsellor(journal, other, by=world.oa)
    entry = LogEntry.objects.get_for_object(previous).latest("pk")
    assert entry.changes_dict["ended_at"][1] not in (None, "None")


def test_two_records_with_the_same_consent_merge_and_unmerge(world):
    """Also seen: merging two clients that both hold an active consent for the same pair of
    units failed on the one-active-consent constraint."""
    survivor, duplicate = (
        services.register_client(unit=UnitCode.COUNSELLING, by=world.oa, alias=alias)
        for alias in ("Mona", "Mona B")
    )
    for client in (survivor, duplicate):
        services.enroll(client, UnitCode.SPIRALEN, by=world.cl)
        services.give_consent(client, UnitCode.COUNSELLING, UnitCode.SPIRALEN,
                              method=ConsentMethod.VERBAL, by=world.co)

    merge = services.merge_clients(survivor, duplicate, by=world.oa)

    assert survivor.consents.count() == 2
    assert survivor.consents.active().count() == 1
    services.undo_merge(merge, by=world.ma)
    assert survivor.consents.active().count() == 1
    assert duplicate.consents.active().count() == 1


def test_free_text_is_bounded_with_a_clear_error_and_nothing_lost(world, login):
    """Also seen: free-text fields were bounded only by Django's request limit."""
    browser = login(world.co)
    url = reverse("clients:entry-create", args=[world.anna.public_id, UnitCode.COUNSELLING])
    initial = browser.get(url).context["form"].initial
    data = {"kind": initial["kind"], "event_date": initial["event_date"],
            "editor": initial["editor"], "version": initial["version"], "seq": 1}
    before = set(JournalEntry.objects.values_list("pk", flat=True))

    response = browser.post(url, {**data, "text": "x" * 50_001})

    assert response.status_code == 200
    assert "som mest 50000 tecken" in " ".join(response.context["form"].errors["text"])
    # What was typed is still in the field, to be shortened.
    assert response.context["form"]["text"].value() == "x" * 50_001
    assert set(JournalEntry.objects.values_list("pk", flat=True)) == before
