"""The statistics' share of `manage.py benchmark` (issue 11), registered last so that every
app's rows are there: the manager's statistics page for last year and for the running year
(each beside the year before; an open year is computed once and then kept for
STATISTICS_CACHE_SECONDS), "Räkna om nu" (both years computed from the records on every
request), a table's CSV and XLSX exports, and a closed year's page (read from its stored
figures)."""

from django.urls import reverse
from django.utils import timezone

from . import services
from .models import User
from .roles import Role


def generate(scale, *, clients, login):
    manager = User.objects.create(username="bench-chef", first_name="bench-chef")
    services.assign_roles(manager, [Role.MANAGER])
    browser = login(manager)
    page = reverse("statistics:index")
    year = timezone.localdate().year
    closed = year - 3
    services.close_year(closed, by=manager)
    export = reverse("statistics:export", args=[year - 1, "clients-units", "csv"])
    return [
        ("statistics, last year", "get", f"{page}?ar={year - 1}", None, browser),
        ("statistics, this year", "get", f"{page}?ar={year}", None, browser),
        ("statistics, closed year", "get", f"{page}?ar={closed}", None, browser),
        ("statistics, computed afresh", "post",
         reverse("statistics:refresh", args=[year - 1]), {}, browser),
        ("statistics, table as CSV", "get", export, None, browser),
        ("statistics, table as XLSX", "get", export.replace(".csv", ".xlsx"), None, browser),
    ]
