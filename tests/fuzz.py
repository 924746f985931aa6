"""The form fuzzer's tools (tests/test_form_fuzz.py): read a page's forms, make Hypothesis
strategies for their fields, snapshot what the database holds, and tell refused forms and
English error messages apart.

A form is read the way a browser would submit it: every named, enabled field of the form,
hidden ones included, and the submit button that was pressed."""

import gettext
import hashlib
import re
from dataclasses import dataclass, field
from datetime import date, timedelta
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urlencode, urlsplit

import django
from django.apps import apps
from django.db import connection
from hypothesis import strategies as st

# ---------------------------------------------------------------------------------------------
# Reading forms


@dataclass
class Field:
    name: str
    kind: str  # text, textarea, email, number, date, time, datetime-local, select, checkbox,
    #            radio, hidden, password, ...
    values: list = field(default_factory=list)  # what the page gave (selected, checked, value)
    options: list = field(default_factory=list)  # select options, radio/checkbox values
    multiple: bool = False


@dataclass
class Form:
    method: str
    action: str  # the path the browser sends the form to
    query: str  # the action's query string, which a browser keeps on a POST
    htmx: bool  # posted by htmx (hx-post), with the HX-Request header
    in_main: bool
    fields: dict = field(default_factory=dict)  # name -> Field, in page order
    submits: list = field(default_factory=list)  # [(name, value)] of the named submit buttons

    @property
    def csrf(self):
        token = self.fields.get("csrfmiddlewaretoken")
        return token.values[0] if token and token.values else ""

    def fuzzable(self):
        """The fields a user (or a tampered request) controls: everything but the CSRF token."""
        return [f for f in self.fields.values() if f.name != "csrfmiddlewaretoken"]

    def describe(self):
        fields = ", ".join(f"{f.name}:{f.kind}" for f in self.fuzzable())
        return f"{self.method.upper()} {self.action} [{fields}]"


class FormParser(HTMLParser):
    """Collects the forms of a page, noting whether each is inside <main>."""

    def __init__(self, page_path):
        super().__init__(convert_charrefs=True)
        self.page_path = page_path
        self.forms = []
        self.form = None
        self.in_main = False
        self.textarea = None  # (Field, [text]) while inside a <textarea>
        self.select = None  # Field while inside a <select>
        self.option = None  # (attrs, [text]) while inside an <option> without a value

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "main":
            self.in_main = True
        elif tag == "form":
            action = urlsplit(attrs.get("hx-post") or attrs.get("action") or "")
            self.form = Form(
                method="post" if "hx-post" in attrs else (attrs.get("method") or "get").lower(),
                action=action.path or self.page_path,
                query=action.query,
                htmx="hx-post" in attrs,
                in_main=self.in_main,
            )
            self.forms.append(self.form)
        elif self.form is None or "disabled" in attrs:
            return
        elif tag == "input":
            self._input(attrs)
        elif tag == "button":
            if attrs.get("type", "submit") == "submit" and attrs.get("name"):
                self.form.submits.append((attrs["name"], attrs.get("value", "")))
        elif tag == "textarea" and attrs.get("name"):
            self.textarea = (self._field(attrs["name"], "textarea"), [])
        elif tag == "select" and attrs.get("name"):
            self.select = self._field(attrs["name"], "select")
            self.select.multiple = "multiple" in attrs
        elif tag == "option" and self.select is not None:
            if "value" in attrs:
                self._option(attrs, attrs["value"])
            else:
                self.option = (attrs, [])

    def _field(self, name, kind):
        return self.form.fields.setdefault(name, Field(name=name, kind=kind))

    def _option(self, attrs, value):
        self.select.options.append(value)
        if "selected" in attrs:
            self.select.values.append(value)

    def _input(self, attrs):
        kind = attrs.get("type", "text").lower()
        name = attrs.get("name")
        if not name or kind in ("reset", "button", "image", "file"):
            return
        if kind == "submit":
            self.form.submits.append((name, attrs.get("value", "")))
            return
        field_ = self._field(name, kind)
        value = attrs.get("value", "on" if kind in ("checkbox", "radio") else "")
        if kind in ("checkbox", "radio"):
            field_.options.append(value)
            field_.multiple = field_.multiple or (kind == "checkbox" and len(field_.options) > 1)
            if "checked" in attrs:
                field_.values.append(value)
        else:
            field_.values.append(value)

    def handle_data(self, data):
        if self.textarea is not None:
            self.textarea[1].append(data)
        if self.option is not None:
            self.option[1].append(data)

    def handle_endtag(self, tag):
        if tag == "main":
            self.in_main = False
        elif tag == "form":
            self.form = None
        elif tag == "textarea" and self.textarea is not None:
            field_, text = self.textarea
            # A browser drops the one newline that follows <textarea>.
            field_.values = ["".join(text).removeprefix("\n")]
            self.textarea = None
        elif tag == "select":
            self.select = None
        elif tag == "option" and self.option is not None:
            attrs, text = self.option
            self._option(attrs, "".join(text).strip())
            self.option = None


def signature(form):
    """What makes two forms the same to the fuzzer: where they go and what they send."""
    return (form.method, form.action, form.htmx,
            tuple((f.name, f.kind, tuple(f.options)) for f in form.fuzzable()),
            tuple(name for name, _ in form.submits))


def forms_of(html, page_path):
    parser = FormParser(page_path)
    parser.feed(html)
    parser.close()
    return parser.forms


# ---------------------------------------------------------------------------------------------
# Values


# What a hostile or careless user types: empty and blank, control characters, right-to-left
# overrides, emoji, markup and SQL fragments, template and path tricks, very long text, dates
# far away or impossible, numbers at every limit and things that only look like numbers.
NUL = "a\x00b"
LONG = "x" * 10_000
NASTY_TEXT = [
    "",
    " ",
    "\x00",
    NUL,
    "\x01\x02\x07\x08\x0b\x0c\x1b[31m\x7f",
    "\t\r\n",
    "\u202eevil\u202c.exe",
    "\u200f\u0645\u0631\u062d\u0628\u0627 \u05e9\u05dc\u05d5\u05dd\u200e",
    "😀👩‍👩‍👧‍👦🏳️‍🌈\u200d\ufe0f",
    "<script>alert(1)</script>",
    '"><img src=x onerror=alert(1)>',
    "' OR 1=1 --",
    "'; DROP TABLE clients_client; --",
    "{{ 7|add:7 }}{% debug %}",
    "%(name)s %s {0}",
    "../../../etc/passwd",
    "\ufeff\u00a0\u2028\u2029",
    LONG,
    "å" * 5_000,
]
NASTY_NUMBERS = [
    "-1", "0", "-0", "2147483647", "2147483648", "-2147483649", "9223372036854775807",
    "9223372036854775808", "-9223372036854775809", str(10**40), "1e309", "-1e309", "1e-400",
    "NaN", "Infinity", "1,5", "0x10", "١٢٣", "1_000",
]
NASTY_DATES = [
    "0001-01-01", "9999-12-31", "10000-01-01", "0000-00-00", "31.02.2026", "2026-02-31",
    "2026-13-01", "1900-01-01", "2026-02-29", "2028-02-29", "-2026-01-01", "20260101",
]
NASTY_TIMES = ["24:00", "23:59:60", "00:00", "25:61", "-01:00", "10:00:00.9999999"]
NASTY_DATETIMES = [f"{d}T{t}" for d in ("0001-01-01", "9999-12-31", "31.02.2026")
                   for t in ("00:00", "23:59")]
NASTY_CHOICES = ["", "0", "-1", "999999999", "9223372036854775808", "00000000-0000-0000-0000-"
                 "000000000000", "not-a-choice", "\x00"]

TEXT_KINDS = {"text", "textarea", "search", "email", "tel", "url", "password"}

# Random text: any printable or control character of the Basic Multilingual Plane and beyond,
# except lone surrogates (a browser cannot send them: they are not UTF-8).
any_text = st.text(st.characters(codec="utf-8"), max_size=300)


def plausible(form_field):
    """What a user filling the form in sensibly would send (the page's own values first)."""
    today = date.today()
    given = [v for v in form_field.values if v != ""]
    kind = form_field.kind
    if kind in ("checkbox", "radio") or (kind == "select" and form_field.multiple):
        return list(form_field.values)
    if kind == "select":
        if given:
            return given[:1]
        options = [o for o in form_field.options if o != ""]
        return options[:1]
    if given:
        return given[:1]
    return [{
        "email": "test@example.se",
        "number": "1",
        "date": (today + timedelta(days=1)).isoformat(),
        "time": "10:00",
        "datetime-local": f"{today + timedelta(days=1)}T10:00",
        "tel": "0701234567",
        "textarea": "Testtext.",
        "hidden": "",
    }.get(kind, "Test")]


def nasty(form_field):
    """A strategy for one field: a list of the values to send (empty: the field is left out)."""
    kind = form_field.kind
    text = st.one_of(st.sampled_from(NASTY_TEXT), any_text)
    if kind in ("checkbox", "radio", "select"):
        options = form_field.options or [""]
        chosen = (
            st.lists(st.sampled_from(options), unique=True)
            if form_field.multiple or kind == "checkbox"
            else st.sampled_from(options).map(lambda v: [v])
        )
        return st.one_of(
            chosen,
            st.sampled_from(NASTY_CHOICES).map(lambda v: [v]),
            text.map(lambda v: [v]),
            # The same option twice, or an option beside a value that is none.
            st.sampled_from(options).map(lambda v: [v, v]),
            st.sampled_from(options).map(lambda v: [v, "\x00"]),
        )
    if kind == "number":
        values = st.one_of(
            st.sampled_from(NASTY_NUMBERS),
            st.integers(min_value=-(2**70), max_value=2**70).map(str),
            st.floats(allow_nan=True, allow_infinity=True).map(repr),
            text,
        )
    elif kind == "date":
        values = st.one_of(
            st.sampled_from(NASTY_DATES), st.dates().map(date.isoformat), text
        )
    elif kind == "time":
        values = st.one_of(st.sampled_from(NASTY_TIMES), st.times().map(str), text)
    elif kind == "datetime-local":
        values = st.one_of(
            st.sampled_from(NASTY_DATETIMES),
            st.datetimes().map(lambda d: d.isoformat(timespec="minutes")),
            text,
        )
    else:
        values = st.one_of(text, st.sampled_from(NASTY_NUMBERS + NASTY_DATES))
    return st.one_of(values.map(lambda v: [v]), st.just([]))


def field_strategy(form_field):
    """Mostly nasty, sometimes sensible, so that one bad field is also met beside good ones
    (which takes the request past the form into the view and the services)."""
    return st.one_of(st.just(plausible(form_field)), nasty(form_field))


def submission_strategy(form):
    fields = st.fixed_dictionaries({f.name: field_strategy(f) for f in form.fuzzable()})
    submit = st.sampled_from(form.submits) if form.submits else st.just(None)
    return st.tuples(fields, submit)


def explicit_submissions(form):
    """The same fixed cases for every form, whatever Hypothesis draws besides: the page's own
    values; then each of a few worst cases in every field it fits, the others sensible."""
    base = {f.name: plausible(f) for f in form.fuzzable()}
    submit = form.submits[0] if form.submits else None
    yield base, submit
    cases = [
        (TEXT_KINDS | {"hidden"}, NUL),
        (TEXT_KINDS | {"hidden"}, LONG),
        (TEXT_KINDS, "<script>alert(1)</script>' OR 1=1 -- \u202e😀\x07"),
        ({"number", "text", "select", "radio", "checkbox", "hidden"}, "9223372036854775808"),
        # One past a 32-bit integer column (a save number, a version, a position).
        ({"number", "hidden"}, "2147483648"),
        ({"number"}, "-1"),
        ({"date", "datetime-local", "text"}, "0001-01-01"),
        ({"date", "text"}, "9999-12-31"),
        ({"datetime-local"}, "9999-12-31T23:59"),
        ({"date", "time", "text"}, "31.02.2026"),
        ({"select", "radio", "checkbox"}, "\x00"),
    ]
    for kinds, value in cases:
        changed = {f.name: [value] for f in form.fuzzable() if f.kind in kinds}
        if changed:
            yield {**base, **changed}, submit


def encode(form, values, submit):
    """The request body a browser would send (application/x-www-form-urlencoded)."""
    pairs = [("csrfmiddlewaretoken", form.csrf)] if form.csrf else []
    for name, sent in values.items():
        pairs.extend((name, value) for value in sent)
    if submit is not None:
        pairs.append(submit)
    return urlencode(pairs)


# ---------------------------------------------------------------------------------------------
# What the database holds


def snapshot(tables):
    """A fingerprint per table: its row count and a hash of its rows. Cheap on the tests' small
    world, and it sees an UPDATE as well as an INSERT or DELETE."""
    fingerprint = {}
    with connection.cursor() as cursor:
        for table in tables:
            cursor.execute(f"SELECT * FROM {connection.ops.quote_name(table)}")  # noqa: S608
            rows = sorted(repr(row) for row in cursor.fetchall())
            fingerprint[table] = (len(rows), hashlib.sha1("\n".join(rows).encode()).hexdigest())
    return fingerprint


def changed_tables(before, after):
    return sorted(t for t in before if before[t] != after[t])


def project_tables(exclude):
    tables = {
        model._meta.db_table
        for model in apps.get_models(include_auto_created=True)
        if model._meta.managed and not model._meta.proxy
    }
    return sorted(tables - set(exclude))


# ---------------------------------------------------------------------------------------------
# Refusals and their language

ERROR_CLASSES = ("invalid-feedback", "errorlist", "alert-danger", "text-danger")


class ErrorParser(HTMLParser):
    """Texts of the page's error elements, and whether a field is marked invalid."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.errors = []
        self.invalid_field = False
        self.stack = []  # per open element: an error text being collected, or None

    def handle_starttag(self, tag, attrs):
        classes = (dict(attrs).get("class") or "").split()
        if "is-invalid" in classes:
            self.invalid_field = True
        if tag in ("input", "br", "img", "meta", "link", "hr"):
            return
        collecting = any(c in classes for c in ERROR_CLASSES)
        self.stack.append([] if collecting else None)

    def handle_data(self, data):
        for collected in self.stack:
            if collected is not None:
                collected.append(data)
                break

    def handle_endtag(self, tag):
        if tag in ("input", "br", "img", "meta", "link", "hr") or not self.stack:
            return
        collected = self.stack.pop()
        if collected is not None:
            text = " ".join("".join(collected).split())
            if text:
                self.errors.append(text)


def error_texts(html):
    parser = ErrorParser()
    parser.feed(html)
    parser.close()
    return parser.errors, parser.invalid_field


def _msgids(mo_path):
    with open(mo_path, "rb") as file:
        catalog = gettext.GNUTranslations(file)._catalog  # noqa: SLF001
    for key in catalog:
        msgid = key[0] if isinstance(key, tuple) else key  # (msgid, n) for plurals
        yield msgid.split("\x04")[-1]  # without its context


PLACEHOLDER = re.compile(r"%\(\w+\)[sdr]|%[sdr]|\{\w*\}")


def english_fragments():
    """Django's own English messages (every msgid of Django's and its contrib apps' Swedish
    catalogues), cut at their placeholders into the fixed pieces a rendered message contains.
    An error text that holds one was not translated."""
    root = Path(django.__file__).parent
    fragments = set()
    for mo in [root / "conf/locale/sv/LC_MESSAGES/django.mo",
               *root.glob("contrib/*/locale/sv/LC_MESSAGES/django.mo")]:
        for msgid in _msgids(mo):
            for piece in PLACEHOLDER.split(msgid):
                piece = piece.strip(" .:,")
                # Whole phrases only: a short word ("Error", "No") may be Swedish too.
                if len(piece) >= 12 and len(piece.split()) >= 3:
                    fragments.add(piece)
    return fragments


SWEDISH = re.compile(
    r"[åäöÅÄÖ]|\b(?:och|inte|ett|en|är|får|kan|måste|ange|välj|fältet|finns|för|till|"
    r"med|av|eller|den|det|som|att|saknas|ogiltig\w*|redan|högst|minst|tecken|"
    r"giltig\w*|utkast|klient\w*|tid|datum)\b",
    re.IGNORECASE,
)


def is_swedish(text):
    return bool(SWEDISH.search(text))
