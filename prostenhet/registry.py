"""How the base composes what the apps provide (see docs/architecture.md).

The base imports no app. Each app registers what it contributes in its AppConfig.ready():
navigation sections, start-page panels, demo data, labels for its views in the access log,
filters for the access-log review, and what happens to its records when a staff member's
rights change. The base iterates over these registries; adding an app never edits the base.
"""

from collections.abc import Callable
from dataclasses import dataclass, field

from django import forms
from django.core.signals import setting_changed
from django.urls import get_script_prefix, reverse

from .access import user_units

# {(url name, script prefix): path} of the sections: the layout shows them on every page.
_SECTION_PATHS = {}


def _forget_section_paths(*, setting, **kwargs):
    if setting == "ROOT_URLCONF":
        _SECTION_PATHS.clear()


setting_changed.connect(_forget_section_paths, dispatch_uid="prostenhet.registry.section_paths")


@dataclass(frozen=True)
class Section:
    """A section of the application in the navigation and on the start page, shown to the
    roles it names when the user also holds its permission (and, when units are named, works
    in one of them: a counsellor outside KAST holds the same role as KAST's)."""

    url_name: str
    label: str
    description: str
    roles: frozenset
    permission: str | None = None
    order: int = 100
    units: frozenset = frozenset()

    @property
    def path(self):
        """The section's address, reversed once per process (a page's navigation and
        current section ask for every section's address)."""
        key = (self.url_name, get_script_prefix())
        path = _SECTION_PATHS.get(key)
        if path is None:
            path = _SECTION_PATHS[key] = reverse(self.url_name)
        return path

    def is_for(self, user):
        if not any(role in self.roles for role in user.roles):
            return False
        if self.units and not (self.units & user_units(user)):
            return False
        return self.permission is None or user.has_perm(self.permission)


@dataclass(frozen=True)
class StartPanel:
    """A panel on the start page of the roles it names. get_context(request) returns the
    template's context, or None when the panel has nothing to show."""

    key: str
    template: str
    roles: frozenset
    get_context: Callable
    order: int = 100

    def is_for(self, user):
        return any(role in self.roles for role in user.roles)


@dataclass(frozen=True)
class ReviewFilter:
    """A filter of the access-log review: a form field and what it does to the rows."""

    name: str
    field: forms.Field
    apply: Callable  # (rows, value) -> rows
    order: int = 100


@dataclass(frozen=True)
class DemoSeeder:
    """Demo data of one app: seed(staff) gets {username: User} and returns a summary line
    (or ""). Seeders run in order, in one transaction."""

    key: str
    seed: Callable
    order: int = 100


@dataclass(frozen=True)
class EntryDetail:
    """What a unit app records with its journal entries besides their text (the clinic's
    encounter: kind, actions, samples ordered), shown with each entry of the unit's journal
    and on the entry's page. load(entries) returns {entry.pk: context} for a page of entries
    in one query; the template is included with that context as `detail`. When the app has
    its own editor for the unit's entries, a new entry (create_url_name, the client's public
    id as argument) and a draft (edit_url_name, the entry's public id) open in it, so that
    nothing the app records with an entry is left out."""

    key: str
    unit: str
    template: str
    load: Callable
    order: int = 100
    create_url_name: str = ""
    edit_url_name: str = ""
    # The app's own page of the client's record in the unit (the clinic's samples), linked
    # from the journal page for users with overview_permission.
    overview_url_name: str = ""
    overview_label: str = ""
    overview_permission: str = ""
    # The printed journal (clients:journal-print and its PDF): print_fields(context) turns an
    # entry's loaded context into [(label, value), ...] of already translated text.
    print_fields: Callable | None = None


@dataclass(frozen=True)
class BookingRule:
    """A unit's own rule for its bookings, checked by every booking and move of the unit
    whichever screen makes it: check(staff=, starts_at=, ends_at=) raises DomainError (the
    clinic: only within the clinician's consultation hours)."""

    key: str
    unit: str
    check: Callable
    order: int = 100


@dataclass(frozen=True)
class BenchmarkPart:
    """An app's share of `manage.py benchmark`: generate(scale, clients=, login=) writes the
    app's rows for that share of the reference data set (DESIGN §9) — clients are the
    benchmark's generated clients, login(user) a logged-in test browser — and returns the
    pages to time as (label, method, url, data, browser)."""

    key: str
    generate: Callable
    order: int = 100


@dataclass(frozen=True)
class StatisticsProvider:
    """An app's yearly figures (DESIGN §7): tables(years) returns {year: [stats.Table, ...]}
    for each year asked for, computed with database aggregates in a number of queries that
    does not grow with the data or with the number of years."""

    key: str
    tables: Callable
    order: int = 100


@dataclass(frozen=True)
class ClientContacts:
    """Where a unit app records contacts with registered clients outside the shared journal,
    bookings and visits (outreach's street contacts, KAST's calls): rows(start, end) returns
    a queryset of the contacts in [start, end) with `client_id` and `day` (a date, in
    Stockholm time) as values, so that the client statistics count these clients too."""

    key: str
    unit: str
    rows: Callable


@dataclass(frozen=True)
class RecordPart:
    """A unit app's rows in a client's record beyond the shared models (DESIGN §5), for
    weeding: each callable takes a list of client ids.
    - last_dates(ids) -> {client_id: date}: the latest event date the app's rows of the
      record carry (a record is due a number of years after its last entry);
    - holds(ids) -> {client_id: reason}: why a record must be kept whatever its age (an
      open case, a pending sample result), a short translatable text;
    - rows(ids) -> [QuerySet, ...]: the app's rows of these clients' records, in an order
      in which they can be deleted (children first); the shared models go after them."""

    key: str
    unit: str
    last_dates: Callable
    holds: Callable
    rows: Callable
    order: int = 100


@dataclass(frozen=True)
class ExtractItem:
    """One thing the register extract shows (GDPR art. 15): key is stable and opaque
    ("spiralen.sample:12") so that a reviewer's withholding names it; fields are
    (label, value) pairs; text is the free text a reviewer may withhold passages of."""

    key: str
    unit: str
    kind: str
    day: object
    title: str
    fields: tuple = ()
    text: str = ""


@dataclass(frozen=True)
class ExtractPart:
    """A unit app's rows in a client's register extract: items(client) -> [ExtractItem]
    for the unit, asked only when the producer may see that unit's record of the client."""

    key: str
    unit: str
    items: Callable
    order: int = 100


class Registry:
    """An ordered collection of contributions, registered once per key (AppConfig.ready may
    run more than once in tests)."""

    def __init__(self):
        self._items = {}

    def register(self, item, *, key=None):
        self._items[key or getattr(item, "key", None) or getattr(item, "name", None)
                    or getattr(item, "url_name", None) or item] = item
        return item

    def __iter__(self):
        return iter(sorted(self._items.values(), key=lambda item: getattr(item, "order", 100)))

    def __len__(self):
        return len(self._items)


@dataclass
class ViewLabels:
    """What a person understands by a view's name in the access log ("Journal"), by URL
    name ("clients:journal")."""

    labels: dict = field(default_factory=dict)

    def register(self, labels):
        self.labels.update(labels)

    def label(self, view_name):
        return self.labels.get(view_name, view_name)


sections = Registry()
start_panels = Registry()
review_filters = Registry()
demo_seeders = Registry()
view_labels = ViewLabels()
# EntryDetail: what an app shows with the entries of its unit's journal (clients' journal and
# entry pages include it).
journal_entry_details = Registry()
# BookingRule: what a unit's bookings must also meet (clients' booking services check them).
booking_rules = Registry()
# BenchmarkPart: the apps' rows and pages in `manage.py benchmark`.
benchmarks = Registry()
# StatisticsProvider: the apps' tables on the managers' statistics page.
statistics = Registry()
# ClientContacts: the apps' contacts with clients, counted by the clients app's statistics.
client_contacts = Registry()
# RecordPart: the apps' rows of a client's record that weeding removes with it.
record_parts = Registry()
# ExtractPart: the apps' rows of a client's record in the register extract.
extract_parts = Registry()
# What a person understands by the fixed detail codes of access-log rows ("protected identity
# shown"); other details (a search term) are shown as they are.
detail_labels = ViewLabels()
# Called with a staff member after their roles, units or active state changed, so that each
# app ends what the new rights no longer allow (assignments, say).
staff_rights_changed = Registry()
