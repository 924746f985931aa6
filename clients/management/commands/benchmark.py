"""Time the pages with personal data on a generated data set, against a bare authenticated
page (DESIGN §9). Everything it creates is rolled back: it leaves the database as it was.

    python manage.py benchmark --scale 0.1     # a tenth of "ten years of the unit"

With --keep (a throw-away database only) the data stays, and --plan FILE writes the pages
with the account each is timed as, for the load test of a real server (`manage.py loadtest`,
`make bench`).
"""

import json
import secrets
import statistics
import time as clock
from contextlib import contextmanager
from datetime import datetime, time, timedelta
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction
from django.test import Client as TestClient
from django.test.utils import CaptureQueriesContext, override_settings
from django.urls import reverse
from django.utils import timezone
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_totp.models import TOTPDevice

from clients import services
from clients.models import (
    Booking,
    BookingKind,
    BookingStatus,
    Client,
    EntryState,
    JournalEntry,
    QueueEntry,
    QueueSource,
    Visit,
    VisitPurpose,
)
from prostenhet import access, registry
from prostenhet.models import AccessKind, AccessLog, Unit, User
from prostenhet.roles import Role, UnitCode
from prostenhet.services import assign_roles

# "Ten years of the unit" (DESIGN §9), of which --scale takes a share.
REFERENCE = {
    "clients": 6000, "entries": 250_000, "access_log": 2_000_000, "bookings": 120_000,
    "visits": 40_000,
}
# Reception's staff in the generated data: each has bookings five times a working day.
ENTRY_SPACING = 89  # days between a client's entries: 41 of them span ten years
BOOKING_STAFF = 10
BOOKING_HOURS = (9, 10, 11, 13, 14)
# Clients registered between two ANALYZEs of the open transaction's rows (_analyze).
ANALYZE_EVERY = 2000


class Rollback(Exception):
    pass


class Autosave:
    """A draft page's autosave: its fields, with a text and a save number that grow, from a
    page of its own (an editor token of this run)."""

    def __init__(self, fields):
        self.fields = {**fields, "editor": secrets.token_hex(16)}
        self.seq = 0

    def __call__(self):
        self.seq += 1
        return {**self.fields, "text": f"Utkast {self.seq}.", "seq": self.seq}


class Command(BaseCommand):
    help = "Time the main pages on a generated data set (rolled back afterwards)."

    def add_arguments(self, parser):
        parser.add_argument("--scale", type=float, default=0.1)
        parser.add_argument("--requests", type=int, default=15)
        parser.add_argument(
            "--keep", action="store_true",
            help="keep the generated data (for looking into a page's queries); a throwaway "
                 "database only",
        )
        parser.add_argument(
            "--access-log-rows", type=int,
            help="access-log rows to generate instead of the scale's share of 2,000,000 (a "
                 "year is about 2,000,000)",
        )
        parser.add_argument(
            "--time-plan", metavar="FILE",
            help="generate nothing: time the pages of a plan an earlier run kept (--keep "
                 "--plan FILE) on the data it kept",
        )
        parser.add_argument(
            "--plan", help="with --keep: write the pages and their accounts to this JSON file "
                           "(for `manage.py loadtest`)",
        )

    def handle(self, *args, scale, requests, keep=False, plan=None, access_log_rows=None,
               time_plan=None, **options):
        if plan and not keep:
            raise CommandError("--plan needs --keep: the load test needs the data.")
        self.plan = plan
        self.access_log_rows = access_log_rows
        try:
            with transaction.atomic(), override_settings(
                ALLOWED_HOSTS=["testserver"], SECURE_SSL_REDIRECT=False
            ):
                if time_plan:
                    pages = self._pages_from_plan(time_plan)
                    self._time(pages, pages[0][4], requests)
                else:
                    self._run(scale, requests)
                if not keep:
                    raise Rollback
            self.stdout.write("(the generated data is kept)")
        except Rollback:
            self.stdout.write("(all generated data rolled back)")

    def _run(self, scale, requests):
        started = clock.perf_counter()
        counsellor, anna = self._generate(scale)
        # The other apps' rows (each registered a registry.BenchmarkPart) and their pages.
        clients = list(Client.objects.filter(alias__startswith="Klient ").order_by("pk"))
        app_pages = []
        for part in registry.benchmarks:
            self._analyze()
            app_pages += part.generate(scale, clients=clients, login=self._login)
        self._analyze()
        self.stdout.write(
            f"generated in {clock.perf_counter() - started:.0f} s: "
            f"{int(REFERENCE['clients'] * scale)} clients, "
            f"{JournalEntry.objects.count()} entries, {AccessLog.objects.count()} log rows, "
            f"{Booking.objects.count()} bookings, {Visit.objects.count()} visits"
        )
        browser = self._login(counsellor)
        assistant = self._login(self._office_assistant(counsellor))
        entry = JournalEntry.objects.filter(
            journal__client=anna, journal__unit=UnitCode.COUNSELLING, state=EntryState.SIGNED
        ).first()
        pages = [
            ("bare page (password change)", "get", reverse("account:password-change"), None),
            ("start (counsellor: my day)", "get", reverse("start"), None),
            ("client list", "get", reverse("clients:client-search"), None),
            # Post/Redirect/Get: the POST and the results page it redirects to.
            ("search by alias (POST+GET)", "post", reverse("clients:client-search"),
             {"q": "kli"}),
            ("client page", "get", reverse("clients:client-detail", args=[anna.public_id]), None),
            ("journal", "get", reverse("clients:journal", args=[anna.public_id, "counselling"]),
             None),
            ("entry", "get", reverse("clients:entry-detail", args=[entry.public_id]), None),
            # Reception: ten staff's week, the office assistant's day and the queue.
            ("week calendar, 10 staff", "get", reverse("clients:calendar-week"), None),
            ("start (office assistant: today)", "get", reverse("start"), None, assistant),
            ("today panel refresh", "get", reverse("clients:reception-today"), None, assistant),
            ("queue", "get", reverse("clients:queue"), None, assistant),
            # Its client picker lists a hundred of the clients, not all (clients/forms/pickers).
            ("new booking (office assistant)", "get", reverse("clients:booking-create"), None,
             assistant),
            *app_pages,
            *self._access_log_pages(anna),
            *self._draft_pages(counsellor, anna),
        ]
        if self.plan:
            self._write_plan(pages, browser)
        self._time(pages, browser, requests)

    def _time(self, pages, default_browser, requests):
        self.stdout.write(f"{'page':<30} {'median ms':>10} {'p90 ms':>8} {'queries':>8}")
        for label, method, url, data, *who in pages:
            timings, queries = [], 0
            user_browser = who[0] if who else default_browser
            for _ in range(requests):
                connection.queries_log.clear()
                with CaptureQueriesContext(connection) as captured, self._timer() as elapsed:
                    response = getattr(user_browser, method)(
                        url, (data() if callable(data) else data) or {},
                        follow=method == "post",
                    )
                assert response.status_code == 200, (label, response.status_code)
                timings.append(elapsed())
                queries = len(captured)
            timings.sort()
            p90 = timings[int(len(timings) * 0.9) - 1]
            self.stdout.write(
                f"{label:<30} {statistics.median(timings):>10.1f} {p90:>8.1f} {queries:>8}"
            )

    def _pages_from_plan(self, path):
        """The pages of a plan an earlier run wrote (--keep --plan), each with a browser logged
        in as its account: to time them again on the data kept (a quiet machine, more rows)."""
        with open(path, encoding="utf-8") as file:
            plan = json.load(file)["pages"]
        if any(not page["username"].startswith("bench-") for page in plan):
            raise CommandError("A plan names the benchmark's own accounts (bench-*) only.")
        browsers = {}
        pages = []
        for page in plan:
            username = page["username"]
            if username not in browsers:
                browsers[username] = self._login(User.objects.get(username=username))
            data, browser = page["data"], browsers[username]
            if page["autosave"]:
                # The draft page's own requests (htmx), from a browser of their own.
                data = Autosave(page["autosave"])
                browser = self._login(User.objects.get(username=username))
                browser.defaults["HTTP_HX_REQUEST"] = "true"
            pages.append((page["label"], page["method"], page["url"], data, browser))
        return pages

    def _access_log_pages(self, anna):
        """The manager's review of the access log (the statistics part made the manager):
        the newest rows, one member of staff's reads over a month, and a client's extract of
        the log (who has read her record)."""
        manager = User.objects.get(username="bench-chef")
        browser = self._login(manager)
        staff = User.objects.get(username="bench-behandlare")
        today = timezone.localdate()
        url = reverse("audit:access-log")
        filtered = f"{url}?staff={staff.pk}&date_from={today - timedelta(days=30)}"
        return [
            ("access log", "get", url, None, browser),
            ("access log, one staff, a month", "get", filtered, None, browser),
            ("access log of one client", "get",
             reverse("clients:access-log-extract", args=[anna.public_id]), None, browser),
        ]

    def _draft_pages(self, counsellor, anna):
        """A counsellor's draft autosaving as it is typed (htmx, from its own page)."""
        journal = anna.journals.get(unit=UnitCode.COUNSELLING)
        entry = services.save_draft(journal=journal, by=counsellor, editor="bench-draft",
                                    seq=0, text="Utkast.", event_date=timezone.localdate())
        browser = self._login(counsellor)
        browser.defaults["HTTP_HX_REQUEST"] = "true"
        fields = {"kind": entry.kind, "event_date": entry.event_date.isoformat(),
                  "editor": "bench-draft"}
        return [("autosave a draft", "post",
                 reverse("clients:entry-autosave", args=[entry.public_id]), Autosave(fields),
                 browser)]

    def _write_plan(self, pages, default_browser):
        """The pages as the load test replays them: each with the username of the account it
        was timed as (the load test logs in as that account for real)."""
        plan = []
        for label, method, url, data, *who in pages:
            browser = who[0] if who else default_browser
            plan.append({
                "label": label, "method": method, "url": url,
                "data": None if isinstance(data, Autosave) else data,
                "autosave": data.fields if isinstance(data, Autosave) else None,
                "username": browser.bench_username,
            })
        Path(self.plan).parent.mkdir(parents=True, exist_ok=True)
        with open(self.plan, "w", encoding="utf-8") as file:
            json.dump({"pages": plan}, file, indent=1)
        self.stdout.write(f"plan for the load test: {self.plan} ({len(plan)} pages)")

    @contextmanager
    def _timer(self):
        start = clock.perf_counter()
        result = {}
        yield lambda: result["ms"]
        result["ms"] = (clock.perf_counter() - start) * 1000

    def _login(self, user):
        browser = TestClient()
        browser.bench_username = user.username
        browser.force_login(user)
        device = TOTPDevice.objects.create(user=user, name="bench", confirmed=True)
        session = browser.session
        session[DEVICE_ID_SESSION_KEY] = device.persistent_id
        session.save()
        return browser

    def _generate(self, scale):
        counsellor = User.objects.create(username="bench-behandlare", first_name="Bench")
        assign_roles(counsellor, [Role.COUNSELLOR])
        counsellor.units.set(Unit.objects.filter(code=UnitCode.COUNSELLING))
        access.sync_staff_units(counsellor)
        n_clients = max(int(REFERENCE["clients"] * scale), 10)
        per_client = REFERENCE["entries"] // REFERENCE["clients"]
        now = timezone.now()
        clients = []
        for i in range(n_clients):
            if i % ANALYZE_EVERY == ANALYZE_EVERY - 1:
                self._analyze()
            clients.append(
                services.register_client(
                    unit=UnitCode.COUNSELLING, by=counsellor, alias=f"Klient {i:05d}"
                )
            )
        entries = []
        today = timezone.localdate()
        for number, client in enumerate(clients):
            journal = client.journals.get()
            # Ten years of entries: each client's spread over the years, the clients
            # staggered, so that every year of the statistics has its share.
            entries += [
                JournalEntry(
                    journal=journal, unit=journal.unit, author=counsellor, text="x " * 200,
                    state=EntryState.SIGNED, signed_by=counsellor, signed_at=now,
                    event_date=today - timedelta(days=k * ENTRY_SPACING + number % ENTRY_SPACING),
                )
                for k in range(per_client)
            ]
        # Written as a journal grows: day by day (a year's entries lie together on disk).
        entries.sort(key=lambda entry: entry.event_date)
        JournalEntry.objects.bulk_create(entries, batch_size=2000)
        log_rows = self.access_log_rows
        if log_rows is None:
            log_rows = int(REFERENCE["access_log"] * scale)
        self._generate_access_log(log_rows, counsellor, clients)
        self._generate_reception(scale, counsellor, clients)
        return counsellor, clients[0]

    def _analyze(self):
        """The planner's statistics, as autovacuum keeps them on a live database: it cannot
        see the rows of the open transaction, and ANALYZE in it can. Without them every query
        of the generating services was planned for the empty tables the transaction began
        with (scale 10 enrolled four clients a second after the first hour). The project's
        tables only: a bare ANALYZE also analyses the cluster's shared catalogs, whose locks
        the open transaction then holds to its end, and a benchmark generating into another
        database waited for them (its own ANALYZE) until the first one committed."""
        if connection.vendor == "postgresql":
            tables = connection.introspection.django_table_names(only_existing=True)
            with connection.cursor() as cursor:
                cursor.execute(
                    "ANALYZE " + ", ".join(connection.ops.quote_name(table) for table in tables)
                )

    def _generate_access_log(self, rows, counsellor, clients):
        """Ten years of reads, in the order they were written (the ids grow with the time):
        on working days between 8 and 17, one in fifty in the evening (outside office hours),
        one in a thousand flagged; all by the benchmark's counsellor (the heaviest case
        of the review's filter by staff), over all its clients. On PostgreSQL in one
        INSERT … SELECT (20 million rows take minutes, not hours); elsewhere row by row."""
        per_day = max(rows // 3650, 1)
        if connection.vendor != "postgresql":
            today = timezone.localdate()

            def read_at(i):
                day = today - timedelta(days=3650 - i * 3650 // rows)
                day -= timedelta(days=max(day.isoweekday() - 5, 0))
                moment = datetime.combine(day, time(21)) if i % 50 == 0 else (
                    datetime.combine(day, time(8)) + (i % per_day) * timedelta(hours=9) / per_day
                )
                return timezone.make_aware(moment)

            AccessLog.objects.bulk_create(
                (
                    AccessLog(
                        at=read_at(i), user=counsellor, client=clients[i % len(clients)],
                        kind=AccessKind.READ, view="clients:client-detail",
                        flagged=i % 1000 == 0,
                    )
                    for i in range(rows)
                ),
                batch_size=5000,
            )
            return
        start, end = settings.OFFICE_HOURS
        with connection.cursor() as cursor:
            cursor.execute(
                """
                INSERT INTO prostenhet_accesslog (
                    at, local_weekday, local_hour, kind, view, detail, protected_identity,
                    client_id, user_id, sealed, flagged, off_hours
                )
                SELECT at, extract(isodow FROM local), extract(hour FROM local), %(kind)s,
                       'clients:client-detail', '', false,
                       (%(clients)s::bigint[])[1 + i %% %(n_clients)s], %(user)s, false,
                       i %% 1000 = 0,
                       extract(isodow FROM local) >= 6 OR extract(hour FROM local) < %(start)s
                       OR extract(hour FROM local) >= %(end)s
                FROM (
                    SELECT i, at, at AT TIME ZONE %(zone)s AS local
                    FROM (
                        SELECT i, ((day - greatest(extract(isodow FROM day)::int - 5, 0))
                                   + CASE WHEN i %% 50 = 0 THEN time '21:00'
                                          ELSE time '08:00'
                                               + (i %% %(per_day)s) * interval '9 hours'
                                                 / %(per_day)s END)
                                  AT TIME ZONE %(zone)s AS at
                        FROM (
                            SELECT i, current_date - 3650 + (i * 3650 / %(rows)s)::int AS day
                            FROM generate_series(0::bigint, %(rows)s - 1) AS i
                        ) AS days
                    ) AS times
                ) AS reads
                """,
                {
                    "kind": AccessKind.READ, "clients": [c.pk for c in clients],
                    "n_clients": len(clients), "user": counsellor.pk, "start": start,
                    "end": end, "zone": settings.TIME_ZONE, "per_day": per_day, "rows": rows,
                },
            )

    def _office_assistant(self, counsellor):
        """The office assistant, with a queue of fifty waiting."""
        assistant = User.objects.create(username="bench-assistent")
        assign_roles(assistant, [Role.OFFICE_ASSISTANT])
        assistant.units.set(Unit.objects.filter(code=UnitCode.COUNSELLING))
        access.sync_staff_units(assistant)
        today = timezone.localdate()
        for number, client in enumerate(
            Client.objects.filter(journals__unit=UnitCode.COUNSELLING).order_by("pk")[:50]
        ):
            QueueEntry.objects.create(
                client=client, source=QueueSource.RECEPTION, added_by=assistant,
                added_on=today - timedelta(days=number * 3), position=number + 1,
            )
        return assistant

    def _generate_reception(self, scale, counsellor, clients):
        """Ten years of bookings (five a working day for each of ten staff, the benchmark's
        counsellor among them, never overlapping) and visits for a third of them, ending in
        the coming weeks so that today's and this week's pages have their share."""
        staff = [counsellor]
        for number in range(BOOKING_STAFF - 1):
            member = User.objects.create(username=f"bench-personal-{number}")
            assign_roles(member, [Role.COUNSELLOR])
            member.units.set(Unit.objects.filter(code=UnitCode.COUNSELLING))
            access.sync_staff_units(member)
            staff.append(member)
        total = int(REFERENCE["bookings"] * scale)
        per_day = BOOKING_STAFF * len(BOOKING_HOURS)
        day = timezone.localdate() + timedelta(days=14)
        bookings = []
        while len(bookings) < total:
            if day.isoweekday() <= 5:
                for hour in BOOKING_HOURS:
                    starts = timezone.make_aware(datetime.combine(day, time(hour)))
                    for member in staff:
                        bookings.append(Booking(
                            unit=UnitCode.COUNSELLING, kind=BookingKind.SESSION,
                            client=clients[len(bookings) % len(clients)], staff=member,
                            starts_at=starts, ends_at=starts + timedelta(minutes=50),
                            created_by=counsellor,
                            status=BookingStatus.COMPLETED if starts < timezone.now()
                            else BookingStatus.BOOKED,
                        ))
            day -= timedelta(days=1)
        bookings = Booking.objects.bulk_create(bookings[:total], batch_size=5000)
        visits = int(REFERENCE["visits"] * scale)
        Visit.objects.bulk_create(
            (
                Visit(
                    unit=booking.unit, purpose=VisitPurpose.BOOKED, client=booking.client,
                    booking=booking, registered_by=counsellor, arrived_at=booking.starts_at,
                    closed_at=booking.ends_at,
                )
                for booking in bookings[per_day * 15:][:visits]
            ),
            batch_size=5000,
        )
