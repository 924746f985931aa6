"""KAST's rows in a client's register extract (GDPR art. 15): the client's calls and what KAST
keeps on the client (how they came to KAST). Asked only for an extract that covers KAST, that
is one produced inside KAST. Registered in registry.extract_parts (provides.py)."""

from django.utils.translation import gettext as _

from prostenhet.registry import ExtractItem, ExtractPart
from prostenhet.roles import UnitCode

from .models import Call, KastProfile

UNIT = UnitCode.KAST


def items(client):
    """The client's KAST rows as ExtractItems: two queries, whatever their number."""
    found = []
    profile = KastProfile.objects.filter(client=client).first()
    if profile is not None:
        found.append(ExtractItem(
            key=f"kast.profile:{profile.pk}", unit=UNIT, kind=_("KAST-uppgifter"),
            day=profile.updated_at, title=_("KAST-uppgifter"),
            fields=((_("Hänvisningsväg"), profile.get_referral_source_display()),),
        ))
    for call in Call.objects.filter(client=client).select_related("counsellor").order_by(
        "occurred_at", "pk"
    ):
        found.append(ExtractItem(
            key=f"kast.call:{call.pk}", unit=UNIT, kind=_("Samtal till KAST"),
            day=call.occurred_at, title=str(call.get_channel_display()),
            fields=(
                (_("Tidpunkt"), call.occurred_at),
                (_("Längd i minuter"), call.minutes),
                (_("Hörde om KAST via"), call.get_heard_via_display()),
                (_("Ämnen"), call.topic_labels),
                (_("Utfall"), call.get_outcome_display()),
                (_("Behandlare"), str(call.counsellor)),
            ),
            text=call.summary,
        ))
    return found


PART = ExtractPart(key="kast", unit=UNIT, items=items, order=40)
