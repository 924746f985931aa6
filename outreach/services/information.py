"""Information work (issue 10): the talks and trainings the unit gives city staff, other
organisations, the public and students, for the annual report."""

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from prostenhet.exceptions import DomainError

from ..models import Audience, InfoTalk
from .common import check_count, check_staff, check_team_member

__all__ = ["record_talk"]


@transaction.atomic
def record_talk(*, by, date, audience, attendees, staff, title=""):
    """A talk or training given on `date` (not in the future) to an audience kind, with how
    many attended (≥ 1) and who gave it."""
    check_team_member(by)
    if date is None:
        raise DomainError(_("Ange datum."), field="date")
    if date > timezone.localdate():
        raise DomainError(_("Datumet kan inte vara i framtiden."), field="date")
    if audience not in Audience.values:
        raise DomainError(_("Välj målgrupp."), field="audience")
    attendees = check_count("attendees", attendees)
    if attendees < 1:
        raise DomainError(_("Ange hur många som deltog (minst en)."), field="attendees")
    staff = check_staff(staff)
    title = (title or "").strip()
    if len(title) > 200:
        raise DomainError(_("Högst 200 tecken."), field="title")
    talk = InfoTalk.objects.create(date=date, audience=audience, attendees=attendees,
                                   title=title, created_by=by)
    talk.staff.set(staff)
    return talk
