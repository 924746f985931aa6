"""A working day of the unit against a real server, for Locust (`manage.py loadtest` runs it;
`make bench` runs that). Not a pytest module: Locust loads it.

Every virtual user logs in for real (the login page, the password, a TOTP code of a device of
its own) as one of the accounts the benchmark generated, and then asks for that account's
pages at the pace `LOAD_USER_RATE` (requests a second each), picking them by the weights of a
working day. The plan (`LOAD_PLAN`, written by `manage.py loadtest`) gives the pages, the
weights, the accounts' passwords and the TOTP keys; nothing here knows the project's code.
"""

import hmac
import itertools
import json
import os
import random
import secrets
import struct
import time
from hashlib import sha1

from locust import HttpUser, constant_throughput, events, task

with open(os.environ["LOAD_PLAN"], encoding="utf-8") as plan_file:
    PLAN = json.load(plan_file)
USER_RATE = float(os.environ.get("LOAD_USER_RATE", "1"))
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
    """The TOTP keys of one account, handed out one per virtual user (a code works once per
    device, so that users logging in at the same second do not refuse each other's)."""

    def __init__(self, username, spec):
        self.username = username
        self.password = spec["password"]
        self.keys = itertools.cycle(spec["keys"])


ACCOUNTS = {name: Account(name, spec) for name, spec in PLAN["accounts"].items()}


class WorkingDayUser(HttpUser):
    abstract = True
    wait_time = constant_throughput(USER_RATE)
    account = None  # set on each subclass
    pages = ()

    def on_start(self):
        self.key = next(self.account.keys)
        page = self.client.get(LOGIN_URL, name="login")
        response = self.client.post(LOGIN_URL, {
            "username": self.account.username, "password": self.account.password,
            "csrfmiddlewaretoken": hidden_csrf(page.text),
        }, name="login", headers={"Referer": self.host + LOGIN_URL})
        if OTP_URL in response.url:
            response = self.client.post(OTP_URL, {
                "token": totp(self.key), "csrfmiddlewaretoken": hidden_csrf(response.text),
            }, name="login", headers={"Referer": self.host + OTP_URL})
        if LOGIN_URL in response.url:
            raise RuntimeError(f"{self.account.username} could not log in")
        # A draft page of its own: its editor token, and its saves numbered from 1.
        self.editor = secrets.token_hex(16)
        self.seq = 0

    @task
    def working_day(self):
        page = self.random_page()
        headers = {"X-CSRFToken": self.client.cookies.get(PLAN["csrf_cookie"], "")}
        if page["method"] == "get":
            self.client.get(page["url"], name=page["label"])
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


@events.quitting.add_listener
def _fail_on_errors(environment, **kwargs):
    """A run with a failed request exits non-zero."""
    if environment.stats.total.num_failures:
        environment.process_exit_code = 1
