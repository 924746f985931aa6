"""Login in two steps (password, then a TOTP code), enrolment of a first device, password
change and logout."""

from base64 import b32encode

import qrcode
import qrcode.image.svg
from axes.handlers.proxy import AxesProxyHandler
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout, update_session_auth_hash
from django.contrib.auth import views as auth_views
from django.contrib.auth.signals import user_login_failed
from django.http import HttpResponseRedirect
from django.shortcuts import redirect, render, resolve_url
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_POST
from django_otp import login as otp_login
from django_otp import match_token, user_has_device
from django_otp.plugins.otp_totp.models import TOTPDevice, default_key

from .. import services
from ..forms import CrispyPasswordChangeForm, LoginForm, TokenForm

SETUP_KEY = "otp_setup_key"


class LoginView(auth_views.LoginView):
    form_class = LoginForm
    template_name = "registration/login.html"
    redirect_authenticated_user = True


class LogoutView(auth_views.LogoutView):
    pass


class PasswordChangeView(auth_views.PasswordChangeView):
    """The user's own new password. It also ends the demand to replace a password the
    administrator set (PasswordChangeRequiredMiddleware), and leads on to the page the user
    was on the way to."""

    form_class = CrispyPasswordChangeForm
    template_name = "registration/password_change.html"

    def form_valid(self, form):
        user = services.change_own_password(
            self.request.user, form.cleaned_data["new_password1"]
        )
        # The other sessions end with the old password; this one goes on.
        update_session_auth_hash(self.request, user)
        messages.success(self.request, _("Ditt lösenord är bytt."))
        return HttpResponseRedirect(self.get_success_url())

    def get_success_url(self):
        return resolve_url(_next_url(self.request))


@require_POST
def end_other_sessions(request):
    """Log out everywhere else (ASVS 7.5.2): every other session of the user ends."""
    user = services.end_other_sessions(request.user)
    update_session_auth_hash(request, user)
    messages.success(request, _("Du är utloggad på alla andra datorer och webbläsare."))
    return redirect("account:password-change")


def locked_out(request, original_response=None, credentials=None):
    """django-axes' answer to a locked account or address: a Swedish page, 429."""
    context = {
        "failure_limit": settings.AXES_FAILURE_LIMIT,
        "minutes": settings.LOGIN_LOCKOUT_MINUTES,
    }
    return render(request, "registration/locked_out.html", context, status=429)


def _next_url(request):
    target = request.POST.get("next") or request.GET.get("next")
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return settings.LOGIN_REDIRECT_URL


def _wrong_code(request):
    """A wrong one-time code counts towards the lock-out like a wrong password (django-otp's
    growing delay per device stays too) and is a security event. Once the account is locked,
    the half-finished login ends."""
    user = request.user
    credentials = {"username": user.username}
    services.record_wrong_code(user)
    user_login_failed.send(sender=__name__, credentials=credentials, request=request)
    if AxesProxyHandler.is_locked(request, credentials):
        logout(request)
        return locked_out(request, credentials=credentials)
    return None


def _complete_login(request, device):
    otp_login(request, device)
    # A new session key once the second factor is given, as after the password.
    request.session.cycle_key()
    return redirect(_next_url(request))


@never_cache
@sensitive_post_parameters("token")
def otp_verify(request):
    """The second step: a code from the user's authenticator app. Each code works once."""
    if request.user.is_verified():
        return redirect(_next_url(request))
    if not user_has_device(request.user):
        return redirect("account:otp-setup")
    form = TokenForm(request.POST or None)
    if form.is_valid():
        device = match_token(request.user, form.cleaned_data["token"])
        if device is not None:
            return _complete_login(request, device)
        response = _wrong_code(request)
        if response is not None:
            return response
        form.add_error(
            "token",
            _("Koden stämmer inte eller har redan använts. Vänta på nästa kod och försök igen."),
        )
    return render(
        request, "registration/otp_verify.html", {"form": form, "next": _next_url(request)}
    )


@never_cache
@sensitive_post_parameters("token")
def otp_setup(request):
    """First login: enrol an authenticator app by scanning a QR code, then give a code."""
    if user_has_device(request.user):
        return redirect("account:otp-verify")
    # The key waits in the session until the first code proves the app has it: a GET writes
    # no device. A failed try saves the unconfirmed device, so that throttling holds.
    key = request.session.setdefault(SETUP_KEY, default_key())
    device = TOTPDevice.objects.filter(user=request.user, key=key, confirmed=False).first()
    if device is None:
        device = TOTPDevice(user=request.user, name=_("Autentiseringsapp"), key=key,
                            confirmed=False)
    form = TokenForm(request.POST or None, submit_label=_("Aktivera"))
    if form.is_valid():
        if device.verify_token(form.cleaned_data["token"]):
            services.confirm_device(device)
            request.session.pop(SETUP_KEY, None)
            messages.success(request, _("Tvåfaktorsinloggningen är aktiverad."))
            return _complete_login(request, device)
        form.add_error("token", _("Koden stämmer inte. Kontrollera att appen visar rätt konto."))
    qr = qrcode.make(
        device.config_url, image_factory=qrcode.image.svg.SvgPathImage, box_size=10
    ).to_string(encoding="unicode")
    context = {
        "form": form,
        "qr_svg": mark_safe(qr),  # noqa: S308 - qrcode's SVG of our own data  # nosec B308 B703
        "secret": _format_secret(device),
        "next": _next_url(request),
    }
    return render(request, "registration/otp_setup.html", context)


def _format_secret(device):
    secret = b32encode(device.bin_key).decode()
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))
