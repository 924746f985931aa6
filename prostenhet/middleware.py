import time

from auditlog.middleware import AuditlogMiddleware as BaseAuditlogMiddleware
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.views import redirect_to_login
from django.shortcuts import render
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django_htmx.http import HttpResponseClientRedirect

from . import keptforms
from .lib.client_ip import client_ip
from .lib.request_id import new_request_id

# Views a user may reach after the password but before the second factor.
HALF_LOGGED_IN_VIEWS = {
    "account:otp-verify",
    "account:otp-setup",
    "account:logout",
    "account:login",
    "set_language",
    "healthz",
    "readyz",
}
# Views a user may reach while they must replace a password the administrator set.
PASSWORD_CHANGE_VIEWS = {
    "account:password-change",
    "account:logout",
    "set_language",
    "healthz",
    "readyz",
}
LAST_SEEN_KEY = "last_seen"
# Sent by elements that refresh themselves (hx-headers): such a request is no activity.
BACKGROUND_HEADER = "X-Background-Refresh"
# When the logged-in session began (its first request after the login).
STARTED_KEY = "session_started"
# Write the last-seen time at most this often (a session write on every request is waste).
LAST_SEEN_RESOLUTION = 15


class RequestIdMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.request_id = new_request_id(request.headers.get("X-Request-ID"))
        response = self.get_response(request)
        response["X-Request-ID"] = request.request_id
        return response


class LanguageMiddleware:
    """Swedish unless the user chose another language with the switch (a cookie).

    The browser's Accept-Language is not consulted: the staff's language is Swedish, and a
    page should not change language because of how a browser happens to be set up."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        language = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
        if language not in dict(settings.LANGUAGES):
            language = settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = language
        response = self.get_response(request)
        response.headers.setdefault("Content-Language", language)
        return response


class IdleTimeoutMiddleware:
    """Log out a user who has sent no request for SESSION_IDLE_MINUTES, and every user
    SESSION_MAX_HOURS after their session began, however active (ASVS 7.3.2)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.htmx and not request.user.is_authenticated:
            return logged_out_fragment(request)
        if request.user.is_authenticated:
            now = int(time.time())
            last_seen = request.session.get(LAST_SEEN_KEY, now)
            started = request.session.setdefault(STARTED_KEY, now)
            if now - last_seen > settings.SESSION_IDLE_MINUTES * 60:
                return self._end(request, _(
                    "Du har loggats ut eftersom du inte har varit aktiv på %(minutes)d "
                    "minuter. Logga in igen för att fortsätta."
                ) % {"minutes": settings.SESSION_IDLE_MINUTES})
            if now - started > settings.SESSION_MAX_HOURS * 3600:
                return self._end(request, _(
                    "Du har loggats ut eftersom du har varit inloggad i %(hours)d timmar. "
                    "Logga in igen för att fortsätta."
                ) % {"hours": settings.SESSION_MAX_HOURS})
            # A panel refreshing itself (htmx polling) is not the user being active: an
            # open start page must still time out.
            background = request.headers.get(BACKGROUND_HEADER) == "1"
            if not background and now - request.session.get(LAST_SEEN_KEY, 0) >= (
                LAST_SEEN_RESOLUTION
            ):
                request.session[LAST_SEEN_KEY] = now
        return self.get_response(request)

    @staticmethod
    def _end(request, message):
        user = request.user
        logout(request)
        messages.info(request, message)
        if request.htmx:
            return logged_out_fragment(request)
        # A form sent after the session ended is kept for the user to send again.
        page = keptforms.keep(request, user)
        return redirect_to_login(page or request.get_full_path())


def logged_out_fragment(request):
    """An htmx request (an autosave) after the session ended: nothing is saved, and the page
    stays as it is, so the text on it is not lost; the user logs in again in a new tab."""
    response = render(request, "_logged_out.html", status=200)
    response["HX-Reswap"] = "innerHTML"
    return response


class SecondFactorMiddleware:
    """Until the second factor is given, a logged-in user reaches only the two-factor pages."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        if not settings.TWO_FACTOR_REQUIRED or not request.user.is_authenticated:
            return None
        if request.user.is_verified():
            return None
        match = request.resolver_match
        if match and match.view_name in HALF_LOGGED_IN_VIEWS:
            return None
        if not getattr(view_func, "login_required", True):
            return None  # public views such as static files
        from django_otp import user_has_device

        target = "account:otp-verify" if user_has_device(request.user) else "account:otp-setup"
        return redirect_to_login(request.get_full_path(), reverse(target))


class PasswordChangeRequiredMiddleware:
    """A user whose password was set by the administrator (a new account, a reset) reaches
    only the password-change page, and logout, until they have chosen their own password.

    Runs after SecondFactorMiddleware: the second factor comes first. Reads only the user
    already loaded for the request."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        user = request.user
        if not user.is_authenticated or not user.must_change_password:
            return None
        if settings.TWO_FACTOR_REQUIRED and not user.is_verified():
            return None  # still at the second factor: SecondFactorMiddleware's pages
        match = request.resolver_match
        if match and match.view_name in PASSWORD_CHANGE_VIEWS:
            return None
        if not getattr(view_func, "login_required", True):
            return None  # public views such as static files
        target = reverse("account:password-change")
        if request.htmx:
            # An autosave or another fragment: the whole page goes to the password change.
            return HttpResponseClientRedirect(target)
        return redirect_to_login(request.get_full_path(), target)


class KeptFormMiddleware:
    """Gives the first page a user sees once logged in again the form they were sending when
    their session ended (prostenhet/keptforms.py), as request.kept_form for the layout.

    Runs after the login gates, so that only a user fully logged in (second factor given, no
    password to replace) takes it."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        user = request.user
        if not user.is_authenticated or keptforms.SESSION_KEY not in request.session:
            return None
        if settings.TWO_FACTOR_REQUIRED and not user.is_verified():
            return None
        if user.must_change_password:
            return None
        request.kept_form = keptforms.take(request)
        return None


class NoStoreMiddleware:
    """Pages hold personal data: no browser or proxy may keep a copy."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        response["Cache-Control"] = "no-store, private"
        return response


class AuditlogMiddleware(BaseAuditlogMiddleware):
    """django-auditlog's middleware, with the client address read as the lock-out reads it
    (the library takes the first X-Forwarded-For entry, which the client writes itself)."""

    @staticmethod
    def _get_remote_addr(request):
        return None if settings.AUDITLOG_DISABLE_REMOTE_ADDR else client_ip(request)
