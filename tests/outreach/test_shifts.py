"""Street outreach (issue 10): shifts (times, midnight, 16 hours, staff, counts, closing),
contacts (anonymous, nickname, registered client; first vs repeat; a closed shift), the
distinct persons counted in the database, and a nickname person registered with their
contacts following."""

from datetime import datetime, time, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from clients import services as client_services
from clients.models import AgeBand, Gender, JournalEntry
from outreach import services
from outreach.forms import ShiftOpenForm, shift_times
from outreach.models import Contact, ContactOutcome, MaterialKind, Nickname, Shift
from prostenhet.exceptions import DomainError
from prostenhet.models import AccessKind, AccessLog
from prostenhet.roles import Role, UnitCode
from tests.factories import UserFactory, add_totp_device

pytestmark = pytest.mark.django_db


def aware(day, hour, minute=0):
    return timezone.make_aware(datetime.combine(day, time(hour, minute)))


@pytest.fixture
def shift(world):
    now = timezone.now()
    return services.open_shift(starts_at=now - timedelta(hours=1),
                               ends_at=now + timedelta(hours=3), staff=[world.ow], by=world.ow)


def report_fields(shift, **changes):
    fields = {
        "starts_at": shift.starts_at, "ends_at": shift.ends_at, "staff": list(shift.staff.all()),
        "areas": [], "report": "", "expected_version": shift.version,
    }
    fields.update(changes)
    return fields


# --- shifts ------------------------------------------------------------------------------------


def test_a_night_shift_passes_midnight():
    day = timezone.localdate()
    starts_at, ends_at = shift_times(day, time(21), time(2))
    assert ends_at - starts_at == timedelta(hours=5)
    assert timezone.localdate(ends_at) == day + timedelta(days=1)


def test_a_shift_ending_before_it_starts_is_refused(world):
    day = timezone.localdate() - timedelta(days=1)
    with pytest.raises(DomainError) as error:
        services.open_shift(starts_at=aware(day, 21), ends_at=aware(day, 20), staff=[world.ow],
                            by=world.ow)
    assert "innan det börjar" in error.value.message


@pytest.mark.parametrize("starts, ends", [(time(8), time(7, 55)), (time(20), time(20))])
def test_a_shift_longer_than_16_hours_is_refused_in_the_form(world, starts, ends):
    day = timezone.localdate() - timedelta(days=1)
    form = ShiftOpenForm({"date": day, "starts": starts, "ends": ends,
                          "staff": [world.ow.public_id]})
    assert form.is_valid()
    with pytest.raises(DomainError) as error:
        services.open_shift(by=world.ow, **form.shift_fields())
    assert "16 timmar" in error.value.message and error.value.field == "ends"


def test_a_shift_cannot_start_a_later_day(world):
    day = timezone.localdate() + timedelta(days=2)
    with pytest.raises(DomainError, match="senare datum"):
        services.open_shift(starts_at=aware(day, 20), ends_at=aware(day, 23), staff=[world.ow],
                            by=world.ow)


def test_the_staff_of_a_shift_are_outreach_workers(world):
    day = timezone.localdate()
    with pytest.raises(DomainError, match="arbetar inte i uppsökande"):
        services.open_shift(starts_at=aware(day, 0), ends_at=aware(day, 1),
                            staff=[world.ow, world.co], by=world.ow)
    with pytest.raises(DomainError, match="Välj vilka"):
        services.open_shift(starts_at=aware(day, 0), ends_at=aware(day, 1), staff=[],
                            by=world.ow)
    with pytest.raises(DomainError, match="personal"):
        services.open_shift(starts_at=aware(day, 0), ends_at=aware(day, 1), staff=[world.co],
                            by=world.co)


def test_report_counts_and_material_are_saved_and_negative_counts_refused(world, shift):
    condoms = MaterialKind.objects.get(name="Kondomer")
    saved = services.update_shift(shift, by=world.ow, **report_fields(
        shift, report="Lugnt.", seen_women=7, seen_men=1, seen_trans=2, buyers_seen=5,
        materials={condoms: 40}))
    assert (saved.seen_women, saved.seen_selling, saved.buyers_seen) == (7, 10, 5)
    assert saved.materials.get().count == 40
    with pytest.raises(DomainError, match="negativt"):
        services.update_shift(saved, by=world.ow, **report_fields(saved, seen_men=-1))
    with pytest.raises(DomainError, match="negativt"):
        services.update_shift(saved, by=world.ow, **report_fields(saved, materials={condoms: -3}))
    saved = services.update_shift(saved, by=world.ow, **report_fields(saved,
                                                                      materials={condoms: 0}))
    assert not saved.materials.exists()


def test_a_report_form_shown_before_another_save_is_refused(world, shift):
    services.update_shift(shift, by=world.ow, **report_fields(shift, report="Först."))
    with pytest.raises(DomainError, match="Någon annan"):
        services.update_shift(shift, by=world.ow, **report_fields(shift, report="Sedan."))


def test_the_report_form_refuses_negative_counts_with_a_swedish_message(world, login, shift):
    url = reverse("outreach:shift-edit", args=[shift.public_id])
    start, end = timezone.localtime(shift.starts_at), timezone.localtime(shift.ends_at)
    response = login(world.ow).post(url, {
        "date": start.date().isoformat(), "starts": f"{start:%H:%M}", "ends": f"{end:%H:%M}",
        "staff": [world.ow.public_id], "seen_women": "-2", "version": shift.version,
    })
    assert response.status_code == 200
    assert "Antalet kan inte vara negativt." in response.content.decode()


def test_closing_a_shift_stops_new_contacts(world, login, shift):
    closed = services.close_shift(shift, by=world.ow, **report_fields(shift, report="Klart."))
    assert not closed.is_open and closed.closed_by == world.ow
    with pytest.raises(DomainError, match="avslutat"):
        services.add_contact(closed, by=world.ow, first_contact=True)
    page = login(world.ow).get(reverse("outreach:shift-detail", args=[shift.public_id]))
    assert "contact_form" in page.context and page.context["contact_form"] is None
    response = login(world.ow).post(
        reverse("outreach:contact-create", args=[shift.public_id]),
        {"first_contact": "first", "perceived_gender": "woman", "age_band": "unknown",
         "outcome": "information"}, follow=True,
    )
    assert response.status_code == 200
    assert "Passet är avslutat" in response.content.decode()
    assert not Contact.objects.exists()


# --- contacts ----------------------------------------------------------------------------------


def test_an_anonymous_contact(world, shift):
    contact = services.add_contact(
        shift, by=world.ow, first_contact=True, perceived_gender=Gender.WOMAN,
        age_band=AgeBand.FROM_25, language="rumänska", offered=["clinic", "counselling"],
        outcome=ContactOutcome.ACCEPTED, note="Vill ha tid.",
    )
    assert contact.client is None and contact.nickname is None
    assert contact.offered_clinic and contact.offered_counselling
    assert not contact.offered_practical


def test_a_nickname_seen_before_is_the_same_person(world, shift):
    first = services.add_contact(shift, by=world.ow, first_contact=True, nickname="Blondie")
    again = services.add_contact(shift, by=world.ow, first_contact=False, nickname=" blondie ")
    assert first.nickname == again.nickname
    assert Nickname.objects.count() == 1
    with pytest.raises(DomainError, match="träffats förut") as error:
        services.add_contact(shift, by=world.ow, first_contact=True, nickname="BLONDIE")
    assert error.value.field == "first_contact"


def test_a_contact_with_a_registered_client(world, shift):
    contact = services.add_contact(shift, by=world.ow, first_contact=True, client=world.olle)
    assert contact.client == world.olle
    with pytest.raises(DomainError, match="återkommande"):
        services.add_contact(shift, by=world.ow, first_contact=True, client=world.olle)


def test_a_client_outside_outreach_cannot_be_chosen(world, shift):
    with pytest.raises(DomainError, match="kan inte välja") as error:
        services.add_contact(shift, by=world.ow, first_contact=True, client=world.anna)
    assert error.value.field == "client"
    with pytest.raises(DomainError, match="antingen"):
        services.add_contact(shift, by=world.ow, first_contact=True, client=world.olle,
                             nickname="Olle")


def test_bad_contact_input_is_refused(world, shift):
    for bad, field in [
        ({"perceived_gender": "alien"}, "perceived_gender"),
        ({"age_band": "12-17"}, "age_band"),
        ({"offered": ["money"]}, "offered"),
        ({"outcome": "nothing"}, "outcome"),
        ({"note": "x" * 201}, "note"),
        ({"nickname": "x" * 61}, "nickname"),
    ]:
        with pytest.raises(DomainError) as error:
            services.add_contact(shift, by=world.ow, first_contact=True, **bad)
        assert error.value.field == field


def test_distinct_persons_count_clients_and_nicknames_once(world, shift):
    for nickname, first in [("Blondie", True), ("Blondie", False), ("Kiki", True)]:
        services.add_contact(shift, by=world.ow, first_contact=first, nickname=nickname)
    services.add_contact(shift, by=world.ow, first_contact=True, client=world.olle)
    services.add_contact(shift, by=world.ow, first_contact=False, client=world.olle)
    services.add_contact(shift, by=world.ow, first_contact=True)
    services.add_contact(shift, by=world.ow, first_contact=False)
    today = timezone.localdate()
    figures = services.contact_figures(today - timedelta(days=1), today + timedelta(days=1))
    assert figures.contacts == 7
    assert (figures.first_contacts, figures.repeat_contacts) == (4, 3)
    assert (figures.registered_persons, figures.nickname_persons) == (1, 2)
    assert figures.distinct_persons == 3
    assert figures.unnamed_contacts == 2
    before = services.contact_figures(today - timedelta(days=30), today - timedelta(days=2))
    assert before.contacts == 0


def test_contact_figures_are_one_query(world, shift, django_assert_num_queries):
    services.add_contact(shift, by=world.ow, first_contact=True, nickname="Kiki")
    today = timezone.localdate()
    with django_assert_num_queries(1):
        services.contact_figures(today, today)


def test_a_nickname_person_becomes_a_client_and_the_contacts_follow(world, shift):
    services.add_contact(shift, by=world.ow, first_contact=True, nickname="Rosa jackan")
    services.add_contact(shift, by=world.ow, first_contact=False, nickname="Rosa jackan")
    nickname = Nickname.objects.get()
    today = timezone.localdate()
    before = services.contact_figures(today, today + timedelta(days=1))

    with pytest.raises(DomainError, match="samtycka"):
        services.register_nickname(nickname, by=world.ow, consent_method="")
    client = services.register_nickname(nickname, by=world.ow, consent_method="verbal",
                                        alias="Rosa", gender=Gender.WOMAN)

    assert client.enrollments.get().unit == UnitCode.OUTREACH
    assert Contact.objects.filter(client=client).count() == 2
    assert not Contact.objects.filter(nickname__isnull=False).exists()
    nickname.refresh_from_db()
    assert nickname.client == client
    after = services.contact_figures(today, today + timedelta(days=1))
    assert after.distinct_persons == before.distinct_persons == 1
    with pytest.raises(DomainError, match="redan registrerad"):
        services.register_nickname(nickname, by=world.ow, consent_method="verbal")
    # The team goes on using the name: the contact is with the client, who counts once.
    again = services.add_contact(shift, by=world.ow, first_contact=False,
                                 nickname="rosa Jackan")
    assert (again.client, again.nickname) == (client, None)
    assert services.contact_figures(today, today + timedelta(days=1)).distinct_persons == 1
    with pytest.raises(DomainError, match="träffats förut"):
        services.add_contact(shift, by=world.ow, first_contact=True, nickname="Rosa jackan")


def test_a_child_is_not_registered_from_a_nickname(world, shift):
    services.add_contact(shift, by=world.ow, first_contact=True, nickname="Lilla")
    nickname = Nickname.objects.get()
    with pytest.raises(DomainError, match="under 18"):
        services.register_nickname(nickname, by=world.ow, consent_method="verbal",
                                   birth_year=timezone.localdate().year - 15)
    assert Contact.objects.get().nickname == nickname


# --- the pages ---------------------------------------------------------------------------------


def test_the_worker_adds_contacts_on_the_shift_page(world, login, shift):
    browser = login(world.ow)
    url = reverse("outreach:contact-create", args=[shift.public_id])
    response = browser.post(url, {
        "first_contact": "first", "nickname": "Dino", "perceived_gender": "man",
        "age_band": "18-24", "language": "engelska", "offered": ["clinic"],
        "outcome": "accepted", "note": "",
    })
    assert response.status_code == 302
    contact = Contact.objects.get()
    assert contact.nickname.name == "Dino" and contact.perceived_gender == Gender.MAN
    # Search for a registered client (logged as a search), then pick Olle.
    response = browser.post(reverse("outreach:client-search", args=[shift.public_id]),
                            {"q": "Ol"})
    assert response.status_code == 302 and "?s=" in response.url
    row = AccessLog.objects.filter(kind=AccessKind.SEARCH).latest("pk")
    assert row.detail == "Ol" and row.client is None
    page = browser.get(response.url)
    assert [c.alias for c in page.context["found"]] == ["Olle"]
    key = response.url.split("?s=")[1].split("#")[0]
    response = browser.post(f"{url}?s={key}", {
        "first_contact": "first", "client": str(world.olle.public_id),
        "perceived_gender": "not_stated", "age_band": "unknown", "outcome": "information",
    })
    assert response.status_code == 302
    assert Contact.objects.filter(client=world.olle).exists()
    # A client not found by the search cannot be posted.
    response = browser.post(url, {
        "first_contact": "repeat", "client": str(world.anna.public_id),
        "perceived_gender": "not_stated", "age_band": "unknown", "outcome": "information",
    })
    assert Contact.objects.filter(client=world.anna).count() == 0
    page = browser.get(reverse("outreach:shift-detail", args=[shift.public_id]))
    text = page.content.decode()
    assert "Dino" in text and "Olle" in text


def test_the_search_finds_only_outreach_clients_the_user_sees(world, login, shift):
    browser = login(world.ow)
    response = browser.post(reverse("outreach:client-search", args=[shift.public_id]),
                            {"q": "Anna"}, follow=True)
    assert response.context["found"] == []
    assert "Ingen registrerad klient" in response.content.decode()


def test_another_outreach_worker_sees_the_teams_shift(world, login, shift):
    colleague = UserFactory(role=Role.OUTREACH_WORKER, username="kollega")
    add_totp_device(colleague)
    services.add_contact(shift, by=world.ow, first_contact=True, client=world.olle)
    page = login(colleague).get(reverse("outreach:shift-detail", args=[shift.public_id]))
    assert page.status_code == 200 and "Olle" in page.content.decode()
    # Colleagues may record contacts on the team's shift too.
    services.add_contact(shift, by=colleague, first_contact=True)


def test_the_start_panel_shows_the_open_shift_or_start(world, login, shift):
    page = login(world.ow).get(reverse("start"))
    panel = page.content.decode()
    assert "Ditt pass pågår" in panel
    services.close_shift(shift, by=world.ow, **report_fields(shift))
    page = login(world.ow).get(reverse("start"))
    assert "Starta pass" in page.content.decode()


def test_the_lists_count_each_shifts_and_nicknames_contacts(world, login, shift):
    """The shift list, the start panel and the nicknames count each row's own contacts (a
    subquery per row of the page), a row without contacts as 0."""
    day = timezone.localdate() - timedelta(days=3)
    empty = services.open_shift(starts_at=aware(day, 20), ends_at=aware(day, 23),
                                staff=[world.ow], by=world.ow)
    for _ in range(3):
        services.add_contact(shift, by=world.ow, first_contact=False, nickname="Blondie")
    services.add_contact(shift, by=world.ow, first_contact=True, nickname="Rödluvan")
    browser = login(world.ow)
    listed = browser.get(reverse("outreach:shift-list")).context["page"]
    assert {row.pk: row.contact_count for row in listed} == {shift.pk: 4, empty.pk: 0}
    panel = browser.get(reverse("start")).content.decode()
    assert "4 kontakter" in panel and "0 kontakter" in panel
    nicknames = browser.get(reverse("outreach:nickname-list")).context["page"]
    assert {row.name: row.contact_count for row in nicknames} == {"Blondie": 3, "Rödluvan": 1}


def test_a_support_action_is_not_a_contact(world, shift):
    """The contacts count only contacts: journal entries are elsewhere."""
    client_services.save_draft(journal=world.olle.journals.get(), by=world.ow, text="x")
    assert Contact.objects.count() == 0 and JournalEntry.objects.exists()


def test_shift_rows_are_not_copied_models():
    assert Shift._meta.get_field("staff").related_model.__name__ == "User"
