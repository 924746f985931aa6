"""Police raids the unit attends (issue 10): the list, a new raid, the raid's page (its counts,
the cases opened from it and "Registrera ärende från tillslaget") and its change. Raids hold
counts, never names: the raid pages show the aliases of the cases opened from it only to the
team and log no read (as the calendars). Only the unit's staff see raids: a raid out of sight
answers 404, the unit's pages 403 to staff outside the unit."""

from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Count
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils.translation import gettext as _

from prostenhet.exceptions import DomainError

from .. import services
from ..forms import RaidForm

PAGE_SIZE = 25
CASES_LIMIT = 100


def _raid_or_404(request, raid_id):
    raid = services.visible_raids(request.user).filter(public_id=raid_id).first()
    if raid is None:
        raise Http404
    return raid


def _form_error(form, error):
    form.add_error(error.field if error.field in form.fields else None, error.message)


@permission_required("trafficking.view_raid", raise_exception=True)
def raid_list(request):
    if not services.in_team(request.user):
        raise PermissionDenied
    raids = (
        services.visible_raids(request.user)
        .annotate(case_count=Count("cases"))
        .order_by("-date", "-pk")
    )
    page = Paginator(raids, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "trafficking/raid_list.html", {"page": page})


def _save(request, form, raid=None):
    if not form.is_valid():
        return None
    data = form.cleaned_data
    try:
        saved = services.save_raid(
            by=request.user, raid=raid, expected_version=data.get("version"),
            date=data["date"], place_kind=data["place_kind"],
            police_reference=data["police_reference"], staff=data["staff"],
            persons_met=data["persons_met"], persons_accepted=data["persons_accepted"],
        )
    except DomainError as error:
        _form_error(form, error)
        return None
    messages.success(request, _("Tillslaget är sparat."))
    return redirect("trafficking:raid-detail", raid_id=saved.public_id)


@permission_required("trafficking.add_raid", raise_exception=True)
def raid_create(request):
    if not services.in_team(request.user):
        raise PermissionDenied
    form = RaidForm(request.POST if request.method == "POST" else None,
                    initial={"staff": [request.user.public_id]},
                    submit_label=_("Registrera tillslaget"))
    return _save(request, form) or render(request, "trafficking/raid_form.html", {
        "form": form, "title": _("Nytt tillslag"), "back": reverse("trafficking:raid-list"),
    })


@permission_required("trafficking.view_raid", raise_exception=True)
def raid_detail(request, raid_id):
    raid = _raid_or_404(request, raid_id)
    staff = list(raid.staff.order_by("first_name", "last_name", "pk"))
    visible = services.visible_cases(request.user)
    cases = list(
        raid.cases.filter(pk__in=visible.values("pk")).select_related("client")
        .order_by("identified_on", "pk")[:CASES_LIMIT]
    )
    case_count = raid.cases.count()
    return render(request, "trafficking/raid_detail.html", {
        "raid": raid, "staff": staff, "cases": cases, "case_count": case_count,
        "room": raid.persons_accepted - case_count,
        "may_register": request.user.has_perm("trafficking.add_traffickingcase"),
    })


@permission_required("trafficking.change_raid", raise_exception=True)
def raid_edit(request, raid_id):
    raid = _raid_or_404(request, raid_id)
    form = RaidForm(request.POST if request.method == "POST" else None, initial={
        "date": raid.date, "place_kind": raid.place_kind,
        "police_reference": raid.police_reference,
        "staff": [user.public_id for user in raid.staff.all()],
        "persons_met": raid.persons_met, "persons_accepted": raid.persons_accepted,
        "version": raid.version,
    })
    return _save(request, form, raid) or render(request, "trafficking/raid_form.html", {
        "form": form, "title": _("Ändra tillslaget"),
        "back": reverse("trafficking:raid-detail", args=[raid.public_id]),
    })


urlpatterns = [
    path("tillslag/", raid_list, name="raid-list"),
    path("tillslag/nytt/", raid_create, name="raid-create"),
    path("tillslag/<uuid:raid_id>/", raid_detail, name="raid-detail"),
    path("tillslag/<uuid:raid_id>/andra/", raid_edit, name="raid-edit"),
]
