"""Support and coordination (issue 10) and the information work: a support action is a signed
entry of the right kind in the client's outreach journal with its SupportAction, shown with
the entry in the generic journal; talks refuse impossible input."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from clients.models import EntryKind, EntryState, JournalEntry
from outreach import services
from outreach.models import InfoTalk, SupportAction
from prostenhet.exceptions import DomainError
from prostenhet.roles import UnitCode

pytestmark = pytest.mark.django_db


def olle_journal(world):
    return world.olle.journals.get(unit=UnitCode.OUTREACH)


def test_a_support_action_is_a_signed_entry_of_its_kind(world):
    entry = services.record_support_action(
        journal=olle_journal(world), by=world.ow, kind="accompanying",
        authority="social_services", text="Följde med till socialtjänsten.",
        event_date=timezone.localdate() - timedelta(days=2),
    )
    assert entry.state == EntryState.SIGNED and entry.kind == EntryKind.VISIT
    assert entry.support_action.get_authority_display() == "Socialtjänsten"
    with pytest.raises(DomainError, match="signerad"):
        entry.support_action.save()


@pytest.mark.parametrize("bad, field", [
    ({"kind": "magic"}, "kind"),
    ({"kind": "authority_contact", "authority": ""}, "authority"),
    ({"authority": "nasa"}, "authority"),
    ({"event_date": timezone.localdate() + timedelta(days=1)}, "event_date"),
    ({"text": "  "}, "text"),
])
def test_a_support_action_refuses_bad_input(world, bad, field):
    fields = {"kind": "clinic_booking", "text": "Bokade tid.", **bad}
    with pytest.raises(DomainError) as error:
        services.record_support_action(journal=olle_journal(world), by=world.ow, **fields)
    assert error.value.field == field
    assert not JournalEntry.objects.filter(journal__client=world.olle).exists()


def test_only_the_outreach_journal_and_its_writers(world):
    with pytest.raises(DomainError):
        services.record_support_action(journal=world.anna_counselling, by=world.co,
                                       kind="other", text="x")
    with pytest.raises(DomainError, match="skriva i den journalen"):
        services.record_support_action(journal=olle_journal(world), by=world.co,
                                       kind="other", text="x")


def test_the_form_writes_it_and_the_journal_shows_it(world, login):
    browser = login(world.ow)
    url = reverse("outreach:support-create", args=[world.olle.public_id])
    response = browser.post(url, {
        "kind": "clinic_booking", "authority": "", "event_date": timezone.localdate(),
        "text": "Bokade första tid på Spiralen.",
    })
    assert response.status_code == 302
    action = SupportAction.objects.get()
    assert action.entry.journal.client == world.olle
    journal = browser.get(reverse("clients:journal", args=[world.olle.public_id, "outreach"]))
    text = journal.content.decode()
    assert "Första tid bokad på Spiralen" in text
    assert reverse("outreach:client", args=[world.olle.public_id]) in text
    overview = browser.get(reverse("outreach:client", args=[world.olle.public_id]))
    assert "Första tid bokad på Spiralen" in overview.content.decode()
    assert reverse("spiralen:book") + f"?client={world.olle.public_id}" in (
        overview.content.decode())


def test_the_form_refuses_a_future_date(world, login):
    response = login(world.ow).post(
        reverse("outreach:support-create", args=[world.olle.public_id]),
        {"kind": "other", "event_date": timezone.localdate() + timedelta(days=5), "text": "x"},
    )
    assert response.status_code == 200
    assert "Datumet kan inte vara i framtiden." in response.content.decode()


def test_other_units_do_not_see_the_outreach_client(world, login):
    for user in [world.co, world.cl, world.oa]:
        response = login(user).get(reverse("outreach:client", args=[world.olle.public_id]))
        assert response.status_code == 403


def test_talks(world, login):
    today = timezone.localdate()
    talk = services.record_talk(by=world.ow, date=today, audience="students", attendees=40,
                                staff=[world.ow], title="Socionomprogrammet")
    assert talk.staff.get() == world.ow
    for bad, field in [({"attendees": 0}, "attendees"), ({"attendees": -3}, "attendees"),
                       ({"audience": "aliens"}, "audience"),
                       ({"date": today + timedelta(days=1)}, "date")]:
        fields = {"date": today, "audience": "public", "attendees": 5, "staff": [world.ow],
                  **bad}
        with pytest.raises(DomainError) as error:
            services.record_talk(by=world.ow, **fields)
        assert error.value.field == field
    page = login(world.ow).get(reverse("outreach:talk-list"))
    assert page.context["totals"][0]["attendees"] == 40
    response = login(world.ow).post(reverse("outreach:talk-create"), {
        "date": today.isoformat(), "audience": "public", "attendees": "0",
        "staff": [world.ow.public_id],
    })
    assert "Minst en deltagare." in response.content.decode()
    assert InfoTalk.objects.count() == 1
