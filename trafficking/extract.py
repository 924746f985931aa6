"""Trafficking's rows in a client's register extract (GDPR art. 15): the client's cases with
their housing placements, authority contacts, deadlines and return home. Registered in
registry.extract_parts (provides.py)."""

from django.utils.translation import gettext as _

from prostenhet.registry import ExtractItem, ExtractPart
from prostenhet.roles import UnitCode

from .models import AuthorityContact, Deadline, HousingPlacement, ReturnHome, TraffickingCase

UNIT = UnitCode.TRAFFICKING


def items(client):
    """The client's trafficking rows as ExtractItems: five queries, whatever their number."""
    found = []
    cases = list(TraffickingCase.objects.filter(client=client).order_by("opened_on", "pk"))
    for case in cases:
        found.append(ExtractItem(
            key=f"trafficking.case:{case.pk}", unit=UNIT, kind=_("Ärende om människohandel"),
            day=case.opened_on, title=_("Ärende"),
            fields=(
                (_("Ursprungsland"), case.get_country_of_origin_display()),
                (_("Identifierad"), case.identified_on),
                (_("Hur personen identifierades"), case.get_identified_by_display()),
                (_("Inhemsk människohandel"), case.domestic),
                (_("Öppnat"), case.opened_on),
                (_("Avslutat"), case.closed_on),
            ),
        ))
    ids = [case.pk for case in cases]
    if not ids:
        return found
    for placement in HousingPlacement.objects.filter(case__in=ids).select_related(
        "provider"
    ).order_by("starts_on", "pk"):
        found.append(ExtractItem(
            key=f"trafficking.placement:{placement.pk}", unit=UNIT,
            kind=_("Placering i skyddat boende"), day=placement.starts_on,
            title=str(placement.provider),
            fields=((_("Från och med"), placement.starts_on),
                    (_("Till och med"), placement.ends_on)),
        ))
    for contact in AuthorityContact.objects.filter(case__in=ids).order_by("date", "pk"):
        found.append(ExtractItem(
            key=f"trafficking.authority:{contact.pk}", unit=UNIT, kind=_("Myndighetskontakt"),
            day=contact.date, title=str(contact.get_authority_display()),
            fields=((_("Syfte"), contact.purpose),), text=contact.outcome,
        ))
    for deadline in Deadline.objects.filter(case__in=ids).order_by("ends_on", "pk"):
        found.append(ExtractItem(
            key=f"trafficking.deadline:{deadline.pk}", unit=UNIT, kind=_("Tidsfrist"),
            day=deadline.ends_on, title=str(deadline.get_kind_display()),
            fields=((_("Slutar"), deadline.ends_on), (_("Hanterad"), deadline.done)),
            text=deadline.note,
        ))
    for home in ReturnHome.objects.filter(case__in=ids).order_by("date", "pk"):
        found.append(ExtractItem(
            key=f"trafficking.return:{home.pk}", unit=UNIT, kind=_("Återvändande"),
            day=home.date, title=str(home.get_state_display()),
            fields=((_("Land"), home.get_country_display()),
                    (_("Mottagande organisation"), home.receiving_organisation),
                    (_("Resan ordnad av"), home.get_arranged_by_display())),
        ))
    return found


PART = ExtractPart(key="trafficking", unit=UNIT, items=items, order=50)
