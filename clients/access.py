"""The access policy for client records (DESIGN §3): the one module that decides who may see
and do what with a client's records, beside the records it guards.

Roles (Django groups with model permissions) decide what a person may do; object permissions
(django-guardian, direct foreign-key tables) decide which records. Object permissions are
granted and revoked only here: `sync_client(client)` recomputes every grant on one client's
records from the facts (enrollments, assignments, consents, emergency accesses), and the
services call it after they change a fact. Views only ask, through the helpers below: out of
scope answers 404, in scope but too few rights answers 403.

Who gets what, for a client enrolled in a unit:
- the unit's staff group ("unit:<code>") may view and change the client's registry data;
- in outreach, Spiralen and trafficking the unit's group also reads and writes the unit's
  journal; in counselling and KAST only the assigned counsellor and current substitutes do;
- with an active consent between two units, each unit's journal readers also read the other
  unit's journal of that client;
- an open emergency access gives its holder the client and all the client's journals.
Role permissions gate all of it: an office assistant never holds `clients.view_journal`.
"""

from dataclasses import dataclass

from django.contrib.auth.models import Permission
from django.core.exceptions import PermissionDenied
from django.db import connection, transaction
from django.db.models import BooleanField, Expression, F
from django.db.models.functions import Coalesce
from django.db.models.signals import post_migrate
from django.http import Http404
from django.utils import timezone

from prostenhet.access import (  # noqa: F401 (the unit questions, asked through this module)
    CASEWORK_ROLES,
    may_join_unit,
    profile_units,
    unit_group_ids,
    unit_group_name,
    unit_staff,
    user_units,
)
from prostenhet.roles import UnitCode

from .models import (
    Assignment,
    Booking,
    Client,
    ClientGroupObjectPermission,
    ClientUserObjectPermission,
    Consent,
    EmergencyAccess,
    Journal,
    JournalEntry,
    JournalGroupObjectPermission,
    JournalUserObjectPermission,
    Register,
    RegisterExtract,
)

TEAM_UNITS = frozenset({UnitCode.OUTREACH, UnitCode.SPIRALEN, UnitCode.TRAFFICKING})
ASSIGNED_UNITS = frozenset({UnitCode.COUNSELLING, UnitCode.KAST})


# --- grants on a client's records ------------------------------------------------------------


OBJECT_PERMS = ["view_client", "change_client", "view_journal", "change_journal"]


def _perm_ids():
    return dict(
        Permission.objects.filter(
            content_type__app_label="clients", codename__in=OBJECT_PERMS
        ).values_list("codename", "pk")
    )


def _desired_grants(client, now):
    """The set of grants the facts call for: (kind, principal, perm, object id), where kind
    is one of "client-user", "client-group", "journal-user", "journal-group"."""

    perms = _perm_ids()
    groups = unit_group_ids()
    grants = set()
    active_units = set(client.enrollments.active().values_list("unit", flat=True))
    journals = list(client.journals.all())
    assigned = {}
    for journal_id, counsellor_id in Assignment.objects.current(timezone.localdate(now)).filter(
        journal__client=client
    ).values_list("journal_id", "counsellor_id"):
        assigned.setdefault(journal_id, set()).add(counsellor_id)

    # Who reads and writes each active unit's journal: ("group", id) or ("user", id).
    readers = {}
    for unit in active_units:
        grants.add(("client-group", groups[unit], perms["view_client"], client.pk))
        grants.add(("client-group", groups[unit], perms["change_client"], client.pk))
        if unit in TEAM_UNITS:
            readers[unit] = {("group", groups[unit])}
        else:
            readers[unit] = {
                ("user", counsellor_id)
                for journal in journals
                if journal.unit == unit
                for counsellor_id in assigned.get(journal.pk, ())
            }
            for _kind, counsellor_id in readers[unit]:
                grants.add(("client-user", counsellor_id, perms["view_client"], client.pk))

    def grant_journal(principals, journal, perm_names):
        for kind, principal in principals:
            for name in perm_names:
                grants.add((f"journal-{kind}", principal, perms[name], journal.pk))

    for journal in journals:
        if journal.unit in active_units:
            grant_journal(readers[journal.unit], journal, ["view_journal", "change_journal"])

    for unit_a, unit_b in Consent.objects.active().filter(client=client).values_list(
        "unit_a", "unit_b"
    ):
        if unit_a in active_units and unit_b in active_units:
            for reader_unit, other_unit in [(unit_a, unit_b), (unit_b, unit_a)]:
                for journal in journals:
                    if journal.unit == other_unit:
                        grant_journal(readers[reader_unit], journal, ["view_journal"])

    for user_id in client.emergency_accesses.open(now).values_list("user_id", flat=True):
        grants.add(("client-user", user_id, perms["view_client"], client.pk))
        for journal in journals:
            grants.add(("journal-user", user_id, perms["view_journal"], journal.pk))
    return grants


def _grant_tables():

    return {
        "client-user": (ClientUserObjectPermission, "user_id"),
        "client-group": (ClientGroupObjectPermission, "group_id"),
        "journal-user": (JournalUserObjectPermission, "user_id"),
        "journal-group": (JournalGroupObjectPermission, "group_id"),
    }


@transaction.atomic
def sync_client(client, *, now=None):
    """Make the object permissions on the client and its journals exactly what the facts
    call for: grant what is missing, revoke what is no longer due."""

    now = now or timezone.now()
    # One sync at a time per client: a sync that read the facts before another change must
    # not write grants that change has withdrawn.
    Client.objects.select_for_update().filter(pk=client.pk).first()
    desired = _desired_grants(client, now)
    journal_ids = list(client.journals.values_list("pk", flat=True))
    for kind, (model, principal_field) in _grant_tables().items():
        scope = (
            model.objects.filter(content_object_id=client.pk)
            if kind.startswith("client")
            else model.objects.filter(content_object_id__in=journal_ids)
        )
        existing = {
            (principal, perm, obj): pk
            for pk, principal, perm, obj in scope.values_list(
                "pk", principal_field, "permission_id", "content_object_id"
            )
        }
        wanted = {(p, perm, obj) for k, p, perm, obj in desired if k == kind}
        stale = [pk for key, pk in existing.items() if key not in wanted]
        if stale:
            model.objects.filter(pk__in=stale).delete()
        missing = wanted - set(existing)
        if missing:
            model.objects.bulk_create(
                [
                    model(**{principal_field: p, "permission_id": perm, "content_object_id": obj})
                    for p, perm, obj in missing
                ],
                ignore_conflicts=True,
            )


# Whether any of a user's emergency accesses or substitute assignments has lapsed (the tables
# of EmergencyAccess and Assignment).
_ANY_LAPSED = (
    "SELECT EXISTS (SELECT 1 FROM clients_emergencyaccess"
    " WHERE user_id = %s AND closed_at IS NULL AND expires_at <= %s)"
    " OR EXISTS (SELECT 1 FROM clients_assignment"
    " WHERE counsellor_id = %s AND ended_at IS NULL AND ends_on < %s)"
)


def expire_lapsed(user, *, now=None):
    """Revoke the user's emergency accesses and substitute assignments whose time is up.
    Called at every access, so no scheduler is needed."""

    now = now or timezone.now()
    today = timezone.localdate(now)
    # One round trip in the usual case, where nothing has lapsed, and written out: it runs
    # at every request, and the ORM took longer to compose it than the database to answer
    # (each side one probe of a partial index).
    with connection.cursor() as cursor:
        cursor.execute(_ANY_LAPSED, [
            user.pk, connection.ops.adapt_datetimefield_value(now),
            user.pk, connection.ops.adapt_datefield_value(today),
        ])
        if not cursor.fetchone()[0]:
            return
    lapsed_access = EmergencyAccess.objects.filter(
        user=user, closed_at__isnull=True, expires_at__lte=now
    )
    lapsed_substitutes = Assignment.objects.filter(
        counsellor=user, ended_at__isnull=True, ends_on__lt=today
    )
    lapsed_access = list(lapsed_access.select_related("client"))
    lapsed_substitutes = list(lapsed_substitutes.select_related("journal__client"))
    if not lapsed_access and not lapsed_substitutes:
        return
    with transaction.atomic():
        clients = {}
        for access in lapsed_access:
            access.closed_at = access.expires_at
            access.save(update_fields=["closed_at"])
            clients[access.client_id] = access.client
        for assignment in lapsed_substitutes:
            assignment.ended_at = now
            assignment.save(update_fields=["ended_at"])
            clients[assignment.journal.client_id] = assignment.journal.client
        for client in clients.values():
            sync_client(client, now=now)


# --- questions the views ask -----------------------------------------------------------------


def _has_object_perm(user, perm_codename, obj, kind):
    return type(obj).objects.filter(pk=obj.pk).filter(
        _visible_filter(user, perm_codename, kind)
    ).exists()


# {database alias: {codename: id}} of the object permissions. The rows are written by the
# migrations and never change while the server runs; a migrate or a flush (tests) sends
# post_migrate, which forgets them, so that they are read again.
_OBJECT_PERM_IDS = {}


def _forget_object_perm_ids(**kwargs):
    _OBJECT_PERM_IDS.clear()


post_migrate.connect(_forget_object_perm_ids, dispatch_uid="clients.access.object_perm_ids")


def _object_perm_ids(user):
    """{codename: id} of the object permissions (read once per process, not per request)."""
    db = Permission.objects.db
    cache = _OBJECT_PERM_IDS.get(db)
    if cache is None or set(cache) != set(OBJECT_PERMS):
        cache = _OBJECT_PERM_IDS[db] = _perm_ids()
    return cache


class _Granted(Expression):
    """EXISTS a grant of the permission on the row `ref` names to the user, OR one to any of
    their groups: the SQL written out. The ORM took longer to compose the same two EXISTS
    subqueries (about 2 ms of CPU a time, once or twice on most pages) than PostgreSQL took
    to answer them. PostgreSQL plans both alike; tests/clients/test_access_sql.py holds the
    answers to the ORM's."""

    output_field = BooleanField()

    def __init__(self, ref, perm_id, user_id, group_ids, *, user_table, group_table):
        super().__init__()
        self.ref = ref
        self.perm_id, self.user_id, self.group_ids = perm_id, user_id, tuple(group_ids)
        self.user_table, self.group_table = user_table, group_table

    def get_source_expressions(self):
        return [self.ref]

    def set_source_expressions(self, exprs):
        (self.ref,) = exprs

    def as_sql(self, compiler, connection):
        ref_sql, ref_params = compiler.compile(self.ref)
        quote = connection.ops.quote_name
        sql = (
            "EXISTS(SELECT 1 FROM {table} {alias} WHERE {alias}.content_object_id = {ref}"
            " AND {alias}.permission_id = %s AND {alias}.{principal})"
        )
        own = sql.format(
            table=quote(self.user_table), alias=quote("grant_u"), ref=ref_sql,
            principal="user_id = %s",
        )
        params = [*ref_params, self.perm_id, self.user_id]
        if not self.group_ids:
            return f"({own})", params
        via_group = sql.format(
            table=quote(self.group_table), alias=quote("grant_g"), ref=ref_sql,
            principal="group_id IN ({})".format(", ".join(["%s"] * len(self.group_ids))),
        )
        return f"({own} OR {via_group})", [*params, *ref_params, self.perm_id, *self.group_ids]


def _visible_filter(user, perm_codename, kind, ref=None):
    """A boolean expression for "the user holds perm on this row" (or on the row `ref`, an
    expression of this query, points to), through their own or a group's grant: for
    filter() or annotate(). Filters on ids, so that each EXISTS is one probe of the tables'
    unique indexes (user/group, permission, object).

    PostgreSQL answers the two EXISTS by reading the user's and their groups' grants into
    hashes. A single EXISTS over both tables (a UNION ALL, which it can only probe row by
    row) was tried for pages of a list (December 2026): much faster for a counsellor's first
    page of clients, whose unit sees nearly all of them, and about nine times slower for an
    outreach worker's (3 -> 25 ms on the reference data), who sees one client in twenty, so
    that the page probes twenty rows for every one it shows. The hashes are kept: their
    cost is the size of the user's units, never more than reading them."""
    model_user, _ = _grant_tables()[f"{kind}-user"]
    model_group, _ = _grant_tables()[f"{kind}-group"]
    return _Granted(
        F("pk") if ref is None else ref,
        _object_perm_ids(user)[perm_codename], user.pk, sorted(user.group_ids_by_name.values()),
        user_table=model_user._meta.db_table, group_table=model_group._meta.db_table,
    )


def visible_clients(user):
    """Clients (not tombstones) whose registry data the user may see."""

    expire_lapsed(user)
    if not user.has_perm("clients.view_client"):
        return Client.objects.none()
    return Client.objects.current().filter(_visible_filter(user, "view_client", "client"))


def can_view_client(user, client):
    return user.has_perm("clients.view_client") and _has_object_perm(
        user, "view_client", client, "client"
    )


def can_change_client(user, client):
    return user.has_perm("clients.change_client") and _has_object_perm(
        user, "change_client", client, "client"
    )


def visible_journals(user, client):
    """The client's journals (one per unit, merged ones excluded) the user may read."""
    if not user.has_perm("clients.view_journal"):
        return client.journals.none()
    return client.journals.filter(merged_into__isnull=True).filter(
        _visible_filter(user, "view_journal", "journal")
    )


def writable_journals(user):
    """Journals (merged ones included) the user may write in."""

    if not user.has_perm("clients.change_journal"):
        return Journal.objects.none()
    return Journal.objects.filter(_visible_filter(user, "change_journal", "journal"))


def can_view_journal(user, journal):
    return user.has_perm("clients.view_journal") and _has_object_perm(
        user, "view_journal", journal, "journal"
    )


def can_write_journal(user, journal):
    return user.has_perm("clients.change_journal") and _has_object_perm(
        user, "change_journal", journal, "journal"
    )


def visible_units(user, client, *, active_units=None, journal_units=None):
    """The client's units the user may know about: where the user sees the client's
    registry data through the unit, plus units whose journal the user may read. A caller
    that has already loaded the client's active units or readable journals passes them."""
    if active_units is None:
        active_units = set(client.enrollments.active().values_list("unit", flat=True))
    if journal_units is None:
        journal_units = set(visible_journals(user, client).values_list("unit", flat=True))
    return (user_units(user) & set(active_units)) | set(journal_units)


def open_emergency_access(user, client):
    """The user's open emergency access to the client, or None (remembered per request)."""
    cache = user.__dict__.setdefault("_emergency_cache", {})
    if client.pk not in cache:
        cache[client.pk] = client.emergency_accesses.open().filter(user=user).first()
    return cache[client.pk]


def get_client_or_404(request, public_id, *, change=False, follow_merge=True):
    """The client the URL names, if the user may see it (or change it); else 404 — a record
    outside the user's scope must not reveal that it exists. A merged client's tombstone
    resolves to the surviving client, unless follow_merge is off (views that write: a form
    made for the merged client must not land on the survivor)."""

    user = request.user
    expire_lapsed(user)
    perm = "change_client" if change else "view_client"
    has_model_perm = user.has_perm(f"clients.{perm}")

    def fetch(**lookup):
        clients = Client.objects.filter(**lookup)
        if has_model_perm:
            # The object permission in the same query (what can_view_client and
            # can_change_client ask, one round trip fewer).
            clients = clients.annotate(may_access=_visible_filter(user, perm, "client"))
        return clients.first()

    client = fetch(public_id=public_id)
    if client is not None and client.merged_into_id and not follow_merge:
        raise Http404
    while client is not None and client.merged_into_id:
        client = fetch(pk=client.merged_into_id)
    if client is None:
        raise Http404
    if not (has_model_perm and getattr(client, "may_access", False)):
        raise Http404
    return client


def get_journal_or_404(request, client, unit, *, write=False):
    """The client's journal of the unit, if the user may read (or write) it; else 404.
    The journal carries `may_write` for the template (found in the same query)."""
    user = request.user
    journals = client.journals.filter(unit=unit, merged_into__isnull=True)
    if user.has_perm("clients.view_journal"):
        journals = journals.annotate(
            may_view=_visible_filter(user, "view_journal", "journal"),
            may_change=_visible_filter(user, "change_journal", "journal"),
        )
    journal = journals.first()
    if journal is None or not getattr(journal, "may_view", False):
        raise Http404
    journal.may_write = journal.may_change and user.has_perm("clients.change_journal")
    if write and not journal.may_write:
        raise Http404
    return journal


def in_readable_journals(user, rows, *, journal_field="journal", write=False):
    """Of a unit app's rows that point at a journal (samples, encounters, …), those in a
    journal the user may read (write=True: write); after a merge, the survivor's journal's
    rights count. One EXISTS per row, no matter how many rows there are."""
    perm = "change_journal" if write else "view_journal"
    if not user.has_perm(f"clients.{perm}"):
        return rows.none()
    expire_lapsed(user)
    journal_id = Coalesce(F(f"{journal_field}__merged_into_id"), F(f"{journal_field}_id"))
    return rows.filter(_visible_filter(user, perm, "journal", ref=journal_id))


def may_see_identity(user, client):
    """Whether protected identity fields may be shown to this user (detail page only)."""
    return can_change_client(user, client) or open_emergency_access(user, client) is not None


def get_entry_or_404(request, entry_id, *, write=False):
    """(entry, client, journal) for a journal entry the user may read (or write); else 404.
    journal is the client's current journal of the entry's unit (after a merge, the
    survivor's), and carries `may_write` for the template (found in the same query). A draft
    is visible to its author only."""

    user = request.user
    expire_lapsed(user)
    entries = JournalEntry.objects.select_related(
        "journal__merged_into__client", "journal__client", "author", "signed_by"
    ).filter(public_id=entry_id)
    # The rights on the journal (the survivor's after a merge) in the same query: what
    # can_view_journal and can_write_journal ask, without a round trip each.
    journal_id = Coalesce(F("journal__merged_into_id"), F("journal_id"))
    may_view = user.has_perm("clients.view_journal")
    may_change = user.has_perm("clients.change_journal")
    if may_view:
        entries = entries.annotate(
            may_view=_visible_filter(user, "view_journal", "journal", ref=journal_id)
        )
    if may_change:
        entries = entries.annotate(
            may_change=_visible_filter(user, "change_journal", "journal", ref=journal_id)
        )
    entry = entries.first()
    if entry is None:
        raise Http404
    journal = entry.journal.merged_into or entry.journal
    may_view = may_view and getattr(entry, "may_view", False)
    journal.may_write = may_change and getattr(entry, "may_change", False)
    if not (journal.may_write if write else may_view):
        raise Http404
    if not entry.is_signed and entry.author_id != request.user.pk:
        raise Http404
    return entry, journal.client, journal


# --- the client's register extract -------------------------------------------------------------


def extract_units(user, client, *, active_units=None, journal_units=None):
    """The client's units a register extract (GDPR art. 15) by this user may cover; empty:
    the user may not produce one. The one place that decides it:
    - a staff member: the units they work in where they read the client's record by their
      own right (a team unit's journal while the client is enrolled, a counselling or KAST
      journal they are assigned to) — not through a consent or an emergency access;
    - a manager with "produce_register_extract": the units of their staff profile where the
      client is or was enrolled, KAST's only for a manager who works in KAST (KAST sealing)
      and the main register's otherwise.
    A caller that has loaded the client's active units or readable journals passes them."""
    units = set()
    own = user_units(user)
    if own and user.has_perm("clients.view_journal"):
        if active_units is None:
            active_units = set(client.enrollments.active().values_list("unit", flat=True))
        if journal_units is None:
            journal_units = set(visible_journals(user, client).values_list("unit", flat=True))
        mine = own & set(active_units) & set(journal_units)
        assigned_here = mine & ASSIGNED_UNITS
        if assigned_here and open_emergency_access(user, client) is not None:
            # Read under an emergency access: only an assignment of one's own counts.
            assigned_here &= set(
                Assignment.objects.current()
                .filter(journal__client=client, counsellor=user, journal__unit__in=assigned_here)
                .values_list("journal__unit", flat=True)
            )
        units |= (mine & TEAM_UNITS) | assigned_here
    if user.has_perm("clients.produce_register_extract"):
        profile = set(profile_units(user))
        if client.register == Register.KAST:
            profile &= {UnitCode.KAST}
        else:
            profile -= {UnitCode.KAST}
        if profile:
            units |= profile & set(
                client.enrollments.filter(unit__in=profile).values_list("unit", flat=True)
            )
    # KAST is sealed off: a KAST client's extract is KAST's, a main-register client's never.
    if client.register == Register.KAST:
        units &= {UnitCode.KAST}
    else:
        units -= {UnitCode.KAST}
    return frozenset(UnitCode(unit) for unit in units)


def get_extract_or_404(request, public_id, *, released=None):
    """(extract, units) for a register extract the user may open: their extract_units
    cover every unit it covers, and an extract holding the access log only for those who may
    review the access log (it tells of every unit's reads); else 404. The producer is no
    exception: one who has left a unit no longer reads it through their extract.
    released=True/False: only a released / an unreleased extract."""
    extract = (
        RegisterExtract.objects.select_related("client", "created_by", "released_by")
        .filter(public_id=public_id).first()
    )
    if extract is None or (released is not None and extract.is_released != released):
        raise Http404
    expire_lapsed(request.user)
    units = extract_units(request.user, extract.client)
    if not may_open_extract(request.user, extract, units):
        raise Http404
    return extract, units


def may_open_extract(user, extract, units):
    """The rule of get_extract_or_404, given the user's extract_units of its client."""
    if extract.with_access_log and not user.has_perm("prostenhet.review_access_log"):
        return False
    return bool(units) and set(extract.units) <= set(units)


@dataclass(frozen=True)
class ClientRights:
    """What the user may do with one client's record, for the templates: an action is shown
    only to those who may do it (its view asks the same questions)."""

    change: bool = False
    merge: bool = False
    enroll_units: frozenset = frozenset()
    end_enrollment_units: frozenset = frozenset()
    record_consent: bool = False
    revoke_consent: bool = False


def client_rights(user, client, *, active_units):
    """The user's rights on the client; active_units are the client's active enrollments."""
    if not can_change_client(user, client):
        return ClientRights()
    own = user_units(user)
    main = client.register == Register.MAIN
    consent_units = (own & set(active_units)) - {UnitCode.KAST}
    return ClientRights(
        change=True,
        merge=main and user.has_perm("clients.merge_client"),
        enroll_units=frozenset(own - set(active_units) - {UnitCode.KAST})
        if main and user.has_perm("clients.add_client") else frozenset(),
        end_enrollment_units=frozenset(own & set(active_units)),
        record_consent=main and bool(consent_units) and user.has_perm("clients.record_consent"),
        revoke_consent=user.has_perm("clients.record_consent"),
    )


# --- bookings, visits and the queue ----------------------------------------------------------


def visible_bookings(user):
    """Bookings the user may see in calendars: none without the permission; KAST's only for
    KAST staff (to everyone else a KAST staff member's time is "busy", see busy_bookings).
    Which client a booking is for is shown only where the user may see the client
    (booking_client_visible)."""
    if not user.has_perm("clients.view_booking"):
        return Booking.objects.none()
    bookings = Booking.objects.all()
    if UnitCode.KAST not in user_units(user):
        bookings = bookings.exclude(unit=UnitCode.KAST)
    return bookings


def busy_bookings(user):
    """Bookings the user's calendars show only as "upptagen" (busy): KAST's, for everyone
    outside KAST."""
    if not user.has_perm("clients.view_booking") or UnitCode.KAST in user_units(user):
        return Booking.objects.none()
    return Booking.objects.filter(unit=UnitCode.KAST)


def visible_client_ids(user, client_ids):
    """Of client_ids, those the user may see (one query, for a list of bookings or visits)."""
    return set(
        visible_clients(user).filter(pk__in=set(client_ids) - {None}).values_list("pk", flat=True)
    )


def get_booking_or_404(request, public_id, *, change=False):
    """A booking the user may see (KAST's only for KAST staff), or 404; 403 without the
    permission to change it when change=True."""
    booking = (
        visible_bookings(request.user)
        .select_related("client", "staff", "room")
        .filter(public_id=public_id)
        .first()
    )
    if booking is None:
        raise Http404
    if change and not request.user.has_perm("clients.change_booking"):
        raise PermissionDenied
    return booking


def can_change_booking(user, booking):
    """Whether the user may move, cancel or mark the booking: one of their own units' (or one
    they made), with the permission to change bookings. Others' bookings are only seen."""
    return user.has_perm("clients.change_booking") and (
        booking.unit in user_units(user) or booking.created_by_id == user.pk
    )
