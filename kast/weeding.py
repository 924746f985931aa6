"""KAST's rows of a client's record that weeding removes with it (DESIGN §5): the calls
with the client and the client's KAST profile (how they came to KAST)."""

from prostenhet.retention import latest_dates

from .models import Call, KastProfile


def last_dates(client_ids):
    calls = latest_dates(Call.objects.filter(client_id__in=client_ids), "client_id",
                         "occurred_at")
    profiles = latest_dates(KastProfile.objects.filter(client_id__in=client_ids), "client_id",
                            "updated_at")
    return {client_id: max(day for day in (calls.get(client_id), profiles.get(client_id)) if day)
            for client_id in calls.keys() | profiles.keys()}


def holds(client_ids):
    return {}


def rows(client_ids):
    return [
        Call.objects.filter(client_id__in=client_ids),
        KastProfile.objects.filter(client_id__in=client_ids),
    ]
