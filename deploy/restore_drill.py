"""The restore drill (docs/deploy.md, "Restore drill"): `make restore-drill`.

A backup is only as good as the last restore from it. The drill

1. creates a throw-away source database, migrates it and loads the demo data;
2. serves it with gunicorn in production mode (DEBUG=0, two-factor login on);
3. puts it under load: staff log in for real (password and TOTP code) and keep reading client
   pages and journals (every read writes an access-log row) and autosaving journal drafts;
4. while the load goes on, opens a REPEATABLE READ transaction on the source, exports its
   snapshot, counts every table's rows and reads the newest access-log row in it, and runs
   `pg_dump --snapshot` on that very snapshot, so that the dump holds exactly what was counted;
5. creates a new database and `pg_restore`s the dump into it;
6. compares every table's row count, the newest access-log row, the schema's triggers,
   constraints, indexes and functions, and each identity sequence against the snapshot, checks
   that the append-only triggers still refuse an UPDATE, and that no migration is unapplied;
7. serves the restored database with a second gunicorn: /readyz, a real login, the newest draft
   written before the snapshot, and a client page (whose new access-log row proves that the
   sequences go on after the restored ids);
8. stops everything and drops both databases (and the dump) unless --keep.

It exits non-zero on any mismatch or failure. Needs PostgreSQL's client tools (pg_dump,
pg_restore) and a server where DRILL_DATABASE_URL (an admin connection, default
postgres://postgres@127.0.0.1:5432/postgres) may create databases. Run it with the project's
virtualenv: `.venv/bin/python deploy/restore_drill.py [--keep]`.
"""

import argparse
import html
import itertools
import json
import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from datetime import datetime
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit
from zoneinfo import ZoneInfo

import psycopg2
import requests
from django_otp.oath import totp

ROOT = Path(__file__).resolve().parent.parent
PYTHON = ROOT / ".venv" / "bin" / "python"
GUNICORN = ROOT / ".venv" / "bin" / "gunicorn"
DEFAULT_ADMIN_URL = "postgres://postgres@127.0.0.1:5432/postgres"
SOURCE_DB = "prostenhet_drill_src"
RESTORED_DB = "prostenhet_drill_restored"
# manage.py seed_demo's password (demo data only exists in these throw-away databases).
DEMO_PASSWORD = "demo-losenord-2026"  # nosec B105 - the published demo password
# Who works during the dump: (user, unit whose clients they read, whether they write drafts).
LOAD_USERS = [
    ("behandlare", "counselling", True),
    ("kastbehandlare", "kast", True),
    ("uppsokare", "outreach", True),
    ("barnmorska", "spiralen", False),
]
# Whose login and newest draft are checked on the restored database.
CHECK_USER = "behandlare"
DRAFT_MARKER = "Återställningsövning"
ACCESS_LOG = "prostenhet_accesslog"
# Tables that the migrations make append-only on PostgreSQL (prostenhet 0009/0011), with a
# column that no path (merge, weeding) may change.
APPEND_ONLY = {
    "prostenhet_accesslog": "view",
    "auditlog_logentry": "object_repr",
    "prostenhet_securityevent": "detail",
}


class DrillFailed(Exception):
    pass


# --- what is compared (also used by tests/prostenhet/test_restore_drill.py) ------------------


def quote_ident(name):
    return '"' + name.replace('"', '""') + '"'


def user_tables(cursor):
    """Every ordinary table outside PostgreSQL's own schemas, as "schema.table"."""
    cursor.execute(
        "SELECT schemaname, tablename FROM pg_tables "
        "WHERE schemaname NOT IN ('pg_catalog', 'information_schema') ORDER BY 1, 2"
    )
    return [(schema, table) for schema, table in cursor.fetchall()]


def table_counts(cursor):
    """{"schema.table": exact row count} of every table, in the cursor's transaction."""
    counts = {}
    for schema, table in user_tables(cursor):
        cursor.execute(f"SELECT count(*) FROM {quote_ident(schema)}.{quote_ident(table)}")  # noqa: S608  # nosec B608 - names from pg_tables, quoted
        counts[f"{schema}.{table}"] = cursor.fetchone()[0]
    return counts


def last_row(cursor, table=ACCESS_LOG):
    """The row with the highest id, every column (as JSON values), or None."""
    cursor.execute(
        f"SELECT to_jsonb(t)::text FROM {quote_ident(table)} t ORDER BY id DESC LIMIT 1"  # noqa: S608  # nosec B608 - a constant name
    )
    row = cursor.fetchone()
    return json.loads(row[0]) if row else None


def schema_objects(cursor):
    """The schema's objects a restore must bring back, by kind: triggers (the append-only and
    signed-entry locks), constraints (the exclusion constraint against double booking among
    them), indexes and functions."""
    queries = {
        "triggers": "SELECT tgrelid::regclass::text || '.' || tgname FROM pg_trigger "
                    "WHERE NOT tgisinternal",
        "constraints": "SELECT conrelid::regclass::text || '.' || conname || ' ' || contype::text "
                       "FROM pg_constraint c JOIN pg_namespace n ON n.oid = c.connamespace "
                       "WHERE n.nspname NOT IN ('pg_catalog', 'information_schema')",
        "indexes": "SELECT schemaname || '.' || indexname FROM pg_indexes "
                   "WHERE schemaname NOT IN ('pg_catalog', 'information_schema')",
        "functions": "SELECT p.oid::regprocedure::text FROM pg_proc p "
                     "JOIN pg_namespace n ON n.oid = p.pronamespace "
                     "WHERE n.nspname NOT IN ('pg_catalog', 'information_schema')",
    }
    objects = {}
    for kind, query in queries.items():
        cursor.execute(query)
        objects[kind] = sorted(row[0] for row in cursor.fetchall())
    return objects


def sequence_problems(cursor):
    """Identity and serial columns whose sequence would hand out an id already taken: after a
    restore the app's next insert would fail. [] when every sequence is past its column."""
    cursor.execute(
        "SELECT table_schema, table_name, column_name, "
        "pg_get_serial_sequence(quote_ident(table_schema) || '.' || quote_ident(table_name), "
        "column_name) FROM information_schema.columns "
        "WHERE table_schema NOT IN ('pg_catalog', 'information_schema') "
        "AND (is_identity = 'YES' OR column_default LIKE 'nextval(%%') ORDER BY 1, 2, 3"
    )
    problems = []
    for schema, table, column, sequence in cursor.fetchall():
        if sequence is None:
            continue
        cursor.execute(
            f"SELECT (SELECT max({quote_ident(column)}) FROM "  # noqa: S608  # nosec B608 - catalogue names, quoted
            f"{quote_ident(schema)}.{quote_ident(table)}), last_value, is_called FROM {sequence}"
        )
        highest, last_value, is_called = cursor.fetchone()
        next_value = last_value + 1 if is_called else last_value
        if highest is not None and next_value <= highest:
            problems.append(f"{schema}.{table}.{column}: next {next_value} <= max {highest}")
    return problems


def compare_counts(expected, actual):
    """[(table, expected, actual, same)] for every table in either, sorted by name."""
    return [
        (table, expected.get(table), actual.get(table), expected.get(table) == actual.get(table))
        for table in sorted(set(expected) | set(actual))
    ]


def compare_objects(expected, actual):
    """{kind: (missing from actual, extra in actual)} for the kinds that differ."""
    differences = {}
    for kind in sorted(set(expected) | set(actual)):
        want, have = set(expected.get(kind, [])), set(actual.get(kind, []))
        if want != have:
            differences[kind] = (sorted(want - have), sorted(have - want))
    return differences


def append_only_check(cursor, table, column):
    """Try to change `column` of the table's newest row, inside a savepoint that is rolled back
    either way: "refused" when the table's trigger stops it, "allowed" when nothing does,
    "empty" with no row to try."""
    cursor.execute("SAVEPOINT restore_drill")
    try:
        cursor.execute(
            f"UPDATE {quote_ident(table)} SET {quote_ident(column)} = 'restore drill' "  # noqa: S608  # nosec B608 - constant names
            f"WHERE id = (SELECT max(id) FROM {quote_ident(table)})"
        )
        outcome = "allowed" if cursor.rowcount else "empty"
    except Exception as error:  # psycopg2's error, or Django's wrapping it
        code = getattr(error, "pgcode", None) or getattr(error.__cause__, "pgcode", None)
        if code != "23000":  # integrity_constraint_violation: the append-only trigger's
            raise
        outcome = "refused"
    cursor.execute("ROLLBACK TO SAVEPOINT restore_drill")
    return outcome


# --- databases --------------------------------------------------------------------------------


def database_url(admin_url, name):
    parts = urlsplit(admin_url)
    return urlunsplit(parts._replace(path="/" + name))


def admin_execute(admin_url, *statements):
    connection = psycopg2.connect(admin_url)
    connection.autocommit = True
    try:
        with connection.cursor() as cursor:
            for statement in statements:
                cursor.execute(statement)
    finally:
        connection.close()


def drop_database(admin_url, name):
    admin_execute(admin_url, f"DROP DATABASE IF EXISTS {quote_ident(name)} WITH (FORCE)")


def create_database(admin_url, name):
    drop_database(admin_url, name)
    admin_execute(admin_url, f"CREATE DATABASE {quote_ident(name)}")


# --- the app ---------------------------------------------------------------------------------


def app_environment(url, secret_key, **extra):
    """Production settings (docs/deploy.md) on plain HTTP on the loopback: HTTPS=0 only because
    no TLS proxy is in front; two-factor login stays on."""
    env = {
        key: value for key, value in os.environ.items()
        if not key.startswith(("DJANGO_", "DEMO_", "GUNICORN_")) and key != "DEBUG"
    }
    env.update({
        "ENV_FILE": "/dev/null",  # never the checkout's .env (DEBUG=1)
        "DEBUG": "0",
        "SECRET_KEY": secret_key,
        "DATABASE_URL": url,
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "HTTPS": "0",
        "TWO_FACTOR_REQUIRED": "1",
        "LOG_LEVEL": "WARNING",
    })
    env.update(extra)
    return env


def manage(env, *args):
    result = subprocess.run(  # noqa: S603  # nosec B603 - our own manage.py
        [str(PYTHON), "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True,
        check=False,
    )
    if result.returncode != 0:
        raise DrillFailed(f"manage.py {' '.join(args)} failed:\n{result.stdout}{result.stderr}")
    return result.stdout


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Server:
    """gunicorn with deploy/gunicorn.conf.py, bound to a free local port, two workers."""

    def __init__(self, name, env, workdir):
        self.name = name
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.log_path = Path(workdir) / f"gunicorn-{name}.log"
        env = dict(env, GUNICORN_BIND=f"127.0.0.1:{self.port}", GUNICORN_WORKERS="2")
        self.log = open(self.log_path, "w")  # noqa: SIM115 - closed in stop()
        self.process = subprocess.Popen(  # noqa: S603  # nosec B603 - the venv's gunicorn
            [str(GUNICORN), "-c", "deploy/gunicorn.conf.py", "prostenhet.wsgi"],
            cwd=ROOT, env=env, stdout=self.log, stderr=subprocess.STDOUT,
            start_new_session=True,
        )

    def wait_ready(self, timeout=120):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise DrillFailed(f"gunicorn ({self.name}) exited:\n{self.log_tail()}")
            try:
                response = requests.get(self.base + "/readyz", timeout=10)
                if response.status_code == 200:
                    return
            except requests.RequestException:  # not listening yet, or the workers booting
                pass
            time.sleep(0.3)
        raise DrillFailed(f"gunicorn ({self.name}): /readyz not 200 in {timeout} s")

    def log_tail(self, lines=30):
        self.log.flush()
        return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])

    def stop(self):
        if self.process.poll() is None:
            self.process.terminate()  # gunicorn: graceful shutdown of the workers
            try:
                self.process.wait(timeout=35)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)  # its own session: gunicorn alone
                self.process.wait()
        self.log.close()


# --- staff at work ---------------------------------------------------------------------------

CSRF_FIELD = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


def totp_code(key_hex, after=-1):
    """The TOTP code of a device for the current 30-second step, or for the step after the
    last one it accepted, `after` (each step works once; django-otp accepts one step ahead)."""
    ahead = after + 1 - int(time.time()) // 30
    if ahead > 1:  # wait until that step is at most one ahead
        time.sleep(after * 30 - time.time() + 0.5)
        ahead = 1
    return "%06d" % totp(bytes.fromhex(key_hex), drift=max(0, ahead))


def login(base, username, key_hex, after=-1):
    """Password, then the TOTP code, through the login pages; a logged-in session."""
    session = requests.Session()
    page = session.get(base + "/logga-in/", timeout=30)
    page = session.post(base + "/logga-in/", timeout=30, data={
        "username": username, "password": DEMO_PASSWORD,
        "csrfmiddlewaretoken": CSRF_FIELD.search(page.text).group(1),
    })
    if "/logga-in/verifiera/" not in page.url:
        raise DrillFailed(f"{username}: the password was not accepted ({page.status_code})")
    page = session.post(page.url, timeout=30, data={
        "token": totp_code(key_hex, after),
        "csrfmiddlewaretoken": CSRF_FIELD.search(page.text).group(1),
    })
    if page.status_code != 200 or not page.url.endswith("/start/"):
        raise DrillFailed(f"{username}: the one-time code was not accepted ({page.status_code})")
    return session


def htmx_post(session, url, data):
    return session.post(url, data=data, timeout=30, headers={
        "HX-Request": "true", "X-CSRFToken": session.cookies.get("csrftoken", ""),
    })


class Worker(threading.Thread):
    """One member of staff: reads the client page and the journal of one client after
    another; a writer also saves a draft in each journal as the autosave does."""

    def __init__(self, base, username, key_hex, unit, clients, writes, stop):
        super().__init__(name=f"load-{username}", daemon=True)
        self.base, self.username, self.key_hex = base, username, key_hex
        self.unit, self.clients, self.writes, self.stop = unit, clients, writes, stop
        self.reads = self.saves = 0
        self.errors = []
        self.working = threading.Event()  # logged in and through one round of work
        self.drafts = {}  # client → (autosave URL, editor token, seq)

    def run(self):
        try:
            session = login(self.base, self.username, self.key_hex)
            for client in itertools.cycle(self.clients):
                if self.stop.is_set():
                    return
                for path in (f"/klienter/{client}/", f"/klienter/{client}/journal/{self.unit}/"):
                    self.check(session.get(self.base + path, timeout=30), path)
                    self.reads += 1
                if self.writes:
                    self.save_draft(session, client)
                self.working.set()
        except Exception as error:  # reported by the drill, which then fails
            self.errors.append(f"{type(error).__name__}: {error}")
        finally:
            self.working.set()  # not waited for any longer

    def check(self, response, what):
        if response.status_code != 200:
            self.errors.append(f"{what}: {response.status_code}")
            if len(self.errors) > 20:
                raise DrillFailed(f"{self.username}: too many errors")

    def save_draft(self, session, client):
        url, editor, seq = self.drafts.get(client) or (
            f"{self.base}/klienter/{client}/journal/{self.unit}/ny/", secrets.token_hex(16), 0
        )
        seq += 1
        today = datetime.now(ZoneInfo("Europe/Stockholm")).date().isoformat()
        response = htmx_post(session, url, {
            "kind": "note", "event_date": today, "editor": editor, "seq": seq, "version": "",
            "text": f"{DRAFT_MARKER} {self.username} {seq} {secrets.token_hex(4)}",
        })
        self.check(response, "autosave")
        if "Inte sparat" in response.text:  # the status line of a refused save (sv)
            self.errors.append(f"autosave refused: {response.text.strip()[:200]}")
        elif seq == 1:  # the first save made the draft and names its page
            edit_url = response.headers.get("HX-Replace-Url", "")
            if "/redigera/" not in edit_url:
                raise DrillFailed(f"{self.username}: the first save made no draft")
            url = self.base + edit_url.replace("/redigera/", "/autospara/")
        self.drafts[client] = (url, editor, seq)
        self.saves += 1


# --- the drill ---------------------------------------------------------------------------------


def clients_of(cursor, unit, limit=12):
    cursor.execute(
        "SELECT c.public_id::text FROM clients_client c "
        "JOIN clients_enrollment e ON e.client_id = c.id AND e.ended_on IS NULL AND e.unit = %s "
        "JOIN clients_journal j ON j.client_id = c.id AND j.unit = e.unit "
        "AND j.merged_into_id IS NULL ORDER BY c.id LIMIT %s",
        [unit, limit],
    )
    return [row[0] for row in cursor.fetchall()]


def newest_draft(cursor, username):
    cursor.execute(
        "SELECT e.public_id::text, e.text FROM clients_journalentry e "
        "JOIN prostenhet_user u ON u.id = e.author_id WHERE u.username = %s "
        "AND e.text LIKE %s ORDER BY e.updated_at DESC, e.id DESC LIMIT 1",
        [username, DRAFT_MARKER + "%"],
    )
    return cursor.fetchone()


def create_devices(env, keys):
    """A confirmed TOTP device with a known key for each drill user (as enrolment does)."""
    code = (
        "from django_otp.plugins.otp_totp.models import TOTPDevice\n"
        "from prostenhet.models import User\n"
        "from prostenhet.services import confirm_device\n"
        f"for username, key in {keys!r}.items():\n"
        "    device = TOTPDevice.objects.create(user=User.objects.get(username=username),\n"
        "                                       name='restore drill', key=key, confirmed=False)\n"
        "    confirm_device(device)\n"
    )
    manage(env, "shell", "--no-imports", "-c", code)


def print_table(rows):
    width = max(len(row[0]) for row in rows)
    print(f"  {'table':<{width}}  {'snapshot':>9}  {'restored':>9}")
    for table, expected, actual, same in rows:
        mark = "" if same else "   <-- MISMATCH"
        print(f"  {table:<{width}}  {expected!s:>9}  {actual!s:>9}{mark}")


def step(text):
    print(f"\n== {text}", flush=True)


def run(args):
    admin_url = os.environ.get("DRILL_DATABASE_URL", DEFAULT_ADMIN_URL)
    source_url = database_url(admin_url, SOURCE_DB)
    restored_url = database_url(admin_url, RESTORED_DB)
    for tool in ("pg_dump", "pg_restore"):
        if shutil.which(tool) is None:
            raise DrillFailed(f"{tool} is missing (PostgreSQL's client tools)")
    workdir = tempfile.mkdtemp(prefix="restore-drill-")  # mode 0700: the dump is personal data
    dump_path = Path(workdir) / "prostenhet.dump"
    secret_key = secrets.token_urlsafe(64)
    servers, stop, workers, failures = [], threading.Event(), [], []
    timings = {}
    finished = False
    try:
        step(f"1. source database {SOURCE_DB}: migrate, demo data")
        started = time.monotonic()
        create_database(admin_url, SOURCE_DB)
        demo_env = app_environment(source_url, secret_key, DEBUG="1", DEMO_MODE="1")
        manage(demo_env, "migrate", "--noinput")
        manage(demo_env, "seed_demo")
        keys = {name: secrets.token_hex(20) for name, _unit, _writes in LOAD_USERS}
        create_devices(demo_env, keys)
        timings["seed"] = time.monotonic() - started

        step("2. gunicorn on the source (DEBUG=0, two-factor on)")
        source_env = app_environment(source_url, secret_key)
        manage(source_env, "check", "--deploy")
        # The static files with their manifest, as a deployment collects them (DEBUG off).
        manage(source_env, "collectstatic", "--noinput", "--verbosity", "0")
        servers.append(Server("source", source_env, workdir))
        servers[-1].wait_ready()
        print(f"  ready at {servers[-1].base}")

        step(f"3. load: {len(LOAD_USERS)} staff reading and saving drafts")
        source = psycopg2.connect(source_url)
        with source.cursor() as cursor:
            for username, unit, writes in LOAD_USERS:
                clients = clients_of(cursor, unit)
                if not clients:
                    raise DrillFailed(f"no clients in {unit} for {username}")
                workers.append(Worker(servers[0].base, username, keys[username], unit, clients,
                                      writes, stop))
        source.rollback()
        for worker in workers:
            worker.start()
        for worker in workers:
            worker.working.wait(timeout=180)
            if worker.errors or not worker.is_alive():
                raise DrillFailed(f"load {worker.username}: {worker.errors[:5]}")
        print("  every one logged in and at work")
        time.sleep(args.warmup)

        step("4. snapshot: count every table, newest access-log row, pg_dump --snapshot")
        source.set_session(isolation_level="REPEATABLE READ", readonly=True)
        with source.cursor() as cursor:
            cursor.execute("SELECT pg_export_snapshot()")
            snapshot = cursor.fetchone()[0]
            expected_counts = table_counts(cursor)
            expected_last = last_row(cursor)
            expected_objects = schema_objects(cursor)
            draft = newest_draft(cursor, CHECK_USER)
            started = time.monotonic()
            dump = subprocess.run(  # noqa: S603  # nosec B603 B607 - PostgreSQL's pg_dump
                ["pg_dump",  # noqa: S607 - from PATH, as an operator runs it
                 "--format=custom", f"--snapshot={snapshot}",
                 f"--file={dump_path}", f"--dbname={source_url}"],
                capture_output=True, text=True, check=False,
            )
            timings["dump"] = time.monotonic() - started
            timings["size"] = dump_path.stat().st_size if dump_path.exists() else 0
        source.rollback()  # the snapshot's transaction ends only now
        source.set_session(isolation_level="READ COMMITTED", readonly=False)
        if dump.returncode != 0:
            raise DrillFailed(f"pg_dump failed:\n{dump.stderr}")
        with source.cursor() as cursor:
            cursor.execute(
                f"SELECT count(*) FROM {ACCESS_LOG} WHERE id > %s",  # noqa: S608  # nosec B608
                [expected_last["id"]],
            )
            during_dump = cursor.fetchone()[0]
        source.rollback()
        stop.set()
        for worker in workers:
            worker.join(timeout=60)
        source.close()
        reads, saves = sum(w.reads for w in workers), sum(w.saves for w in workers)
        print(f"  snapshot {snapshot}: {len(expected_counts)} tables, "
              f"{sum(expected_counts.values())} rows; newest access-log row {expected_last['id']}")
        print(f"  load: {reads} page reads and {saves} draft saves in all; {during_dump} "
              f"access-log rows written while the dump ran (after the snapshot: not in it)")
        for worker in workers:
            if worker.errors:
                failures.append(f"load {worker.username}: {worker.errors[:5]}")
        if not during_dump:
            failures.append("no access-log row was written while the dump ran: no load")

        step(f"5. restore into {RESTORED_DB}")
        create_database(admin_url, RESTORED_DB)
        started = time.monotonic()
        restore = subprocess.run(  # noqa: S603  # nosec B603 B607 - PostgreSQL's pg_restore
            ["pg_restore",  # noqa: S607 - from PATH, as an operator runs it
             "--exit-on-error", f"--dbname={restored_url}", str(dump_path)],
            capture_output=True, text=True, check=False,
        )
        timings["restore"] = time.monotonic() - started
        if restore.returncode != 0:
            raise DrillFailed(f"pg_restore failed:\n{restore.stderr}")

        step("6. compare with the snapshot")
        restored = psycopg2.connect(restored_url)
        with restored.cursor() as cursor:
            rows = compare_counts(expected_counts, table_counts(cursor))
            actual_last = last_row(cursor)
            object_differences = compare_objects(expected_objects, schema_objects(cursor))
            sequences = sequence_problems(cursor)
        restored.rollback()
        print_table(rows)
        failures += [f"row count of {table}: {a} != {b}" for table, a, b, same in rows if not same]
        print(f"  newest access-log row: snapshot {json.dumps(expected_last, sort_keys=True)}")
        print(f"                         restored {json.dumps(actual_last, sort_keys=True)}")
        if actual_last != expected_last:
            failures.append("the newest access-log row differs")
        for kind, (missing, extra) in object_differences.items():
            failures.append(f"{kind}: missing {missing}, extra {extra}")
        print("  schema: " + ", ".join(f"{len(names)} {kind}" for kind, names in
                                      expected_objects.items())
              + (" – the same" if not object_differences else " – DIFFERENT"))
        failures += [f"sequence {problem}" for problem in sequences]
        print(f"  sequences: {sequences or 'all past their columns'}")
        with restored.cursor() as cursor:
            for table, column in APPEND_ONLY.items():
                outcome = append_only_check(cursor, table, column)
                print(f"  {table}: an UPDATE is {outcome}")
                if outcome != "refused":
                    failures.append(f"{table} not shown append-only after the restore: {outcome}")
        restored.rollback()
        restored.close()
        restored_env = app_environment(restored_url, secret_key)
        manage(restored_env, "migrate", "--check", "--noinput")
        print("  migrate --check: no unapplied migration")

        step("7. gunicorn on the restored database")
        servers.append(Server("restored", restored_env, workdir))
        servers[-1].wait_ready()
        base = servers[-1].base
        restored = psycopg2.connect(restored_url)
        with restored.cursor() as cursor:
            cursor.execute(
                "SELECT d.last_t FROM otp_totp_totpdevice d JOIN prostenhet_user u "
                "ON u.id = d.user_id WHERE u.username = %s", [CHECK_USER],
            )
            last_t = cursor.fetchone()[0]
        restored.rollback()
        session = login(base, CHECK_USER, keys[CHECK_USER], after=last_t)
        print(f"  /readyz 200; {CHECK_USER} logged in (password and one-time code)")
        if draft is None:
            failures.append(f"no draft by {CHECK_USER} in the snapshot")
        else:
            page = session.get(f"{base}/klienter/anteckning/{draft[0]}/redigera/", timeout=30)
            if page.status_code != 200 or html.escape(draft[1], quote=False) not in page.text:
                failures.append(f"the newest draft is not served ({page.status_code})")
            else:
                print(f"  the newest draft before the snapshot is served: {draft[1]!r}")
        client = workers[0].clients[0]
        page = session.get(f"{base}/klienter/{client}/", timeout=30)
        with restored.cursor() as cursor:
            cursor.execute(f"SELECT max(id) FROM {ACCESS_LOG}")  # noqa: S608  # nosec B608
            newest = cursor.fetchone()[0]
        restored.close()
        if page.status_code != 200 or newest <= expected_last["id"]:
            failures.append(f"client page on the restored database: {page.status_code}, "
                            f"access-log row {newest}")
        else:
            print(f"  a client page is served and logged (access-log row {newest})")
        finished = True
    finally:
        stop.set()
        for server in reversed(servers):
            if failures or not finished:
                print(f"\n-- gunicorn ({server.name}), the last lines of its log:\n"
                      f"{server.log_tail()}", file=sys.stderr)
            server.stop()
        if not args.keep:
            for name in (SOURCE_DB, RESTORED_DB):
                try:
                    drop_database(admin_url, name)
                except psycopg2.Error as error:
                    print(f"could not drop {name}: {error}", file=sys.stderr)
            shutil.rmtree(workdir, ignore_errors=True)
        else:
            print(f"\nKept: databases {SOURCE_DB}, {RESTORED_DB}; dump and logs in {workdir}")

    step("timings")
    print(f"  demo data {timings['seed']:.1f} s; dump {timings['dump']:.2f} s "
          f"({timings['size'] / 1e6:.1f} MB, custom format); restore {timings['restore']:.2f} s")
    return failures


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--keep", action="store_true",
                        help="keep both databases, the dump and the logs")
    parser.add_argument("--warmup", type=float, default=5.0,
                        help="seconds of load, once everyone is at work, before the snapshot "
                             "(default 5)")
    args = parser.parse_args()
    # A SIGTERM (a CI timeout) ends the drill through the same clean-up as a failure.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    try:
        failures = run(args)
    except DrillFailed as error:
        print(f"\nRESTORE DRILL FAILED: {error}", file=sys.stderr)
        return 1
    if failures:
        print("\nRESTORE DRILL FAILED:", file=sys.stderr)
        for failure in failures:
            print(f"  - {failure}", file=sys.stderr)
        return 1
    print("\nRestore drill passed: the dump restores to what was counted, and the app serves it.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
