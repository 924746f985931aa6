"""The demo as `make run` serves it: SQLite behind the threaded development server. Requests that
write at the same time (autosaves, access-log rows, sessions) must wait for one another, never
fail with "database is locked".

Runs a real server in a subprocess on its own SQLite file, whatever DATABASE_URL the suite
itself runs on."""

import html
import json
import os
import re
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from http.cookiejar import CookieJar
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
DEMO_PASSWORD = "demo-losenord-2026"
THREADS = 8
AUTOSAVES_PER_THREAD = 10
# Variables of the test run that must not reach the demo server.
NOT_INHERITED = {
    "DATABASE_URL", "SECRET_KEY", "DEBUG", "HTTPS", "DEMO_MODE", "ALLOWED_HOSTS",
    "TWO_FACTOR_REQUIRED", "DJANGO_ALLOW_ASYNC_UNSAFE", "CONN_MAX_AGE",
}

FIND_DRAFT = """
import json
from clients.models import JournalEntry
from prostenhet.models import User
entry = (
    JournalEntry.objects.drafts_of(User.objects.get(username="behandlare"))
    .select_related("journal__client").order_by("pk").first()
)
print(json.dumps({
    "entry": str(entry.public_id), "kind": entry.kind, "version": entry.version,
    "event_date": entry.event_date.isoformat(),
    "client": str(entry.journal.client.public_id), "unit": entry.journal.unit,
}))
"""


@pytest.fixture
def demo_env(tmp_path):
    env = {k: v for k, v in os.environ.items() if k not in NOT_INHERITED}
    env.update(
        DEBUG="1",
        DEMO_MODE="1",
        DATABASE_URL=f"sqlite:///{tmp_path / 'db.sqlite3'}",
        ENV_FILE="/nonexistent",  # no developer's .env
    )
    return env


def manage(env, *args):
    result = subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    return result.stdout


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def demo_server(demo_env, tmp_path):
    """The demo, migrated and seeded, served by runserver: (base URL, a draft of behandlare)."""
    manage(demo_env, "migrate", "--noinput", "--verbosity", "0")
    manage(demo_env, "seed_demo")
    draft = json.loads(
        manage(demo_env, "shell", "--no-imports", "-c", FIND_DRAFT).strip().splitlines()[-1]
    )
    port = free_port()
    log_path = tmp_path / "server.log"
    with open(log_path, "w") as log:
        server = subprocess.Popen(
            [sys.executable, "manage.py", "runserver", f"127.0.0.1:{port}", "--noreload"],
            cwd=ROOT, env=demo_env, stdout=log, stderr=subprocess.STDOUT,
        )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                with urllib.request.urlopen(f"{base}/healthz", timeout=2) as response:
                    if response.status == 200:
                        break
            except OSError:
                pass
            if server.poll() is not None or time.monotonic() > deadline:
                pytest.fail("the demo server did not start:\n" + log_path.read_text()[-3000:])
            time.sleep(0.2)
        yield base, draft, log_path
    finally:
        server.terminate()
        try:
            server.wait(timeout=10)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()


class Browser:
    """Just enough of a browser: cookies, and the CSRF token from its cookie."""

    def __init__(self, base):
        self.base = base
        self.cookies = CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.cookies))

    def cookie(self, name):
        return next((c.value for c in self.cookies if c.name == name), None)

    def request(self, path, data=None, headers=None):
        """(status, body); an HTTP error status is an answer too, a failed connection is 0."""
        body = urllib.parse.urlencode(data).encode() if data is not None else None
        request = urllib.request.Request(self.base + path, data=body, headers=headers or {})
        try:
            with self.opener.open(request, timeout=40) as response:
                return response.status, response.read().decode()
        except urllib.error.HTTPError as error:
            return error.code, error.read().decode(errors="replace")
        except OSError as error:
            return 0, repr(error)

    def log_in(self, username, password):
        self.request("/logga-in/")
        status, body = self.request(
            "/logga-in/",
            {"username": username, "password": password,
             "csrfmiddlewaretoken": self.cookie("csrftoken")},
        )
        assert status == 200 and 'action="/logga-ut/"' in body, body[:2000]


def _error_of(body):
    """The exception on Django's debug 500 page ("OperationalError: database is locked")."""
    title = re.search(r"<title>\s*(\w+)", body)
    value = re.search(r'<pre class="exception_value">(.*?)</pre>', body, re.S)
    if title and value:
        return f"{title.group(1)}: {html.unescape(value.group(1)).strip()}"
    return body[:200]


def test_concurrent_autosaves_and_page_loads_on_sqlite_never_fail(demo_server):
    base, draft, log_path = demo_server
    browser = Browser(base)
    browser.log_in("behandlare", DEMO_PASSWORD)
    autosave_url = f"/klienter/anteckning/{draft['entry']}/autospara/"
    journal_url = f"/klienter/{draft['client']}/journal/{draft['unit']}/"
    entry_url = f"/klienter/anteckning/{draft['entry']}/"
    htmx = {"X-CSRFToken": browser.cookie("csrftoken"), "HX-Request": "true"}
    start = threading.Barrier(THREADS)

    def writer(number):
        answers = []
        start.wait()  # all threads at once
        for i in range(AUTOSAVES_PER_THREAD):
            # An empty version: a save that need not be the latest is not refused.
            answers.append(("autosave", *browser.request(autosave_url, {
                "kind": draft["kind"], "event_date": draft["event_date"], "version": "",
                "text": f"Utkast från tråd {number}, sparning {i}.",
            }, htmx)))
            # Pages that write an access-log row (and now and then the session).
            page = (journal_url, entry_url, "/start/")[i % 3]
            answers.append(("page", *browser.request(page)))
        return answers

    began = time.monotonic()
    with ThreadPoolExecutor(THREADS) as pool:
        answers = [a for thread in pool.map(writer, range(THREADS)) for a in thread]
    elapsed = time.monotonic() - began

    failed = Counter(
        (kind, status, _error_of(body)) for kind, status, body in answers
        if status == 0 or status >= 500
    )
    assert not failed, (
        f"{failed.total()} of {len(answers)} requests failed in {elapsed:.1f} s: "
        + "; ".join(f"{n} × {kind} {status} {error}" for (kind, status, error), n in
                    failed.most_common())
        + f"\n(server log: {log_path})"
    )
    assert {status for _, status, _ in answers} == {200}
    saves = [body for kind, _, body in answers if kind == "autosave"]
    assert all(body.startswith("Sparat") for body in saves), saves[:3]
    # Every save was written, one after the other: each got a version of its own.
    versions = sorted(int(re.search(r'name="version" value="(\d+)"', b).group(1)) for b in saves)
    first = draft["version"] + 1
    assert versions == list(range(first, first + THREADS * AUTOSAVES_PER_THREAD))
