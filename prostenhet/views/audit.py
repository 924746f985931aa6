"""The managers' review of the access log (DESIGN §4; patient-data law requires a
systematic review of who looked at what). A client's own log extract is the clients app's
(clients:access-log-extract)."""

from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from ..forms import AccessLogFilterForm, AccessLogReviewForm
from ..lib.paging import open_page
from ..models import AccessLog, AccessLogReview, SecurityEvent

PAGE_SIZE = 50

review_required = permission_required("prostenhet.review_access_log", raise_exception=True)


@review_required
def access_log(request):
    filters = {k: v for k, v in request.GET.items() if k != "page"}
    form = AccessLogFilterForm(filters or None)
    rows = AccessLog.objects.reviewable_by(request.user).select_related(
        "user", "client", "emergency"
    )
    if form.is_bound and not form.is_valid():
        rows = rows.none()
        # A refused value (an identity number, say) is not shown back in the field.
        form.data = form.data.copy()
        for name in form.errors:
            form.data[name] = ""
    elif form.is_bound:
        rows = form.filter_qs(rows)
    page = open_page(rows, request.GET.get("page"), PAGE_SIZE)
    return render(request, "prostenhet/access_log.html", {
        "form": form, "page": page,
        "reviews": AccessLogReview.objects.select_related("reviewed_by")[:5],
    })


@review_required
def access_log_review(request):
    form = AccessLogReviewForm(request.POST if request.method == "POST" else None)
    if form.is_valid():
        AccessLogReview.objects.create(reviewed_by=request.user, **form.cleaned_data)
        messages.success(request, _("Granskningen är registrerad."))
        return redirect("audit:access-log")
    return render(request, "prostenhet/access_log_review.html", {"form": form})


@review_required
def security_events(request):
    """Changes to accounts' means of access and rights (passwords, two-factor devices, roles,
    units, deactivation) and wrong one-time codes, with who did it to whom."""
    events = SecurityEvent.objects.select_related("actor", "target")
    page = open_page(events, request.GET.get("page"), PAGE_SIZE)
    return render(request, "prostenhet/security_events.html", {"page": page})
