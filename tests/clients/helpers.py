"""Small helpers shared by the client tests: form data as a browser would post it, the
page's main content (without the navigation bar, which shows the user's own name), and the
identity numbers the tests use."""

from datetime import datetime, time, timedelta

from django.utils import timezone

from clients import services
from prostenhet.lib import personnummer
from prostenhet.roles import UnitCode
from tests.world import ADULT_NUMBERS, CHILD_NUMBERS

# What the registration form posts when only the alias is filled in.
CREATE_DEFAULTS = {
    # "Enligt uppgiften": the quality follows from whether a value is given.
    "legal_name_quality": "",
    "identity_number_quality": "",
    "birth_year_quality": "",
    "gender": "not_stated",
    "born_in_sweden": "unknown",
}

# Numbers the world does not use (it uses ADULT_NUMBERS[10] and [20]).
SPARE_NUMBERS = ADULT_NUMBERS[40:60]


def create_data(unit, alias, **fields):
    """POST data for clients:client-create."""
    return {"unit": unit, "alias": alias, **CREATE_DEFAULTS, **fields}


def as_post(initial):
    """A bound form's initial values as a browser posts them (unchecked boxes left out)."""
    data = {}
    for name, value in initial.items():
        if value is None:
            data[name] = ""
        elif value is True:
            data[name] = "on"
        elif value is not False:
            data[name] = value
    return data


def main_html(response):
    """The page's <main> element: what the page says about the records, without the
    navigation bar (which shows the logged-in user's own name)."""
    html = response.content.decode()
    start = html.index("<main")
    return html[start : html.index("</main>", start)]


def ten_digits(number):
    """The 10-digit form YYMMDD-NNNN that staff usually type."""
    return f"{number[2:8]}-{number[8:]}"


def child_number():
    """A test number of someone who is under 18 today (the youngest in the test data)."""
    today = timezone.localdate()
    number = max(CHILD_NUMBERS, key=personnummer.birth_date)
    assert personnummer.age_on(number, today) < 18, (
        "tests/data/testpersonnummer.txt has nobody under 18 any more: add younger test numbers"
    )
    return number


def today():
    return timezone.localdate()


# --- bookings ----------------------------------------------------------------------------------


def next_weekday(days_ahead=1):
    """A weekday days_ahead or more from today."""
    day = timezone.localdate() + timedelta(days=days_ahead)
    while day.isoweekday() > 5:
        day += timedelta(days=1)
    return day


def at(day, hour, minute=0):
    return timezone.make_aware(datetime.combine(day, time(hour, minute)))


def book(world, start, minutes=60, **extra):
    """Book through the service: by default Anna with her counsellor, by the office assistant."""
    fields = {"unit": UnitCode.COUNSELLING, "staff": world.co, "client": world.anna,
              "by": world.oa}
    fields.update(extra)
    return services.book(starts_at=start, ends_at=start + timedelta(minutes=minutes), **fields)
