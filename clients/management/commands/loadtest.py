"""Load-test a real server with a working day of the unit (issue 13), on the data
`manage.py benchmark --keep --plan FILE` generated into a throw-away PostgreSQL database:

    python manage.py loadtest --plan .bench/plan.json --rate 50 --duration 120

It starts gunicorn (`deploy/gunicorn.conf.py`, production settings on plain HTTP, the access log
to a file) on this database, and runs Locust (`tests/load/locustfile.py`) on the same machine:
each virtual user logs in for real as one of the generated accounts (password and a TOTP code)
and asks for that account's pages at an even pace, picked by the weights of a working day
(WEIGHTS). It prints p50/p95/p99 per page at the goal rate, then the same at each --steps rate,
and the highest rate whose p95 stayed below --p95-goal milliseconds without errors; with the
CPU time the server's workers and PostgreSQL spent per request. `make bench` runs both.

It sets new passwords and TOTP devices on the generated accounts: never run it on a database
that matters (it refuses accounts not named bench-*).
"""

import csv
import json
import os
import re
import secrets
import signal
import subprocess  # starts gunicorn and Locust, with fixed argument lists  # nosec B404
import sys
import time
import urllib.request
from pathlib import Path
from urllib.parse import quote

from axes.utils import reset as reset_logins
from django.conf import settings
from django.contrib.auth.hashers import PBKDF2PasswordHasher
from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction
from django.urls import reverse
from django_otp.plugins.otp_totp.models import TOTPDevice

from prostenhet.models import User

LOCUSTFILE = Path(settings.BASE_DIR) / "tests" / "load" / "locustfile.py"
GUNICORN_CONF = Path(settings.BASE_DIR) / "deploy" / "gunicorn.conf.py"
TOTP_DEVICE = "loadtest"

# A working day: how often each page of the plan is asked for, relative to the others of the
# same account (the office assistant's panel refreshes itself, a counsellor's draft autosaves
# while she writes), and — by their sum — how many of the virtual users are that account.
# A page not named here weighs 1; a page weighing 0 is timed by the benchmark only.
WEIGHTS = {
    "bare page (password change)": 0.5,
    "start (counsellor: my day)": 2,
    "client list": 1,
    "search by alias (POST+GET)": 1,
    "client page": 3,
    "journal": 4,
    "entry": 2,
    "autosave a draft": 6,
    "journal, printable": 0.2,
    "journal, PDF": 0.1,
    "week calendar, 10 staff": 2,
    "start (office assistant: today)": 2,
    "today panel refresh": 8,
    "queue": 2,
    "start (clinician: follow-up)": 2,
    "follow-up list": 4,
    "patient record (Spiralen)": 3,
    "clinic schedule, today": 2,
    "book: first free times": 1,
    "statistics, last year": 1,
    "statistics, this year": 1,
    "statistics, closed year": 0.5,
    "statistics, computed afresh": 0.1,
    "statistics, table as CSV": 0.2,
    "statistics, table as XLSX": 0.1,
    "access log": 2,
    "access log, one staff, a month": 1,
    "access log of one client": 0.5,
    "weeding (last dry run)": 0.2,
    "register extract, review": 0.2,
    "register extract, released": 0.2,
    "register extract, PDF": 0.1,
}


class Command(BaseCommand):
    help = "Load-test a real server (gunicorn) with a working day's mix (see the module)."

    def add_arguments(self, parser):
        parser.add_argument("--plan", required=True, help="the benchmark's --plan file")
        parser.add_argument("--rate", type=float, default=50, help="requests a second")
        parser.add_argument("--duration", type=int, default=120, help="seconds at --rate")
        parser.add_argument("--users", type=int, default=50, help="virtual users")
        parser.add_argument(
            "--steps", default="10,20,30,40,60",
            help="further rates, each for --step-duration seconds ('' for none)",
        )
        parser.add_argument("--step-duration", type=int, default=40)
        parser.add_argument("--workers", type=int, default=2, help="gunicorn workers")
        parser.add_argument("--port", type=int, default=8100)
        parser.add_argument("--p95-goal", type=float, default=200)
        parser.add_argument("--out", default=".bench", help="folder for Locust's CSV files")

    def handle(self, *args, **options):
        if connection.vendor != "postgresql":
            raise CommandError("The load test runs on PostgreSQL (DATABASE_URL).")
        out = Path(options["out"])
        out.mkdir(parents=True, exist_ok=True)
        with open(options["plan"], encoding="utf-8") as file:
            pages = json.load(file)["pages"]
        for page in pages:
            page["weight"] = WEIGHTS.get(page["label"], 1)
        runtime_plan = out / "load-plan.json"
        accounts = self._prepare_accounts(pages)
        host = f"http://127.0.0.1:{options['port']}"
        server = None
        try:
            # The accounts' passwords and TOTP keys: readable by this user only, and removed
            # however the run ends.
            runtime_plan.touch(mode=0o600)
            runtime_plan.write_text(json.dumps({
                "pages": pages, "accounts": accounts,
                "login_url": reverse("account:login"),
                "otp_url": reverse("account:otp-verify"), "csrf_cookie": "csrftoken",
            }))
            server = self._start_server(options, out)
            self._wait_ready(host, server)
            self.stdout.write(
                f"gunicorn, {options['workers']} workers, on {connection.settings_dict['NAME']};"
                f" {options['users']} virtual users, Locust on the same machine"
            )
            rates = [options["rate"]] + [
                float(rate) for rate in options["steps"].split(",") if rate.strip()
            ]
            summary = []
            for number, rate in enumerate(rates):
                duration = options["duration"] if number == 0 else options["step_duration"]
                rows, cpu = self._run_locust(
                    host, runtime_plan, out, rate, duration, options, server.pid
                )
                total = rows.pop("Aggregated", None)
                if total is None:
                    raise CommandError(f"No request was made at {rate:g}/s: see {out}.")
                if number == 0:
                    self._print_pages(rate, duration, rows, total)
                summary.append((rate, total, cpu))
            self._print_summary(summary, options["p95_goal"])
        finally:
            runtime_plan.unlink(missing_ok=True)
            if server is not None:
                server.send_signal(signal.SIGTERM)
                try:
                    server.wait(timeout=30)
                except subprocess.TimeoutExpired:
                    server.kill()

    @transaction.atomic
    def _prepare_accounts(self, pages):
        """A password of this run and a TOTP device for each account of the plan."""
        accounts = {}
        for username in sorted({page["username"] for page in pages}):
            if not username.startswith("bench-"):
                raise CommandError(f"{username}: not a generated account (bench-*).")
            user = User.objects.get(username=username)
            password = secrets.token_urlsafe(16)
            # PBKDF2, the server's hasher, whatever this process's settings prefer (a test's
            # fast hasher is one the server would not know).
            user.password = PBKDF2PasswordHasher().encode(password, PBKDF2PasswordHasher().salt())
            user.must_change_password = False
            user.save()
            reset_logins(username=username)  # an earlier run's failures lock no one out
            TOTPDevice.objects.filter(user=user, name=TOTP_DEVICE).delete()
            device = TOTPDevice.objects.create(user=user, name=TOTP_DEVICE, confirmed=True)
            accounts[username] = {"password": password, "key": device.key}
        return accounts

    def _start_server(self, options, out):
        db = connection.settings_dict
        env = {
            **os.environ,
            # This database, as the command sees it (a test's database, too).
            "DATABASE_URL": "postgres://{}@{}:{}/{}".format(
                quote(db["USER"] or "", safe="")
                + (":" + quote(db["PASSWORD"], safe="") if db["PASSWORD"] else ""),
                db["HOST"] or "127.0.0.1", db["PORT"] or 5432, db["NAME"],
            ),
            "DEBUG": "0", "DEMO_MODE": "0", "HTTPS": "0", "ALLOWED_HOSTS": "127.0.0.1",
            "SECRET_KEY": os.environ.get("SECRET_KEY") or secrets.token_urlsafe(50),
            "GUNICORN_BIND": f"127.0.0.1:{options['port']}",
            "GUNICORN_WORKERS": str(options["workers"]), "LOG_LEVEL": "WARNING",
            # The load comes from one address: per-address login throttling would count it
            # as one person.
            "LOGIN_LOCKOUT_BY_IP": "0",
        }
        # The manifest of the static files, as a deployment collects them (DEBUG off).
        subprocess.run(  # noqa: S603 - fixed arguments  # nosec B603
            [sys.executable, "manage.py", "collectstatic", "--noinput", "--verbosity", "0"],
            env=env, cwd=settings.BASE_DIR, check=True,
        )
        return subprocess.Popen(  # noqa: S603 - fixed arguments  # nosec B603
            [sys.executable, "-m", "gunicorn", "-c", str(GUNICORN_CONF), "prostenhet.wsgi",
             "--access-logfile", str(out / "access.log"),
             "--error-logfile", str(out / "gunicorn.log")],
            env=env, cwd=settings.BASE_DIR,
        )

    def _wait_ready(self, host, server):
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if server.poll() is not None:
                raise CommandError("gunicorn stopped: see its log in the --out folder.")
            try:
                with urllib.request.urlopen(f"{host}/readyz", timeout=2) as answer:  # noqa: S310 - our own server  # nosec B310
                    if answer.status == 200:
                        return
            except OSError:
                pass
            time.sleep(0.5)
        raise CommandError("gunicorn did not become ready in a minute.")

    def _run_locust(self, host, runtime_plan, out, rate, duration, options, server_pid):
        users = options["users"]
        prefix = out / f"load-{int(rate)}"
        env = {
            **os.environ, "LOAD_PLAN": str(runtime_plan), "LOAD_USER_RATE": str(rate / users),
            "LOAD_DURATION": str(duration),
        }
        # The locustfile measures `duration` seconds from the last login; --run-time only
        # stops a run whose logins never end.
        command = [
            sys.executable, "-m", "locust", "-f", str(LOCUSTFILE), "--headless",
            "--host", host, "--users", str(users), "--spawn-rate", str(max(users / 10, 1)),
            "--run-time", f"{duration + 300}s", "--csv", str(prefix), "--only-summary",
            "--loglevel", "WARNING",
        ]
        access_log = out / "access.log"
        marker = Path(f"{prefix}.measuring")
        marker.unlink(missing_ok=True)
        env["LOAD_MARKER"] = str(marker)
        log = open(f"{prefix}.log", "w", encoding="utf-8")  # noqa: SIM115 - closed below
        locust = subprocess.Popen(  # noqa: S603 - fixed arguments  # nosec B603
            command, env=env, stdout=log, stderr=subprocess.STDOUT
        )
        before = started = None
        try:
            while locust.poll() is None:
                if before is None and marker.exists():
                    # The server's CPU time is taken over the measured period only.
                    before, started = self._cpu_seconds(server_pid), time.monotonic()
                    logged_from = access_log.stat().st_size
                time.sleep(0.2)
        finally:
            if locust.poll() is None:  # interrupted: no Locust is left behind
                locust.kill()
                locust.wait()
            log.close()
        if before is None:
            raise CommandError(f"The virtual users did not all log in: see {prefix}.log.")
        elapsed = time.monotonic() - started
        after = self._cpu_seconds(server_pid)
        if not Path(f"{prefix}_stats.csv").exists():
            raise CommandError(f"Locust failed: see {prefix}.log.")
        rows = self._read_stats(f"{prefix}_stats.csv")
        requests = max(rows.get("Aggregated", {"count": 0})["count"], 1)
        cpu = {name: (after[name] - before[name]) * 1000 / requests for name in before}
        cpu["busy"] = sum(after[n] - before[n] for n in before) / elapsed / (os.cpu_count() or 1)
        cpu["server"] = self._server_times(access_log, logged_from)
        return rows, cpu

    @staticmethod
    def _read_stats(path):
        def number(value):
            return 0.0 if value in ("", "N/A") else float(value)

        rows = {}
        with open(path, encoding="utf-8") as file:
            for row in csv.DictReader(file):
                if int(row["Request Count"]):
                    rows[row["Name"]] = {
                        "count": int(row["Request Count"]),
                        "failures": int(row["Failure Count"]), "rps": number(row["Requests/s"]),
                        "p50": number(row["50%"]), "p95": number(row["95%"]),
                        "p99": number(row["99%"]),
                    }
        return rows

    @staticmethod
    def _server_times(access_log, offset):
        """p50 and p95 of the time gunicorn's workers spent on each request of the measured
        period (its access log's "<n>ms"): what Locust measures less the time a request waits
        for a free worker and the load generator's own delays."""
        with open(access_log, "rb") as file:
            file.seek(offset)
            times = sorted(int(ms) for ms in re.findall(rb" (\d+)ms rid=", file.read()))
        if not times:
            return {"p50": 0, "p95": 0}
        return {"p50": times[len(times) // 2], "p95": times[int(len(times) * 0.95)]}

    @staticmethod
    def _cpu_seconds(server_pid):
        """CPU seconds so far of gunicorn and of PostgreSQL, from /proc: each server's main
        process with its live children, and the CPU of the children it has reaped (recycled
        workers, closed database connections). The load generator is left out; so is nothing
        else PostgreSQL does for other databases meanwhile (run it on a quiet machine)."""
        ticks = os.sysconf("SC_CLK_TCK")

        def stat(pid):
            """(name, parent, [utime, stime, cutime, cstime]) of a process."""
            try:
                text = Path(f"/proc/{pid}/stat").read_text()
            except OSError:
                return "", "", [0, 0, 0, 0]
            head, tail = text.rsplit(")", 1)
            fields = tail.split()
            return head.split("(", 1)[1], fields[1], [int(n) for n in fields[11:15]]

        def children(pid):
            path = Path(f"/proc/{pid}/task/{pid}/children")
            return path.read_text().split() if path.exists() else []

        def tree(pid):
            own = sum(stat(pid)[2])
            return own + sum(sum(stat(child)[2][:2]) for child in children(pid))

        postmaster = next(
            (
                path.name for path in Path("/proc").glob("[0-9]*")
                if (process := stat(path.name))[0] == "postgres"
                and stat(process[1])[0] != "postgres"
            ),
            None,
        )
        return {
            "gunicorn": tree(server_pid) / ticks,
            "postgres": tree(postmaster) / ticks if postmaster else 0.0,
        }

    def _print_pages(self, rate, duration, rows, total):
        self.stdout.write(f"\nat {rate:g} requests/s offered for {duration} s:")
        self.stdout.write(
            f"{'page':<36} {'requests':>8} {'p50 ms':>7} {'p95 ms':>7} {'p99 ms':>7} {'errors':>6}"
        )
        for name, row in sorted(rows.items(), key=lambda item: -item[1]["p95"]):
            self.stdout.write(
                f"{name:<36} {row['count']:>8} {row['p50']:>7.0f} {row['p95']:>7.0f} "
                f"{row['p99']:>7.0f} {row['failures']:>6}"
            )
        self.stdout.write(
            f"{'all':<36} {total['count']:>8} {total['p50']:>7.0f} {total['p95']:>7.0f} "
            f"{total['p99']:>7.0f} {total['failures']:>6}  ({total['rps']:.1f} requests/s)"
        )

    def _print_summary(self, summary, goal):
        self.stdout.write(
            f"\n{'offered/s':>9} {'served/s':>8} {'p50 ms':>7} {'p95 ms':>7} {'p99 ms':>7} "
            f"{'errors':>6} {'app CPU ms/req':>14} {'db CPU ms/req':>13} {'CPU busy':>8} "
            f"{'in worker p50/p95 ms':>20}"
        )
        best = None
        for rate, total, cpu in sorted(summary, key=lambda item: item[0]):
            self.stdout.write(
                f"{rate:>9g} {total['rps']:>8.1f} {total['p50']:>7.0f} {total['p95']:>7.0f} "
                f"{total['p99']:>7.0f} {total['failures']:>6} {cpu['gunicorn']:>14.1f} "
                f"{cpu['postgres']:>13.1f} {cpu['busy']:>8.0%} "
                f"{cpu['server']['p50']:>11}/{cpu['server']['p95']}"
            )
            if total["p95"] < goal and not total["failures"] and (best is None or rate > best):
                best = rate
        self.stdout.write(
            f"highest rate with p95 below {goal:g} ms and no error: "
            + (f"{best:g} requests/s" if best else "none of those measured")
        )
