"""Referrals between units (issue 8): sent only with the client's consent (recorded on the
spot when given now), accepted or declined with a reason, done, or withdrawn by the sending
unit while open; accepting a referral to counselling enrols the client and puts them in the
queue; until then the receiving unit sees only what the referral says. KAST is sealed."""

import pytest
from django.urls import reverse

from clients import access, services
from clients.models import (
    Consent,
    QueueEntry,
    QueueSource,
    Referral,
    ReferralState,
)
from prostenhet.exceptions import DomainError
from prostenhet.models import AccessLog
from prostenhet.roles import Role, UnitCode
from tests.world import staff

from .helpers import main_html

pytestmark = pytest.mark.django_db


def send(world, client=None, *, from_unit=UnitCode.SPIRALEN, to_unit=UnitCode.OUTREACH,
         by=None, message="Vill träffa uppsökarna.", consent_method="verbal"):
    return services.send_referral(
        client or world.anna, from_unit=from_unit, to_unit=to_unit, message=message,
        by=by or world.cl, consent_method=consent_method,
    )


# --- sending ---------------------------------------------------------------------------------


def test_a_referral_without_the_clients_consent_is_refused(world):
    with pytest.raises(DomainError, match="samtyckt"):
        send(world, consent_method=None)
    assert not Referral.objects.exists()
    assert not Consent.objects.exists()


def test_consent_given_now_is_recorded_with_the_referral(world):
    referral = send(world, consent_method="written")
    consent = Consent.objects.get()
    assert (consent.unit_a, consent.unit_b, consent.method, consent.recorded_by) == (
        UnitCode.OUTREACH, UnitCode.SPIRALEN, "written", world.cl
    )
    assert referral.consent == consent and referral.state == ReferralState.SENT


def test_an_existing_consent_is_used(world):
    consent = services.give_consent(world.anna, UnitCode.SPIRALEN, UnitCode.OUTREACH,
                                    method="verbal", by=world.cl)
    referral = send(world, consent_method=None)
    assert referral.consent == consent and Consent.objects.count() == 1


@pytest.mark.parametrize("bad, message", [
    ({"to_unit": UnitCode.SPIRALEN}, "annan verksamhetsdel"),
    ({"to_unit": "police"}, "går till"),
    ({"message": "   "}, "Skriv vad"),
    ({"message": "x" * 2001}, "högst 2000"),
    # The clinician works in Spiralen, not outreach.
    ({"from_unit": UnitCode.OUTREACH, "to_unit": UnitCode.COUNSELLING}, "arbetar inte"),
    ({"by": "co", "from_unit": UnitCode.COUNSELLING, "client": "olle"}, "inte inskriven"),
    ({"consent_method": "telepathy"}, "samtycket"),
])
def test_a_bad_referral_is_refused_with_a_clear_message(world, bad, message):
    if "by" in bad:
        bad["by"] = getattr(world, bad["by"])
    if "client" in bad:
        bad["client"] = getattr(world, bad["client"])
    with pytest.raises(DomainError, match=message):
        send(world, **bad)
    assert not Referral.objects.exists()


def test_a_second_open_referral_for_the_same_pair_is_refused(world):
    send(world)
    with pytest.raises(DomainError, match="redan en öppen"):
        send(world)


@pytest.mark.parametrize("case", ["to_kast", "from_kast"])
def test_kast_never_sends_or_receives_referrals(world, case):
    with pytest.raises(DomainError, match="KAST"):
        if case == "to_kast":
            send(world, to_unit=UnitCode.KAST)
        else:
            send(world, world.karl, from_unit=UnitCode.KAST, to_unit=UnitCode.COUNSELLING,
                 by=world.kco)
    assert not Referral.objects.exists()


# --- answering -------------------------------------------------------------------------------


def test_until_accepted_the_receiving_unit_sees_only_the_referral(world, login):
    referral = send(world)
    browser = login(world.ow)
    detail = reverse("clients:client-detail", args=[world.anna.public_id])
    assert browser.get(detail).status_code == 404

    page = browser.get(reverse("clients:referral-answer", args=[referral.public_id]))
    html = main_html(page)
    for shown in ["Anna", "Vill träffa uppsökarna.", "Spiralen"]:
        assert shown in html
    for secret in ["Anna Andersson", "0701234567", "Provtagning klamydia"]:
        assert secret not in html
    # Reading the referral names the client in the access log.
    row = AccessLog.objects.latest("pk")
    assert (row.user, row.client, row.view) == (world.ow, world.anna, "clients:referral-answer")

    browser.post(reverse("clients:referral-answer", args=[referral.public_id]),
                 {"decision": "accept", "version": referral.version})
    assert browser.get(detail).status_code == 200


@pytest.mark.parametrize("from_unit, sender, source", [
    (UnitCode.OUTREACH, "ow", QueueSource.OUTREACH),
    (UnitCode.SPIRALEN, "cl", QueueSource.CLINIC),
    (UnitCode.TRAFFICKING, "tw", QueueSource.OTHER),
])
def test_accepting_a_referral_to_counselling_enrols_and_queues_the_client(
    world, from_unit, sender, source
):
    by = (staff(Role.OUTREACH_WORKER, "tw", units=[UnitCode.TRAFFICKING])
          if sender == "tw" else getattr(world, sender))
    client = services.register_client(unit=from_unit, by=by, alias="Lina")
    referral = send(world, client, from_unit=from_unit, to_unit=UnitCode.COUNSELLING, by=by)
    assert not access.can_view_client(world.oa, client)

    services.accept_referral(referral, by=world.oa, expected_version=referral.version)

    referral.refresh_from_db()
    assert (referral.state, referral.handled_by) == (ReferralState.ACCEPTED, world.oa)
    entry = QueueEntry.objects.waiting().get()
    assert (entry.client, entry.source) == (client, source)
    assert access.can_view_client(world.oa, client)


def test_accepting_a_referral_of_a_client_already_waiting_keeps_the_place(world):
    (entry,) = [services.add_to_queue(world.anna, source=QueueSource.SELF, by=world.oa)]
    referral = send(world, from_unit=UnitCode.SPIRALEN, to_unit=UnitCode.COUNSELLING)
    services.accept_referral(referral, by=world.oa)
    assert list(QueueEntry.objects.waiting()) == [entry]


def test_a_referral_to_counselling_is_accepted_by_the_office_assistant_not_a_counsellor(world):
    referral = send(world, world.olle, from_unit=UnitCode.OUTREACH,
                    to_unit=UnitCode.COUNSELLING, by=world.ow)
    with pytest.raises(DomainError, match="byråassistenten"):
        services.accept_referral(referral, by=world.co)
    with pytest.raises(DomainError, match="mottagande"):
        services.accept_referral(referral, by=world.cl)
    assert Referral.objects.get().state == ReferralState.SENT


def test_a_decline_needs_a_reason_and_closes_the_referral(world):
    referral = send(world)
    with pytest.raises(DomainError, match="varför"):
        services.decline_referral(referral, reason=" ", by=world.ow)
    services.decline_referral(referral, reason="Inte vår målgrupp", by=world.ow)
    referral.refresh_from_db()
    assert (referral.state, referral.decline_reason) == (
        ReferralState.DECLINED, "Inte vår målgrupp"
    )
    assert referral.closed_at is not None
    with pytest.raises(DomainError, match="kan inte tas emot: den är avböjd"):
        services.accept_referral(referral, by=world.ow)
    with pytest.raises(DomainError, match="kan inte tas tillbaka"):
        services.withdraw_referral(referral, by=world.cl)
    assert not world.anna.enrollments.active().filter(unit=UnitCode.OUTREACH).exists()


def test_only_an_accepted_referral_is_marked_done_by_the_receiving_unit(world):
    referral = send(world)
    with pytest.raises(DomainError, match="kan inte markeras som klar: den är skickad"):
        services.complete_referral(referral, by=world.ow)
    services.accept_referral(referral, by=world.ow)
    with pytest.raises(DomainError, match="mottagande"):
        services.complete_referral(referral, by=world.cl)
    services.complete_referral(referral, by=world.ow)
    referral.refresh_from_db()
    assert referral.state == ReferralState.DONE


def test_only_the_sending_unit_withdraws_and_only_while_open(world):
    referral = send(world)
    with pytest.raises(DomainError, match="skickade"):
        services.withdraw_referral(referral, by=world.ow)
    services.withdraw_referral(referral, by=world.cl)
    referral.refresh_from_db()
    assert referral.state == ReferralState.WITHDRAWN
    with pytest.raises(DomainError, match="kan inte tas emot: den är återtagen"):
        services.accept_referral(referral, by=world.ow)


def test_an_answer_on_a_stale_page_is_refused(world):
    referral = send(world)
    version = referral.version
    services.withdraw_referral(referral, by=world.cl, expected_version=version)
    with pytest.raises(DomainError, match="Någon annan har ändrat remissen"):
        services.accept_referral(referral, by=world.ow, expected_version=version)


def test_a_revoked_consent_stops_the_acceptance(world):
    referral = send(world)
    services.revoke_consent(referral.consent, by=world.cl)
    with pytest.raises(DomainError, match="återkallat"):
        services.accept_referral(referral, by=world.ow)


# --- the screens -----------------------------------------------------------------------------


def test_a_referral_is_sent_from_the_client_page_with_consent_given_now(world, login):
    browser = login(world.cl)
    detail = browser.get(reverse("clients:client-detail", args=[world.anna.public_id]))
    url = reverse("clients:referral-create", args=[world.anna.public_id])
    assert url in detail.content.decode()

    form = browser.get(url).context["form"]
    assert [c[0] for c in form.fields["from_unit"].choices] == [UnitCode.SPIRALEN]
    assert UnitCode.KAST not in [c[0] for c in form.fields["to_unit"].choices]

    data = {"from_unit": "spiralen", "to_unit": "counselling", "message": "Vill ha samtal."}
    refused = browser.post(url, data)
    assert "samtyckt" in main_html(refused)
    assert not Referral.objects.exists()

    response = browser.post(url, {**data, "consent_method": "verbal"})
    assert response.status_code == 302
    referral = Referral.objects.get()
    assert (referral.to_unit, referral.sent_by, referral.consent.method) == (
        UnitCode.COUNSELLING, world.cl, "verbal"
    )


def test_the_incoming_list_is_the_receiving_units_and_the_outgoing_the_senders(world, login):
    referral = send(world)
    incoming = login(world.ow).get(reverse("clients:referral-list"))
    assert list(incoming.context["incoming"]) == [referral]
    assert list(incoming.context["page"]) == []
    outgoing = login(world.cl).get(reverse("clients:referral-list"))
    assert list(outgoing.context["incoming"]) == []
    assert list(outgoing.context["page"]) == [referral]
    assert reverse("clients:referral-withdraw", args=[referral.public_id]) in main_html(outgoing)
    nobody = login(world.oa).get(reverse("clients:referral-list"))
    assert "Anna" not in main_html(nobody)


def test_the_office_assistant_accepts_a_referral_to_counselling_on_the_page(world, login):
    referral = send(world, world.olle, from_unit=UnitCode.OUTREACH,
                    to_unit=UnitCode.COUNSELLING, by=world.ow)
    # A counsellor of counselling reads it but does not answer it.
    page = login(world.co).get(reverse("clients:referral-answer", args=[referral.public_id]))
    assert page.context["may_answer"] is False
    browser = login(world.oa)
    url = reverse("clients:referral-answer", args=[referral.public_id])

    refused = browser.post(url, {"decision": "decline", "reason": "", "version": 1})
    assert "varför" in main_html(refused)
    response = browser.post(url, {"decision": "accept", "version": referral.version})

    assert response.status_code == 302
    assert QueueEntry.objects.waiting().get().client == world.olle
    queue_page = browser.get(reverse("clients:queue"))
    assert [e.client.alias for e in queue_page.context["entries"]] == ["Olle"]


def test_a_stale_answer_page_shows_the_message_and_keeps_the_reason(world, login):
    referral = send(world)
    browser = login(world.ow)
    url = reverse("clients:referral-answer", args=[referral.public_id])
    version = browser.get(url).context["form"]["version"].value()
    colleague = staff(Role.OUTREACH_WORKER, "ow2")
    services.decline_referral(referral, reason="Redan kontakt", by=colleague)

    response = browser.post(url, {"decision": "decline", "reason": "Fel enhet",
                                  "version": version})

    assert response.status_code == 200
    html = main_html(response)
    assert "Någon annan har ändrat remissen" in html and "Redan kontakt" in html
    assert response.context["form"]["reason"].value() == "Fel enhet"
    referral.refresh_from_db()
    assert referral.decline_reason == "Redan kontakt"


def test_the_sender_withdraws_on_the_page(world, login):
    referral = send(world)
    url = reverse("clients:referral-withdraw", args=[referral.public_id])
    assert login(world.ow).get(url).status_code == 404
    response = login(world.cl).post(url, {"version": referral.version})
    assert response.status_code == 302
    referral.refresh_from_db()
    assert referral.state == ReferralState.WITHDRAWN


def test_the_referral_list_queries_do_not_grow_with_the_referrals(
    world, login, django_assert_max_num_queries
):
    for i in range(30):
        client = services.register_client(unit=UnitCode.SPIRALEN, by=world.cl, alias=f"K{i}")
        send(world, client)
        send(world, client, to_unit=UnitCode.COUNSELLING)
    for user in (world.ow, world.cl):
        browser = login(user)
        with django_assert_max_num_queries(12):
            response = browser.get(reverse("clients:referral-list"))
        assert len(response.context["incoming"]) + len(response.context["page"]) >= 25
