"""The form fuzzer: every form of every view, posted with hostile values by a role that may use
it (issue 13, robustness).

For each view a role reaches with a GET (the access matrix's rows and URL arguments), the
page's forms inside <main> are read as a browser submits them, and Hypothesis fills their fields
with what users and attackers type: nothing, blanks, control characters and NUL, right-to-left
overrides, emoji, markup and SQL fragments, 10,000 characters, dates in year 1 and 9999 or on
31 February, numbers at the 32- and 64-bit limits, "NaN" and 1e309, options a select does not
offer. A form is also submitted as it stands and with a fixed set of worst cases, whatever the
random draws. GET forms (searches, filters, calendars) are sent as GET, htmx forms (autosave)
with the HX-Request header, the layout's forms (log-out, language) once from the start page.
For every submission:

- the server answers below 500;
- a refused submission (the form shown again with errors, a 4xx, an error message or a refused
  autosave) has stored nothing: every project table's rows are the same before and after,
  apart from the tables a request legitimately writes when nothing is saved (READ_WRITES);
- every error shown is Swedish: no piece of Django's own English messages, and Swedish words.

A text field with a NUL byte must be refused (PostgreSQL cannot store one: it would be a 500).

Each submission runs in a savepoint that is rolled back, so that every draw meets the same
world. FUZZ_EXAMPLES sets the random draws per form (default 4; e.g. FUZZ_EXAMPLES=200 for a
long run), FUZZ_RANDOM=1 draws afresh on every run instead of the fixed sequence."""

import dataclasses
import importlib
import inspect
import os
import pkgutil
from urllib.parse import urlencode

import pytest
from django import forms as django_forms
from django.contrib.messages import constants as message_levels
from django.core.validators import MaxValueValidator
from django.db import transaction
from django.test import override_settings
from django.urls import resolve, reverse
from hypothesis import HealthCheck, Phase, example, given, settings

from prostenhet import forms as base_forms

from . import fuzz
from .test_access_matrix import ALL_ROLES, KWARGS, MATRIX
from .world import build_world

FAST_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "4"))
FUZZ_SETTINGS = settings(
    max_examples=EXAMPLES,
    deadline=None,
    database=None,
    derandomize=os.environ.get("FUZZ_RANDOM") != "1",
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow,
                           HealthCheck.data_too_large, HealthCheck.filter_too_much],
    phases=[Phase.explicit, Phase.generate, Phase.shrink],
    print_blob=False,
)

# Tables a request writes although it stores nothing of the form's: the session (log-in, the
# messages), the read-access log (a page with personal data logs its reading, the form shown
# again included), security events (a refused or suspicious request may be one), django-axes'
# login attempts and lock-outs. Django's content types and permissions only change through
# migrations: left out to keep the snapshot cheap.
READ_WRITES = [
    "django_session",
    "prostenhet_accesslog",
    "prostenhet_securityevent",
    "axes_accessattempt",
    "axes_accessattemptexpiration",
    "axes_accessfailurelog",
    "axes_accesslog",
    "auth_permission",
    "django_content_type",
]

# Views whose forms are not fuzzed here, and why.
SKIPPED = {
    # The second factor's form is one six-digit token (TokenForm) and its device counts every
    # wrong code by design (django-otp's throttling writes on a refusal); the login and
    # lock-out tests (tests/prostenhet/test_login.py) cover it.
    "account:otp-verify": "second factor: throttling writes on refusal by design",
    "account:otp-setup": "redirects every role; the set-up form is the second factor's",
    # A confirmation without fields, reached only with a key the registration keeps in the
    # session; the registration form that leads to it (clients:client-create) is fuzzed.
    "clients:client-enrol-existing": "confirmation reached through clients:client-create",
    "home": "redirects to the start page",
    "trafficking:client-case": "a link that redirects to the client's case; no form",
    # The client pickers' searches: POSTed by a script with one field (q), not by a form;
    # long, empty and identity-number terms are in tests/clients/test_client_picker.py.
    "clients:booking-client-options": "the booking form's client picker search (script)",
    "spiralen:book-client-options": "the clinic booking's client picker search (script)",
    "kast:call-client-options": "the call form's client picker search (script)",
}

# The KAST pages are the KAST counsellor's alone (no matrix role works in KAST).
KAST_COUNSELLOR = "kco"

# POST-only views (a GET answers 405 or goes back to a page) and the page whose form posts
# to them: fuzzed from that page, which must show the form.
POST_ONLY = {
    "account:end-other-sessions": "account:password-change",
    "clients:weeding-dry-run": "clients:weeding",
    "statistics:close-year": "statistics:index",
    "statistics:refresh": "statistics:index",
    "clients:entry-autosave": "clients:entry-edit",
    "outreach:contact-create": "outreach:shift-detail",
    "outreach:client-search": "outreach:shift-detail",
    # The layout's forms (outside <main>): fuzzed once, from the start page.
    "account:logout": "start",
    "set_language": "start",
}
LAYOUT_PAGE = "start"

# Settings a page needs to show all its forms: the statistics offer "compute again" only for
# figures kept in the cache.
PAGE_SETTINGS = {"statistics:index": {"STATISTICS_CACHE_SECONDS": 300}}


def who_fuzzes(name):
    """The user a view's forms are fuzzed as: the first role the matrix lets GET the page (the
    KAST counsellor for KAST's pages, nobody for the login page)."""
    if name.startswith("kast:"):
        return KAST_COUNSELLOR
    row = MATRIX[name]
    for role in ALL_ROLES:
        if row[role.value] == 200:
            return role.value
    if row["anonymous"] == 200:
        return "anonymous"
    return None


PAGES = sorted(
    name for name in MATRIX
    if name not in SKIPPED and name not in POST_ONLY and who_fuzzes(name) is not None
)


def test_every_view_is_fuzzed_or_skipped_with_a_reason():
    for name in MATRIX:
        assert (name in PAGES) + (name in POST_ONLY) + (name in SKIPPED) == 1, name
    assert set(POST_ONLY.values()) <= set(PAGES)


@pytest.fixture(scope="module")
def module_world(django_db_setup, django_db_blocker):
    """One world for the module's tests, built once in a transaction that is rolled back at
    the end (each test runs in a savepoint inside it): building it for each of the hundred
    and fifty views would take longer than the fuzzing."""
    with (
        django_db_blocker.unblock(),
        override_settings(PASSWORD_HASHERS=FAST_HASHERS),
        transaction.atomic(),
    ):
        yield build_world()
        transaction.set_rollback(True)


@pytest.fixture
def world(module_world, db):
    """The module's world, its objects read again (a test may have cached rights or changed
    rows on the Python objects of the one before; the rows themselves were rolled back)."""
    return dataclasses.replace(module_world, **{
        item.name: type(obj)._default_manager.get(pk=obj.pk)
        for item in dataclasses.fields(module_world)
        if (obj := getattr(module_world, item.name)) is not None
    })


def staff_of(world, who):
    return world.kco if who == KAST_COUNSELLOR else world.staff_for(who)


def url_name(path):
    match = resolve(path)
    return match.view_name


@pytest.mark.django_db
@pytest.mark.parametrize("name", PAGES)
def test_forms_survive_fuzzing(client, login, world, settings, name):
    for setting, value in PAGE_SETTINGS.get(name, {}).items():
        setattr(settings, setting, value)
    who = who_fuzzes(name)
    user = None if who == "anonymous" else staff_of(world, who)
    url = reverse(name, kwargs=KWARGS[name](world) if name in KWARGS else None)
    session = {}
    tables = fuzz.project_tables(READ_WRITES)

    def log_in():
        """Log in again when the last submission changed the session's key (a log-in, a
        log-out, a password change): the savepoint took the new session back."""
        cookie = settings.SESSION_COOKIE_NAME
        current = client.cookies[cookie].value if cookie in client.cookies else None
        if current is None or current != session.get("key"):
            client.cookies.clear()
            if user is not None:
                login(user)
            session["key"] = (
                client.cookies[cookie].value if cookie in client.cookies else None
            )
            # What the tables hold before any submission (the log-in wrote last_login).
            session["before"] = fuzz.snapshot(tables)
        return session["before"]

    log_in()
    page = client.get(url)
    assert page.status_code == 200, f"{name} as {who}"
    if "html" not in page.get("Content-Type", ""):
        return  # a PDF or a CSV: no forms
    html = page.content.decode()
    page_errors = set(fuzz.error_texts(html)[0])

    forms = []
    for form in fuzz.forms_of(html, url):
        target = url_name(form.action)
        if not form.in_main and name != LAYOUT_PAGE:
            continue  # the layout's forms are fuzzed once, from the start page
        if target == name or POST_ONLY.get(target) == name:
            # One of a list's identical forms (a row's button each) stands for them all.
            if fuzz.signature(form) not in {fuzz.signature(f) for _, f in forms}:
                forms.append((target, form))
        else:
            assert target in PAGES or target in SKIPPED, (
                f"a form on {name} goes to {target}, which is neither fuzzed on its own page "
                "nor in POST_ONLY: add it to POST_ONLY with this page"
            )
    declared = {target for target, page_name in POST_ONLY.items() if page_name == name}
    assert declared <= {target for target, _ in forms}, f"{name} no longer shows a form for it"

    for target, form in forms:
        fuzz_form(client, log_in, tables, page_errors, target, form)


def fuzz_form(client, log_in, tables, page_errors, target, form):
    outcomes = []

    def submit(submission):
        values, button = submission
        before = log_in()
        with transaction.atomic():
            response = send(client, form, values, button)
            after = fuzz.snapshot(tables)
            transaction.set_rollback(True)
        context = f"{target}: {form.describe()}"
        assert response.status_code < 500, context
        refused, errors = refusal(response, page_errors)
        outcomes.append((values, refused))
        if refused:
            assert fuzz.changed_tables(before, after) == [], (
                f"{context}: a refused submission stored something ({errors or response})"
            )
        for error in errors:
            assert is_swedish(error), f"{context}: an error message not in Swedish: {error!r}"

    if not form.fuzzable() and len(form.submits) <= 1:
        # A confirmation: nothing to vary but the request itself.
        submit(next(fuzz.explicit_submissions(form)))
    else:
        check = given(fuzz.submission_strategy(form))(submit)
        for submission in reversed(list(fuzz.explicit_submissions(form))):
            check = example(submission)(check)
        FUZZ_SETTINGS(check)()

    # A NUL byte in a text field is refused with a message (PostgreSQL cannot store it).
    text_fields = [f.name for f in form.fuzzable() if f.kind in ("text", "textarea")]
    if form.method == "post" and text_fields:
        with_nul = [refused for values, refused in outcomes
                    if any(values.get(n) == [fuzz.NUL] for n in text_fields)]
        assert with_nul and all(with_nul), f"{target}: a NUL byte was not refused"


def send(client, form, values, button):
    body = fuzz.encode(form, values, button)
    headers = {"headers": {"HX-Request": "true"}} if form.htmx else {}
    if form.method == "get":
        return client.get(f"{form.action}?{body}", **headers)
    path = f"{form.action}?{form.query}" if form.query else form.action
    return client.post(
        path, body, content_type="application/x-www-form-urlencoded", **headers
    )


HTMX_REFUSALS = ("Inte sparat", "Inget att spara")


def refusal(response, page_errors):
    """(refused, the error texts shown) for a response."""
    errors = []
    refused = 400 <= response.status_code < 500
    request = response.wsgi_request
    for message in getattr(request, "_messages", []):
        if message.level >= message_levels.ERROR:
            refused = True
            errors.append(str(message))
    if response.status_code == 200 and "html" in response.get("Content-Type", ""):
        text = response.content.decode()
        shown, invalid = fuzz.error_texts(text)
        new = [e for e in shown if e not in page_errors]
        errors.extend(new)
        refused = refused or invalid or bool(new) or text.strip().startswith(HTMX_REFUSALS)
        if text.strip().startswith(HTMX_REFUSALS):
            errors.append(text.strip())
    return refused, errors


ENGLISH = fuzz.english_fragments()


def is_swedish(text):
    english = [fragment for fragment in ENGLISH if fragment in text]
    return not english and fuzz.is_swedish(text)


def test_the_english_check_knows_djangos_messages():
    assert not is_swedish("This field is required.")
    assert not is_swedish("Enter a valid date.")
    assert not is_swedish("Ensure this value has at most 200 characters (it has 10000).")
    assert not is_swedish("Select a valid choice. x is not one of the available choices.")
    assert is_swedish("Detta fält måste fyllas i.")
    assert is_swedish("Ange ett giltigt datum.")


def test_the_reader_sees_a_forms_fields_as_a_browser_sends_them():
    html = """<nav><form method="post" action="/ut/"><input name="x"></form></nav>
    <main id="main"><form method="post" action="/a/?q=1">
      <input type="hidden" name="csrfmiddlewaretoken" value="tok">
      <input name="alias" value="Anna"> <input type="date" name="day">
      <textarea name="text">
rad</textarea>
      <select name="unit"><option value="">---</option><option selected>kast</option></select>
      <input type="checkbox" name="units" value="a" checked><input type="checkbox" name="units"
        value="b"><input type="radio" name="g" value="w"><input type="radio" name="g" value="m">
      <input name="off" disabled><button name="sign" value="1">Signera</button>
    </form><form hx-post="/auto/"><input name="t"></form></main>"""
    layout, form, autosave = fuzz.forms_of(html, "/sida/")
    assert not layout.in_main and form.in_main
    assert form.action == "/a/" and form.csrf == "tok" and form.submits == [("sign", "1")]
    fields = form.fields
    assert [f.name for f in form.fuzzable()] == ["alias", "day", "text", "unit", "units", "g"]
    assert fields["alias"].values == ["Anna"] and fields["day"].kind == "date"
    assert fields["text"].values == ["rad"]
    assert fields["unit"].options == ["", "kast"] and fields["unit"].values == ["kast"]
    assert fields["units"].multiple and fields["units"].values == ["a"]
    assert fields["g"].options == ["w", "m"] and fields["g"].values == []
    assert autosave.htmx and autosave.method == "post" and autosave.action == "/auto/"
    body = fuzz.encode(form, {"alias": ["a\x00b"], "units": ["a", "b"]}, ("sign", "1"))
    assert body == urlencode([("csrfmiddlewaretoken", "tok"), ("alias", "a\x00b"),
                              ("units", "a"), ("units", "b"), ("sign", "1")])


def project_form_classes():
    """Every form class the project's apps define (their forms modules)."""
    for app in ("prostenhet", "clients", "outreach", "spiralen", "kast", "trafficking"):
        package = importlib.import_module(f"{app}.forms")
        modules = [package]
        if hasattr(package, "__path__"):
            modules += [importlib.import_module(f"{app}.forms.{info.name}")
                        for info in pkgutil.iter_modules(package.__path__)]
        for module in modules:
            for _, cls in inspect.getmembers(module, inspect.isclass):
                if issubclass(cls, django_forms.BaseForm) and cls.__module__ == module.__name__:
                    yield cls


def test_every_form_date_is_bounded():
    """A date in year 1 or 9999 overflows the date arithmetic behind it (the fuzzer found
    calendars, contracts, placements and bookings answering 500): every form's dates are
    prostenhet.forms' bounded fields."""
    unbounded = [
        f"{cls.__module__}.{cls.__name__}.{name}"
        for cls in project_form_classes()
        for name, form_field in cls.base_fields.items()
        if isinstance(form_field, django_forms.DateField | django_forms.DateTimeField)
        and not isinstance(form_field, base_forms.DateField | base_forms.DateTimeField)
    ]
    assert unbounded == []
    field = base_forms.DateField()
    for day in ("0001-01-01", "1899-12-31", "9999-12-31"):
        with pytest.raises(django_forms.ValidationError):
            field.clean(day)
    assert str(field.clean("2026-02-28")) == "2026-02-28"


def test_every_form_integer_fits_a_database_column():
    """A number past a 32-bit column (a draft's save number posted as 2**31) made PostgreSQL
    refuse the save (a server error): every form's integers are prostenhet.forms' bounded
    field (a model form's own fields Django bounds to their column, on PostgreSQL)."""
    unbounded = [
        f"{cls.__module__}.{cls.__name__}.{name}"
        for cls in project_form_classes()
        for name, form_field in cls.declared_fields.items()
        if isinstance(form_field, django_forms.IntegerField)
        and not any(isinstance(v, MaxValueValidator) for v in form_field.validators)
    ]
    assert unbounded == []
    field = base_forms.IntegerField(required=False)
    for number in ("2147483648", "-2147483649", "9223372036854775808"):
        with pytest.raises(django_forms.ValidationError):
            field.clean(number)
    assert field.clean("2147483647") == 2**31 - 1
