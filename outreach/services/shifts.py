"""Street outreach (issue 10): shifts, the contacts made on them and the team's nicknames.

A shift is opened with its date, times, staff and areas, gets contacts while it is open, and
is closed with its report and observations (counts). A contact is first or repeat, with a
registered client of the unit (found by search among the clients the user may see) or
anonymous — perceived gender, age band, language and, optionally, the team's nickname for the
person, so that repeat contacts with one person count as one person without registering
anyone. A nickname person who agrees to be registered becomes a client of the unit, and the
nickname's contacts move to the client. Every operation runs in a transaction, takes the
acting user and raises DomainError with a Swedish message."""

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.db import IntegrityError, transaction
from django.db.models import Count, Q
from django.db.models.functions import ExtractYear
from django.utils import timezone
from django.utils.translation import gettext as _

from clients import access
from clients import services as client_services
from clients.models import AgeBand, ConsentMethod, Gender, Register
from prostenhet.exceptions import DomainError
from prostenhet.lib.text import fold
from prostenhet.roles import UnitCode

from ..models import (
    MAX_SHIFT_HOURS,
    Contact,
    ContactOutcome,
    MaterialKind,
    Nickname,
    OfferKind,
    Shift,
    ShiftMaterial,
)
from .common import check_count, check_staff, check_team_member

__all__ = [
    "ContactFigures",
    "NICKNAME_MAX",
    "NOTE_MAX",
    "add_contact",
    "close_shift",
    "contact_figures",
    "contact_figures_by_year",
    "outreach_clients",
    "open_shift",
    "register_nickname",
    "update_shift",
]

NOTE_MAX = 200
NICKNAME_MAX = 60
LANGUAGE_MAX = 60
REPORT_MAX = 2000

# The shift's observations: people seen selling by perceived gender, and buyers.
COUNT_FIELDS = ("seen_women", "seen_men", "seen_trans", "buyers_seen")


def outreach_clients(user):
    """The registered clients a contact may be with: those the user may see, in the main
    register, enrolled in outreach now."""
    return access.visible_clients(user).filter(
        register=Register.MAIN, enrollments__unit=UnitCode.OUTREACH,
        enrollments__ended_on__isnull=True,
    )


def _check_times(starts_at, ends_at, *, now=None):
    now = now or timezone.now()
    if starts_at is None or ends_at is None:
        raise DomainError(_("Ange när passet börjar och slutar."), field="starts")
    if ends_at <= starts_at:
        raise DomainError(_("Passet kan inte sluta innan det börjar."), field="ends")
    if ends_at - starts_at > timedelta(hours=MAX_SHIFT_HOURS):
        raise DomainError(
            _("Ett pass kan inte vara längre än %(hours)d timmar.") % {"hours": MAX_SHIFT_HOURS},
            field="ends",
        )
    if timezone.localdate(starts_at) > timezone.localdate(now):
        raise DomainError(_("Passet kan inte börja ett senare datum än i dag."), field="date")


@transaction.atomic
def open_shift(*, starts_at, ends_at, staff, areas=(), by):
    """Open a shift: from starts_at to ends_at (it may pass midnight; at most 16 hours; not
    starting a later day than today) with its staff (of the outreach team) and the areas
    to visit."""
    check_team_member(by)
    _check_times(starts_at, ends_at)
    staff = check_staff(staff)
    shift = Shift.objects.create(starts_at=starts_at, ends_at=ends_at, created_by=by)
    shift.staff.set(staff)
    shift.areas.set(list(areas or []))
    return shift


def _materials(materials):
    """{MaterialKind: count} checked: counts zero or more."""
    checked = {}
    for kind, count in (materials or {}).items():
        if not isinstance(kind, MaterialKind):
            kind = MaterialKind.objects.get(pk=kind)
        checked[kind] = check_count(f"material_{kind.pk}", count)
    return checked


@transaction.atomic
def update_shift(shift, *, by, expected_version, starts_at, ends_at, staff, areas=(),
                 report="", materials=None, close=False, **counts):
    """Save the shift's times, staff, areas, report, observations (counts ≥ 0) and material
    handed out ({kind: count}; zero removes the row). Refused if someone else saved the shift
    after the form was shown (expected_version). close=True also closes it: no contact is
    added after that."""
    check_team_member(by)
    locked = Shift.objects.select_for_update().get(pk=shift.pk)
    if expected_version is not None and locked.version != expected_version:
        raise DomainError(
            _("Någon annan har sparat passet medan du arbetade. Se hur det ser ut nu och gör "
              "om din ändring."),
        )
    _check_times(starts_at, ends_at)
    staff = check_staff(staff)
    report = (report or "").strip()
    if len(report) > REPORT_MAX:
        raise DomainError(
            _("Passrapporten får vara högst %(max)d tecken.") % {"max": REPORT_MAX},
            field="report",
        )
    unknown = set(counts) - set(COUNT_FIELDS)
    if unknown:
        raise TypeError(f"unknown counts: {sorted(unknown)}")
    values = {name: check_count(name, counts.get(name, getattr(locked, name)))
              for name in COUNT_FIELDS}
    checked_materials = _materials(materials) if materials is not None else None
    if close and not locked.is_open:
        raise DomainError(_("Passet är redan avslutat."))
    if close and locked.contacts.filter(at__gt=ends_at).exists():
        raise DomainError(_("Det finns kontakter registrerade efter sluttiden: ange när passet "
                            "slutade."), field="ends")

    locked.starts_at, locked.ends_at, locked.report = starts_at, ends_at, report
    for name, value in values.items():
        setattr(locked, name, value)
    if close:
        locked.closed_at, locked.closed_by = timezone.now(), by
    locked.version += 1
    locked.save()
    locked.staff.set(staff)
    locked.areas.set(list(areas or []))
    if checked_materials is not None:
        existing = {row.kind_id: row for row in locked.materials.all()}
        for kind, count in checked_materials.items():
            row = existing.get(kind.pk)
            if count == 0:
                if row is not None:
                    row.delete()
            elif row is None:
                ShiftMaterial.objects.create(shift=locked, kind=kind, count=count)
            elif row.count != count:
                row.count = count
                row.save(update_fields=["count"])
    return locked


def close_shift(shift, **fields):
    """update_shift(..., close=True): the report and counts saved and the shift closed."""
    return update_shift(shift, close=True, **fields)


# --- contacts ----------------------------------------------------------------------------------


def _nickname(name, *, by, now):
    """The unregistered nickname of that name (case and accents folded), or a new one."""
    folded = fold(name)[:NICKNAME_MAX]
    found = Nickname.objects.select_for_update().filter(
        name_folded=folded, client__isnull=True
    ).first()
    if found is not None:
        return found, False
    try:
        with transaction.atomic():
            return Nickname.objects.create(
                name=name, created_by=by, created_at=now, last_seen_at=now,
            ), True
    except IntegrityError:
        # Someone else named the person a moment ago.
        return Nickname.objects.select_for_update().get(
            name_folded=folded, client__isnull=True
        ), False


@transaction.atomic
def add_contact(shift, *, by, first_contact, client=None, nickname="",
                perceived_gender=Gender.NOT_STATED, age_band=AgeBand.UNKNOWN, language="",
                offered=(), outcome=ContactOutcome.INFORMATION, note="", at=None):
    """Record a contact on an open shift: with a registered outreach client the user may see,
    or anonymous (perceived gender, age band, language) with an optional nickname — an
    existing one (same name, case and accents aside) or a new one. A "first contact" with a
    person the team has met before is refused. Returns the Contact."""
    check_team_member(by)
    locked = Shift.objects.select_for_update().get(pk=shift.pk)
    if not locked.is_open:
        raise DomainError(_("Passet är avslutat: inga nya kontakter kan läggas till."))
    now = timezone.now()
    at = at or now
    if at > now + timedelta(minutes=5):
        raise DomainError(_("En kontakt kan inte registreras i förväg."))
    nickname = " ".join((nickname or "").split())
    if client is not None and nickname:
        raise DomainError(
            _("Välj antingen en registrerad klient eller ett smeknamn, inte båda."),
            field="nickname",
        )
    if client is not None and not outreach_clients(by).filter(pk=client.pk).exists():
        raise DomainError(_("Du kan inte välja den klienten."), field="client")
    if len(nickname) > NICKNAME_MAX:
        raise DomainError(
            _("Smeknamnet får vara högst %(max)d tecken.") % {"max": NICKNAME_MAX},
            field="nickname",
        )
    if perceived_gender not in Gender.values:
        raise DomainError(_("Välj kön."), field="perceived_gender")
    if age_band not in AgeBand.values:
        raise DomainError(_("Välj ålder."), field="age_band")
    offered = set(offered or ())
    if offered - set(OfferKind.values):
        raise DomainError(_("Välj bland erbjudandena."), field="offered")
    if outcome not in ContactOutcome.values:
        raise DomainError(_("Välj utfall."), field="outcome")
    note = (note or "").strip()
    if len(note) > NOTE_MAX:
        raise DomainError(_("Kommentaren får vara högst %(max)d tecken.") % {"max": NOTE_MAX},
                          field="note")
    language = (language or "").strip()
    if len(language) > LANGUAGE_MAX:
        raise DomainError(_("Språket får vara högst %(max)d tecken.") % {"max": LANGUAGE_MAX},
                          field="language")

    person = None
    if nickname:
        # The team's name for someone since registered: the contact is with the client, so
        # that one person still counts once.
        registered = Nickname.objects.filter(
            name_folded=fold(nickname)[:NICKNAME_MAX], client__isnull=False
        ).select_related("client").order_by("-pk").first()
        if registered is not None and access.can_view_client(by, registered.client):
            client, nickname = registered.client, ""
    if nickname:
        person, created = _nickname(nickname, by=by, now=now)
        met_before = not created and person.contacts.exists()
    elif client is not None:
        met_before = Contact.objects.filter(client=client).exists()
    else:
        met_before = False
    if first_contact and met_before:
        raise DomainError(
            _("%(who)s har träffats förut: välj återkommande kontakt.") % {
                "who": person.name if person is not None else client.alias,
            },
            field="first_contact",
        )
    contact = Contact.objects.create(
        shift=locked, at=at, recorded_by=by, first_contact=first_contact, client=client,
        nickname=person,
        # What is perceived of an anonymous person; a registered client's are in the registry.
        perceived_gender=perceived_gender if client is None else Gender.NOT_STATED,
        age_band=age_band if client is None else AgeBand.UNKNOWN,
        language=language, outcome=outcome, note=note,
        **{f"offered_{kind}": kind in offered for kind in OfferKind.values},
    )
    if person is not None and person.last_seen_at < at:
        person.last_seen_at = at
        person.save(update_fields=["last_seen_at"])
    return contact


# --- nicknames become clients -----------------------------------------------------------------


@transaction.atomic
def register_nickname(nickname, *, by, consent_method, alias="", **client_fields):
    """The person the team calls `nickname` agrees to be registered: register them as a
    client of outreach (clients.services.register_client; UnderAgeError and
    DuplicateClientError pass through) and move the nickname's contacts to the client.
    Without the person's consent (consent_method: how it was given) nobody is registered."""
    check_team_member(by)
    if consent_method not in ConsentMethod.values:
        raise DomainError(
            _("Personen måste samtycka till att registreras: välj hur samtycket gavs."),
            field="consent_method",
        )
    locked = Nickname.objects.select_for_update().get(pk=nickname.pk)
    if locked.client_id is not None:
        raise DomainError(_("%(name)s är redan registrerad som klient.") % {"name": locked.name})
    alias = (alias or "").strip() or locked.name
    client = client_services.register_client(
        unit=UnitCode.OUTREACH, by=by, alias=alias, **client_fields
    )
    moved = Contact.objects.filter(nickname=locked).update(client=client, nickname=None)
    locked.client, locked.registered_at, locked.registered_by = client, timezone.now(), by
    locked.save(update_fields=["client", "registered_at", "registered_by"])
    client.moved_contacts = moved
    return client


# --- figures for the statistics -------------------------------------------------------------


@dataclass(frozen=True)
class ContactFigures:
    contacts: int
    first_contacts: int
    repeat_contacts: int
    registered_persons: int
    nickname_persons: int
    unnamed_contacts: int

    @property
    def distinct_persons(self):
        """Registered clients and nicknames, each counted once. Anonymous contacts without a
        nickname cannot be told apart and are counted as contacts only."""
        return self.registered_persons + self.nickname_persons


def _aware(day, at=time.min):
    return timezone.make_aware(datetime.combine(day, at))


def _contact_aggregates():
    """The aggregates behind ContactFigures, for aggregate() or a grouped annotate()."""
    return {
        "contacts": Count("pk"),
        "first_contacts": Count("pk", filter=Q(first_contact=True)),
        "registered_persons": Count("client", distinct=True),
        "nickname_persons": Count("nickname", distinct=True),
        "unnamed_contacts": Count("pk", filter=Q(client__isnull=True, nickname__isnull=True)),
    }


def _contact_figures(row):
    return ContactFigures(
        contacts=row["contacts"], first_contacts=row["first_contacts"],
        repeat_contacts=row["contacts"] - row["first_contacts"],
        registered_persons=row["registered_persons"],
        nickname_persons=row["nickname_persons"],
        unnamed_contacts=row["unnamed_contacts"],
    )


def contact_figures(first_day, last_day):
    """The contacts of [first_day, last_day] (local dates, inclusive) in one query: all,
    first and repeat, the distinct persons met (registered clients + nicknames, each once)
    and the anonymous contacts without a nickname."""
    return _contact_figures(Contact.objects.filter(
        at__gte=_aware(first_day), at__lt=_aware(last_day + timedelta(days=1))
    ).aggregate(**_contact_aggregates()))


def contact_figures_by_year(years):
    """{year: ContactFigures} for the calendar years (Stockholm time), in one query whatever
    the number of years: contact_figures() of each year."""
    rows = (
        Contact.objects.filter(at__gte=_aware(date(min(years), 1, 1)),
                               at__lt=_aware(date(max(years) + 1, 1, 1)))
        .annotate(year=ExtractYear("at"))
        .values("year")
        .annotate(**_contact_aggregates())
        .order_by()
    )
    found = {row["year"]: row for row in rows}
    empty = dict.fromkeys(_contact_aggregates(), 0)
    return {year: _contact_figures(found.get(year, empty)) for year in years}
