"""The clinic's rows of a patient record that weeding removes with it (DESIGN §5): samples,
encounters and appointments. A sample whose result is awaited, or whose result the patient
has not been told, keeps the record whatever its age."""

from django.db.models import Count, Q
from django.utils.translation import gettext_lazy as _

from prostenhet.retention import latest_dates

from .models import Appointment, Encounter, Sample, SampleState


def last_dates(client_ids):
    return latest_dates(
        Sample.objects.filter(journal__client_id__in=client_ids), "journal__client_id",
        "taken_at", "result_at", "informed_at",
    )


def holds(client_ids):
    rows = (
        Sample.objects.filter(
            journal__client_id__in=client_ids,
            state__in=[SampleState.TAKEN, SampleState.SENT, SampleState.RESULT],
        )
        .order_by().values("journal__client_id")
        .annotate(awaited=Count("id", filter=Q(state__in=[SampleState.TAKEN, SampleState.SENT])))
    )
    return {
        row["journal__client_id"]: (
            _("Provsvar väntas") if row["awaited"] else _("Patienten har inte fått provsvar")
        )
        for row in rows
    }


def rows(client_ids):
    return [
        Sample.objects.filter(journal__client_id__in=client_ids),
        Encounter.objects.filter(entry__journal__client_id__in=client_ids),
        Appointment.objects.filter(booking__client_id__in=client_ids),
    ]
