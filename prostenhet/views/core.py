from datetime import timedelta

from django.contrib.auth.decorators import login_not_required
from django.db import connection
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from .. import access
from ..navigation import ROLE_DESCRIPTIONS, sections_for

DRAFT_REMINDER_DAYS = 3


def home(request):
    return redirect("start")


def start(request):
    """The user's start page: for each of their roles, what it does and its sections."""
    user = request.user
    roles = [
        {
            "role": role,
            "description": ROLE_DESCRIPTIONS[role],
            "sections": sections_for(user, role),
        }
        for role in user.roles
    ]
    return render(
        request,
        "prostenhet/start.html",
        {
            "roles": roles,
            "units": [unit.get_code_display() for unit in user.units.all()],
            "old_drafts": _old_drafts(user),
        },
    )


def _old_drafts(user):
    """The user's unsigned drafts older than DRAFT_REMINDER_DAYS: a note should be signed."""
    from clients.models import JournalEntry

    cutoff = timezone.now() - timedelta(days=DRAFT_REMINDER_DAYS)
    return list(
        JournalEntry.objects.drafts_of(user)
        .filter(written_at__lt=cutoff, journal__in=access.writable_journals(user))
        .select_related("journal__client")
        .order_by("written_at")[:50]
    )


@login_not_required
@never_cache
@require_GET
def healthz(request):
    """For load balancers: 200 when the database answers, 503 when it does not."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception:  # any database failure means "not healthy"
        return HttpResponse("database unavailable\n", status=503, content_type="text/plain")
    return HttpResponse("ok\n", content_type="text/plain")
