"""A victim's case (DESIGN §2, issue 10): the person is a client enrolled in the trafficking
unit (clients.services: register_client or enroll), whose languages and interpreter need are
the client's own fields; the case adds the country of origin, how and when the person was
identified, whether it is domestic trafficking and the raid it came from. With it: protected
housing placements (provider and dates, never an address), authority contacts, deadlines
(reflection period, temporary residence permit) and the return home.

Who sees a case is who reads the client's trafficking journal (the team, clients.access);
every operation here checks the facts, raises DomainError with a Swedish message, runs in a
transaction and takes the acting user."""

from datetime import timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from clients import access
from clients import services as client_services
from clients.models import Client, Journal
from prostenhet.exceptions import DomainError
from prostenhet.roles import UnitCode

from ..models import (
    ArrangedBy,
    Authority,
    AuthorityContact,
    Country,
    Deadline,
    DeadlineKind,
    HousingPlacement,
    IdentifiedBy,
    Raid,
    ReturnHome,
    ReturnState,
    TraffickingCase,
)
from .raids import check_team

__all__ = [
    "add_contact",
    "add_deadline",
    "add_placement",
    "close_case",
    "end_placement",
    "interpreter_language",
    "mark_deadline_done",
    "open_case",
    "register_case",
    "save_return",
    "update_case",
    "upcoming_deadlines",
    "visible_cases",
]

def _stale():
    return DomainError(_("Någon annan har ändrat ärendet medan du arbetade. Se de nya "
                         "uppgifterna och gör om din ändring."))


def visible_cases(user, *, write=False):
    """The cases whose client's trafficking journal the user may read (write=True: write)."""
    return access.in_readable_journals(user, TraffickingCase.objects.all(), write=write)


def interpreter_language(client):
    """The language to book an interpreter in for the client: the first of the client's
    languages when the client needs an interpreter, else ""."""
    if not client.interpreter_needed:
        return ""
    first = client.languages.replace(";", ",").split(",")[0].strip()
    return first[:60]


# --- the case ----------------------------------------------------------------------------------


def _check_case_fields(*, country_of_origin, identified_on, identified_by, domestic, raid,
                       opened_on=None):
    if country_of_origin not in Country.values:
        raise DomainError(_("Välj ursprungsland i listan."), field="country_of_origin")
    if identified_by not in IdentifiedBy.values:
        raise DomainError(_("Välj hur personen identifierades."), field="identified_by")
    if identified_on is None or identified_on > timezone.localdate():
        raise DomainError(_("Identifieringsdatumet kan inte vara i framtiden."),
                          field="identified_on")
    if domestic and country_of_origin != Country.SE:
        raise DomainError(
            _("Inhemsk människohandel gäller en svensk medborgare som utnyttjats i Sverige: "
              "ursprungslandet är då Sverige."), field="country_of_origin",
        )
    if raid is not None:
        if identified_by != IdentifiedBy.RAID:
            raise DomainError(_("Ett ärende från ett tillslag identifierades vid tillslaget."),
                              field="identified_by")
        if identified_on < raid.date:
            raise DomainError(_("Personen kan inte ha identifierats vid tillslaget före "
                                "tillslagets datum."), field="identified_on")
    if opened_on is not None and identified_on > opened_on:
        raise DomainError(_("Identifieringen kan inte vara efter att ärendet öppnades."),
                          field="identified_on")


def _check_raid_room(raid, *, case=None):
    """A raid gives at most as many cases as persons accepted support."""
    raid = Raid.objects.select_for_update().get(pk=raid.pk)
    linked = raid.cases.exclude(pk=getattr(case, "pk", None)).count()
    if linked >= raid.persons_accepted:
        raise DomainError(
            _("Alla som tackade ja till stöd vid tillslaget (%(count)d) har redan ett ärende. "
              "Ändra antalet på tillslaget först.") % {"count": raid.persons_accepted},
            field="raid",
        )
    return raid


@transaction.atomic
def open_case(client, *, by, country_of_origin, identified_by, identified_on=None,
              domestic=False, raid=None):
    """Open a case for a client the user may see: enrol the client in the trafficking unit
    when not yet enrolled (clients.services.enroll), then the case. One open case per
    client."""
    check_team(by)
    identified_on = identified_on or timezone.localdate()
    _check_case_fields(country_of_origin=country_of_origin, identified_on=identified_on,
                       identified_by=identified_by, domestic=domestic, raid=raid)
    if raid is not None:
        raid = _check_raid_room(raid)
    client = Client.objects.select_for_update().get(pk=client.pk)
    if client.is_tombstone:
        raise DomainError(_("Klienten är sammanslagen med en annan."))
    if TraffickingCase.objects.open().filter(client=client).exists():
        raise DomainError(_("Klienten har redan ett öppet ärende."))
    if not client.enrollments.active().filter(unit=UnitCode.TRAFFICKING).exists():
        client_services.enroll(client, UnitCode.TRAFFICKING, by=by)
    journal = Journal.objects.get(client=client, unit=UnitCode.TRAFFICKING,
                                  merged_into__isnull=True)
    try:
        with transaction.atomic():
            return TraffickingCase.objects.create(
                client=client, journal=journal, country_of_origin=country_of_origin,
                identified_on=identified_on, identified_by=identified_by, domestic=domestic,
                raid=raid, created_by=by,
            )
    except IntegrityError:
        raise DomainError(_("Klienten har redan ett öppet ärende.")) from None


@transaction.atomic
def register_case(*, by, alias, country_of_origin, identified_by, identified_on=None,
                  domestic=False, raid=None, estimated_age=None, **client_fields):
    """Register a new person as a client of the trafficking unit (clients.services.
    register_client: adults only) and open the case. client_fields are the registry's
    (gender, birth year, languages, interpreter need...)."""
    check_team(by)
    _check_case_fields(country_of_origin=country_of_origin,
                       identified_on=identified_on or timezone.localdate(),
                       identified_by=identified_by, domestic=domestic, raid=raid)
    client = client_services.register_client(
        unit=UnitCode.TRAFFICKING, by=by, alias=alias, estimated_age=estimated_age,
        **client_fields,
    )
    return open_case(client, by=by, country_of_origin=country_of_origin,
                     identified_by=identified_by, identified_on=identified_on,
                     domestic=domestic, raid=raid)


def _locked_case(case, expected_version=None, *, open_only=True):
    locked = TraffickingCase.objects.select_for_update().get(pk=case.pk)
    if expected_version is not None and locked.version != expected_version:
        raise _stale()
    if open_only and not locked.is_open:
        raise DomainError(_("Ärendet är avslutat."))
    return locked


@transaction.atomic
def update_case(case, *, by, expected_version, country_of_origin, identified_by, identified_on,
                domestic=False, raid=None):
    """Change the case's facts, if nobody else changed them since expected_version."""
    check_team(by)
    locked = _locked_case(case, expected_version, open_only=False)
    _check_case_fields(country_of_origin=country_of_origin, identified_on=identified_on,
                       identified_by=identified_by, domestic=domestic, raid=raid,
                       opened_on=locked.opened_on)
    if raid is not None and raid.pk != locked.raid_id:
        raid = _check_raid_room(raid, case=locked)
    returned = ReturnHome.objects.filter(case=locked).first()
    if returned is not None and returned.date < identified_on:
        raise DomainError(_("Återvändandet är registrerat före det nya identifieringsdatumet."),
                          field="identified_on")
    locked.country_of_origin = country_of_origin
    locked.identified_by = identified_by
    locked.identified_on = identified_on
    locked.domestic = domestic
    locked.raid = raid
    locked.version += 1
    locked.save()
    return locked


@transaction.atomic
def close_case(case, *, by, expected_version, closed_on=None):
    """Close the case (the client's enrollment is ended on the client's page, if at all)."""
    check_team(by)
    locked = _locked_case(case, expected_version)
    closed_on = closed_on or timezone.localdate()
    if closed_on > timezone.localdate():
        raise DomainError(_("Ärendet kan inte avslutas i förväg."), field="closed_on")
    if closed_on < locked.opened_on:
        raise DomainError(_("Ärendet kan inte avslutas före den dag det öppnades."),
                          field="closed_on")
    locked.closed_on = closed_on
    locked.version += 1
    locked.save()
    return locked


# --- housing -----------------------------------------------------------------------------------


@transaction.atomic
def add_placement(case, *, by, provider, starts_on, ends_on=None):
    """A placement in protected housing. Ends on or after it starts, begins no earlier than
    the identification, and overlaps no other placement of the case."""
    check_team(by)
    locked = _locked_case(case)
    if not provider.active:
        raise DomainError(_("Välj ett av boendena i listan."), field="provider")
    if starts_on < locked.identified_on:
        raise DomainError(_("Placeringen kan inte börja före identifieringen."),
                          field="starts_on")
    if ends_on is not None and ends_on < starts_on:
        raise DomainError(_("Placeringen kan inte sluta före den börjar."), field="ends_on")
    _check_overlap(locked, starts_on, ends_on)
    return HousingPlacement.objects.create(case=locked, provider=provider, starts_on=starts_on,
                                           ends_on=ends_on, created_by=by)


def _check_overlap(case, starts_on, ends_on, *, exclude=None):
    far = starts_on + timedelta(days=365 * 100)
    for other in case.placements.exclude(pk=exclude).only("starts_on", "ends_on"):
        if other.starts_on <= (ends_on or far) and starts_on <= (other.ends_on or far):
            raise DomainError(
                _("Placeringen överlappar en annan placering (från %(day)s).")
                % {"day": other.starts_on.isoformat()}, field="starts_on",
            )


@transaction.atomic
def end_placement(placement, *, by, ends_on):
    check_team(by)
    _locked_case(placement.case, open_only=False)
    placement = HousingPlacement.objects.select_for_update().get(pk=placement.pk)
    if ends_on < placement.starts_on:
        raise DomainError(_("Placeringen kan inte sluta före den börjar."), field="ends_on")
    _check_overlap(placement.case, placement.starts_on, ends_on, exclude=placement.pk)
    placement.ends_on = ends_on
    placement.save(update_fields=["ends_on"])
    return placement


# --- authority contacts and deadlines ----------------------------------------------------------


@transaction.atomic
def add_contact(case, *, by, authority, date, purpose, outcome=""):
    check_team(by)
    locked = _locked_case(case)
    if authority not in Authority.values:
        raise DomainError(_("Välj myndighet."), field="authority")
    if date > timezone.localdate():
        raise DomainError(_("En kontakt kan inte registreras i förväg: datumet är i "
                            "framtiden."), field="date")
    if not purpose.strip():
        raise DomainError(_("Ange kontaktens syfte."), field="purpose")
    return AuthorityContact.objects.create(case=locked, authority=authority, date=date,
                                           purpose=purpose.strip(), outcome=outcome.strip(),
                                           created_by=by)


@transaction.atomic
def add_deadline(case, *, by, kind, ends_on, note=""):
    check_team(by)
    locked = _locked_case(case)
    if kind not in DeadlineKind.values:
        raise DomainError(_("Välj typ av tidsfrist."), field="kind")
    if ends_on < locked.identified_on:
        raise DomainError(_("Tidsfristen kan inte sluta före identifieringen."),
                          field="ends_on")
    return Deadline.objects.create(case=locked, kind=kind, ends_on=ends_on,
                                   note=note.strip(), created_by=by)


@transaction.atomic
def mark_deadline_done(deadline, *, by, expected_version=None):
    """The deadline is handled (a decision came, a permit was renewed): off the start page."""
    check_team(by)
    locked = Deadline.objects.select_for_update().get(pk=deadline.pk)
    if expected_version is not None and locked.version != expected_version:
        raise _stale()
    if locked.done:
        raise DomainError(_("Tidsfristen är redan markerad som hanterad."))
    locked.done, locked.done_at, locked.done_by = True, timezone.now(), by
    locked.version += 1
    locked.save()
    return locked


def upcoming_deadlines(user, *, days=None, limit=20):
    """Deadlines not yet handled of the user's team's open cases that end within `days`
    (settings.TRAFFICKING_DEADLINE_DAYS) or have passed, soonest first: at most limit (one
    query)."""
    days = settings.TRAFFICKING_DEADLINE_DAYS if days is None else days
    horizon = timezone.localdate() + timedelta(days=days)
    cases = visible_cases(user).filter(closed_on__isnull=True)
    return list(
        Deadline.objects.filter(done=False, ends_on__lte=horizon, case__in=cases)
        .select_related("case__client")
        .order_by("ends_on", "pk")[:limit]
    )


# --- the return home ---------------------------------------------------------------------------


@transaction.atomic
def save_return(case, *, by, state, date, country, arranged_by, receiving_organisation="",
                expected_version=None):
    """Plan or record the return home (one per case): never before the identification; a
    completed return has happened (not in the future)."""
    check_team(by)
    locked = _locked_case(case, open_only=False)
    if state not in ReturnState.values:
        raise DomainError(_("Välj om återvändandet är planerat eller genomfört."), field="state")
    if country not in Country.values:
        raise DomainError(_("Välj land i listan."), field="country")
    if arranged_by not in ArrangedBy.values:
        raise DomainError(_("Välj vem som ordnade resan."), field="arranged_by")
    if date < locked.identified_on:
        raise DomainError(
            _("Återvändandet kan inte vara före identifieringen (%(day)s).")
            % {"day": locked.identified_on.isoformat()}, field="date",
        )
    if state == ReturnState.COMPLETED and date > timezone.localdate():
        raise DomainError(_("Ett genomfört återvändande kan inte ha ett datum i framtiden."),
                          field="date")
    values = {"state": state, "date": date, "country": country, "arranged_by": arranged_by,
              "receiving_organisation": receiving_organisation.strip()}
    current = ReturnHome.objects.select_for_update().filter(case=locked).first()
    if current is None:
        if expected_version not in (None, 0):
            raise _stale()
        return ReturnHome.objects.create(case=locked, created_by=by, **values)
    if expected_version is not None and current.version != expected_version:
        raise _stale()
    for name, value in values.items():
        setattr(current, name, value)
    current.version += 1
    current.save()
    return current
