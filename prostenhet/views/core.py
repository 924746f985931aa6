import threading

from django.contrib.auth.decorators import login_not_required
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from .. import registry
from ..navigation import ROLE_DESCRIPTIONS, sections_for


def home(request):
    return redirect("start")


def start(request):
    """The user's start page: the panels the apps provide for the user's roles (the day's
    work), then, for each role, what it does and its sections."""
    user = request.user
    panels = []
    for panel in registry.start_panels:
        if panel.is_for(user):
            context = panel.get_context(request)
            if context is not None:
                panels.append(render_to_string(panel.template, context, request=request))
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
            "panels": panels,
            "roles": roles,
            "units": [unit.get_code_display() for unit in user.units.all()],
        },
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


# Set once this process has seen every migration applied: the schema is not taken back under a
# running server, so from then on readiness costs what health does.
_MIGRATED = threading.Event()


def unapplied_migrations():
    """The migrations this code has that the database lacks, as "app.name"."""
    executor = MigrationExecutor(connection)
    plan = executor.migration_plan(executor.loader.graph.leaf_nodes())
    return [f"{migration.app_label}.{migration.name}" for migration, _backwards in plan]


@login_not_required
@never_cache
@require_GET
def readyz(request):
    """For a load balancer's readiness probe and the deploy script: 200 when the database
    answers and every migration of this code is applied (a new release's server is not sent
    traffic before `migrate` has run); 503 with the reason otherwise. No personal data."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
        if not _MIGRATED.is_set():
            missing = unapplied_migrations()
            if missing:
                return HttpResponse(f"{len(missing)} migrations not applied\n", status=503,
                                    content_type="text/plain")
            _MIGRATED.set()
    except Exception:  # any database failure means "not ready"
        return HttpResponse("database unavailable\n", status=503, content_type="text/plain")
    return HttpResponse("ready\n", content_type="text/plain")
