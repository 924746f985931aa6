"""The base's demo data: after every app's history is written, the year before last is
closed by the demo manager, so that the statistics page shows a closed year (read from its
stored figures) beside last year, which the manager can still close."""

from django.utils import timezone
from django.utils.translation import gettext as _

from . import services
from .models import ClosedYear


def seed_closed_year(staff):
    year = timezone.localdate().year - 2
    if ClosedYear.objects.current().filter(year=year).exists():
        return ""
    services.close_year(year, by=staff["chef"])
    return _("Statistiken för %(year)s är stängd.") % {"year": year}
