"""Concurrency at the real server (issue 13): gunicorn as deployed (deploy/gunicorn.conf.py:
sync worker processes, each with its own PostgreSQL connection) serves the test database, and
HTTP clients that logged in through the login pages (password, then a one-time code) post the
forms as a browser does, all at one moment.

- Fifty people book one time: one booking; everyone else gets the form back with a Swedish
  "already booked", nobody a server error. The same for the clinic's booking of a free time.
- Two people save the same client's details at once: one is saved, the other sees the
  conflict with her own values listed beside what is saved now.
- Two windows of the author save the same draft, or one signs it while the other saves: one
  wins; the other is told why, and its text is still in its form or is the draft. Nothing
  is lost.

The in-process races (tests/clients/test_booking_views.py, test_drafts_and_editors.py,
tests/spiralen/test_bookings.py) drive the views through Django's test client in threads;
these go through sockets, processes and sessions, as in production. PostgreSQL only: SQLite
writes one transaction at a time (tests/e2e/test_sqlite_concurrency.py covers the demo)."""

import os
import secrets
import socket
import subprocess
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import time as clock
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import quote

import pytest
import requests
from django.contrib.auth.hashers import PBKDF2PasswordHasher
from django.db import connection
from django.urls import reverse
from django_otp.oath import totp

from clients import services as client_services
from clients.models import Booking, BookingKind, Client, EntryState, JournalEntry
from prostenhet.roles import Role, UnitCode
from spiralen import services as clinic_services
from spiralen.models import Appointment, AppointmentCode, AppointmentType

from .clients.helpers import at, next_weekday
from .factories import PASSWORD
from .world import staff

pytestmark = [
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="concurrent transactions need PostgreSQL"
    ),
    pytest.mark.django_db(transaction=True),
]

ROOT = Path(__file__).resolve().parents[1]
# More workers than the 2-core reference machine's four, so that more of the fifty requests
# are inside a transaction at the same moment.
WORKERS = 8
PEOPLE = 50
LOGIN, VERIFY, START = reverse("account:login"), reverse("account:otp-verify"), reverse("start")
ALREADY_BOOKED = ("är redan bokad den tiden", "Tiden blev just bokad av någon annan")


# --- the server ----------------------------------------------------------------------------------


def _free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _database_url():
    db = connection.settings_dict
    password = f":{quote(db['PASSWORD'], safe='')}" if db.get("PASSWORD") else ""
    return (f"postgres://{quote(db['USER'], safe='')}{password}@{db['HOST'] or '127.0.0.1'}:"
            f"{db['PORT'] or 5432}/{db['NAME']}")


class Server:
    def __init__(self, url, log_path):
        self.url, self.log_path = url, log_path

    def log(self):
        return self.log_path.read_text(errors="replace")[-5000:]


@pytest.fixture
def server(roles_and_units, tmp_path):
    """gunicorn with the production configuration on the test database (whose rows the test
    commits: a transactional test). --preload imports the app once before the workers fork,
    which only makes the start quicker. Stopped before the test's flush."""
    port = _free_port()
    env = {k: v for k, v in os.environ.items() if k not in {"DJANGO_ALLOW_ASYNC_UNSAFE"}}
    env.update(
        DATABASE_URL=_database_url(),
        CONN_MAX_AGE="0",  # no idle connection left to the test database when it is dropped
        GUNICORN_BIND=f"127.0.0.1:{port}",
        GUNICORN_WORKERS=str(WORKERS),
        LOG_LEVEL="WARNING",
        ENV_FILE="/nonexistent",
        DEBUG="0", HTTPS="0", DEMO_MODE="0", TWO_FACTOR_REQUIRED="1",
        ALLOWED_HOSTS="127.0.0.1",
        DJANGO_SETTINGS_MODULE="prostenhet.settings",
    )
    log_path = tmp_path / "gunicorn.log"
    with open(log_path, "w") as log:
        process = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "-c", "deploy/gunicorn.conf.py", "--preload",
             "prostenhet.wsgi"],
            cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
        )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                if requests.get(f"{url}/healthz", timeout=2).status_code == 200:
                    break
            except requests.ConnectionError:
                pass
            if process.poll() is not None or time.monotonic() > deadline:
                pytest.fail("gunicorn did not start:\n" + log_path.read_text()[-3000:])
            time.sleep(0.1)
        yield Server(url, log_path)
    finally:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


# --- a browser ----------------------------------------------------------------------------------


class FormParser(HTMLParser):
    """The page's forms, each a list of its fields: (tag, attributes, value)."""

    def __init__(self):
        super().__init__()
        self.forms, self._field = [], None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form":
            self.forms.append({"attrs": attrs, "fields": []})
        elif not self.forms:
            return
        elif tag in ("input", "button"):
            self.forms[-1]["fields"].append([tag, attrs, attrs.get("value") or ""])
        elif tag in ("select", "textarea"):
            self._field = [tag, attrs, "" if tag == "textarea" else None]
            self.forms[-1]["fields"].append(self._field)
        elif tag == "option" and self._field is not None:
            value = attrs.get("value") or ""
            if self._field[2] is None or "selected" in attrs:
                self._field[2] = value

    def handle_data(self, data):
        if self._field is not None and self._field[0] == "textarea":
            self._field[2] += data

    def handle_endtag(self, tag):
        if tag in ("select", "textarea"):
            self._field = None


def form_data(html, field):
    """What the page's form holding `field` posts, as a browser would without a click:
    named fields, checked boxes only, no buttons."""
    parser = FormParser()
    parser.feed(html)
    for form in parser.forms:
        names = {attrs.get("name") for _tag, attrs, _value in form["fields"]}
        if field not in names:
            continue
        data = {}
        for tag, attrs, value in form["fields"]:
            kind = attrs.get("type", {"input": "text", "button": "submit"}.get(tag, tag))
            if not attrs.get("name") or tag == "button" or kind in ("submit", "button"):
                continue
            if kind in ("checkbox", "radio") and "checked" not in attrs:
                continue
            # A browser drops the newline that starts a textarea's content.
            data[attrs["name"]] = value.removeprefix("\n") if tag == "textarea" else value
        return data
    raise AssertionError(f"no form with {field!r} on the page:\n{html[:3000]}")


def button_values(html, name):
    parser = FormParser()
    parser.feed(html)
    return [attrs.get("value") for form in parser.forms for tag, attrs, _v in form["fields"]
            if tag == "button" and attrs.get("name") == name]


def next_code(user):
    """The authenticator's code, or the next one if this one was used: each code works once
    (and a code of the next 30 seconds is accepted), so the same person can log in twice."""
    device = user.totpdevice_set.get(confirmed=True)
    now = int((time.time() - device.t0) // device.step)
    drift = 1 if device.last_t is not None and device.last_t >= now else 0
    return "%06d" % totp(device.bin_key, step=device.step, t0=device.t0,
                         digits=device.digits, drift=drift)


def main_part(html):
    start = html.index("<main")
    return html[start : html.index("</main>", start)]


class Browser:
    """A browser's cookies and CSRF token, over a real socket. Redirects are not followed:
    a 302 is what a successful POST answers."""

    def __init__(self, server, cookies=None):
        self.server = server
        self.session = requests.Session()
        if cookies is not None:
            self.session.cookies.update(cookies)

    def tab(self):
        """Another browser with this one's cookies (the same login, another tab)."""
        return Browser(self.server, self.session.cookies)

    def get(self, path, **params):
        return self.session.get(self.server.url + path, params=params, allow_redirects=False,
                                timeout=60)

    def post(self, path, data):
        data = {**data, "csrfmiddlewaretoken": self.session.cookies.get("csrftoken")}
        return self.session.post(self.server.url + path, data=data, allow_redirects=False,
                                 timeout=60)

    def log_in(self, user):
        """Through the two login pages: the password, then the authenticator's code."""
        assert self.get(LOGIN).status_code == 200
        answer = self.post(LOGIN, {"username": user.username, "password": PASSWORD})
        assert answer.status_code == 302, answer.text  # on to the page that asks for the code
        answer = self.post(VERIFY, {"token": next_code(user)})
        assert answer.status_code == 302, answer.text
        assert self.get(START).status_code == 200
        return self


def with_real_password(users):
    """The test suite hashes passwords with MD5 for speed; the server knows only the real
    hashers. A cheap PBKDF2 hash: the server upgrades it at the first login, as it does
    after a change of the iteration count."""
    hasher = PBKDF2PasswordHasher()
    for user in users:
        user.refresh_from_db(fields=["password"])
        if not user.password.startswith(f"{hasher.algorithm}$"):
            user.password = hasher.encode(PASSWORD, hasher.salt(), iterations=1000)
            user.save(update_fields=["password"])


def logged_in(server, users):
    """A browser per user in `users`, each logged in through the login pages; a user named
    twice logs in twice (two computers). Different people log in side by side."""
    with_real_password(set(users))
    browsers = [None] * len(users)
    waves = {}  # the second login of a person after the first: a code works once
    for i, user in enumerate(users):
        waves.setdefault(users[:i].count(user), []).append(i)
    def log_in(i):
        try:
            return Browser(server).log_in(users[i])
        finally:
            connection.close()  # the thread's own (it read the code's key): else left open

    for wave in waves.values():
        with ThreadPoolExecutor(len(wave)) as pool:
            for i, browser in zip(wave, pool.map(log_in, wave), strict=True):
                browsers[i] = browser
    return browsers


def all_at_once(calls):
    """Run the calls, each (function, *arguments), in threads released together by a
    barrier; their answers in the calls' order."""
    barrier = threading.Barrier(len(calls))
    answers = [None] * len(calls)

    def run(i):
        barrier.wait()
        try:
            function, *arguments = calls[i]
            answers[i] = function(*arguments)
        except requests.RequestException as error:  # a dropped connection is an answer too
            answers[i] = error

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(calls))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return answers


def assert_no_server_errors(server, answers):
    failed = [a if isinstance(a, Exception) else f"{a.status_code}: {a.text[:300]}"
              for a in answers if isinstance(a, Exception) or a.status_code >= 500]
    assert not failed, f"{len(failed)} of {len(answers)} failed: {failed[:3]}\n{server.log()}"


# --- fifty people, one time --------------------------------------------------------------------


def test_fifty_people_booking_one_time_at_once_make_one_booking(server, world):
    assistants = [world.oa] + [staff(Role.OFFICE_ASSISTANT, f"oa{i}") for i in range(1, 5)]
    sessions = logged_in(server, assistants)
    day = next_weekday()
    # Everyone opens the booking form from the counsellor's calendar (each page load makes
    # its own one-time token), fills in 10–11 for one of two clients and clicks at once.
    forms = []
    for n in range(PEOPLE):
        browser = sessions[n % len(sessions)].tab()
        page = browser.get(reverse("clients:booking-create"), staff=world.co.public_id,
                           date=day.isoformat())
        assert page.status_code == 200
        data = form_data(page.text, "request_token")
        assert data["staff"] == str(world.co.public_id) and data["day"] == day.isoformat()
        data.update(unit=UnitCode.COUNSELLING, client=[world.anna, world.petra][n % 2].public_id,
                    kind=BookingKind.SESSION, start="10:00", end="11:00")
        forms.append((browser, data))
    assert len({data["request_token"] for _b, data in forms}) == PEOPLE

    answers = all_at_once([
        (browser.post, reverse("clients:booking-create"), data) for browser, data in forms
    ])

    assert_no_server_errors(server, answers)
    assert Booking.objects.count() == 1
    booking = Booking.objects.get()
    assert (booking.staff, at(day, 10)) == (world.co, booking.starts_at)
    assert sorted(a.status_code for a in answers) == [200] * (PEOPLE - 1) + [302]
    for answer in answers:
        if answer.status_code == 200:
            page = main_part(answer.text)
            assert any(message in page for message in ALREADY_BOOKED), page[:3000]
            assert 'value="10:00"' in page and 'value="11:00"' in page  # nothing typed lost


def test_fifty_people_booking_one_clinic_time_at_once_make_one_booking(server, world):
    day = next_weekday(3)
    clinic_services.add_hours(clinician=world.cl, weekday=day.isoweekday(), starts=clock(9),
                              ends=clock(12), valid_from=day, by=world.cl)
    visit = AppointmentType.objects.get(code=AppointmentCode.MIDWIFE_VISIT)
    assistants = [world.oa] + [staff(Role.OFFICE_ASSISTANT, f"oa{i}") for i in range(1, 5)]
    sessions = logged_in(server, assistants)
    # Everyone searches the first free midwife times and clicks the first one (09:00) at once,
    # half of them for Anna (a Spiralen patient), half for Petra (not yet one).
    forms = []
    for n in range(PEOPLE):
        browser = sessions[n % len(sessions)].tab()
        page = browser.get(reverse("spiralen:book"), type=visit.pk, from_day=day.isoformat(),
                           client=[world.anna, world.petra][n % 2].public_id)
        assert page.status_code == 200
        slots = button_values(page.text, "slot")
        assert slots and f"@{at(day, 9).isoformat()}" in slots[0], slots
        forms.append((browser, {**form_data(page.text, "request_token"), "slot": slots[0]}))

    answers = all_at_once([(browser.post, reverse("spiralen:book"), data)
                           for browser, data in forms])

    assert_no_server_errors(server, answers)
    assert Booking.objects.filter(unit=UnitCode.SPIRALEN).count() == 1
    assert Appointment.objects.count() == 1
    assert sorted(a.status_code for a in answers) == [200] * (PEOPLE - 1) + [302]
    for answer in answers:
        if answer.status_code == 200:
            page = main_part(answer.text)
            assert any(message in page for message in ALREADY_BOOKED), page[:3000]
            assert 'data-testid="free-times"' in page  # the free times again, to choose anew


# --- two people, one client --------------------------------------------------------------------


def test_two_people_saving_one_clients_details_at_once_one_wins_the_other_sees_why(
    server, world
):
    colleague = staff(Role.OFFICE_ASSISTANT, "oa2")
    url = reverse("clients:client-update", args=[world.anna.public_id])
    first, second = logged_in(server, [world.oa, colleague])
    for _round in range(3):  # three races: a lucky ordering does not pass by chance
        forms = [form_data(b.get(url).text, "version") for b in (first, second)]
        assert forms[0]["version"] == forms[1]["version"]
        version = int(forms[0]["version"])
        phone = f"070-{secrets.randbelow(10**7):07d}"
        typed = [{**forms[0], "phone": phone}, {**forms[1], "languages": f"tigrinja {_round}"}]

        answers = all_at_once([(first.post, url, typed[0]), (second.post, url, typed[1])])

        assert_no_server_errors(server, answers)
        assert sorted(a.status_code for a in answers) == [200, 302]
        anna = Client.objects.get(pk=world.anna.pk)
        assert anna.version == version + 1
        winner = 0 if answers[0].status_code == 302 else 1
        if winner == 0:
            assert (anna.phone, anna.languages) == (phone, forms[0]["languages"])
        else:
            assert (anna.phone, anna.languages) == (forms[1]["phone"], f"tigrinja {_round}")
        page = main_part(answers[1 - winner].text)
        assert "Någon annan har sparat klientens uppgifter" in page
        # What the loser typed is listed for her to make again.
        unsaved = page.split('data-testid="unsaved"')[1].split("</ul>")[0]
        assert (phone if winner == 1 else f"tigrinja {_round}") in unsaved


# --- two windows, one draft --------------------------------------------------------------------


def _open_draft(browser, entry):
    page = browser.get(reverse("clients:entry-edit", args=[entry.public_id]))
    assert page.status_code == 200
    return form_data(page.text, "editor")


def test_two_windows_saving_one_draft_at_once_one_wins_the_other_keeps_its_text(
    server, world
):
    """The counsellor has the draft open on two computers (two logins, each page its own
    editor) and saves on both at the same moment."""
    entry = world.anna_draft
    url = reverse("clients:entry-edit", args=[entry.public_id])
    windows = logged_in(server, [world.co, world.co])
    for _round in range(3):
        forms = [_open_draft(w, entry) for w in windows]
        version = JournalEntry.objects.get(pk=entry.pk).version
        texts = [f"Skrivet på datorn i rummet, runda {_round}.",
                 f"Skrivet på den bärbara datorn, runda {_round}."]

        answers = all_at_once([
            (window.post, url, {**form, "text": text, "save": "Spara utkast"})
            for window, form, text in zip(windows, forms, texts, strict=True)
        ])

        assert_no_server_errors(server, answers)
        assert sorted(a.status_code for a in answers) == [200, 302]
        winner = 0 if answers[0].status_code == 302 else 1
        saved = JournalEntry.objects.get(pk=entry.pk)
        assert (saved.text, saved.version) == (texts[winner], version + 1)
        page = main_part(answers[1 - winner].text)
        assert "Utkastet har sparats från ett annat fönster" in page
        # The losing window's text is still in its form: nothing typed is lost.
        assert form_data(page, "editor")["text"].strip() == texts[1 - winner]


def test_signing_in_one_window_while_saving_in_another_loses_nothing(server, world):
    """One window signs the draft as it was shown while the other saves new text: either the
    save comes first (the signing is refused, the new text is the draft, unsigned) or the
    signing does (the save is refused, the text still in its form)."""
    entry = world.anna_draft
    edit_url = reverse("clients:entry-edit", args=[entry.public_id])
    sign_url = reverse("clients:entry-sign", args=[entry.public_id])
    signer, writer = logged_in(server, [world.co, world.co])
    outcomes = set()
    for _round in range(4):
        entry = JournalEntry.objects.get(pk=entry.pk)
        if entry.state == EntryState.SIGNED:  # the last round signed it: a new draft
            entry = client_services.save_draft(journal=world.anna_counselling, by=world.co,
                                               text=f"Nytt utkast, runda {_round}.")
            edit_url = reverse("clients:entry-edit", args=[entry.public_id])
            sign_url = reverse("clients:entry-sign", args=[entry.public_id])
        sign_page = signer.get(sign_url)
        assert sign_page.status_code == 200
        sign_form = form_data(sign_page.text, "version")
        edit_form = _open_draft(writer, entry)
        shown = entry.text
        typed = f"Mer text efter samtalet, runda {_round}."

        sign, save = all_at_once([
            (signer.post, sign_url, sign_form),
            (writer.post, edit_url, {**edit_form, "text": typed, "save": "Spara utkast"}),
        ])

        assert_no_server_errors(server, [sign, save])
        assert sorted([sign.status_code, save.status_code]) == [200, 302], (
            sign.headers.get("Location"), save.headers.get("Location"))
        entry = JournalEntry.objects.get(pk=entry.pk)
        if sign.status_code == 302:
            outcomes.add("signed first")
            assert (entry.state, entry.text) == (EntryState.SIGNED, shown)
            page = main_part(save.text)
            assert "Anteckningen är signerad och kan inte ändras" in page
            assert form_data(page, "editor")["text"].strip() == typed
        else:
            outcomes.add("saved first")
            assert (entry.state, entry.text) == (EntryState.DRAFT, typed)
            assert "Utkastet har ändrats sedan du öppnade sidan" in main_part(sign.text)
    assert outcomes  # which came first is up to the race; each round was one or the other
