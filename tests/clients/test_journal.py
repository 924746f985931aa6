"""Journal entries (DESIGN §5): drafts save as the author types and only the author sees
them; signing locks an entry for ever (model, views and, on PostgreSQL, the database); a
correction is a new entry that points to the original; old drafts are a reminder on the start
page; the journal page's query count does not grow with the entries."""

import datetime
import re

import pytest
from django.db import IntegrityError, InternalError, connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from clients import services
from clients.models import EntryState, JournalEntry, SignedEntryError
from prostenhet.roles import Role, UnitCode

from .helpers import main_html, today

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true"}


def edit_url(entry):
    return reverse("clients:entry-edit", args=[entry.public_id])


def autosave_url(entry):
    return reverse("clients:entry-autosave", args=[entry.public_id])


def detail_url(entry):
    return reverse("clients:entry-detail", args=[entry.public_id])


def journal_url(world, unit=UnitCode.COUNSELLING):
    return reverse("clients:journal", args=[world.anna.public_id, unit])


def entry_data(text, **extra):
    return {"kind": "session", "event_date": today().isoformat(), "text": text, **extra}


def version_after_autosave(response, version):
    """The version field as the browser has it after an autosave answer: htmx swaps in an
    out-of-band <input name="version"> if the answer carries one."""
    match = re.search(r'<input[^>]*name="version"[^>]*value="(\d+)"', response.content.decode())
    return int(match[1]) if match else version


@pytest.fixture
def substitute(world, staff_of):
    """A colleague who may write in Anna's counselling journal too."""
    colleague = staff_of(Role.COUNSELLOR)
    services.name_substitute(
        world.anna_counselling, colleague, ends_on=today() + datetime.timedelta(days=7),
        by=world.co,
    )
    return colleague


# --- drafts ------------------------------------------------------------------------------------


def test_a_new_entry_starts_as_the_authors_draft_once_it_has_text(world, login):
    browser = login(world.co)
    url = reverse("clients:entry-create", args=[world.anna.public_id, UnitCode.COUNSELLING])
    form = browser.get(url).context["form"]
    before = JournalEntry.objects.count()

    response = browser.post(url, {
        "kind": "session", "event_date": timezone.localdate().isoformat(),
        "text": "Första samtalet.", "editor": form.initial["editor"], "save": "1",
    })

    assert JournalEntry.objects.count() == before + 1
    entry = JournalEntry.objects.get(journal=world.anna_counselling, text="Första samtalet.")
    assert response.status_code == 302
    assert response.url == edit_url(entry)
    assert (entry.state, entry.author, entry.unit) == (
        EntryState.DRAFT, world.co, UnitCode.COUNSELLING
    )


def test_autosave_saves_the_draft_as_it_is_typed(world, login):
    browser = login(world.co)
    version = browser.get(edit_url(world.anna_draft)).context["form"].initial["version"]

    for text in ["Samtal om skam och", "Samtal om skam och gränser."]:
        response = browser.post(
            autosave_url(world.anna_draft), entry_data(text, version=version), **HTMX
        )
        assert response.status_code == 200
        assert "Sparat" in response.content.decode()
        version = version_after_autosave(response, version)
        world.anna_draft.refresh_from_db()
        assert world.anna_draft.text == text
    assert world.anna_draft.state == EntryState.DRAFT


def test_the_edit_form_saves_the_draft(world, login):
    browser = login(world.co)
    version = browser.get(edit_url(world.anna_draft)).context["form"].initial["version"]

    response = browser.post(
        edit_url(world.anna_draft), entry_data("Sparad med knappen.", version=version)
    )

    assert response.status_code == 302
    world.anna_draft.refresh_from_db()
    assert world.anna_draft.text == "Sparad med knappen."
    assert world.anna_draft.kind == "session"


def test_a_stale_edit_form_from_another_window_does_not_overwrite_the_draft(world, login):
    browser = login(world.co)
    version = browser.get(edit_url(world.anna_draft)).context["form"].initial["version"]
    services.save_draft(
        entry=world.anna_draft, journal=world.anna_counselling, by=world.co,
        text="Från det andra fönstret.",
    )

    response = browser.post(
        edit_url(world.anna_draft), entry_data("Gammalt fönster.", version=version)
    )

    assert response.status_code == 200
    assert "annat fönster" in " ".join(response.context["form"].non_field_errors())
    world.anna_draft.refresh_from_db()
    assert world.anna_draft.text == "Från det andra fönstret."


def test_saving_the_form_after_an_autosave_in_the_same_window_works(world, login):
    browser = login(world.co)
    form_page = browser.get(edit_url(world.anna_draft))
    version = form_page.context["form"].initial["version"]
    answer = browser.post(
        autosave_url(world.anna_draft), entry_data("Skrivet", version=version), **HTMX
    )
    version = version_after_autosave(answer, version)

    # The author then presses "Signera…" (or "Spara utkast") on the same page.
    response = browser.post(
        edit_url(world.anna_draft), entry_data("Skrivet klart.", version=version, sign="")
    )

    assert response.status_code == 302
    world.anna_draft.refresh_from_db()
    assert world.anna_draft.text == "Skrivet klart."


def test_only_the_author_sees_or_edits_a_draft(world, login, substitute):
    browser = login(substitute)
    assert browser.get(journal_url(world)).status_code == 200  # the journal: yes

    assert browser.get(detail_url(world.anna_draft)).status_code == 404
    assert browser.get(edit_url(world.anna_draft)).status_code == 404
    response = browser.post(autosave_url(world.anna_draft), entry_data("Inte min."), **HTMX)
    assert response.status_code == 404
    world.anna_draft.refresh_from_db()
    assert world.anna_draft.text == "Utkast pågår."
    assert "Utkast pågår." not in main_html(browser.get(journal_url(world)))
    with pytest.raises(services.DomainError):
        services.save_draft(
            entry=world.anna_draft, journal=world.anna_counselling, by=substitute, text="x"
        )


def test_the_author_sees_the_draft_listed_on_the_journal_page(world, login):
    page = main_html(login(world.co).get(journal_url(world)))

    assert 'data-testid="drafts"' in page
    assert edit_url(world.anna_draft) in page


def test_a_draft_is_never_in_the_signed_list(world, login):
    response = login(world.co).get(journal_url(world))

    assert world.anna_draft not in list(response.context["page"])
    assert world.anna_signed in list(response.context["page"])


# --- signing -----------------------------------------------------------------------------------


def test_signing_through_the_form_locks_the_entry(world, login):
    browser = login(world.co)
    version = browser.get(edit_url(world.anna_draft)).context["form"].initial["version"]

    response = browser.post(
        edit_url(world.anna_draft), entry_data("Klar anteckning.", version=version, sign="")
    )
    assert response.url == reverse("clients:entry-sign", args=[world.anna_draft.public_id])
    sign_page = browser.get(response.url)
    response = browser.post(
        response.url, {"version": sign_page.context["form"].initial["version"]}
    )

    assert response.status_code == 302
    assert response.url == journal_url(world)
    entry = JournalEntry.objects.get(pk=world.anna_draft.pk)
    assert (entry.state, entry.text, entry.signed_by) == (
        EntryState.SIGNED, "Klar anteckning.", world.co
    )
    assert entry.signed_at is not None
    page = main_html(browser.get(detail_url(entry)))
    assert 'data-testid="edit-entry"' not in page
    assert "Signerad" in page


def test_a_signed_entry_cannot_be_changed_or_deleted_through_the_orm(world):
    entry = JournalEntry.objects.get(pk=world.anna_signed.pk)
    entry.text = "Ändrad i efterhand."

    with pytest.raises(SignedEntryError):
        entry.save()
    with pytest.raises(SignedEntryError):
        entry.delete()

    assert JournalEntry.objects.get(pk=entry.pk).text == "Samtal om gränssättning."


def test_a_post_to_edit_a_signed_entry_changes_nothing(world, login):
    browser = login(world.co)

    response = browser.post(edit_url(world.anna_signed), entry_data("Ändrad.", version=2))
    # Refused with why, the text typed still in the form (signed in another window meanwhile).
    assert response.status_code == 200
    assert "Anteckningen är signerad och kan inte ändras" in response.content.decode()
    assert response.context["form"]["text"].value() == "Ändrad."
    response = browser.post(autosave_url(world.anna_signed), entry_data("Ändrad."), **HTMX)
    assert "Inte sparat" in response.content.decode()

    entry = JournalEntry.objects.get(pk=world.anna_signed.pk)
    assert entry.text == "Samtal om gränssättning."
    assert entry.state == EntryState.SIGNED


def test_a_signed_entry_cannot_be_signed_again(world):
    with pytest.raises(services.DomainError):
        services.sign_entry(world.anna_signed, by=world.co)
    signed = JournalEntry.objects.get(pk=world.anna_signed.pk)
    assert signed.signed_at == world.anna_signed.signed_at


def test_only_the_author_may_sign(world, substitute):
    with pytest.raises(services.DomainError):
        services.sign_entry(world.anna_draft, by=substitute)
    world.anna_draft.refresh_from_db()
    assert world.anna_draft.state == EntryState.DRAFT


@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="the signed-entry trigger is PostgreSQL's"
)
@pytest.mark.parametrize(
    "sql",
    [
        "UPDATE clients_journalentry SET text = 'Ändrad' WHERE id = %s",
        "UPDATE clients_journalentry SET state = 'draft' WHERE id = %s",
        "DELETE FROM clients_journalentry WHERE id = %s",
    ],
    ids=["update text", "unsign", "delete"],
)
def test_on_postgresql_the_database_refuses_to_change_a_signed_entry(world, sql):
    with pytest.raises((IntegrityError, InternalError)):  # noqa: SIM117
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(sql, [world.anna_signed.pk])

    entry = JournalEntry.objects.get(pk=world.anna_signed.pk)
    assert (entry.text, entry.state) == ("Samtal om gränssättning.", EntryState.SIGNED)


@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="the signed-entry trigger is PostgreSQL's"
)
def test_on_postgresql_the_database_still_lets_a_draft_change(world):
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE clients_journalentry SET text = 'Nytt' WHERE id = %s", [world.anna_draft.pk]
        )
    assert JournalEntry.objects.get(pk=world.anna_draft.pk).text == "Nytt"


def test_an_empty_entry_cannot_be_signed(world, login):
    draft = services.save_draft(journal=world.anna_counselling, by=world.co, text="Något")
    draft = services.save_draft(entry=draft, journal=world.anna_counselling, by=world.co,
                                text="  \n ")
    browser = login(world.co)

    response = browser.post(
        reverse("clients:entry-sign", args=[draft.public_id]), {"version": draft.version}
    )

    assert response.status_code == 200
    assert "En tom anteckning kan inte signeras." in main_html(response)
    draft.refresh_from_db()
    assert draft.state == EntryState.DRAFT


# --- corrections -------------------------------------------------------------------------------


def correct(browser, entry, text):
    """Write and sign a correction of entry through the pages; returns the correction."""
    url = reverse("clients:entry-correct", args=[entry.public_id])
    page = browser.get(url)
    # One click from the entry: the editor, with the original's text beside it; nothing is
    # stored until the correction has text.
    assert entry.text in main_html(page)
    assert not JournalEntry.objects.filter(corrects=entry).exists()
    form = page.context["form"]
    assert form.initial["kind"] == entry.kind
    response = browser.post(url, {**entry_data(text), "editor": form.initial["editor"]})
    assert response.status_code == 302
    correction = JournalEntry.objects.get(corrects=entry)
    assert response.url == edit_url(correction)
    assert browser.post(
        reverse("clients:entry-sign", args=[correction.public_id]),
        {"version": JournalEntry.objects.get(pk=correction.pk).version},
    ).status_code \
        == 302
    return JournalEntry.objects.get(pk=correction.pk)


def test_a_correction_is_a_new_entry_and_the_original_stays_readable_marked_corrected(
    world, login
):
    browser = login(world.co)

    correction = correct(browser, world.anna_signed, "Rättelse: samtalet gällde skam.")

    assert correction.corrects_id == world.anna_signed.pk
    assert correction.state == EntryState.SIGNED
    original = JournalEntry.objects.get(pk=world.anna_signed.pk)
    assert (original.text, original.state) == ("Samtal om gränssättning.", EntryState.SIGNED)

    journal = main_html(browser.get(journal_url(world)))
    assert "Rättad" in journal
    assert "Rättelse: samtalet gällde skam." in journal
    assert "Samtal om gränssättning." in journal
    page = main_html(browser.get(detail_url(world.anna_signed)))
    assert "Rättad" in page
    assert detail_url(correction) in page


def test_an_entry_without_corrections_is_not_marked_corrected(world, login):
    journal = main_html(login(world.co).get(journal_url(world)))

    assert "Rättad" not in journal


def test_only_a_signed_entry_is_corrected(world):
    with pytest.raises(services.DomainError):
        services.check_correctable(world.anna_draft)


def test_an_unsigned_correction_does_not_yet_mark_the_original_for_other_readers(world, login):
    services.give_consent(
        world.anna, UnitCode.COUNSELLING, UnitCode.SPIRALEN, method="verbal", by=world.co
    )
    services.save_draft(
        journal=world.anna_counselling, by=world.co, text="Rättelse", corrects=world.anna_signed
    )
    browser = login(world.cl)

    assert "Rättad" not in main_html(browser.get(journal_url(world)))
    assert "Rättad" not in main_html(browser.get(detail_url(world.anna_signed)))


# --- old drafts on the start page --------------------------------------------------------------


def age(entry, days):
    JournalEntry.objects.filter(pk=entry.pk).update(
        written_at=timezone.now() - datetime.timedelta(days=days)
    )


def test_drafts_older_than_three_days_are_listed_on_the_authors_start_page(world, login):
    fresh = services.save_draft(journal=world.anna_counselling, by=world.co, text="Nyss.")
    age(world.anna_draft, 4)
    age(fresh, 2)

    response = login(world.co).get(reverse("start"))

    assert response.context.get("old_drafts", []) == [world.anna_draft]
    page = main_html(response)
    assert 'data-testid="old-drafts"' in page
    # The reminder lists only the old draft ("Min dag" lists every unsigned draft).
    reminder = page.split('data-testid="old-drafts"')[1].split("</section>")[0]
    assert edit_url(world.anna_draft) in reminder
    assert edit_url(fresh) not in reminder


def test_an_old_draft_leaves_the_start_page_once_signed(world, login):
    age(world.anna_draft, 5)
    browser = login(world.co)
    assert browser.get(reverse("start")).context.get("old_drafts", []) == [world.anna_draft]

    services.sign_entry(world.anna_draft, by=world.co)

    assert browser.get(reverse("start")).context.get("old_drafts", []) == []


@pytest.mark.parametrize("who", ["oa", "cl", "kco", "ma"])
def test_someone_elses_old_drafts_are_not_on_my_start_page(world, login, who):
    age(world.anna_draft, 10)

    response = login(getattr(world, who)).get(reverse("start"))

    assert response.context.get("old_drafts", []) == []
    assert edit_url(world.anna_draft) not in main_html(response)


# --- query count -------------------------------------------------------------------------------


def count_queries(browser, url):
    with CaptureQueriesContext(connection) as queries:
        response = browser.get(url)
    assert response.status_code == 200
    return len(queries)


def test_the_journal_pages_query_count_does_not_grow_with_the_entries(
    world, login, django_assert_max_num_queries
):
    browser = login(world.co)
    few = count_queries(browser, journal_url(world))
    for i in range(35):
        draft = services.save_draft(journal=world.anna_counselling, by=world.co, text=f"N{i}")
        entry = services.sign_entry(draft, by=world.co)
        if i % 5 == 0:
            fix = services.save_draft(
                journal=world.anna_counselling, by=world.co, text="R", corrects=entry
            )
            services.sign_entry(fix, by=world.co)

    with django_assert_max_num_queries(min(few, 25)):
        response = browser.get(journal_url(world))
    assert len(response.context["page"]) == 25
    with django_assert_max_num_queries(min(few, 25)):
        assert browser.get(journal_url(world), {"page": 2}).status_code == 200


def test_signing_refuses_a_draft_changed_since_the_sign_page_was_shown(world, login):
    browser = login(world.co)
    url = reverse("clients:entry-sign", args=[world.anna_draft.public_id])
    shown = browser.get(url).context["form"].initial["version"]
    # Meanwhile an autosave from another window changes the draft.
    services.save_draft(entry=world.anna_draft, journal=world.anna_counselling, by=world.co,
                        text="Ändrat i ett annat fönster.")

    response = browser.post(url, {"version": shown})

    assert response.status_code == 200
    assert "Läs igenom det igen" in main_html(response)
    assert JournalEntry.objects.get(pk=world.anna_draft.pk).state == EntryState.DRAFT
