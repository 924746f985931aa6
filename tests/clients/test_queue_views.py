"""The counselling queue's screens (issue 8): the office assistant's queue page, adding,
moving with a reason, offering a place and removing, each change carrying the row's version;
and two office assistants editing the same row at once on PostgreSQL."""

import threading
from datetime import timedelta

import pytest
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from clients import access, services
from clients.models import QueueEntry, QueueMove, QueueRemoval, QueueSource, SessionContract
from prostenhet.exceptions import DomainError
from prostenhet.roles import Role, UnitCode
from tests.world import staff

from .helpers import main_html

pytestmark = pytest.mark.django_db

STALE = "Någon annan har ändrat kön"


def queue(world, *clients, **wishes):
    return [services.add_to_queue(c, source=QueueSource.RECEPTION, by=world.oa, **wishes)
            for c in clients]


def rows(response):
    return [entry.client.alias for entry in response.context["entries"]]


# --- the queue page --------------------------------------------------------------------------


def test_the_queue_page_lists_the_waiting_in_order_with_wishes_and_days_waited(world, login):
    services.add_to_queue(
        world.anna, source=QueueSource.CLINIC, by=world.oa,
        added_on=timezone.localdate() - timedelta(days=40), language="Spanska",
        interpreter_needed=True, counsellor_gender="woman",
    )
    queue(world, world.petra)

    response = login(world.oa).get(reverse("clients:queue"))

    assert rows(response) == ["Anna", "Petra"]
    page = main_html(response)
    for shown in ["40 dagar", "0 dagar", "Spanska", "tolk", "behandlare: kvinna",
                  "Spiralen (remiss)", "2 klienter väntar", "Längst väntetid: 40 dagar"]:
        assert shown in page, shown
    # Never case content, never identity.
    for secret in ["Samtal om gränssättning", "Anna Andersson", "Petra Hemlig", "0709999999"]:
        assert secret not in page


def test_the_queue_is_for_the_office_assistant_of_counselling(world, login):
    elsewhere = staff(Role.OFFICE_ASSISTANT, "oa-spiralen", units=[UnitCode.SPIRALEN])
    assert login(elsewhere).get(reverse("clients:queue")).status_code == 403
    assert login(world.co).get(reverse("clients:queue")).status_code == 403


def test_the_office_assistant_finds_the_queue_in_the_navigation(world, login):
    page = login(world.oa).get(reverse("start")).content.decode()
    assert reverse("clients:queue") in page
    assert reverse("clients:queue") not in login(world.co).get(reverse("start")).content.decode()


def test_the_queue_page_queries_do_not_grow_with_the_queue(
    world, login, django_assert_max_num_queries
):
    browser = login(world.oa)
    for i in range(30):
        client = services.register_client(unit=UnitCode.COUNSELLING, by=world.oa,
                                          alias=f"Väntande {i}")
        (entry,) = queue(world, client)
        if i % 3 == 2:
            services.move_in_queue(entry, to_place=1, reason=f"Skäl {i}", by=world.oa)
    with django_assert_max_num_queries(12):
        response = browser.get(reverse("clients:queue"))
    assert len(response.context["entries"]) == 30
    assert len(response.context["moves"]) == 10


# --- adding ----------------------------------------------------------------------------------


def test_a_client_is_put_in_the_queue_from_the_client_page(world, login):
    browser = login(world.oa)
    detail = browser.get(reverse("clients:client-detail", args=[world.anna.public_id]))
    add_url = reverse("clients:queue-add", args=[world.anna.public_id])
    assert add_url in detail.content.decode()

    response = browser.post(add_url, {
        "added_on": timezone.localdate().isoformat(), "source": QueueSource.SELF,
        "language": "Engelska", "counsellor_gender": "",
    })

    assert response.status_code == 302 and response.url == reverse("clients:queue")
    entry = QueueEntry.objects.waiting().get()
    assert (entry.client, entry.source, entry.language, entry.added_by) == (
        world.anna, QueueSource.SELF, "Engelska", world.oa
    )


def test_adding_refuses_a_future_date_and_a_client_already_waiting(world, login):
    browser = login(world.oa)
    add_url = reverse("clients:queue-add", args=[world.anna.public_id])
    tomorrow = (timezone.localdate() + timedelta(days=1)).isoformat()

    response = browser.post(add_url, {"added_on": tomorrow, "source": QueueSource.RECEPTION})
    assert "framtiden" in main_html(response)
    assert not QueueEntry.objects.exists()

    queue(world, world.anna)
    response = browser.get(add_url)
    assert "står redan i kön" in main_html(response)
    browser.post(add_url, {"added_on": timezone.localdate().isoformat(),
                           "source": QueueSource.RECEPTION})
    assert QueueEntry.objects.count() == 1


def test_a_client_out_of_sight_cannot_be_put_in_the_queue(world, login):
    browser = login(world.oa)
    for client in (world.karl, world.olle):  # KAST; outreach only
        assert browser.get(reverse("clients:queue-add", args=[client.public_id])).status_code \
            == 404


@pytest.mark.parametrize("bad, message", [
    ({"source": "police"}, "varifrån"),
    ({"counsellor_gender": "robot"}, "önskan"),
])
def test_the_service_refuses_an_unknown_source_or_wish(world, bad, message):
    fields = {"source": QueueSource.RECEPTION, **bad}
    with pytest.raises(DomainError, match=message):
        services.add_to_queue(world.anna, by=world.oa, **fields)


def test_a_kast_client_is_never_in_the_queue(world):
    with pytest.raises(DomainError, match="KAST"):
        services.add_to_queue(world.karl, source=QueueSource.RECEPTION, by=world.oa)


def test_a_client_put_in_the_queue_becomes_a_client_of_counselling(world):
    # Olle is outreach's: the queue is counselling's, whose staff must see whom they keep.
    services.add_to_queue(world.olle, source=QueueSource.OUTREACH, by=world.ow)
    assert world.olle.enrollments.active().filter(unit=UnitCode.COUNSELLING).exists()
    assert access.can_view_client(world.oa, world.olle)


# --- moving ----------------------------------------------------------------------------------


def test_a_move_needs_a_reason_and_the_queue_page_shows_it(world, login):
    anna, petra = queue(world, world.anna, world.petra)
    browser = login(world.oa)
    url = reverse("clients:queue-move", args=[petra.public_id])

    response = browser.post(url, {"to_place": 1, "reason": "  ", "version": petra.version})
    assert response.status_code == 200
    assert not QueueMove.objects.exists()

    response = browser.post(url, {"to_place": 1, "reason": "Akut bostadslös",
                                  "version": petra.version})
    assert response.status_code == 302
    page = browser.get(reverse("clients:queue"))
    assert rows(page) == ["Petra", "Anna"]
    moves = main_html(page)
    assert "Akut bostadslös" in moves and "från plats 2 till 1" in moves


def test_a_move_to_the_same_place_is_refused_on_the_form(world, login):
    anna, petra = queue(world, world.anna, world.petra)
    response = login(world.oa).post(
        reverse("clients:queue-move", args=[anna.public_id]),
        {"to_place": 1, "reason": "x", "version": anna.version},
    )
    assert "redan på den platsen" in main_html(response)


def test_a_stale_move_shows_the_message_keeps_the_reason_and_takes_the_current_version(
    world, login
):
    anna, petra, olle = queue(world, world.anna, world.petra, world.olle)
    browser = login(world.oa)
    url = reverse("clients:queue-move", args=[olle.public_id])
    form_page = browser.get(url + f"?v={olle.version}")
    assert form_page.context["form"]["version"].value() == olle.version
    # Meanwhile another office assistant moves Olle up one place.
    other = staff(Role.OFFICE_ASSISTANT, "oa2")
    services.move_in_queue(olle, to_place=2, reason="Akut", by=other)

    response = browser.post(url, {"to_place": 1, "reason": "Har väntat länge",
                                  "version": olle.version})

    assert response.status_code == 200
    assert STALE in main_html(response)
    form = response.context["form"]
    assert form["reason"].value() == "Har väntat länge"
    olle.refresh_from_db()
    assert int(form["version"].value()) == olle.version
    assert [e.client.alias for e in response.context["entries"]] == ["Anna", "Olle", "Petra"]
    # Sent again, on the queue as it is now, it goes through.
    browser.post(url, {"to_place": 1, "reason": "Har väntat länge", "version": olle.version})
    assert list(QueueEntry.objects.waiting().values_list("client__alias", flat=True)) == [
        "Olle", "Anna", "Petra"
    ]


def test_the_version_the_queue_page_showed_travels_with_the_link(world, login):
    (anna,) = queue(world, world.anna)
    browser = login(world.oa)
    link = reverse("clients:queue-remove", args=[anna.public_id]) + f"?v={anna.version}"
    assert link in browser.get(reverse("clients:queue")).content.decode()
    services.add_to_queue(world.petra, source=QueueSource.RECEPTION, by=world.oa)
    services.move_in_queue(anna, to_place=2, reason="Bytte", by=world.oa)
    # The page opened from the old link still carries what the user saw.
    assert browser.get(link).context["form"]["version"].value() == anna.version


# --- offering a place and removing -----------------------------------------------------------


def test_a_place_is_offered_to_an_active_counsellor_of_counselling(world, login):
    (petra,) = queue(world, world.petra)
    new = staff(Role.COUNSELLOR, "co2")
    gone = staff(Role.COUNSELLOR, "co3")
    gone.is_active = False
    gone.save()
    browser = login(world.oa)
    url = reverse("clients:queue-offer", args=[petra.public_id])

    offered = list(browser.get(url).context["form"].fields["counsellor"].queryset)
    assert world.co in offered and new in offered
    assert world.kco not in offered and gone not in offered and world.cl not in offered

    response = browser.post(url, {"counsellor": new.pk, "version": petra.version})

    assert response.status_code == 302
    petra.refresh_from_db()
    assert (petra.left_reason, petra.offered_to) == (QueueRemoval.OFFERED, new)
    assert access.can_view_client(new, world.petra)
    assert login(new).get(
        reverse("clients:client-detail", args=[world.petra.public_id])
    ).status_code == 200
    assert not QueueEntry.objects.waiting().exists()


def test_removing_needs_one_of_the_reasons_and_offered_is_not_one(world, login):
    (anna,) = queue(world, world.anna)
    browser = login(world.oa)
    url = reverse("clients:queue-remove", args=[anna.public_id])

    browser.post(url, {"reason": QueueRemoval.OFFERED, "version": anna.version})
    assert QueueEntry.objects.waiting().exists()
    browser.post(url, {"reason": QueueRemoval.NO_CONTACT, "version": anna.version})
    anna.refresh_from_db()
    assert anna.left_reason == QueueRemoval.NO_CONTACT
    with pytest.raises(DomainError, match="Välj ett skäl"):
        services.remove_from_queue(queue(world, world.petra)[0], reason="", by=world.oa)


def test_a_change_to_a_row_that_left_the_queue_says_so(world, login):
    (anna,) = queue(world, world.anna)
    browser = login(world.oa)
    url = reverse("clients:queue-offer", args=[anna.public_id])
    version = anna.version
    services.remove_from_queue(anna, reason=QueueRemoval.NOT_WANTED, by=world.oa)

    response = browser.post(url, {"counsellor": world.co.pk, "version": version})

    assert response.status_code == 200
    assert "inte längre i kön" in main_html(response)
    anna.refresh_from_db()
    assert anna.offered_to is None


# --- two office assistants at once, on PostgreSQL --------------------------------------------

postgresql = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="concurrent transactions need PostgreSQL"
)


@postgresql
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("second", ["move", "remove"])
def test_two_office_assistants_changing_one_row_at_once_give_one_change_and_a_message(
    roles_and_units, world, second
):
    anna, petra, olle = queue(world, world.anna, world.petra, world.olle)
    other = staff(Role.OFFICE_ASSISTANT, "oa2")
    barrier = threading.Barrier(2)
    outcomes = []

    def change(kind, by):
        try:
            barrier.wait()
            if kind == "move":
                services.move_in_queue(olle, to_place=1, reason=f"{by.username}",
                                       by=by, expected_version=olle.version)
            else:
                services.remove_from_queue(olle, reason=QueueRemoval.NO_CONTACT, by=by,
                                           expected_version=olle.version)
            outcomes.append("done")
        except DomainError as error:
            outcomes.append(str(error.message))
        finally:
            connection.close()

    threads = [threading.Thread(target=change, args=("move", world.oa)),
               threading.Thread(target=change, args=(second, other))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert outcomes.count("done") == 1, outcomes
    (refused,) = [o for o in outcomes if o != "done"]
    assert STALE in refused or "inte längre i kön" in refused, refused
    olle.refresh_from_db()
    assert olle.version == 2
    # Exactly one change landed: one move, or the removal.
    moved = QueueMove.objects.filter(entry=olle).count()
    assert (moved, olle.left_at is not None) in [(1, False), (0, True)]
    if moved:
        assert QueueMove.objects.get(entry=olle).reason in {"oa", "oa2"}


def test_offering_a_place_with_an_agreed_slot_starts_the_contract(world, login):
    """Issue 8: offering a place assigns the counsellor and, with the weekday and time
    agreed, starts the session contract and books the term's sessions."""
    (petra,) = queue(world, world.petra)
    other = staff(Role.COUNSELLOR, "co2")
    day = timezone.localdate() + timedelta(days=7)
    while day.isoweekday() > 5 or day.month in (6, 7, 12) and day.day > 20:
        day += timedelta(days=1)
    response = login(world.oa).post(
        reverse("clients:queue-offer", args=[petra.public_id]),
        {"counsellor": other.pk, "weekday": day.isoweekday(), "start_time": "10:00",
         "minutes": 60, "starts_on": day.isoformat(), "version": petra.version},
        follow=True,
    )
    assert "samtalskontraktet är startat" in response.content.decode()
    contract = SessionContract.objects.get(journal__client=world.petra)
    assert contract.counsellor == other and contract.created_by == world.oa
    sessions = list(contract.bookings.all())
    assert sessions and all(b.staff == other and b.client == world.petra for b in sessions)
    assert all(timezone.localtime(b.starts_at).isoweekday() == day.isoweekday()
               for b in sessions)


def test_an_offer_with_a_weekday_but_no_time_is_refused_and_nothing_changes(world, login):
    (petra,) = queue(world, world.petra)
    other = staff(Role.COUNSELLOR, "co2")
    response = login(world.oa).post(
        reverse("clients:queue-offer", args=[petra.public_id]),
        {"counsellor": other.pk, "weekday": 2, "version": petra.version},
    )
    assert "både veckodag och tid" in response.content.decode()
    petra.refresh_from_db()
    assert petra.left_at is None and not SessionContract.objects.exists()
