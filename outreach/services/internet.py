"""Internet outreach (issue 10): sessions of reviewing sites and ads and sending information
e-mails, the unit's e-mail templates in several languages, and the addresses mailed.

An address is never stored in clear text. Before mailing, the worker pastes the addresses;
`check_addresses` keeps only HMAC-SHA256(key, normalised address) with the day, and says which
addresses were mailed within settings.OUTREACH_EMAIL_REPEAT_DAYS (to skip) — the key is
settings.OUTREACH_EMAIL_HASH_KEY (from the environment; SECRET_KEY when empty), so a hash
cannot be reversed by trying addresses without it. `weed_email_hashes` deletes the hashes past
that period. Nothing here logs an address."""

import hashlib
import hmac
import re
from dataclasses import dataclass, field
from datetime import timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from prostenhet.exceptions import DomainError

from ..models import EmailHash, EmailTemplate, InternetSession, TemplateLanguage
from .common import check_count, check_staff, check_team_member

__all__ = [
    "ADDRESSES_MAX",
    "AddressCheck",
    "address_digest",
    "check_addresses",
    "normalise_address",
    "repeat_days",
    "save_email_template",
    "save_internet_session",
    "split_addresses",
    "weed_email_hashes",
]

ADDRESSES_MAX = 500


@transaction.atomic
def save_internet_session(session=None, *, by, expected_version=None, date, staff, sites="",
                          ads_reviewed=0, emails_sent=0, replies=0):
    """Create (session None) or update an internet outreach session: the day (not in the
    future), its staff, the sites reviewed and the counts (≥ 0; replies come in later, so the
    session is edited then). An update made on a form someone else saved since is refused."""
    check_team_member(by)
    if date is None:
        raise DomainError(_("Ange datum."), field="date")
    if date > timezone.localdate():
        raise DomainError(_("Datumet kan inte vara i framtiden."), field="date")
    staff = check_staff(staff)
    sites = ", ".join(part.strip() for part in (sites or "").split(",") if part.strip())
    if len(sites) > 300:
        raise DomainError(_("Listan över webbplatser är för lång (högst 300 tecken)."),
                          field="sites")
    counts = {
        "ads_reviewed": check_count("ads_reviewed", ads_reviewed),
        "emails_sent": check_count("emails_sent", emails_sent),
        "replies": check_count("replies", replies),
    }
    if session is None:
        session = InternetSession.objects.create(date=date, sites=sites, created_by=by, **counts)
    else:
        session = InternetSession.objects.select_for_update().get(pk=session.pk)
        if expected_version is not None and session.version != expected_version:
            raise DomainError(_("Någon annan har sparat internetpasset medan du arbetade. Se "
                                "hur det ser ut nu och gör om din ändring."))
        session.date, session.sites = date, sites
        for name, value in counts.items():
            setattr(session, name, value)
        session.version += 1
        session.save()
    session.staff.set(staff)
    return session


@transaction.atomic
def save_email_template(template=None, *, by, expected_version=None, name, language, subject,
                        body, active=True):
    """Create (template None) or update one of the unit's information e-mails in a language.
    One template of a name per language."""
    check_team_member(by)
    name, subject, body = (name or "").strip(), (subject or "").strip(), (body or "").strip()
    if not name:
        raise DomainError(_("Ge mallen ett namn."), field="name")
    if language not in TemplateLanguage.values:
        raise DomainError(_("Välj språk."), field="language")
    if not subject:
        raise DomainError(_("Skriv en ämnesrad."), field="subject")
    if not body:
        raise DomainError(_("Skriv mejlets text."), field="body")
    clash = EmailTemplate.objects.filter(name=name, language=language)
    if template is not None:
        clash = clash.exclude(pk=template.pk)
    if clash.exists():
        raise DomainError(_("Det finns redan en mall med det namnet på det språket."),
                          field="name")
    values = {"name": name, "language": language, "subject": subject, "body": body,
              "active": active, "updated_by": by, "updated_at": timezone.now()}
    if template is None:
        return EmailTemplate.objects.create(**values)
    template = EmailTemplate.objects.select_for_update().get(pk=template.pk)
    if expected_version is not None and template.version != expected_version:
        raise DomainError(_("Någon annan har ändrat mallen medan du arbetade. Se hur den ser "
                            "ut nu och gör om din ändring."))
    for key, value in values.items():
        setattr(template, key, value)
    template.version += 1
    template.save()
    return template


# --- the addresses mailed, as keyed hashes ---------------------------------------------------


def _key():
    return (settings.OUTREACH_EMAIL_HASH_KEY or settings.SECRET_KEY).encode()


def normalise_address(address):
    """The address as compared: trimmed, without a mailto: or angle brackets, lower case."""
    address = (address or "").strip().strip("<>").strip()
    if address.lower().startswith("mailto:"):
        address = address[7:]
    return address.strip().lower()


def address_digest(address):
    """HMAC-SHA256 of the normalised address with the unit's key, hex."""
    return hmac.new(_key(), normalise_address(address).encode(), hashlib.sha256).hexdigest()


def split_addresses(text):
    """The pasted addresses: separated by new lines, commas, semicolons or spaces."""
    return [part for part in re.split(r"[\s,;]+", text or "") if part]


@dataclass
class AddressCheck:
    """What check_addresses found: addresses to mail now (their hashes are kept from today),
    addresses mailed within the period (skip them) and what is not an address. Only in the
    response shown to the worker; none of it is stored."""

    to_mail: list = field(default_factory=list)
    already_mailed: list = field(default_factory=list)
    invalid: list = field(default_factory=list)


def repeat_days():
    return settings.OUTREACH_EMAIL_REPEAT_DAYS


@transaction.atomic
def check_addresses(text, *, by, today=None):
    """The worker is about to mail the pasted addresses. Each valid address not mailed within
    the repeat period is to be mailed: its keyed hash is kept with today's date (a hash from
    before the period is renewed). Addresses mailed within the period are to be skipped.
    Three queries whatever the number of addresses (at most ADDRESSES_MAX)."""
    check_team_member(by)
    today = today or timezone.localdate()
    result = AddressCheck()
    digests = {}
    for raw in split_addresses(text):
        address = normalise_address(raw)
        try:
            validate_email(address)
        except ValidationError:
            result.invalid.append(raw[:200])
            continue
        digests.setdefault(address_digest(address), address)
    if not digests and not result.invalid:
        raise DomainError(_("Klistra in de adresser du ska mejla."), field="addresses")
    if len(digests) > ADDRESSES_MAX:
        raise DomainError(_("Högst %(max)d adresser åt gången.") % {"max": ADDRESSES_MAX},
                          field="addresses")
    since = today - timedelta(days=repeat_days())
    known = dict(
        EmailHash.objects.select_for_update().filter(digest__in=list(digests))
        .values_list("digest", "mailed_on")
    )
    renew = []
    for digest, address in digests.items():
        mailed_on = known.get(digest)
        if mailed_on is not None and mailed_on > since:
            result.already_mailed.append(address)
        else:
            result.to_mail.append(address)
            if mailed_on is not None:
                renew.append(digest)
    if renew:
        EmailHash.objects.filter(digest__in=renew).update(mailed_on=today)
    EmailHash.objects.bulk_create(
        [EmailHash(digest=d, mailed_on=today) for d in digests if d not in known],
        ignore_conflicts=True,
    )
    return result


@transaction.atomic
def weed_email_hashes(today=None, *, dry_run=False):
    """Delete the hashes of addresses last mailed before the repeat period; returns how many
    (dry_run: how many would be)."""
    today = today or timezone.localdate()
    old = EmailHash.objects.filter(mailed_on__lte=today - timedelta(days=repeat_days()))
    if dry_run:
        return old.count()
    deleted, _rows = old.delete()
    return deleted
