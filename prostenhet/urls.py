from django.contrib.auth.decorators import login_not_required
from django.urls import include, path
from django.views.i18n import set_language

from .views import account, audit, core, staff, statistics

account_patterns = (
    [
        path("logga-in/", account.LoginView.as_view(), name="login"),
        path("logga-in/verifiera/", account.otp_verify, name="otp-verify"),
        path("logga-in/aktivera/", account.otp_setup, name="otp-setup"),
        path("logga-ut/", account.LogoutView.as_view(), name="logout"),
        path("konto/losenord/", account.PasswordChangeView.as_view(), name="password-change"),
        path("konto/logga-ut-overallt/", account.end_other_sessions, name="end-other-sessions"),
    ],
    "account",
)

staff_patterns = (
    [
        path("", staff.staff_list, name="list"),
        path("ny/", staff.staff_create, name="create"),
        path("<uuid:public_id>/", staff.staff_update, name="update"),
        path("<uuid:public_id>/losenord/", staff.staff_set_password, name="set-password"),
        path("<uuid:public_id>/tvafaktor/", staff.staff_reset_otp, name="reset-otp"),
        path("<uuid:public_id>/avaktivera/", staff.staff_deactivate, name="deactivate"),
        path("<uuid:public_id>/aktivera/", staff.staff_reactivate, name="reactivate"),
    ],
    "staff",
)

audit_patterns = (
    [
        path("", audit.access_log, name="access-log"),
        path("granskning/", audit.access_log_review, name="access-log-review"),
        path("sakerhet/", audit.security_events, name="security-events"),
    ],
    "audit",
)

statistics_patterns = (
    [
        path("", statistics.statistics, name="index"),
        path("<int:year>/rakna-om/", statistics.refresh, name="refresh"),
        path("<int:year>/stang/", statistics.close_year, name="close-year"),
        path("<int:year>/oppna/", statistics.reopen_year, name="reopen-year"),
        path("<int:year>/<slug:key>.<str:extension>", statistics.export, name="export"),
    ],
    "statistics",
)

urlpatterns = [
    path("", core.home, name="home"),
    path("start/", core.start, name="start"),
    path("healthz", core.healthz, name="healthz"),
    path("readyz", core.readyz, name="readyz"),
    path("sprak/", login_not_required(set_language), name="set_language"),
    path("", include(account_patterns)),
    path("personal/", include(staff_patterns)),
    path("atkomstlogg/", include(audit_patterns)),
    path("statistik/", include(statistics_patterns)),
    path("klienter/", include("clients.urls")),
    path("uppsok/", include("outreach.urls")),
    path("spiralen/", include("spiralen.urls")),
    path("kast/", include("kast.urls")),
    path("manniskohandel/", include("trafficking.urls")),
]

handler400 = "prostenhet.views.errors.bad_request"
handler403 = "prostenhet.views.errors.permission_denied"
handler404 = "prostenhet.views.errors.page_not_found"
handler500 = "prostenhet.views.errors.server_error"
