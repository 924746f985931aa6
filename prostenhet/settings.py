"""Settings for the Prostitutionsenheten case-management system.

Every setting that differs between installations comes from the environment (see README.md).
The defaults are the safe ones: DEBUG off, HTTPS on, two-factor required.
"""

import os
from pathlib import Path

import environ
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()
# A developer's checkout has a .env (written by `make`, never committed) with DEBUG=1, so that
# manage.py works there without flags. It is read only when it says so with a line DEV=1, the
# marker `make` writes: any other .env (one left in or copied to a deployment folder) is
# ignored, so that no file can switch on debug mode and the development key by being there.
# The environment always wins over the file; a deployment configures through the environment.
_env_file = Path(env.str("ENV_FILE", default=str(BASE_DIR / ".env")))


def _is_developer_env_file(path):
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError):
        return False
    return any(line.replace(" ", "") == "DEV=1" for line in lines)


if _is_developer_env_file(_env_file):
    environ.Env.read_env(str(_env_file))

DEBUG = env.bool("DEBUG", default=False)
# Demo mode: `make run` on a developer's machine. Two-factor is off and a banner says so.
DEMO_MODE = env.bool("DEMO_MODE", default=False)
if DEMO_MODE and not DEBUG:
    raise ImproperlyConfigured("DEMO_MODE requires DEBUG=1: demo mode never runs in production.")

_DEV_SECRET_KEY = "insecure-development-key-only-for-debug-mode"
SECRET_KEY = env.str("SECRET_KEY", default=_DEV_SECRET_KEY if DEBUG else "")
if not DEBUG and (len(SECRET_KEY) < 50 or SECRET_KEY.startswith("insecure")):
    raise ImproperlyConfigured(
        "SECRET_KEY must be set to a random value of at least 50 characters in production "
        "(DEBUG off). Generate one with: "
        "python -c 'import secrets; print(secrets.token_urlsafe(64))'"
    )

ALLOWED_HOSTS = env.list(
    "ALLOWED_HOSTS", default=["localhost", "127.0.0.1", "[::1]"] if DEBUG else []
)
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "axes",
    "guardian",
    "auditlog",
    "crispy_forms",
    "crispy_bootstrap5",
    "django_htmx",
    "csp",
    "prostenhet",
    "clients",
    "outreach",
    "spiralen",
    "kast",
    "trafficking",
]

MIDDLEWARE = [
    "prostenhet.middleware.RequestIdMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "prostenhet.middleware.LanguageMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "prostenhet.middleware.IdleTimeoutMiddleware",
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    "prostenhet.middleware.SecondFactorMiddleware",
    "prostenhet.middleware.PasswordChangeRequiredMiddleware",
    "prostenhet.middleware.KeptFormMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "prostenhet.middleware.AuditlogMiddleware",
    "prostenhet.middleware.NoStoreMiddleware",
    # Last, so that it sees every failed login the auth backends report.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "prostenhet.urls"
WSGI_APPLICATION = "prostenhet.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "prostenhet.context_processors.layout",
            ],
        },
    },
]

# Database: SQLite file in the project folder unless DATABASE_URL says otherwise.
DATABASES = {
    "default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
}
DATABASES["default"]["ATOMIC_REQUESTS"] = False
DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # No JIT compilation: it pays only for long analytical queries, and the planner's
    # estimates put some of the pages' short ones over jit_above_cost (a visibility check
    # over every client: 18 ms compiling a 4 ms query, at every request).
    DATABASES["default"].setdefault("OPTIONS", {}).setdefault("options", "-c jit=off")
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # The demo serves SQLite through the threaded development server, so requests write at
    # the same time. WAL lets readers and the writer work side by side; a writer waits up to
    # `timeout` seconds for another instead of failing at once; and transactions take the
    # write lock when they begin, since SQLite ends a transaction that read first and then
    # asks to write ("database is locked") without waiting at all.
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {
            "transaction_mode": "IMMEDIATE",
            "timeout": 20,
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL",
        }
    )
    # Browser tests (make e2e) on a file, not in memory: Django's live server hands an
    # in-memory database's one connection to all its threads, so requests racing in a browser
    # (an autosave and a submit) would share one transaction. With a file each thread has its
    # own connection, as the demo server and PostgreSQL do.
    if env.bool("SQLITE_TEST_FILE", default=False):
        # One file per test run, so that two runs in one checkout do not share it.
        DATABASES["default"]["TEST"] = {"NAME": str(BASE_DIR / f"test-db-{os.getpid()}.sqlite3")}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# One cache for every app server: a table in the database (made by a migration), so that an
# app server keeps no state of its own (docs/deploy.md). It holds the statistics' figures of
# open years, never personal data.
CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.db.DatabaseCache",
        "LOCATION": "prostenhet_cache",
    }
}

# Users and login
AUTH_USER_MODEL = "prostenhet.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    # Django's ModelBackend, with the user's permissions read from their groups' (roles').
    "prostenhet.backends.ModelBackend",
    "guardian.backends.ObjectPermissionBackend",
]
LOGIN_URL = "account:login"
LOGIN_REDIRECT_URL = "start"
LOGOUT_REDIRECT_URL = "account:login"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# Two-factor (TOTP). Demo mode turns it off; nothing else should.
TWO_FACTOR_REQUIRED = env.bool("TWO_FACTOR_REQUIRED", default=True) and not DEMO_MODE
OTP_TOTP_ISSUER = env.str("OTP_TOTP_ISSUER", default="Prostitutionsenheten")

# Sessions: end when the browser closes, and after SESSION_IDLE_MINUTES without a request.
SESSION_IDLE_MINUTES = env.int("SESSION_IDLE_MINUTES", default=15)
# However active, a session ends this long after it began (a working day and a bit).
SESSION_MAX_HOURS = env.int("SESSION_MAX_HOURS", default=10)
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_AGE = SESSION_IDLE_MINUTES * 60 + 60
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
# The cookies' names are set with HTTPS below.
# Readable by our own script (static/js/app.js), so that a page left open across a new login
# still posts with the current token. HttpOnly would add nothing here: the token is in the page.
CSRF_COOKIE_HTTPONLY = False

# Lock-out after repeated failed logins (django-axes): the account and the address.
AXES_FAILURE_LIMIT = env.int("LOGIN_FAILURE_LIMIT", default=5)
LOGIN_LOCKOUT_MINUTES = env.int("LOGIN_LOCKOUT_MINUTES", default=30)
AXES_COOLOFF_TIME = LOGIN_LOCKOUT_MINUTES / 60  # hours
# The account, and the address (against password spraying). An office whose staff share one
# public address may turn the address lock off: LOGIN_LOCKOUT_BY_IP=0.
AXES_LOCKOUT_PARAMETERS = ["username"] + (
    ["ip_address"] if env.bool("LOGIN_LOCKOUT_BY_IP", default=True) else []
)
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "prostenhet.views.account.locked_out"
AXES_ENABLE_ADMIN = False
AXES_VERBOSE = False
# Behind a reverse proxy, trust exactly PROXY_COUNT hops of X-Forwarded-For; otherwise
# only the connecting address (a client could forge the header to dodge the lock-out).
# One function reads the address for the lock-out and the change log (prostenhet/lib/client_ip).
PROXY_COUNT = env.int("PROXY_COUNT", default=0)
AXES_CLIENT_IP_CALLABLE = "prostenhet.lib.client_ip.client_ip"
if PROXY_COUNT:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

# Object permissions: guardian without an anonymous user (nobody anonymous sees anything).
ANONYMOUS_USER_NAME = None
GUARDIAN_RAISE_403 = False

# Audit log
AUDITLOG_INCLUDE_ALL_MODELS = False
AUDITLOG_DISABLE_REMOTE_ADDR = False

# Language and time
LANGUAGE_CODE = "sv"
LANGUAGES = [("sv", _("Svenska")), ("en", _("Engelska"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
LANGUAGE_COOKIE_HTTPONLY = True
LANGUAGE_COOKIE_SAMESITE = "Lax"
TIME_ZONE = "Europe/Stockholm"
# One date format in every language (ISO 8601, 2026-11-28 13:05): prostenhet/formats.
FORMAT_MODULE_PATH = ["prostenhet.formats"]
USE_I18N = True
USE_TZ = True

# Static files: vendored, served by whitenoise with hashed names.
STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}

CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"
MESSAGE_STORAGE = "django.contrib.messages.storage.session.SessionStorage"

# Security headers. HTTPS decides the transport settings; it is on unless turned off
# (development, and the test suite which talks plain HTTP).
HTTPS = env.bool("HTTPS", default=not DEBUG)
SECURE_SSL_REDIRECT = HTTPS
SESSION_COOKIE_SECURE = HTTPS
CSRF_COOKIE_SECURE = HTTPS
LANGUAGE_COOKIE_SECURE = HTTPS
# With HTTPS the cookies carry the __Host- prefix (ASVS 5.0 3.3.1): a browser accepts them
# only from this very host, Secure, with Path=/ and no Domain, so that no other host of the
# domain can set or overwrite them. Browsers refuse a __Host- cookie without Secure, so on
# plain HTTP (development, the test suite) the names are plain. static/js/app.js reads the
# CSRF cookie by the name the page gives it (templates/base.html).
SESSION_COOKIE_NAME = "__Host-sessionid" if HTTPS else "prostenhet_session"
CSRF_COOKIE_NAME = "__Host-csrftoken" if HTTPS else "csrftoken"
LANGUAGE_COOKIE_NAME = "__Host-prostenhet_language" if HTTPS else "prostenhet_language"
SESSION_COOKIE_PATH = CSRF_COOKIE_PATH = LANGUAGE_COOKIE_PATH = "/"
SESSION_COOKIE_DOMAIN = CSRF_COOKIE_DOMAIN = LANGUAGE_COOKIE_DOMAIN = None
SECURE_HSTS_SECONDS = env.int("HSTS_SECONDS", default=31536000) if HTTPS else 0
SECURE_HSTS_INCLUDE_SUBDOMAINS = HTTPS
SECURE_HSTS_PRELOAD = HTTPS
SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^readyz$"]
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
CSRF_FAILURE_VIEW = "prostenhet.views.errors.csrf_failure"

# Content-Security-Policy: nothing from another host, no inline script or style.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [NONE],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    },
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {
        "request_id": {"()": "prostenhet.lib.request_id.RequestIdFilter"},
        # 403s and 400s on one line each, without a traceback.
        "client_error_one_line": {"()": "prostenhet.lib.logging.ClientErrorOneLineFilter"},
        # Nothing shaped like an identity number in any log line.
        "mask_identity_numbers": {"()": "prostenhet.lib.logging.IdentityNumberMaskFilter"},
    },
    "formatters": {
        "plain": {"format": "%(asctime)s %(levelname)s [%(request_id)s] %(name)s: %(message)s"},
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "filters": ["request_id", "client_error_one_line", "mask_identity_numbers"],
            "formatter": "plain",
        },
    },
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO").upper()},
    "loggers": {
        # Request lines carry URLs only (never identity numbers: those never reach a URL).
        "django.server": {"level": "INFO", "propagate": True},
        "axes": {"level": "WARNING"},
    },
}

# Access-log review: office hours on weekdays (local time), [start, end).
OFFICE_HOURS = (env.int("OFFICE_HOURS_START", default=7), env.int("OFFICE_HOURS_END", default=19))
# The unit's opening hours on weekdays (local time, whole hours): nothing is booked outside.
OPENING_HOURS = (
    env.int("OPENING_HOURS_START", default=8), env.int("OPENING_HOURS_END", default=17)
)
# Emergency access lasts this long unless the person opening it chooses a shorter time.
EMERGENCY_ACCESS_HOURS = env.int("EMERGENCY_ACCESS_HOURS", default=4)
AUDITLOG_MASK_CALLABLE = "prostenhet.lib.masking.mask_all"

# --- Spiralen (the clinic) ---------------------------------------------------------------------
# Days after a sample is taken by which its result is expected: later, the sample is on the
# clinic's follow-up list ("svar saknas"). Keys are spiralen.models.SampleKind values.
SPIRALEN_RESULT_DAYS = {
    "hiv": 14, "syphilis": 14, "hepatitis_b": 14, "hepatitis_c": 14,
    "chlamydia": 7, "gonorrhoea": 7, "cytology": 42, "pregnancy": 1,
}
# Days after a result is registered by which the patient should have been told.
SPIRALEN_INFORM_DAYS = env.int("SPIRALEN_INFORM_DAYS", default=7)
# Social-services records are weeded this many years after their last entry (DESIGN §5).
SOCIAL_SERVICES_RETENTION_YEARS = env.int("SOCIAL_SERVICES_RETENTION_YEARS", default=5)
# A patient record is kept at least this many years after its last entry (never fewer than
# ten, health-care law; the weeding honours it).
SPIRALEN_RETENTION_YEARS = max(10, env.int("SPIRALEN_RETENTION_YEARS", default=10))
# The research exemption of the Social Services Ordinance (SoF 7 kap. 2 §): social-services
# records of persons born on the 5th, 15th or 25th of a month are never weeded ("birthdays");
# "all" keeps every social-services record, as some municipalities must.
WEEDING_RESEARCH_EXEMPTION = env.str("WEEDING_RESEARCH_EXEMPTION", default="birthdays")
if WEEDING_RESEARCH_EXEMPTION not in ("birthdays", "all"):
    raise ImproperlyConfigured("WEEDING_RESEARCH_EXEMPTION must be 'birthdays' or 'all'.")
# Read-access rows about a weeded record go with it once they are this old; younger ones are
# kept, no longer linked to the (weeded) client, and weeded by a later run.
ACCESS_LOG_RETENTION_YEARS = max(1, env.int("ACCESS_LOG_RETENTION_YEARS", default=5))

# --- outreach ----------------------------------------------------------------------------------
# Internet outreach keeps only a keyed hash (HMAC-SHA256) of an e-mail address, to avoid mailing
# one person twice within OUTREACH_EMAIL_REPEAT_DAYS; hashes older than that are weeded. The key
# comes from the environment (falls back to SECRET_KEY when unset).
OUTREACH_EMAIL_HASH_KEY = env.str("OUTREACH_EMAIL_HASH_KEY", default="")
OUTREACH_EMAIL_REPEAT_DAYS = env.int("OUTREACH_EMAIL_REPEAT_DAYS", default=180)

# --- trafficking -------------------------------------------------------------------------------
# The trafficking team's start page lists deadlines (reflection period, temporary residence
# permit) within this many days.
TRAFFICKING_DEADLINE_DAYS = env.int("TRAFFICKING_DEADLINE_DAYS", default=14)

# --- statistics --------------------------------------------------------------------------------
# Counts from 1 up to (not including) this are shown as "<3" on the statistics page, in its
# charts and in its exports (DESIGN §7).
STATISTICS_THRESHOLD = max(2, env.int("STATISTICS_THRESHOLD", default=3))
# A year that is not closed is computed from the records and kept this many seconds (in the
# shared cache, so that every app server shows the same figures); the page says when and can
# compute it again. 0: always computed.
STATISTICS_CACHE_SECONDS = env.int("STATISTICS_CACHE_SECONDS", default=300)
