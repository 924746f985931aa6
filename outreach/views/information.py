"""Information work (issue 10): the log of talks and trainings, with this year's totals by
audience for the annual report. Counts only: no read rows."""

from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Count, Sum
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from prostenhet.exceptions import DomainError

from .. import services
from ..forms import InfoTalkForm
from ..models import Audience, InfoTalk
from .common import form_error, form_page, post_data, team_required

PAGE_SIZE = 25


@team_required("outreach.view_infotalk")
def talk_list(request):
    year = timezone.localdate().year
    talks = InfoTalk.objects.prefetch_related("staff").order_by("-date", "-pk")
    page = Paginator(talks, PAGE_SIZE).get_page(request.GET.get("page"))
    labels = dict(Audience.choices)
    totals = [
        {"audience": labels.get(row["audience"], row["audience"]), "talks": row["talks"],
         "attendees": row["attendees"]}
        for row in InfoTalk.objects.filter(date__year=year).values("audience")
        .annotate(talks=Count("pk"), attendees=Sum("attendees")).order_by("audience")
    ]
    return render(request, "outreach/information/list.html", {
        "page": page, "year": year, "totals": totals,
    })


@team_required("outreach.add_infotalk")
def talk_create(request):
    form = InfoTalkForm(post_data(request), initial={"staff": [request.user.public_id]})
    if form.is_valid():
        try:
            services.record_talk(by=request.user, **form.talk_fields())
        except DomainError as error:
            form_error(form, error)
        else:
            messages.success(request, _("Informationsinsatsen är sparad."))
            return redirect("outreach:talk-list")
    return form_page(request, form, title=_("Ny informationsinsats"),
                     back_url=reverse("outreach:talk-list"), back_label=_("Informationsinsatser"))


urlpatterns = [
    path("information/", talk_list, name="talk-list"),
    path("information/ny/", talk_create, name="talk-create"),
]
