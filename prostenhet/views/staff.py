"""Staff administration for the system administrator (no client data here)."""

from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Q
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from .. import services
from ..access import get_staff_or_404, staff_admin_required
from ..exceptions import DomainError
from ..forms import (
    ConfirmForm,
    StaffCreateForm,
    StaffForm,
    StaffSearchForm,
    StaffSetPasswordForm,
)
from ..models import User

PAGE_SIZE = 50


def _apply_domain_error(form, error):
    form.add_error(error.field if error.field in form.fields else None, error.message)


def _post_data(request):
    # A confirmation form has no fields: bind it on every POST, even an empty one.
    return request.POST if request.method == "POST" else None


@staff_admin_required
def staff_list(request):
    staff = User.objects.with_roles().order_by("username")
    search = StaffSearchForm(request.GET)
    query = search.cleaned_data["q"] if search.is_valid() else ""
    for error in search.errors.get("q", []):
        messages.error(request, error)
        staff = staff.none()
    if query:
        staff = staff.filter(
            Q(username__icontains=query)
            | Q(first_name__icontains=query)
            | Q(last_name__icontains=query)
        )
    page = Paginator(staff, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "prostenhet/staff_list.html", {"page": page, "query": query})


@staff_admin_required
def staff_create(request):
    form = StaffCreateForm(request.POST or None)
    if form.is_valid():
        data = form.cleaned_data
        try:
            user = services.create_staff(
                username=data["username"],
                password=data["password1"],
                roles=data["roles"],
                units=data["units"],
                first_name=data["first_name"],
                last_name=data["last_name"],
                email=data["email"],
                profession=data["profession"],
                by=request.user,
            )
        except DomainError as error:
            _apply_domain_error(form, error)
        else:
            messages.success(request, _("Kontot %(username)s är skapat.") % {"username": user})
            return redirect("staff:update", public_id=user.public_id)
    return render(request, "prostenhet/staff_form.html", {"form": form})


@staff_admin_required
def staff_update(request, public_id):
    staff = get_staff_or_404(public_id)
    form = StaffForm(request.POST or None, instance=staff)
    if form.is_valid():
        data = form.cleaned_data
        try:
            services.update_staff(
                staff,
                roles=data["roles"],
                units=data["units"],
                first_name=data["first_name"],
                last_name=data["last_name"],
                email=data["email"],
                profession=data["profession"],
                by=request.user,
            )
        except DomainError as error:
            _apply_domain_error(form, error)
        else:
            messages.success(request, _("Ändringarna är sparade."))
            return redirect("staff:update", public_id=staff.public_id)
    return render(request, "prostenhet/staff_form.html", {"form": form, "staff": staff})


@staff_admin_required
def staff_set_password(request, public_id):
    staff = get_staff_or_404(public_id)
    form = StaffSetPasswordForm(staff, request.POST or None)
    if form.is_valid():
        services.set_password(staff, form.cleaned_data["new_password1"], by=request.user)
        messages.success(request, _("Ett nytt lösenord är satt för %(user)s.") % {"user": staff})
        return redirect("staff:update", public_id=staff.public_id)
    return render(
        request, "prostenhet/staff_set_password.html", {"form": form, "staff": staff}
    )


@staff_admin_required
def staff_reset_otp(request, public_id):
    staff = get_staff_or_404(public_id)
    form = ConfirmForm(_post_data(request), submit_label=_("Återställ"), danger=True)
    if request.method == "POST" and form.is_valid():
        services.reset_two_factor(staff, by=request.user)
        messages.success(
            request,
            _("Tvåfaktorsinloggningen för %(user)s är återställd.") % {"user": staff},
        )
        return redirect("staff:update", public_id=staff.public_id)
    return render(
        request,
        "prostenhet/staff_confirm.html",
        {
            "form": form,
            "staff": staff,
            "title": _("Återställ tvåfaktorsinloggning"),
            "text": _(
                "Personens autentiseringsapp tas bort och alla pågående inloggningar avslutas. "
                "Vid nästa inloggning kopplar personen en ny app."
            ),
        },
    )


def _set_active_view(request, public_id, *, active):
    staff = get_staff_or_404(public_id)
    if active:
        title, text, label = (
            _("Aktivera konto"),
            _("Personen kan logga in igen."),
            _("Aktivera"),
        )
    else:
        title, text, label = (
            _("Avaktivera konto"),
            _(
                "Personen loggas ut direkt och kan inte logga in. Kontot finns kvar, "
                "eftersom loggarna pekar på det."
            ),
            _("Avaktivera"),
        )
    form = ConfirmForm(_post_data(request), submit_label=label, danger=not active)
    error = None
    if request.method == "POST" and form.is_valid():
        try:
            services.set_active(staff, active, by=request.user)
        except DomainError as domain_error:
            error = domain_error.message
        else:
            message = _("Kontot är aktiverat.") if active else _("Kontot är avaktiverat.")
            messages.success(request, message)
            return redirect("staff:update", public_id=staff.public_id)
    return render(
        request,
        "prostenhet/staff_confirm.html",
        {"form": form, "staff": staff, "title": title, "text": text, "error": error},
    )


@staff_admin_required
def staff_deactivate(request, public_id):
    return _set_active_view(request, public_id, active=False)


@staff_admin_required
def staff_reactivate(request, public_id):
    return _set_active_view(request, public_id, active=True)
