"""The managers' review of the access log (DESIGN §4; patient-data law requires a
systematic review of who looked at what)."""

from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from ..forms import AccessLogFilterForm, AccessLogReviewForm
from ..models import AccessLog, AccessLogReview
from ..roles import UnitCode

PAGE_SIZE = 50
EXTRACT_LIMIT = 5000

review_required = permission_required("prostenhet.review_access_log", raise_exception=True)


def _reviewable(user):
    """Rows a manager may review: KAST's clients only for a manager who works in KAST
    (nobody outside KAST learns that a KAST client exists)."""
    from clients.models import Register

    rows = AccessLog.objects.all()
    if not user.units.filter(code=UnitCode.KAST).exists():
        rows = rows.exclude(sealed=True).exclude(client__register=Register.KAST)
    return rows


@review_required
def access_log(request):
    form = AccessLogFilterForm(request.GET or None)
    rows = _reviewable(request.user).select_related("user", "client", "emergency")
    if form.is_valid():
        rows = form.filter_qs(rows)
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "prostenhet/access_log.html", {
        "form": form, "page": page, "query": request.GET.urlencode(),
        "reviews": AccessLogReview.objects.select_related("reviewed_by")[:5],
    })


@review_required
def access_log_extract(request, public_id):
    """A client's log extract: which staff looked at their record, when. Printable."""
    from clients.models import Client, Register

    clients = Client.objects.filter(public_id=public_id)
    if not request.user.units.filter(code=UnitCode.KAST).exists():
        clients = clients.exclude(register=Register.KAST)
    client = clients.first()
    if client is None:
        raise Http404
    rows = AccessLog.objects.filter(client=client).select_related("user", "emergency")
    rows = rows.order_by("at")
    return render(request, "prostenhet/access_log_extract.html", {
        "client": client, "rows": rows[:EXTRACT_LIMIT],
        "truncated": rows.count() > EXTRACT_LIMIT,
    })


@review_required
def access_log_review(request):
    form = AccessLogReviewForm(request.POST if request.method == "POST" else None)
    if form.is_valid():
        AccessLogReview.objects.create(reviewed_by=request.user, **form.cleaned_data)
        messages.success(request, _("Granskningen är registrerad."))
        return redirect("audit:access-log")
    return render(request, "prostenhet/access_log_review.html", {"form": form})


