"""Referrals between units: send (from a client the user sees, with the client's consent),
each unit's incoming list and answer (accept, or decline with a reason), mark done, and the
sending unit's outgoing list with withdraw. Until it accepts, the receiving unit sees only
what the referral says (alias, text, sending unit): the client's page stays out of its
reach (clients.access). KAST neither sends nor receives referrals."""

from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import path
from django.utils.translation import gettext as _

from prostenhet.exceptions import DomainError
from prostenhet.roles import UnitCode

from .. import access, audit, services
from ..forms import ReferralAnswerForm, ReferralConfirmForm, ReferralCreateForm
from ..models import Referral, ReferralState, Register
from .records import _form_error, _post

PAGE_SIZE = 25
INCOMING_LIMIT = 100


def _units(user):
    """The user's units that take part in referrals (KAST is sealed)."""
    return access.user_units(user) - {UnitCode.KAST}


@permission_required("clients.add_referral", raise_exception=True)
def referral_create(request, public_id):
    client = access.get_client_or_404(request, public_id, follow_merge=False)
    if client.register != Register.MAIN:
        raise Http404
    from_units = _units(request.user) & set(
        client.enrollments.active().values_list("unit", flat=True)
    )
    if not from_units:
        # Seen only under an emergency access, say: nothing to refer from.
        raise Http404
    form = ReferralCreateForm(_post(request), from_units=from_units)
    if form.is_valid():
        data = form.cleaned_data
        try:
            services.send_referral(
                client, from_unit=data["from_unit"], to_unit=data["to_unit"],
                message=data["message"], by=request.user,
                consent_method=data["consent_method"] or None,
            )
        except DomainError as error:
            _form_error(form, error)
        else:
            messages.success(request, _("Remissen är skickad."))
            return redirect("clients:client-detail", public_id=client.public_id)
    audit.log_read(request, client)
    return render(request, "clients/referrals/referral_form.html", {
        "form": form, "client": client,
    })


@permission_required("clients.view_referral", raise_exception=True)
def referral_list(request):
    """Open referrals to the user's units (to answer, or to mark done), and those sent from
    the user's units."""
    units = _units(request.user)
    incoming = list(
        Referral.objects.open().filter(to_unit__in=units)
        .select_related("client").order_by("sent_at")[:INCOMING_LIMIT]
    )
    outgoing = (
        Referral.objects.filter(from_unit__in=units)
        .select_related("client", "sent_by").order_by("-sent_at", "-pk")
    )
    page = Paginator(outgoing, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "clients/referrals/referral_list.html", {
        "incoming": incoming, "page": page,
    })


def _referral_or_404(request, referral_id, *, side):
    """The referral, if the user works in its receiving unit (side="to") or its sending unit
    (side="from"); else 404."""
    referral = (
        Referral.objects.select_related("client", "sent_by", "handled_by")
        .filter(public_id=referral_id).first()
    )
    if referral is None or referral.client.register != Register.MAIN:
        raise Http404
    unit = referral.to_unit if side == "to" else referral.from_unit
    if unit not in _units(request.user):
        raise Http404
    return referral


def _stale_form(form_class, request, referral, **kwargs):
    """The user's form again with the referral's current version (after a refusal), so that
    what was typed is kept and sending it again is a decision made on the referral as it is
    now."""
    data = request.POST.copy()
    data["version"] = referral.version
    form = form_class(data, **kwargs)
    form.is_valid()
    return form


@permission_required("clients.change_referral", raise_exception=True)
def referral_answer(request, referral_id):
    """The receiving unit's view of a referral, what the referral says (the client's page
    stays closed until the unit accepts), and its answer: accept, or decline with a reason."""
    referral = _referral_or_404(request, referral_id, side="to")
    may_answer = referral.state == ReferralState.SENT and services.may_accept(
        request.user, referral
    )
    form = ReferralAnswerForm(_post(request), initial={"version": referral.version})
    error = None
    # The services decide (version, state, who answers): a page made before someone else
    # answered gets their message.
    if form.is_valid():
        data = form.cleaned_data
        try:
            if data["decision"] == ReferralAnswerForm.ACCEPT:
                services.accept_referral(
                    referral, by=request.user, expected_version=data["version"]
                )
                success = (
                    _("Remissen är mottagen. Klienten är inskriven och står i kön.")
                    if referral.to_unit == UnitCode.COUNSELLING
                    else _("Remissen är mottagen. Klienten är inskriven i verksamhetsdelen.")
                )
            else:
                services.decline_referral(
                    referral, reason=data["reason"], by=request.user,
                    expected_version=data["version"],
                )
                success = _("Remissen är avböjd.")
        except DomainError as domain_error:
            referral.refresh_from_db()
            if domain_error.field in form.fields:
                _form_error(form, domain_error)
            else:
                form = _stale_form(ReferralAnswerForm, request, referral)
                error = domain_error.message
            may_answer = referral.state == ReferralState.SENT and may_answer
        else:
            messages.success(request, success)
            return redirect("clients:referral-list")
    audit.log_read(request, referral.client)
    return render(request, "clients/referrals/referral_answer.html", {
        "referral": referral, "form": form, "error": error, "may_answer": may_answer,
        "may_complete": referral.state == ReferralState.ACCEPTED,
    })


def _referral_confirmation(request, referral, *, action, title, submit_label, success,
                           danger=False, text=""):
    """A confirmation page for a change of the referral's state, carrying its version."""
    form = ReferralConfirmForm(
        _post(request), submit_label=submit_label, danger=danger,
        initial={"version": referral.version},
    )
    error = None
    if form.is_valid():
        try:
            action(form.cleaned_data["version"])
        except DomainError as domain_error:
            referral.refresh_from_db()
            form = _stale_form(ReferralConfirmForm, request, referral,
                               submit_label=submit_label, danger=danger)
            error = domain_error.message
        else:
            messages.success(request, success)
            return redirect("clients:referral-list")
    return render(request, "clients/referrals/referral_confirm.html", {
        "referral": referral, "form": form, "error": error, "title": title, "text": text,
    })


@permission_required("clients.change_referral", raise_exception=True)
def referral_complete(request, referral_id):
    """The receiving unit marks an accepted referral done."""
    referral = _referral_or_404(request, referral_id, side="to")
    return _referral_confirmation(
        request, referral, title=_("Markera remissen som klar"),
        submit_label=_("Klar"), success=_("Remissen är klar."),
        action=lambda version: services.complete_referral(
            referral, by=request.user, expected_version=version
        ),
    )


@permission_required("clients.change_referral", raise_exception=True)
def referral_withdraw(request, referral_id):
    """The sending unit withdraws a referral while it is open."""
    referral = _referral_or_404(request, referral_id, side="from")
    return _referral_confirmation(
        request, referral, title=_("Ta tillbaka remissen"), danger=True,
        submit_label=_("Ta tillbaka remissen"), success=_("Remissen är tillbakatagen."),
        text=_("Den mottagande verksamhetsdelen ser att remissen är tillbakatagen. Har den "
               "redan tagits emot står klienten kvar där."),
        action=lambda version: services.withdraw_referral(
            referral, by=request.user, expected_version=version
        ),
    )


urlpatterns = [
    path("<uuid:public_id>/remiss/", referral_create, name="referral-create"),
    path("remisser/", referral_list, name="referral-list"),
    path("remisser/<uuid:referral_id>/", referral_answer, name="referral-answer"),
    path("remisser/<uuid:referral_id>/klar/", referral_complete, name="referral-complete"),
    path("remisser/<uuid:referral_id>/aterta/", referral_withdraw, name="referral-withdraw"),
]
