"""Internet outreach (issue 10): sessions and their counts, the e-mail templates, and the
addresses about to be mailed — kept only as keyed hashes for the repeat period, weeded after
it, and never stored or logged in clear text."""

import hashlib
import hmac
import logging
from datetime import timedelta

import pytest
from django.apps import apps
from django.contrib.sessions.models import Session
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from outreach import services
from outreach.models import EmailHash, EmailTemplate, InternetSession
from prostenhet.exceptions import DomainError

pytestmark = pytest.mark.django_db

ADDRESSES = ["Maria.Lopez@example.com", "sara88@example.org", "anna-escort@example.net"]


def test_a_session_with_its_counts(world):
    today = timezone.localdate()
    session = services.save_internet_session(
        by=world.ow, date=today, staff=[world.ow], sites=" Annonssida A ,, Forum ",
        ads_reviewed=40, emails_sent=12, replies=0,
    )
    assert session.sites == "Annonssida A, Forum"
    session = services.save_internet_session(
        session, by=world.ow, expected_version=session.version, date=today, staff=[world.ow],
        sites=session.sites, ads_reviewed=40, emails_sent=12, replies=3,
    )
    assert session.replies == 3 and session.version == 2
    with pytest.raises(DomainError, match="Någon annan"):
        services.save_internet_session(session, by=world.ow, expected_version=1, date=today,
                                       staff=[world.ow])


@pytest.mark.parametrize("bad, field", [
    ({"ads_reviewed": -1}, "ads_reviewed"),
    ({"replies": -5}, "replies"),
    ({"date": timezone.localdate() + timedelta(days=1)}, "date"),
    ({"staff": []}, "staff"),
])
def test_a_session_refuses_impossible_input(world, bad, field):
    fields = {"date": timezone.localdate(), "staff": [world.ow], **bad}
    with pytest.raises(DomainError) as error:
        services.save_internet_session(by=world.ow, **fields)
    assert error.value.field == field


def test_the_session_form_says_what_is_wrong(world, login):
    response = login(world.ow).post(reverse("outreach:internet-create"), {
        "date": (timezone.localdate() + timedelta(days=3)).isoformat(),
        "staff": [world.ow.public_id], "ads_reviewed": "-4",
    })
    assert response.status_code == 200
    text = response.content.decode()
    assert "Antalet kan inte vara negativt." in text
    assert not InternetSession.objects.exists()


def test_templates_one_per_name_and_language(world, login):
    services.save_email_template(by=world.ow, name="Första", language="sv", subject="Hej",
                                 body="Text")
    services.save_email_template(by=world.ow, name="Första", language="en", subject="Hi",
                                 body="Text")
    with pytest.raises(DomainError, match="redan en mall"):
        services.save_email_template(by=world.ow, name="Första", language="sv", subject="x",
                                     body="y")
    template = EmailTemplate.objects.get(language="en")
    response = login(world.ow).post(reverse("outreach:template-edit", args=[template.pk]), {
        "name": "Första", "language": "en", "subject": "Hello", "body": "New text",
        "active": "on", "version": template.version,
    })
    assert response.status_code == 302
    template.refresh_from_db()
    assert template.subject == "Hello" and template.version == 2
    page = login(world.ow).get(reverse("outreach:template-list"))
    assert "Hello" in page.content.decode()


def test_only_a_keyed_hash_of_an_address_is_kept(world, settings):
    settings.OUTREACH_EMAIL_HASH_KEY = "the-unit-key"
    result = services.check_addresses("\n".join(ADDRESSES), by=world.ow)
    assert sorted(result.to_mail) == sorted(a.lower() for a in ADDRESSES)
    expected = hmac.new(b"the-unit-key", b"maria.lopez@example.com", hashlib.sha256).hexdigest()
    assert EmailHash.objects.filter(digest=expected, mailed_on=timezone.localdate()).exists()
    assert EmailHash.objects.count() == 3


def test_the_key_falls_back_to_the_secret_key(settings):
    settings.OUTREACH_EMAIL_HASH_KEY = ""
    expected = hmac.new(settings.SECRET_KEY.encode(), b"a@example.com", hashlib.sha256)
    assert services.address_digest(" <A@Example.com> ") == expected.hexdigest()


def test_addresses_mailed_within_the_period_are_skipped(world, settings):
    settings.OUTREACH_EMAIL_REPEAT_DAYS = 90
    today = timezone.localdate()
    services.check_addresses(ADDRESSES[0], by=world.ow, today=today - timedelta(days=30))
    services.check_addresses(ADDRESSES[1], by=world.ow, today=today - timedelta(days=95))
    result = services.check_addresses(
        f"{ADDRESSES[0].upper()}; {ADDRESSES[1]}, {ADDRESSES[2]} {ADDRESSES[2]} inte-en-adress",
        by=world.ow, today=today,
    )
    assert result.already_mailed == [ADDRESSES[0].lower()]
    assert sorted(result.to_mail) == sorted([ADDRESSES[1], ADDRESSES[2]])
    assert result.invalid == ["inte-en-adress"]
    # The renewed hash counts from today.
    assert EmailHash.objects.filter(mailed_on=today).count() == 2


def test_an_empty_paste_is_refused(world):
    with pytest.raises(DomainError, match="Klistra in"):
        services.check_addresses("  \n ", by=world.ow)


def test_hashes_past_the_period_are_weeded(world, settings):
    settings.OUTREACH_EMAIL_REPEAT_DAYS = 90
    today = timezone.localdate()
    services.check_addresses(ADDRESSES[0], by=world.ow, today=today - timedelta(days=90))
    services.check_addresses(ADDRESSES[1], by=world.ow, today=today - timedelta(days=89))
    assert services.weed_email_hashes(today, dry_run=True) == 1
    assert EmailHash.objects.count() == 2
    assert services.weed_email_hashes(today) == 1
    assert list(EmailHash.objects.values_list("mailed_on", flat=True)) == [
        today - timedelta(days=89)
    ]


def test_the_weeding_command(world, settings, capsys):
    settings.OUTREACH_EMAIL_REPEAT_DAYS = 10
    services.check_addresses(ADDRESSES[0], by=world.ow,
                             today=timezone.localdate() - timedelta(days=11))
    call_command("weed_outreach_hashes", "--dry-run")
    assert "1 e-mail hashes would be deleted" in capsys.readouterr().out
    assert EmailHash.objects.count() == 1
    call_command("weed_outreach_hashes")
    assert "1 e-mail hashes deleted" in capsys.readouterr().out
    assert not EmailHash.objects.exists()


def _every_stored_value():
    """Every value of every row of every model, and the sessions' decoded data."""
    for model in apps.get_models():
        for row in model.objects.all().values():
            yield from (str(value) for value in row.values())
    for session in Session.objects.all():
        yield str(session.get_decoded())


def test_no_clear_address_is_stored_or_logged(world, login, caplog):
    caplog.set_level(logging.DEBUG)
    browser = login(world.ow)
    pasted = "\n".join(ADDRESSES)
    response = browser.post(reverse("outreach:address-check"), {"addresses": pasted})
    assert response.status_code == 200
    assert ADDRESSES[1] in response.content.decode()  # shown back to the worker, once
    again = browser.post(reverse("outreach:address-check"), {"addresses": pasted})
    assert [a.lower() for a in ADDRESSES] == again.context["result"].already_mailed
    stored = "\n".join(_every_stored_value()).lower()
    logged = "\n".join(record.getMessage() for record in caplog.records).lower()
    for address in ADDRESSES:
        local_part = address.lower().split("@")[0]
        assert local_part not in stored, address
        assert local_part not in logged, address
    assert EmailHash.objects.count() == 3
