"""Every page each demo role can reach meets WCAG 2.1 A and AA, as axe-core checks it.

Each demo role logs in through the login page and follows the links it is shown, breadth first
from its start page (at most two pages per URL name, so a list of forty clients costs two
visits). axe-core (vendored from npm, tests/e2e/vendor/) runs on every page; a serious or
critical violation fails the test, and so does a server error or a page the
Content-Security-Policy had to block something on. New pages are covered as soon as a link
leads to them.
"""

import re
from collections import Counter, defaultdict, deque
from io import StringIO
from pathlib import Path, PurePosixPath
from urllib.parse import urldefrag, urlsplit

import pytest
from django.conf import settings as django_settings
from django.core.management import call_command
from django.urls import Resolver404, resolve

from prostenhet.management.commands.seed_demo import DEMO_PASSWORD, DEMO_STAFF
from prostenhet.models import User

from ..factories import PASSWORD, UserFactory, add_totp_device, current_code

pytestmark = pytest.mark.django_db(transaction=True)

AXE_SOURCE = (Path(__file__).parent / "vendor" / "axe.min.js").read_text()
AXE_OPTIONS = {
    "runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]},
    "resultTypes": ["violations"],
}
FAILING_IMPACTS = {"serious", "critical"}
PAGES_PER_URL_NAME = 2
MAX_PAGES_PER_ROLE = 60
# Links the crawl does not follow: they end the session or are not pages (downloads).
NOT_FOLLOWED = {
    "account:logout", "set_language", "healthz", "statistics:export", "clients:journal-pdf",
}
CSP_ERROR = re.compile(r"Content Security Policy|Refused to", re.IGNORECASE)


def axe_violations(page):
    """axe-core's violations on the page as it is now (injected outside the page's CSP)."""
    if not page.evaluate("() => typeof window.axe === 'object'"):
        page.evaluate(AXE_SOURCE + "\n;undefined")
    return page.evaluate(
        "options => axe.run(document, options).then(results => results.violations)",
        AXE_OPTIONS,
    )


class Report:
    """Serious and critical violations, server errors and CSP errors, grouped for reading."""

    def __init__(self):
        self.violations = defaultdict(list)  # (rule, impact, help, element, detail) -> pages
        self.server_errors = []
        self.csp_errors = []

    def check(self, page, label):
        for violation in axe_violations(page):
            if violation["impact"] not in FAILING_IMPACTS:
                continue
            for node in violation["nodes"][:5]:
                selector = " ".join(str(part) for part in node["target"])
                detail = next(
                    (check["message"] for check in node.get("any", []) if check.get("message")),
                    "",
                )
                key = (violation["id"], violation["impact"], violation["help"], selector, detail)
                self.violations[key].append(label)

    def __bool__(self):
        return bool(self.violations or self.server_errors or self.csp_errors)

    def __str__(self):
        lines = []
        for (rule, impact, help_, selector, detail), pages in sorted(self.violations.items()):
            shown = ", ".join(pages[:3]) + (f" and {len(pages) - 3} more" if len(pages) > 3 else "")
            lines.append(f"- {rule} ({impact}): {help_}\n    element: {selector}")
            if detail:
                lines.append(f"    {detail}")
            lines.append(f"    on {len(pages)} page(s): {shown}")
        lines += [f"- server error {status} on {url}" for url, status in self.server_errors]
        lines += [f"- blocked by the Content-Security-Policy: {text}" for text in self.csp_errors]
        return "\n".join(lines)


def url_name(path):
    try:
        return resolve(path).view_name
    except Resolver404:
        return None


def followable(href, origin):
    """The link's path and query if the crawl should follow it, else None."""
    href, _fragment = urldefrag(href)
    parts = urlsplit(href)
    if f"{parts.scheme}://{parts.netloc}" != origin:
        return None
    if parts.path.startswith(django_settings.STATIC_URL) or PurePosixPath(parts.path).suffix:
        return None
    if url_name(parts.path) in NOT_FOLLOWED | {None}:
        return None
    return parts.path + (f"?{parts.query}" if parts.query else "")


def crawl(page, origin, report):
    """Visit the start page and what its links lead to, breadth first; return the paths."""
    queue = deque(["/start/"])
    queued = {"/start/"}
    per_name = Counter({"start": 1})
    visited = []
    while queue and len(visited) < MAX_PAGES_PER_ROLE:
        path = queue.popleft()
        response = page.goto(path)
        visited.append(path)
        if response is None or response.status >= 500:
            report.server_errors.append((path, response and response.status))
            continue
        report.check(page, path)
        for href in page.eval_on_selector_all("a[href]", "links => links.map(a => a.href)"):
            target = followable(href, origin)
            if target is None or target in queued:
                continue
            name = url_name(urlsplit(target).path)
            if per_name[name] >= PAGES_PER_URL_NAME:
                continue
            per_name[name] += 1
            queued.add(target)
            queue.append(target)
    return visited


def submit_login(page, username, password):
    page.get_by_label("Användarnamn").fill(username)
    page.get_by_label("Lösenord").fill(password)
    with page.expect_navigation():
        page.get_by_role("button", name="Logga in").click()


def verify(page, code):
    page.get_by_label("Engångskod").fill(code)
    with page.expect_navigation():
        page.get_by_role("button", name="Verifiera").click()


def assert_each_section_is_marked_current(page):
    """Each link in the navigation bar leads to a page on which it is the current one."""
    nav = page.get_by_test_id("nav")
    hrefs = nav.get_by_role("link").evaluate_all("links => links.map(a => a.href)")
    for href in hrefs:
        page.goto(href)
        current = nav.locator("a[aria-current=page]")
        assert current.count() == 1, f"{href}: {current.count()} links marked current"
        assert current.get_attribute("href") == urlsplit(href).path
        assert "active" in current.get_attribute("class")


@pytest.fixture
def demo(settings):
    settings.DEMO_MODE = True
    call_command("seed_demo", stdout=StringIO())


@pytest.mark.parametrize("username", [row[0] for row in DEMO_STAFF])
def test_every_page_a_demo_role_reaches_meets_wcag_2_1_aa(demo, page, live_server, username):
    device = add_totp_device(User.objects.get(username=username))
    report = Report()

    page.goto("/")
    submit_login(page, username, DEMO_PASSWORD)
    verify(page, current_code(device))
    page.wait_for_url(re.compile(r"/start/$"))

    visited = crawl(page, live_server.url, report)
    page.goto("/finns-inte/")
    report.check(page, "/finns-inte/ (404)")
    assert_each_section_is_marked_current(page)

    report.csp_errors += [text for text in page.console_errors if CSP_ERROR.search(text)]
    assert not report, f"{username} ({len(visited)} pages):\n{report}"


def test_the_login_pages_meet_wcag_2_1_aa(page, settings):
    """Login (and its errors), two-factor set-up and verification, and the lock-out page."""
    report = Report()
    new = UserFactory(username="e2e-ny")
    enrolled = UserFactory(username="e2e-inskriven")
    device = add_totp_device(enrolled)

    page.goto("/")
    report.check(page, "login")
    submit_login(page, enrolled.username, "fel-losenord")
    report.check(page, "login, wrong password")
    submit_login(page, enrolled.username, PASSWORD)
    report.check(page, "otp-verify")
    verify(page, "000000")
    report.check(page, "otp-verify, wrong code")
    device.refresh_from_db()
    device.throttle_reset()  # a wrong code makes the next attempt wait
    verify(page, current_code(device))
    page.wait_for_url(re.compile(r"/start/$"))
    page.get_by_test_id("logout").click()
    page.wait_for_url(re.compile(r"/logga-in/"))

    submit_login(page, new.username, PASSWORD)
    page.wait_for_url(re.compile(r"/logga-in/aktivera/"))
    report.check(page, "otp-setup")

    page.context.clear_cookies()
    page.goto("/")
    for _attempt in range(settings.AXES_FAILURE_LIMIT):
        submit_login(page, new.username, "fel-losenord")
    page.get_by_test_id("locked-out").wait_for()
    report.check(page, "locked out")

    report.csp_errors += [text for text in page.console_errors if CSP_ERROR.search(text)]
    assert not report, f"login pages:\n{report}"
