"""Outreach's rows of a client's record that weeding removes with it (DESIGN §5): the street
contacts with the client (and with the nickname the client was met under before being
registered), the nickname, and the support actions written with the journal entries."""

from django.db.models import Q

from prostenhet.retention import latest_dates

from .models import Contact, Nickname, SupportAction


def last_dates(client_ids):
    return latest_dates(Contact.objects.filter(client_id__in=client_ids), "client_id", "at")


def holds(client_ids):
    return {}


def rows(client_ids):
    return [
        SupportAction.objects.filter(entry__journal__client_id__in=client_ids),
        Contact.objects.filter(
            Q(client_id__in=client_ids) | Q(nickname__client_id__in=client_ids)
        ),
        Nickname.objects.filter(client_id__in=client_ids),
    ]
