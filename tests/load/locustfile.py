"""A working day of the unit against a real server, for Locust (`manage.py loadtest` runs it;
`make bench` runs that). Not a pytest module: Locust loads it.

Every virtual user logs in for real (the login page, the password, a TOTP code of a device of
its own) as one of the accounts the benchmark generated, and then asks for that account's
pages at the pace `LOAD_USER_RATE` (requests a second each), picking them by the weights of a
working day. The plan (`LOAD_PLAN`, written by `manage.py loadtest`) gives the pages, the
weights, the accounts' passwords and the TOTP keys; nothing here knows the project's code.
"""

import hmac
import json
import os
import random
import secrets
import struct
import time
from hashlib import sha1

import gevent
import gevent.event
from locust import FastHttpUser, constant_throughput, events, task

with open(os.environ["LOAD_PLAN"], encoding="utf-8") as plan_file:
    PLAN = json.load(plan_file)
USER_RATE = float(os.environ.get("LOAD_USER_RATE", "1"))
# Seconds measured once every virtual user has logged in (logging in is timed apart).
DURATION = float(os.environ.get("LOAD_DURATION", "120"))
LOGIN_URL = PLAN["login_url"]
OTP_URL = PLAN["otp_url"]


def totp(key_hex, at=None, step=30, digits=6):
    """RFC 6238, as django-otp's TOTPDevice checks it (SHA-1, 30 s, 6 digits)."""
    counter = int((time.time() if at is None else at) // step)
    digest = hmac.new(bytes.fromhex(key_hex), struct.pack(">Q", counter), sha1).digest()
    offset = digest[-1] & 0x0F
    code = struct.unpack(">I", digest[offset:offset + 4])[0] & 0x7FFFFFFF
    return str(code % 10**digits).zfill(digits)


def hidden_csrf(html):
    marker = 'name="csrfmiddlewaretoken" value="'
    start = html.index(marker) + len(marker)
    return html[start:html.index('"', start)]


class Account:
    """One generated account. Its first virtual user logs in for real (the login page, the
    password, a TOTP code); the others of the account work in that session, as a person's
    other tabs do (a TOTP code works once: fifty logins of one account in a minute would
    refuse each other)."""

    def __init__(self, username, spec):
        self.username = username
        self.password = spec["password"]
        self.key = spec["key"]
        self.cookies = None
        self.claimed = False
        self.ready = gevent.event.Event()


ACCOUNTS = {name: Account(name, spec) for name, spec in PLAN["accounts"].items()}


class WorkingDayUser(FastHttpUser):
    """Locust's lean HTTP client (geventhttpclient): the load generator shares the server's
    two cores, and the requests library cost it several times the CPU per request."""

    abstract = True
    wait_time = constant_throughput(USER_RATE)
    account = None  # set on each subclass
    pages = ()

    def on_start(self):
        account = self.account
        if account.claimed:
            account.ready.wait()
            for cookie in account.cookies:  # as set: with their domain
                self.client.cookiejar.set_cookie(cookie)
        else:
            account.claimed = True
            self.log_in()
            account.cookies = list(self.client.cookiejar)
            account.ready.set()
        # A draft page of its own: its editor token, and its saves numbered from 1.
        self.editor = secrets.token_hex(16)
        self.seq = 0
        _logged_in(self.environment)

    def log_in(self):
        page = self.client.get(LOGIN_URL, name="login")
        response = self.client.post(LOGIN_URL, {
            "username": self.account.username, "password": self.account.password,
            "csrfmiddlewaretoken": hidden_csrf(page.text),
        }, name="login")
        if OTP_URL in response.url:
            response = self.client.post(OTP_URL, {
                "token": totp(self.account.key),
                "csrfmiddlewaretoken": hidden_csrf(response.text),
            }, name="login")
        if LOGIN_URL in response.url:
            raise RuntimeError(f"{self.account.username} could not log in")

    @task
    def working_day(self):
        page = self.random_page()
        token = next(
            (c.value for c in self.client.cookiejar if c.name == PLAN["csrf_cookie"]), ""
        )
        headers = {"X-CSRFToken": token}
        if page["method"] == "get":
            with self.client.get(page["url"], name=page["label"],
                                 catch_response=True) as response:
                if LOGIN_URL in response.url:
                    response.failure("logged out")
            return
        data = dict(page["data"] or {})
        if page["autosave"]:
            self.seq += 1
            data.update(page["autosave"], editor=self.editor, seq=self.seq,
                        text=f"Utkast, sparat {self.seq}.")
            headers["HX-Request"] = "true"
        with self.client.post(page["url"], data, headers=headers, name=page["label"],
                              catch_response=True) as response:
            if LOGIN_URL in response.url:
                response.failure("logged out")

    def random_page(self):
        return random.choices(self.pages, self.weights)[0]  # noqa: S311 (not for secrets)


def _user_class(username, pages):
    weights = [page["weight"] for page in pages]
    return type(f"User_{username.replace('-', '_')}", (WorkingDayUser,), {
        "account": ACCOUNTS[username], "pages": pages, "weights": weights,
        "weight": max(1, round(sum(weights))),
    })


_by_account = {}
for _page in PLAN["pages"]:
    if _page["weight"] > 0:
        _by_account.setdefault(_page["username"], []).append(_page)
for _username, _pages in _by_account.items():
    globals()[f"User_{_username.replace('-', '_')}"] = _user_class(_username, _pages)


_logins = {"done": 0}


def _logged_in(environment):
    """The measured period begins when the last virtual user has logged in (a morning's
    logins are not the working day's pace): the figures so far are set aside, and the run
    ends DURATION seconds later."""
    _logins["done"] += 1
    if _logins["done"] == environment.runner.target_user_count:
        environment.stats.reset_all()
        if marker := os.environ.get("LOAD_MARKER"):
            with open(marker, "w", encoding="utf-8") as file:
                file.write("measuring\n")  # for the server's CPU time over the same period
        gevent.spawn_later(DURATION, environment.runner.quit)


@events.quitting.add_listener
def _fail_on_errors(environment, **kwargs):
    """A run with a failed request exits non-zero."""
    if environment.stats.total.num_failures:
        environment.process_exit_code = 1
