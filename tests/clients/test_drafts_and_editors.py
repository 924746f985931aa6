"""Drafts and the editors that write them (issue 6): a mis-click on "Ny anteckning" keeps
nothing; one editor (one open page) is one writer, whose autosaves and explicit save or sign
never conflict with each other however they race; a second tab that did not see the latest
version gets the conflict page; the author discards their own unsigned draft after a
confirmation, and the change log keeps that it happened; a correction keeps the original's
type and shows its text; a new note's type follows the unit's work."""

import datetime
import re
import threading

import pytest
from auditlog.models import LogEntry
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.test import Client as Browser
from django.urls import reverse
from django_otp import DEVICE_ID_SESSION_KEY

from clients import services
from clients.models import DEFAULT_ENTRY_KIND, EntryKind, EntryState, JournalEntry
from prostenhet.exceptions import DomainError
from prostenhet.roles import Role, UnitCode

from .helpers import main_html, today

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true"}
CONFLICT = "Utkastet har sparats från ett annat fönster"


def create_url(client, unit):
    return reverse("clients:entry-create", args=[client.public_id, unit])


def edit_url(entry):
    return reverse("clients:entry-edit", args=[entry.public_id])


def autosave_url(entry):
    return reverse("clients:entry-autosave", args=[entry.public_id])


def sign_url(entry):
    return reverse("clients:entry-sign", args=[entry.public_id])


def discard_url(entry):
    return reverse("clients:entry-discard", args=[entry.public_id])


def correct_url(entry):
    return reverse("clients:entry-correct", args=[entry.public_id])


def detail_url(entry):
    return reverse("clients:entry-detail", args=[entry.public_id])


def journal_url(client, unit=UnitCode.COUNSELLING):
    return reverse("clients:journal", args=[client.public_id, unit])


def open_editor(browser, url):
    """GET an editor page as the browser does; returns what its form carries."""
    response = browser.get(url)
    assert response.status_code == 200
    initial = response.context["form"].initial
    return {"editor": initial["editor"], "version": initial["version"], "kind": initial["kind"]}


def form_data(editor, text, *, seq, kind="session", **extra):
    return {
        "kind": kind, "event_date": today().isoformat(), "text": text,
        "editor": editor["editor"], "version": editor["version"], "seq": seq, **extra,
    }


def drafts_in(journal, author):
    return list(JournalEntry.objects.filter(journal=journal, author=author, state="draft"))


def selected_kind(response):
    match = re.search(
        r'<select[^>]*name="kind"[^>]*>(.*?)</select>', response.content.decode(), re.S
    )
    assert match, "the page has no type selector"
    chosen = re.findall(r'<option value="(\w+)"[^>]*\bselected\b', match[1])
    return chosen


@pytest.fixture
def substitute(world, staff_of):
    """A colleague who may write in Anna's counselling journal too."""
    colleague = staff_of(Role.COUNSELLOR)
    services.name_substitute(
        world.anna_counselling, colleague, ends_on=today() + datetime.timedelta(days=7),
        by=world.co,
    )
    return colleague


# --- a new note: nothing is kept until there is text ---------------------------------------------


def test_opening_the_new_note_page_stores_nothing(world, login):
    browser = login(world.co)
    before = JournalEntry.objects.count()

    response = browser.get(create_url(world.anna, UnitCode.COUNSELLING))
    browser.get(create_url(world.anna, UnitCode.COUNSELLING))

    assert response.status_code == 200
    assert JournalEntry.objects.count() == before
    assert drafts_in(world.anna_counselling, world.co) == [world.anna_draft]
    assert 'data-testid="discard-draft"' not in main_html(response)


@pytest.mark.parametrize("text", ["", "   \n  "], ids=["empty", "blank"])
def test_an_autosave_without_text_stores_nothing(world, login, text):
    browser = login(world.co)
    url = create_url(world.anna, UnitCode.COUNSELLING)
    editor = open_editor(browser, url)
    before = JournalEntry.objects.count()

    response = browser.post(url, form_data(editor, text, seq=1), **HTMX)

    assert response.status_code == 200
    assert "Inget att spara" in response.content.decode()
    assert "HX-Replace-Url" not in response
    assert JournalEntry.objects.count() == before


def test_saving_an_empty_new_note_with_the_button_stores_nothing(world, login):
    browser = login(world.co)
    url = create_url(world.anna, UnitCode.COUNSELLING)
    editor = open_editor(browser, url)
    before = JournalEntry.objects.count()

    response = browser.post(url, form_data(editor, "", seq=1, save=""))

    assert response.status_code == 200
    assert "Anteckningen är tom" in main_html(response)
    assert JournalEntry.objects.count() == before


def test_the_first_autosave_creates_one_draft_and_later_ones_update_it(world, login):
    browser = login(world.co)
    url = create_url(world.anna, UnitCode.COUNSELLING)
    editor = open_editor(browser, url)
    before = set(drafts_in(world.anna_counselling, world.co))

    first = browser.post(url, form_data(editor, "Samtal", seq=1), **HTMX)

    created = set(drafts_in(world.anna_counselling, world.co)) - before
    assert len(created) == 1
    draft = created.pop()
    assert draft.text == "Samtal"
    # The address bar now names the draft, so that a reload opens it.
    assert first["HX-Replace-Url"] == edit_url(draft)
    assert "Sparat" in first.content.decode()

    # The page keeps saving through the same address, with the same editor.
    for seq, text in enumerate(["Samtal om", "Samtal om sömn.", "Samtal om sömn och mat."], 2):
        response = browser.post(url, form_data(editor, text, seq=seq), **HTMX)
        assert response.status_code == 200
        assert "Inte sparat" not in response.content.decode()

    assert set(drafts_in(world.anna_counselling, world.co)) - before == {draft}
    draft.refresh_from_db()
    assert draft.text == "Samtal om sömn och mat."
    assert draft.state == EntryState.DRAFT


def test_the_new_note_pages_save_button_after_autosaves_saves_the_same_draft(world, login):
    browser = login(world.co)
    url = create_url(world.anna, UnitCode.COUNSELLING)
    editor = open_editor(browser, url)
    browser.post(url, form_data(editor, "Påbörjad", seq=1), **HTMX)
    draft = JournalEntry.objects.get(text="Påbörjad")
    count = JournalEntry.objects.count()

    # The form still carries the version it was opened with: the same editor, no conflict.
    response = browser.post(url, form_data(editor, "Påbörjad och klar.", seq=2, save=""))

    assert response.status_code == 302
    assert response.url == edit_url(draft)
    assert JournalEntry.objects.count() == count
    draft.refresh_from_db()
    assert draft.text == "Påbörjad och klar."


def test_a_late_autosave_from_the_same_new_note_page_is_dropped_without_a_conflict(
    world, login
):
    browser = login(world.co)
    url = create_url(world.anna, UnitCode.COUNSELLING)
    editor = open_editor(browser, url)
    before = set(drafts_in(world.anna_counselling, world.co))

    # The page's second save overtakes its first on the way.
    newer = browser.post(url, form_data(editor, "Längre text, skriven sist.", seq=2), **HTMX)
    late = browser.post(url, form_data(editor, "Längre", seq=1), **HTMX)

    for response in (newer, late):
        assert response.status_code == 200
        assert "Inte sparat" not in response.content.decode()
    created = set(drafts_in(world.anna_counselling, world.co)) - before
    assert len(created) == 1
    assert created.pop().text == "Längre text, skriven sist."


def test_a_late_autosave_on_the_drafts_page_is_dropped_without_a_conflict(world, login):
    browser = login(world.co)
    editor = open_editor(browser, edit_url(world.anna_draft))

    newer = browser.post(
        autosave_url(world.anna_draft), form_data(editor, "Utkast pågår. Mer text.", seq=2),
        **HTMX,
    )
    late = browser.post(
        autosave_url(world.anna_draft), form_data(editor, "Utkast pågår. Mer", seq=1), **HTMX
    )

    assert "Sparat" in newer.content.decode()
    assert "Inte sparat" not in late.content.decode()
    world.anna_draft.refresh_from_db()
    assert world.anna_draft.text == "Utkast pågår. Mer text."


@pytest.fixture
def _roles_and_units(roles_and_units):
    """Units and roles back, in case an earlier transactional test ran (as tests/e2e do)."""


@pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="two requests at once need a server database (SQLite's in-memory test database "
    "is shared-cache and locks per table)",
)
@pytest.mark.django_db(transaction=True)
def test_two_saves_from_one_new_note_page_racing_make_one_draft(_roles_and_units, world):
    """The autosave and the click on "Spara utkast" leave the page at the same moment."""
    journal = world.anna_counselling

    def race(editor_token):
        barrier = threading.Barrier(2)
        answers = {}

        def save(seq, text, extra):
            browser = Browser()
            browser.force_login(world.co)
            session = browser.session
            session[DEVICE_ID_SESSION_KEY] = world.co.totpdevice_set.get().persistent_id
            session.save()
            editor = {"editor": editor_token, "version": 1}
            try:
                barrier.wait(timeout=10)
                answers[seq] = browser.post(
                    create_url(world.anna, UnitCode.COUNSELLING),
                    form_data(editor, text, seq=seq, **extra), **HTMX,
                )
            finally:
                connection.close()

        threads = [
            threading.Thread(target=save, args=(1, "Första", {})),
            threading.Thread(target=save, args=(2, "Första och andra", {})),
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=30)
        return answers

    for attempt in range(5):
        token = f"{attempt:032d}"
        answers = race(token)
        assert set(answers) == {1, 2}
        for answer in answers.values():
            assert answer.status_code == 200
            assert "Inte sparat" not in answer.content.decode()
        made = JournalEntry.objects.filter(journal=journal, author=world.co, editor_token=token)
        assert made.count() == 1
        assert made.get().text == "Första och andra"


# --- one editor is one writer; a second tab is another ------------------------------------------


def test_saving_right_after_an_autosave_with_the_pages_old_version_is_no_conflict(world, login):
    browser = login(world.co)
    editor = open_editor(browser, edit_url(world.anna_draft))
    browser.post(autosave_url(world.anna_draft), form_data(editor, "Skrivet", seq=1), **HTMX)
    world.anna_draft.refresh_from_db()
    assert world.anna_draft.version > editor["version"]

    # The autosave's answer (with the new version) had not reached the form.
    response = browser.post(
        edit_url(world.anna_draft), form_data(editor, "Skrivet klart.", seq=2, save="")
    )

    assert response.status_code == 302
    assert response.url == edit_url(world.anna_draft)
    world.anna_draft.refresh_from_db()
    assert world.anna_draft.text == "Skrivet klart."


def test_typing_and_signing_at_once_on_a_new_note_signs_what_was_typed(world, login):
    """The new user's report: typing and clicking "Signera…" straight away said "another
    window"."""
    browser = login(world.co)
    url = create_url(world.anna, UnitCode.COUNSELLING)
    editor = open_editor(browser, url)
    browser.post(url, form_data(editor, "Samtal om", seq=1), **HTMX)
    browser.post(url, form_data(editor, "Samtal om boende", seq=2), **HTMX)

    response = browser.post(url, form_data(editor, "Samtal om boende.", seq=3, sign=""))

    draft = JournalEntry.objects.get(journal=world.anna_counselling, text="Samtal om boende.")
    assert response.status_code == 302
    assert response.url == sign_url(draft)
    sign_page = browser.get(response.url)
    assert CONFLICT not in main_html(sign_page)
    signed = browser.post(response.url, {"version": sign_page.context["form"].initial["version"]})
    assert signed.status_code == 302
    draft.refresh_from_db()
    assert (draft.state, draft.text) == (EntryState.SIGNED, "Samtal om boende.")


def test_signing_from_the_drafts_page_right_after_an_autosave_is_no_conflict(world, login):
    browser = login(world.co)
    editor = open_editor(browser, edit_url(world.anna_draft))
    browser.post(autosave_url(world.anna_draft), form_data(editor, "Klar text", seq=1), **HTMX)

    response = browser.post(
        edit_url(world.anna_draft), form_data(editor, "Klar text.", seq=2, sign="")
    )

    assert response.status_code == 302
    assert response.url == sign_url(world.anna_draft)
    world.anna_draft.refresh_from_db()
    assert world.anna_draft.text == "Klar text."


def test_a_save_from_a_second_tab_on_a_changed_draft_is_a_conflict(world, login):
    browser = login(world.co)
    first_tab = open_editor(browser, edit_url(world.anna_draft))
    second_tab = open_editor(browser, edit_url(world.anna_draft))
    assert first_tab["editor"] != second_tab["editor"]
    browser.post(
        autosave_url(world.anna_draft), form_data(second_tab, "Från flik två.", seq=1), **HTMX
    )

    saved = browser.post(
        edit_url(world.anna_draft), form_data(first_tab, "Från flik ett.", seq=1, save="")
    )
    signed = browser.post(
        edit_url(world.anna_draft), form_data(first_tab, "Från flik ett.", seq=2, sign="")
    )
    autosaved = browser.post(
        autosave_url(world.anna_draft), form_data(first_tab, "Från flik ett!", seq=3), **HTMX
    )

    for response in (saved, signed):
        assert response.status_code == 200
        assert CONFLICT in " ".join(response.context["form"].non_field_errors())
        assert CONFLICT in main_html(response)
    assert "Inte sparat" in autosaved.content.decode()
    assert CONFLICT in autosaved.content.decode()
    world.anna_draft.refresh_from_db()
    assert (world.anna_draft.text, world.anna_draft.state) == ("Från flik två.", EntryState.DRAFT)


def test_a_tab_that_saved_before_is_still_refused_after_another_tab_saved(world, login):
    browser = login(world.co)
    first_tab = open_editor(browser, edit_url(world.anna_draft))
    second_tab = open_editor(browser, edit_url(world.anna_draft))
    answer = browser.post(
        autosave_url(world.anna_draft), form_data(first_tab, "Ett", seq=1), **HTMX
    )
    assert "Sparat" in answer.content.decode()
    world.anna_draft.refresh_from_db()
    # The second tab catches up to the first tab's save (it had reloaded its version) …
    second_tab["version"] = world.anna_draft.version
    browser.post(autosave_url(world.anna_draft), form_data(second_tab, "Två", seq=1), **HTMX)
    world.anna_draft.refresh_from_db()
    # … and the first tab, knowing only its own latest version, is now behind.
    first_tab["version"] = world.anna_draft.version - 1

    response = browser.post(
        edit_url(world.anna_draft), form_data(first_tab, "Ett igen", seq=2, save="")
    )

    assert response.status_code == 200
    assert CONFLICT in main_html(response)
    world.anna_draft.refresh_from_db()
    assert world.anna_draft.text == "Två"


def test_the_service_tells_one_editor_from_another(world):
    draft = world.anna_draft
    journal = world.anna_counselling
    stale = draft.version
    services.save_draft(entry=draft, journal=journal, by=world.co, editor="a" * 32, seq=1,
                        expected_version=stale, text="A1")

    # The same editor with the old version: no conflict.
    saved = services.save_draft(entry=draft, journal=journal, by=world.co, editor="a" * 32,
                                seq=2, expected_version=stale, text="A2")
    assert saved.text == "A2"
    # A late save of the same editor: dropped, no error.
    kept = services.save_draft(entry=draft, journal=journal, by=world.co, editor="a" * 32,
                               seq=1, expected_version=stale, text="A0")
    assert kept.text == "A2"
    # Another editor with the old version: a conflict.
    with pytest.raises(DomainError, match="annat fönster"):
        services.save_draft(entry=draft, journal=journal, by=world.co, editor="b" * 32,
                            seq=1, expected_version=stale, text="B1")
    assert JournalEntry.objects.get(pk=draft.pk).text == "A2"


# --- discarding a draft ------------------------------------------------------------------------


def deletions_of(entry_pk):
    return LogEntry.objects.filter(
        content_type=ContentType.objects.get_for_model(JournalEntry),
        object_pk=str(entry_pk), action=LogEntry.Action.DELETE,
    )


def test_the_draft_pages_offer_to_discard_it(world, login):
    browser = login(world.co)

    for url in (edit_url(world.anna_draft), detail_url(world.anna_draft)):
        assert discard_url(world.anna_draft) in main_html(browser.get(url)), url


def test_the_author_discards_an_unsigned_draft_after_a_confirmation(world, login):
    browser = login(world.co)
    pk = world.anna_draft.pk

    confirmation = browser.get(discard_url(world.anna_draft))

    assert confirmation.status_code == 200
    assert "Kasta utkastet" in main_html(confirmation)
    assert JournalEntry.objects.filter(pk=pk).exists()
    assert not deletions_of(pk).exists()

    response = browser.post(discard_url(world.anna_draft))

    assert response.status_code == 302
    assert response.url == journal_url(world.anna)
    assert not JournalEntry.objects.filter(pk=pk).exists()
    journal = main_html(browser.get(response.url))
    assert "Utkastet är kastat." in journal
    assert edit_url(world.anna_draft) not in journal
    assert browser.get(edit_url(world.anna_draft)).status_code == 404


def test_the_change_log_records_the_discarded_draft_but_not_its_text(world, login):
    pk = world.anna_draft.pk

    login(world.co).post(discard_url(world.anna_draft))

    deletion = deletions_of(pk).get()
    assert deletion.actor == world.co
    logged = " ".join([deletion.object_repr, str(deletion.changes), str(deletion.changes_text)])
    assert "Utkast pågår." not in logged


def test_discarding_leaves_the_authors_other_entries_alone(world, login):
    other = services.save_draft(journal=world.anna_counselling, by=world.co, text="Annat.")

    login(world.co).post(discard_url(world.anna_draft))

    assert JournalEntry.objects.filter(pk=other.pk).exists()
    assert JournalEntry.objects.filter(pk=world.anna_signed.pk).exists()


def test_a_colleague_who_writes_in_the_journal_cannot_discard_the_authors_draft(
    world, login, substitute
):
    browser = login(substitute)

    assert browser.get(discard_url(world.anna_draft)).status_code == 404
    assert browser.post(discard_url(world.anna_draft)).status_code == 404
    with pytest.raises(DomainError):
        services.discard_draft(world.anna_draft, by=substitute)
    assert JournalEntry.objects.filter(pk=world.anna_draft.pk).exists()
    assert not deletions_of(world.anna_draft.pk).exists()


@pytest.mark.parametrize("who", ["oa", "cl", "ma", "kco"])
def test_nobody_else_can_discard_the_draft(world, login, who):
    browser = login(getattr(world, who))

    assert browser.post(discard_url(world.anna_draft)).status_code in (403, 404)
    assert JournalEntry.objects.filter(pk=world.anna_draft.pk).exists()


def test_a_signed_entry_cannot_be_discarded(world, login):
    browser = login(world.co)

    assert browser.get(discard_url(world.anna_signed)).status_code == 404
    assert browser.post(discard_url(world.anna_signed)).status_code == 404
    with pytest.raises(DomainError):
        services.discard_draft(world.anna_signed, by=world.co)
    entry = JournalEntry.objects.get(pk=world.anna_signed.pk)
    assert (entry.state, entry.text) == (EntryState.SIGNED, "Samtal om gränssättning.")
    assert discard_url(world.anna_signed) not in main_html(
        browser.get(detail_url(world.anna_signed))
    )


def test_a_draft_signed_after_the_confirmation_was_shown_is_not_discarded(world, login):
    browser = login(world.co)
    assert browser.get(discard_url(world.anna_draft)).status_code == 200
    services.sign_entry(world.anna_draft, by=world.co)

    response = browser.post(discard_url(world.anna_draft))

    assert response.status_code == 404
    assert JournalEntry.objects.get(pk=world.anna_draft.pk).state == EntryState.SIGNED


# --- corrections -------------------------------------------------------------------------------


@pytest.fixture
def phone_call(world):
    """A signed entry of a type that is neither the unit's default nor the model's."""
    draft = services.save_draft(
        journal=world.anna_counselling, by=world.co, text="Ringde om ny tid.",
        kind=EntryKind.PHONE,
    )
    return services.sign_entry(draft, by=world.co)


def test_a_correction_opens_in_one_click_from_the_entry(world, login, phone_call):
    page = main_html(login(world.co).get(detail_url(phone_call)))

    assert correct_url(phone_call) in page


def test_the_correction_page_keeps_the_originals_type_and_shows_its_text(
    world, login, phone_call
):
    browser = login(world.co)
    before = JournalEntry.objects.count()

    response = browser.get(correct_url(phone_call))

    assert response.status_code == 200
    assert response.context["form"].initial["kind"] == EntryKind.PHONE
    assert selected_kind(response) == [EntryKind.PHONE]
    original = main_html(response).split('data-testid="corrected-original"')[1]
    assert "Ringde om ny tid." in original
    assert JournalEntry.objects.count() == before


def test_a_correction_is_saved_with_the_originals_type(world, login, phone_call):
    browser = login(world.co)
    url = correct_url(phone_call)
    editor = open_editor(browser, url)

    browser.post(url, form_data(editor, "Rättelse: ringde om avbokning.", seq=1,
                                kind=editor["kind"]), **HTMX)

    correction = JournalEntry.objects.get(corrects=phone_call)
    assert correction.kind == EntryKind.PHONE
    # Its own page still shows the original beside the editor.
    page = browser.get(edit_url(correction))
    assert selected_kind(page) == [EntryKind.PHONE]
    assert "Ringde om ny tid." in main_html(page).split('data-testid="corrected-original"')[1]


def test_the_service_gives_a_correction_the_originals_type(world, phone_call):
    correction = services.save_draft(
        journal=world.anna_counselling, by=world.co, text="Rättelse.", corrects=phone_call
    )

    assert correction.kind == EntryKind.PHONE


# --- the type of a new note follows the unit ------------------------------------------------


def test_a_new_clinic_note_opens_the_clinics_encounter_editor(world, login):
    """Spiralen records more than text with its entries (the encounter, the samples): its
    "Ny anteckning" and its drafts open in the clinic's editor, whose new notes are visits."""
    browser = login(world.cl)
    response = browser.get(create_url(world.anna, UnitCode.SPIRALEN))
    assert response.status_code == 302
    assert response.url == reverse("spiralen:encounter-create", args=[world.anna.public_id])
    assert DEFAULT_ENTRY_KIND[UnitCode.SPIRALEN] == EntryKind.VISIT
    draft = services.save_draft(journal=world.anna_spiralen, by=world.cl, text="Utkast.")
    response = browser.get(reverse("clients:entry-edit", args=[draft.public_id]))
    assert response.url == reverse("spiralen:encounter-edit", args=[draft.public_id])


@pytest.mark.parametrize(
    "who, alias, unit, kind",
    [
        ("co", "anna", UnitCode.COUNSELLING, EntryKind.SESSION),
        ("kco", "karl", UnitCode.KAST, EntryKind.SESSION),
        ("ow", "olle", UnitCode.OUTREACH, EntryKind.CONTACT),
    ],
    ids=["counselling", "kast", "outreach"],
)
def test_a_new_notes_type_is_the_units_kind_of_work(world, login, who, alias, unit, kind):
    browser = login(getattr(world, who))
    client = getattr(world, alias)
    url = create_url(client, unit)

    response = browser.get(url)

    assert DEFAULT_ENTRY_KIND[unit] == kind
    assert response.context["form"].initial["kind"] == kind
    assert selected_kind(response) == [kind]
    editor = open_editor(browser, url)
    browser.post(url, form_data(editor, "Första anteckningen.", seq=1, kind=kind), **HTMX)
    entry = JournalEntry.objects.get(journal__client=client, journal__unit=unit,
                                     text="Första anteckningen.")
    assert entry.kind == kind
