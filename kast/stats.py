"""KAST's yearly figures for the managers' statistics page (DESIGN §7, issue 11): counts only,
never a name, a caller code or a call's text. KAST is sealed off from other staff, but managers
see these aggregates.

What is counted, per calendar year (Stockholm time):
- A call or e-mail: a kast.Call whose occurred_at falls in the year, counted by channel and by
  how the caller heard of KAST (heard_via), or by how it ended (outcome). Every call counts,
  anonymous or a client's.
- A session held: a clients.Booking of the unit KAST with a client and status arrived or
  completed, placed in the year by starts_at. Contract or not: the first session booked from a
  call counts too (the clients app's statistics give the contracted sessions held, cancelled
  and missed; this adds the KAST total per month beside the calls).
- A client in sessions: a distinct client with at least one session held in the year, by the
  referral source kept on the client (kast.KastProfile; "not recorded" without one). Each
  client has one referral source, so each counts in exactly one row.
- Buyers reached: the sums of kast.BuyerOutreach counts whose day falls in the year, by kind
  (street contacts, letters after police questioning), whether counted per shift or per month.

tables(years) runs four queries, whatever the data and the number of years."""

from collections import Counter

from django.db.models import Count, Sum
from django.db.models.functions import ExtractMonth
from django.utils.translation import gettext_lazy as _

from clients.models import Booking, BookingStatus
from prostenhet.roles import UnitCode
from prostenhet.stats import MONTHS, Row, Table, tally

from .models import BuyerOutreach, Call, CallChannel, CallOutcome, HeardVia, OutreachKind

HELD = (BookingStatus.ARRIVED, BookingStatus.COMPLETED)
CHANNELS = list(CallChannel)


def held_sessions():
    """KAST's sessions held: bookings of the unit with a client, arrived or completed."""
    return Booking.objects.filter(unit=UnitCode.KAST, status__in=HELD, client__isnull=False)


def tables(years):
    """{year: [Table, ...]} for each of the years (four queries in all)."""
    calls = tally(Call.objects.all(), "occurred_at", years, "heard_via", "outcome", "channel",
                  month=ExtractMonth("occurred_at"))
    sessions = tally(held_sessions(), "starts_at", years, month=ExtractMonth("starts_at"))
    clients = tally(held_sessions(), "starts_at", years, "client__kast_profile__referral_source",
                    value=Count("client", distinct=True))
    outreach = tally(BuyerOutreach.objects.all(), "day", years, "kind", value=Sum("count"))
    return {
        year: [
            _calls_by_source(_sums(calls[year], 0, 2)),
            _calls_by_outcome(_sums(calls[year], 1, 2)),
            _by_month(_sums(calls[year], 3), sessions[year]),
            _clients_by_source(clients[year]),
            _buyers_reached(outreach[year]),
        ]
        for year in years
    }


def _sums(counts, *positions):
    """A tally's counts summed over the other group values: {(values at positions): n}."""
    sums = Counter()
    for key, n in counts.items():
        sums[tuple(key[i] for i in positions)] += n
    return sums


def _calls_by_source(counts):
    return Table(
        key="kast-calls-heard-via", unit=UnitCode.KAST,
        title=_("Samtal och mejl efter hur de hörde talas om KAST"),
        row_heading=_("Hörde om KAST via"),
        columns=[channel.label for channel in CHANNELS],
        rows=[
            Row(source.label, [counts[source.value, channel.value] for channel in CHANNELS])
            for source in HeardVia
        ],
        row_totals=True, column_totals=True,
        description=_("Samtal och mejl till KAST:s rådgivning under året, anonyma och "
                      "klienters, efter hur personen hörde talas om KAST."),
    )


def _calls_by_outcome(counts):
    return Table(
        key="kast-calls-outcome", unit=UnitCode.KAST,
        title=_("Samtal och mejl efter utfall"),
        row_heading=_("Utfall"),
        columns=[channel.label for channel in CHANNELS],
        rows=[
            Row(outcome.label, [counts[outcome.value, channel.value] for channel in CHANNELS])
            for outcome in CallOutcome
        ],
        row_totals=True, column_totals=True,
        description=_("Samtal och mejl till KAST:s rådgivning under året efter hur de "
                      "slutade."),
    )


def _by_month(calls, sessions):
    return Table(
        key="kast-months", unit=UnitCode.KAST,
        title=_("Samtal, mejl och genomförda behandlingssamtal per månad"),
        row_heading=_("Månad"),
        columns=[_("Samtal och mejl"), _("Genomförda behandlingssamtal")],
        rows=[
            Row(MONTHS[month - 1], [calls[(month,)], sessions.get((month,), 0)])
            for month in range(1, 13)
        ],
        column_totals=True, compare_column=0,
        description=_("Samtal och mejl till rådgivningen, och KAST:s behandlingssamtal där "
                      "klienten kom (med eller utan kontrakt), efter månad."),
    )


def _clients_by_source(counts):
    rows = [Row(source.label, [counts.get((source.value,), 0)]) for source in HeardVia]
    rows.append(Row(_("Uppgift saknas"), [counts.get((None,), 0)]))
    return Table(
        key="kast-clients-referral", unit=UnitCode.KAST,
        title=_("Klienter i samtal efter hänvisningsväg"),
        row_heading=_("Hänvisningsväg"),
        columns=[_("Klienter")],
        rows=rows,
        column_totals=True,
        description=_("Klienter som haft minst ett genomfört behandlingssamtal i KAST under "
                      "året, var och en en gång, efter hur de kom till KAST."),
    )


def _buyers_reached(counts):
    return Table(
        key="kast-buyers", unit=UnitCode.KAST,
        title=_("Uppsökande mot köpare"),
        row_heading=_("Slag"),
        columns=[_("Antal")],
        rows=[Row(kind.label, [counts.get((kind.value,), None) or 0]) for kind in OutreachKind],
        description=_("Köpare som KAST nått under året: kontakter på gatan och "
                      "informationsbrev efter polisförhör, summerat per pass och månad."),
    )
