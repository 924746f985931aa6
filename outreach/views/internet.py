"""Internet outreach (issue 10): the sessions, the unit's information e-mail templates, and
the check of the addresses about to be mailed. The check shows the addresses back only in its
own response; what is stored is a keyed hash per address (services.internet). No page here
shows a client: no read rows."""

from django.contrib import messages
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, reverse
from django.utils.translation import gettext as _

from prostenhet.exceptions import DomainError

from .. import services
from ..forms import AddressCheckForm, EmailTemplateForm, InternetSessionForm
from ..models import EmailTemplate, InternetSession
from .common import form_error, form_page, post_data, team_required

PAGE_SIZE = 25
TEMPLATE_LIMIT = 200


@team_required("outreach.view_internetsession")
def session_list(request):
    sessions = InternetSession.objects.prefetch_related("staff").order_by("-date", "-pk")
    page = Paginator(sessions, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "outreach/internet/list.html", {
        "page": page, "repeat_days": services.repeat_days(),
    })


@team_required("outreach.add_internetsession")
def session_create(request):
    form = InternetSessionForm(post_data(request), initial={"staff": [request.user.public_id]})
    if form.is_valid():
        try:
            services.save_internet_session(by=request.user, **form.session_fields())
        except DomainError as error:
            form_error(form, error)
        else:
            messages.success(request, _("Internetpasset är sparat."))
            return redirect("outreach:internet-list")
    return form_page(request, form, title=_("Nytt internetpass"),
                     back_url=reverse("outreach:internet-list"), back_label=_("Internet"))


@team_required("outreach.change_internetsession")
def session_edit(request, session_id):
    session = get_object_or_404(InternetSession.objects.prefetch_related("staff"),
                                public_id=session_id)
    form = InternetSessionForm(post_data(request), session=session)
    if form.is_valid():
        try:
            services.save_internet_session(session, by=request.user, **form.session_fields())
        except DomainError as error:
            form_error(form, error)
        else:
            messages.success(request, _("Internetpasset är sparat."))
            return redirect("outreach:internet-list")
    return form_page(request, form, title=_("Internetpass %(date)s") % {
        "date": session.date.isoformat()},
        back_url=reverse("outreach:internet-list"), back_label=_("Internet"))


@team_required("outreach.add_emailhash")
def address_check(request):
    """Paste the addresses about to be mailed: which to mail now and which were mailed within
    the repeat period (skip them). The addresses are shown in this response only."""
    form = AddressCheckForm(post_data(request))
    result = None
    if form.is_valid():
        try:
            result = services.check_addresses(form.cleaned_data["addresses"], by=request.user)
        except DomainError as error:
            form_error(form, error)
        else:
            form = AddressCheckForm()  # the pasted text is not kept on the page
    return render(request, "outreach/internet/address_check.html", {
        "form": form, "result": result, "repeat_days": services.repeat_days(),
    })


@team_required("outreach.view_emailtemplate")
def template_list(request):
    templates = list(
        EmailTemplate.objects.select_related("updated_by")
        .order_by("-active", "name", "language")[:TEMPLATE_LIMIT]
    )
    return render(request, "outreach/internet/templates.html", {"templates": templates})


@team_required("outreach.add_emailtemplate")
def template_create(request):
    form = EmailTemplateForm(post_data(request))
    if form.is_valid():
        try:
            services.save_email_template(by=request.user, **form.template_fields())
        except DomainError as error:
            form_error(form, error)
        else:
            messages.success(request, _("Mallen är sparad."))
            return redirect("outreach:template-list")
    return form_page(request, form, title=_("Ny e-postmall"),
                     back_url=reverse("outreach:template-list"), back_label=_("E-postmallar"))


@team_required("outreach.change_emailtemplate")
def template_edit(request, pk):
    template = get_object_or_404(EmailTemplate, pk=pk)
    form = EmailTemplateForm(post_data(request), template=template)
    if form.is_valid():
        try:
            services.save_email_template(template, by=request.user, **form.template_fields())
        except DomainError as error:
            form_error(form, error)
        else:
            messages.success(request, _("Mallen är sparad."))
            return redirect("outreach:template-list")
    return form_page(request, form, title=str(template),
                     back_url=reverse("outreach:template-list"), back_label=_("E-postmallar"))


urlpatterns = [
    path("internet/", session_list, name="internet-list"),
    path("internet/nytt/", session_create, name="internet-create"),
    path("internet/<uuid:session_id>/", session_edit, name="internet-edit"),
    path("internet/adresser/", address_check, name="address-check"),
    path("internet/mallar/", template_list, name="template-list"),
    path("internet/mallar/ny/", template_create, name="template-create"),
    path("internet/mallar/<int:pk>/", template_edit, name="template-edit"),
]
