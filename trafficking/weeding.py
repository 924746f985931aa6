"""Trafficking's rows of a client's record that weeding removes with it (DESIGN §5): the
case and what hangs on it (placements, authority contacts, deadlines, the return home). An
open case keeps the record whatever its age."""

from django.utils.translation import gettext_lazy as _

from prostenhet.retention import latest_dates

from .models import AuthorityContact, Deadline, HousingPlacement, ReturnHome, TraffickingCase


def last_dates(client_ids):
    found = [
        latest_dates(TraffickingCase.objects.filter(client_id__in=client_ids), "client_id",
                     "opened_on", "closed_on", "identified_on"),
        latest_dates(HousingPlacement.objects.filter(case__client_id__in=client_ids),
                     "case__client_id", "starts_on", "ends_on"),
        latest_dates(AuthorityContact.objects.filter(case__client_id__in=client_ids),
                     "case__client_id", "date"),
        latest_dates(Deadline.objects.filter(case__client_id__in=client_ids),
                     "case__client_id", "ends_on", "done_at"),
        latest_dates(ReturnHome.objects.filter(case__client_id__in=client_ids),
                     "case__client_id", "date"),
    ]
    latest = {}
    for dates in found:
        for client_id, day in dates.items():
            latest[client_id] = max(day, latest.get(client_id, day))
    return latest


def holds(client_ids):
    open_cases = TraffickingCase.objects.filter(client_id__in=client_ids, closed_on__isnull=True)
    return {client_id: _("Ärendet är öppet")
            for client_id in open_cases.values_list("client_id", flat=True)}


def rows(client_ids):
    cases = {"case__client_id__in": client_ids}
    return [
        ReturnHome.objects.filter(**cases),
        Deadline.objects.filter(**cases),
        AuthorityContact.objects.filter(**cases),
        HousingPlacement.objects.filter(**cases),
        TraffickingCase.objects.filter(client_id__in=client_ids),
    ]
