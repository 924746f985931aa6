"""KAST's calls (issue 10): recording a call and its bad inputs, caller codes, registering a
caller as a KAST client (the earlier calls follow, the counsellor is assigned, the referral
source kept), booking the first session, corrections with version checks, the follow-up list
and who sees which call."""

from datetime import timedelta

import pytest
from django.utils import timezone

from clients import access
from clients.models import AssignmentRole, BookingKind, Register
from kast import services
from kast.models import Call, CallOutcome, HeardVia, KastProfile
from prostenhet.exceptions import DomainError
from prostenhet.roles import UnitCode

from .helpers import call, next_weekday_at, second_kast_counsellor

pytestmark = pytest.mark.django_db


def test_an_anonymous_call_is_recorded(world):
    recorded = call(world.kco, topics=["wants_to_stop", "after_arrest"], channel="email")
    assert recorded.client is None and recorded.counsellor == world.kco
    assert recorded.topic_labels == ["Vill sluta köpa sex", "Efter gripande eller förhör"]
    assert recorded.channel == "email"


@pytest.mark.parametrize("who", ["co", "oa", "ow", "cl", "ma", "sa"])
def test_only_kast_staff_record_calls(world, who):
    with pytest.raises(DomainError):
        call(getattr(world, who))
    assert not Call.objects.exists()


@pytest.mark.parametrize("fields, field", [
    ({"minutes": 0}, "minutes"),
    ({"minutes": 241}, "minutes"),
    ({"occurred_at": "future"}, "occurred_at"),
    ({"heard_via": "rumours"}, "heard_via"),
    ({"outcome": "maybe"}, "outcome"),
    ({"topics": ["astrology"]}, "topics"),
])
def test_impossible_calls_are_refused(world, fields, field):
    if fields.get("occurred_at") == "future":
        fields["occurred_at"] = timezone.now() + timedelta(hours=2)
    with pytest.raises(DomainError) as refused:
        call(world.kco, **fields)
    assert refused.value.field == field


def test_a_call_links_only_to_the_users_own_kast_clients(world):
    with pytest.raises(DomainError) as refused:
        call(world.kco, client=world.anna)  # counselling's client: not KAST's
    assert refused.value.field == "client"
    other = second_kast_counsellor()
    with pytest.raises(DomainError):
        call(other, client=world.karl)  # KAST's, but not theirs
    assert call(world.kco, client=world.karl).client == world.karl


def test_registering_a_caller_brings_the_earlier_calls(world):
    first = call(world.kco, caller_code="Uppringare 17", heard_via=HeardVia.NEWS)
    second = call(world.kco, caller_code="Uppringare 17", outcome=CallOutcome.OFFERED)
    stranger = call(world.kco, caller_code="Uppringare 18")
    anonymous = call(world.kco)
    client = services.register_caller(second, by=world.kco, alias="Bertil")
    assert client.register == Register.KAST
    assert list(client.enrollments.values_list("unit", flat=True)) == [UnitCode.KAST]
    journal = client.journals.get()
    assignment = journal.assignments.get()
    assert assignment.counsellor == world.kco and assignment.role == AssignmentRole.RESPONSIBLE
    # The referral source is how this call's caller heard of KAST, unless said otherwise.
    assert KastProfile.objects.get(client=client).referral_source == HeardVia.POLICE
    for linked in (first, second):
        linked.refresh_from_db()
        assert linked.client == client
    for other in (stranger, anonymous):
        other.refresh_from_db()
        assert other.client is None
    # A later call with the code is the client's.
    assert call(world.kco, caller_code="Uppringare 17").client == client
    with pytest.raises(DomainError):
        services.register_caller(second, by=world.kco, alias="Bertil igen")


def test_the_registered_caller_is_kast_s_alone(world):
    client = services.register_caller(call(world.kco), by=world.kco, alias="Bertil",
                                      referral_source=HeardVia.INTERNET)
    assert client.kast_profile.referral_source == HeardVia.INTERNET
    for user in (world.oa, world.ow, world.co, world.cl, world.ma, world.sa):
        assert not access.visible_clients(user).filter(pk=client.pk).exists()
        assert not services.kast_clients(user).exists()
    # KAST's other counsellors see KAST's registry (clients.access), not their colleague's
    # clients' calls and sessions.
    assert not services.kast_clients(second_kast_counsellor()).exists()
    assert list(services.kast_clients(world.kco).order_by("alias")) == [client, world.karl]


def test_a_caller_under_18_is_not_registered(world):
    year = timezone.localdate().year - 16
    with pytest.raises(DomainError):
        services.register_caller(call(world.kco), by=world.kco, alias="Ung", birth_year=year)
    assert not KastProfile.objects.exists()


def test_registering_is_refused_when_the_call_changed(world):
    recorded = call(world.kco)
    services.update_call(recorded, by=world.kco, expected_version=recorded.version,
                         occurred_at=recorded.occurred_at, minutes=30, heard_via="police",
                         summary="Rättat.", outcome="offered", channel="phone")
    with pytest.raises(DomainError):
        services.register_caller(recorded, by=world.kco, alias="X", expected_version=1)


def test_the_first_session_is_booked_from_the_call(world):
    recorded = call(world.kco, outcome=CallOutcome.OFFERED)
    with pytest.raises(DomainError):  # not a client yet
        services.book_first_session(recorded, by=world.kco, starts_at=next_weekday_at())
    services.register_caller(recorded, by=world.kco, alias="Bertil")
    recorded.refresh_from_db()
    starts = next_weekday_at()
    booking = services.book_first_session(recorded, by=world.kco, starts_at=starts,
                                          request_token="abc")
    assert booking.unit == UnitCode.KAST and booking.kind == BookingKind.SESSION
    assert booking.staff == world.kco and booking.client == recorded.client
    assert booking.ends_at - booking.starts_at == timedelta(minutes=60)
    recorded.refresh_from_db()
    assert recorded.booking == booking and recorded.outcome == CallOutcome.BOOKED
    # The same form sent twice books once; another booking is refused.
    assert services.book_first_session(recorded, by=world.kco, starts_at=starts,
                                       request_token="abc") == booking
    with pytest.raises(DomainError):
        services.book_first_session(recorded, by=world.kco, starts_at=next_weekday_at(13))
    # A booked call keeps its outcome.
    with pytest.raises(DomainError) as refused:
        services.update_call(recorded, by=world.kco, expected_version=recorded.version,
                             occurred_at=recorded.occurred_at, minutes=10, heard_via="police",
                             summary="x", outcome="advice", channel="phone")
    assert refused.value.field == "outcome"


@pytest.mark.parametrize("minutes, starts", [(10, "ok"), (300, "ok"), (60, "past")])
def test_a_first_session_must_be_possible(world, minutes, starts):
    recorded = call(world.kco)
    services.register_caller(recorded, by=world.kco, alias="Bertil")
    at = next_weekday_at() if starts == "ok" else timezone.now() - timedelta(days=1)
    with pytest.raises(DomainError):
        services.book_first_session(recorded, by=world.kco, starts_at=at, minutes=minutes)
    recorded.refresh_from_db()
    assert recorded.booking is None


def test_a_correction_is_refused_when_someone_else_saved_first(world):
    recorded = call(world.kco)
    fields = {"occurred_at": recorded.occurred_at, "minutes": 20, "heard_via": "internet",
              "summary": "Rättat.", "outcome": "advice", "channel": "phone"}
    services.update_call(recorded, by=world.kco, expected_version=1, **fields)
    with pytest.raises(DomainError):
        services.update_call(recorded, by=world.kco, expected_version=1, **fields)
    recorded.refresh_from_db()
    assert recorded.version == 2 and recorded.heard_via == "internet"


def test_the_referral_source_is_kept_and_edited(world):
    profile = services.set_referral_source(world.karl, by=world.kco,
                                           referral_source=HeardVia.HEALTH_CARE)
    profile = services.set_referral_source(world.karl, by=world.kco, referral_source="news",
                                           expected_version=profile.version)
    assert profile.referral_source == "news" and profile.version == 2
    with pytest.raises(DomainError):
        services.set_referral_source(world.karl, by=world.kco, referral_source="internet",
                                     expected_version=1)
    with pytest.raises(DomainError):
        services.set_referral_source(world.karl, by=world.co, referral_source="internet")
    with pytest.raises(DomainError):
        services.set_referral_source(world.anna, by=world.kco, referral_source="internet")


def test_callers_to_follow_up(world):
    offered = call(world.kco, outcome=CallOutcome.OFFERED, caller_code="Uppringare 3")
    booked_not_yet = call(world.kco, outcome=CallOutcome.BOOKED)
    call(world.kco, outcome=CallOutcome.ADVICE)
    call(world.kco, outcome=CallOutcome.OFFERED,
         occurred_at=timezone.now() - timedelta(days=services.FOLLOW_UP_DAYS + 1))
    assert set(services.follow_up_calls(world.kco)) == {offered, booked_not_yet}
    services.register_caller(offered, by=world.kco, alias="Tre")
    assert set(services.follow_up_calls(world.kco)) == {booked_not_yet}
    assert not services.follow_up_calls(world.co).exists()


def test_a_clients_calls_are_seen_by_their_counsellors_only(world):
    anonymous = call(world.kco)
    karls = call(world.kco, client=world.karl)
    other = second_kast_counsellor()
    assert set(services.visible_calls(world.kco)) == {anonymous, karls}
    assert set(services.visible_calls(other)) == {anonymous}
    for user in (world.oa, world.ow, world.co, world.cl, world.ma, world.sa):
        assert not services.visible_calls(user).exists()
