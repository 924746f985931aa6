"""Audit (DESIGN §4, §3.8, §6): every page that shows a client, a journal or an entry
records the read before it is shown (and is not shown if it cannot), searches are logged
without identity numbers, protected identities stay masked, the change log never holds an
identity number, and the managers' access-log review, filters, extract and sign-off work."""

import datetime
import json
import re
from zoneinfo import ZoneInfo

import pytest
from auditlog.models import LogEntry
from django.db import DatabaseError
from django.urls import reverse
from django.utils import timezone

from clients import services
from clients.models import Client
from prostenhet.lib import personnummer
from prostenhet.models import AccessKind, AccessLog, AccessLogReview
from prostenhet.roles import UnitCode
from tests import test_access_matrix as matrix
from tests.world import ADULT_NUMBERS

from .helpers import SPARE_NUMBERS, as_post, create_data, main_html, ten_digits

pytestmark = pytest.mark.django_db

STOCKHOLM = ZoneInfo("Europe/Stockholm")


def anna(w):
    return {"public_id": w.anna.public_id}


def entry(name):
    return lambda w: {"entry_id": getattr(w, name).public_id}


# (url name, URL kwargs, who reads, which clients the page shows)
READ_VIEWS = [
    ("clients:client-detail", anna, "co", ["anna"]),
    ("clients:client-update", anna, "oa", ["anna"]),
    ("clients:journal", lambda w: {**anna(w), "unit": UnitCode.COUNSELLING}, "co", ["anna"]),
    ("clients:journal", lambda w: {**anna(w), "unit": UnitCode.SPIRALEN}, "cl", ["anna"]),
    ("clients:journal-print", lambda w: {**anna(w), "unit": UnitCode.COUNSELLING}, "co",
     ["anna"]),
    ("clients:journal-pdf", lambda w: {**anna(w), "unit": UnitCode.SPIRALEN}, "cl", ["anna"]),
    ("clients:entry-detail", entry("anna_signed"), "co", ["anna"]),
    ("clients:entry-detail", entry("karl_entry"), "kco", ["karl"]),
    ("clients:entry-edit", entry("anna_draft"), "co", ["anna"]),
    ("clients:entry-sign", entry("anna_draft"), "co", ["anna"]),
    ("clients:entry-correct", entry("anna_signed"), "co", ["anna"]),
    ("clients:entry-create", lambda w: {**anna(w), "unit": UnitCode.COUNSELLING}, "co", ["anna"]),
    ("clients:entry-discard", entry("anna_draft"), "co", ["anna"]),
    ("clients:merge-search", anna, "oa", ["anna"]),
    ("clients:extract-create", anna, "co", ["anna"]),
    ("clients:queue-add", anna, "oa", ["anna"]),
    ("clients:referral-create", anna, "co", ["anna"]),
    ("clients:contract-list", lambda w: {**anna(w), "unit": UnitCode.COUNSELLING}, "co",
     ["anna"]),
    ("clients:contract-create", lambda w: {**anna(w), "unit": UnitCode.COUNSELLING}, "co",
     ["anna"]),
    (
        "clients:merge-confirm",
        lambda w: {**anna(w), "other_id": w.petra.public_id},
        "oa",
        ["anna", "petra"],
    ),
    # The clinic's patient record.
    ("spiralen:patient", matrix.a_patient, "cl", ["anna"]),
    ("spiralen:encounter-create", matrix.a_patient, "cl", ["anna"]),
    ("spiralen:encounter-edit", matrix.an_encounter_draft, "cl", ["anna"]),
    ("spiralen:sample-sent", matrix.a_sample, "cl", ["anna"]),
    ("spiralen:sample-result", matrix.a_sample, "cl", ["anna"]),
    ("spiralen:sample-informed", matrix.a_sample, "cl", ["anna"]),
    ("spiralen:sample-plan", matrix.a_sample, "cl", ["anna"]),
    ("spiralen:sample-notified", matrix.a_sample, "cl", ["anna"]),
    # Outreach: the shift page names the clients met; a client's outreach page.
    ("outreach:shift-detail", matrix.a_shift, "ow", ["olle"]),
    ("outreach:client", matrix.olle, "ow", ["olle"]),
    ("outreach:support-create", matrix.olle, "ow", ["olle"]),
    # KAST: a call of a client, the client's KAST pages (the rows are sealed).
    ("kast:call-detail", matrix.karls_call, "kco", ["karl"]),
    ("kast:call-edit", matrix.karls_call, "kco", ["karl"]),
    ("kast:call-book", matrix.karls_call, "kco", ["karl"]),
    ("kast:client-detail", matrix.karl, "kco", ["karl"]),
    ("kast:client-referral", matrix.karl, "kco", ["karl"]),
    # Trafficking: the case and each form about it name the person.
    ("trafficking:case-detail", matrix.case_kwargs, "ow", ["maria"]),
    ("trafficking:case-edit", matrix.case_kwargs, "ow", ["maria"]),
    ("trafficking:case-close", matrix.case_kwargs, "ow", ["maria"]),
    ("trafficking:housing-create", matrix.case_kwargs, "ow", ["maria"]),
    ("trafficking:housing-end", matrix.a_placement, "ow", ["maria"]),
    ("trafficking:contact-create", matrix.case_kwargs, "ow", ["maria"]),
    ("trafficking:deadline-create", matrix.case_kwargs, "ow", ["maria"]),
    ("trafficking:deadline-done", matrix.a_deadline, "ow", ["maria"]),
    ("trafficking:return-edit", matrix.case_kwargs, "ow", ["maria"]),
]


@pytest.mark.parametrize(
    "name, kwargs, who, shown", READ_VIEWS, ids=[f"{v[0]}-{v[2]}" for v in READ_VIEWS]
)
def test_every_page_that_shows_a_record_logs_the_read(world, login, name, kwargs, who, shown):
    user = getattr(world, who)
    before = set(AccessLog.objects.values_list("pk", flat=True))

    response = login(user).get(reverse(name, kwargs=kwargs(world)))

    assert response.status_code == 200
    rows = AccessLog.objects.exclude(pk__in=before)
    assert sorted(rows.values_list("client__alias", flat=True)) == sorted(
        getattr(world, c).alias for c in shown
    )
    assert set(rows.values_list("user", "view", "kind")) == {(user.pk, name, AccessKind.READ)}


def test_a_search_by_identity_number_is_logged_without_the_number(world, login):
    browser = login(world.co)
    number = world.anna.identity_number

    for typed in [number, personnummer.display(number), ten_digits(number)]:
        response = browser.post(reverse("clients:client-search"), {"q": typed}, follow=True)
        assert list(response.context["results"]) == [world.anna]
        row = AccessLog.objects.latest("pk")
        assert (row.kind, row.client, row.detail) == (AccessKind.SEARCH, None, ""), typed


def test_a_search_by_alias_keeps_the_term(world, login):
    login(world.co).post(reverse("clients:client-search"), {"q": "Ann"}, follow=True)

    row = AccessLog.objects.get()
    assert (row.kind, row.user, row.view, row.detail) == (
        AccessKind.SEARCH, world.co, "clients:client-search", "Ann"
    )


def test_an_emergency_search_is_logged_without_the_number(world, login):
    login(world.ma).post(
        reverse("clients:emergency-search"), {"identity_number": world.anna.identity_number,
                                              "reason": "Akut."},
        follow=True,
    )

    rows = list(AccessLog.objects.values_list("kind", "detail", "client", "sealed"))
    # The search (with its reason, never the number) and the client it showed; a main-register
    # look-up is not sealed for KAST.
    assert sorted(rows, key=str) == sorted(
        [(AccessKind.SEARCH, "Akut.", None, False),
         (AccessKind.SEARCH, "Akut.", world.anna.pk, False)], key=str
    )


# --- fail closed -------------------------------------------------------------------------------

FAIL_CLOSED = [
    ("clients:client-detail", anna, "co"),
    ("clients:journal", lambda w: {**anna(w), "unit": UnitCode.COUNSELLING}, "co"),
    ("clients:entry-detail", entry("anna_signed"), "co"),
    ("clients:client-update", anna, "oa"),
]


@pytest.mark.parametrize("name, kwargs, who", FAIL_CLOSED, ids=[v[0] for v in FAIL_CLOSED])
def test_a_page_is_not_shown_when_its_read_cannot_be_logged(
    world, login, monkeypatch, name, kwargs, who
):
    browser = login(getattr(world, who))
    browser.raise_request_exception = False

    def refuse(**fields):
        raise DatabaseError("the access log is unavailable")

    monkeypatch.setattr(AccessLog.objects, "create", refuse)
    response = browser.get(reverse(name, kwargs=kwargs(world)))

    assert response.status_code == 500
    html = response.content.decode()
    for secret in ["Anna Andersson", "0701234567", "Samtal om gränssättning."]:
        assert secret not in html


# --- protected identity ------------------------------------------------------------------------

PETRAS_SECRETS = ["Petra Hemlig", "Hemliga gatan 1", "0709999999"]


def petras_number_forms(world):
    number = world.petra.identity_number
    return [number, personnummer.display(number), ten_digits(number)]


@pytest.mark.parametrize("who", ["oa", "co"])
def test_a_protected_identity_is_masked_in_search_results(world, login, who):
    response = login(getattr(world, who)).post(
        reverse("clients:client-search"), {"q": "Petra"}, follow=True
    )

    assert list(response.context["results"]) == [world.petra]
    page = main_html(response)
    assert "skyddad" in page
    for secret in PETRAS_SECRETS + petras_number_forms(world):
        assert secret not in page


def test_a_protected_identity_is_masked_in_the_list_of_all_clients(world, login):
    page = main_html(login(world.oa).get(reverse("clients:client-search")))

    assert "Petra" in page
    for secret in PETRAS_SECRETS:
        assert secret not in page


def test_a_protected_identity_is_masked_among_merge_candidates(world, login):
    response = login(world.oa).post(
        reverse("clients:merge-search", args=[world.anna.public_id]), {"q": "Pet"}, follow=True
    )

    assert response.context["candidates"] == [world.petra]
    for secret in PETRAS_SECRETS + petras_number_forms(world):
        assert secret not in main_html(response)


def test_the_detail_page_shows_a_protected_identity_to_those_who_may_change_it_and_logs_it(
    world, login
):
    response = login(world.oa).get(
        reverse("clients:client-detail", args=[world.petra.public_id])
    )

    page = main_html(response)
    for secret in PETRAS_SECRETS + [personnummer.display(world.petra.identity_number)]:
        assert secret in page
    row = AccessLog.objects.get(client=world.petra)
    assert (row.detail, row.protected_identity, row.user) == (
        "protected identity shown", True, world.oa
    )


def test_reading_an_ordinary_client_says_nothing_about_protected_identity(world, login):
    login(world.co).get(reverse("clients:client-detail", args=[world.anna.public_id]))

    row = AccessLog.objects.get(client=world.anna)
    assert (row.detail, row.protected_identity) == ("", False)


def test_the_access_log_pages_do_not_show_a_protected_identity(world, login):
    login(world.oa).get(reverse("clients:client-detail", args=[world.petra.public_id]))
    manager = login(world.ma)

    for url in [
        reverse("audit:access-log"),
        reverse("clients:access-log-extract", args=[world.petra.public_id]),
    ]:
        page = main_html(manager.get(url))
        assert "Petra" in page
        for secret in PETRAS_SECRETS + petras_number_forms(world):
            assert secret not in page


# --- identity numbers in the change log and in URLs --------------------------------------------


def every_number_form(number):
    return [number, number[2:], personnummer.display(number), ten_digits(number)]


def test_identity_numbers_never_reach_the_change_log(world, login):
    new_number = SPARE_NUMBERS[10]
    registrant = login(world.oa)
    registrant.post(
        reverse("clients:client-create"),
        create_data(UnitCode.COUNSELLING, "Vera", identity_number=ten_digits(new_number)),
    )
    url = reverse("clients:client-update", args=[world.petra.public_id])
    petra_form = as_post(registrant.get(url).context["form"].initial)
    changed_number = SPARE_NUMBERS[11]
    response = registrant.post(url, {**petra_form, "identity_number": changed_number})
    assert response.status_code == 302
    numbers = [
        world.anna.identity_number, ADULT_NUMBERS[20], new_number, changed_number,
    ]

    log = LogEntry.objects.all()
    assert log.count() > 0
    text = json.dumps(
        list(log.values("changes", "changes_text", "object_repr", "additional_data",
                        "serialized_data")),
        ensure_ascii=False, default=str,
    )
    for number in numbers:
        for form in every_number_form(number):
            assert form not in text, form
    petra_change = LogEntry.objects.get_for_object(world.petra).latest("pk")
    assert set(petra_change.changes_dict["identity_number"]) == {"*" * 12}
    vera = LogEntry.objects.get_for_object(Client.objects.get(alias="Vera")).get()
    assert set(vera.changes_dict["identity_number"][1]) == {"*"}


def test_identity_numbers_never_appear_in_links_or_redirects(world, login):
    number = SPARE_NUMBERS[12]
    browser = login(world.oa)

    response = browser.post(
        reverse("clients:client-create"),
        create_data(UnitCode.COUNSELLING, "Vera", identity_number=number),
    )
    assert response.status_code == 302
    pages = [response.url]
    detail = browser.get(response.url)
    assert personnummer.display(number) in main_html(detail)  # shown on the page …
    pages += re.findall(r'(?:href|action|hx-post)="([^"]*)"', detail.content.decode())
    for url in pages:  # … but never in a URL
        for form in every_number_form(number):
            assert form not in url, url


# --- the managers' access-log review -----------------------------------------------------------


def local(*args):
    return datetime.datetime(*args, tzinfo=STOCKHOLM)


@pytest.fixture
def log_rows(world):
    """Rows at known local times: a Wednesday at 10 and at 22, a Saturday, an emergency just
    after midnight (still the previous day in UTC), and a search."""
    emergency = services.open_emergency_access(
        world.anna, user=world.ma, reason="Natten till torsdag", hours=1
    )

    def row(at, user, client, **extra):
        return AccessLog.objects.create(
            at=at, user=user, client=client, kind=extra.pop("kind", AccessKind.READ),
            view=extra.pop("view", "clients:client-detail"),
            protected_identity=bool(client and client.protected_identity), **extra,
        )

    return {
        "office": row(local(2026, 1, 14, 10, 0), world.co, world.anna),
        "evening": row(local(2026, 1, 14, 22, 0), world.cl, world.anna),
        "weekend": row(local(2026, 1, 17, 10, 0), world.oa, world.petra),
        "emergency": row(
            local(2026, 1, 15, 0, 30), world.ma, world.anna,
            kind=AccessKind.EMERGENCY, emergency=emergency,
        ),
        "search": row(
            local(2026, 2, 2, 9, 0), world.co, None, kind=AccessKind.SEARCH,
            view="clients:client-search", detail="Ann",
        ),
    }


def filtered(browser, log_rows, **query):
    response = browser.get(reverse("audit:access-log"), query)
    assert response.status_code == 200
    assert not response.context["form"].errors
    pks = {row.pk for row in response.context["page"]}
    return {name for name, row in log_rows.items() if row.pk in pks}


def test_the_access_log_filters(world, login, log_rows):
    browser = login(world.ma)

    assert filtered(browser, log_rows) == set(log_rows)
    assert filtered(browser, log_rows, staff=world.co.pk) == {"office", "search"}
    assert filtered(browser, log_rows, client="ann") == {"office", "evening", "emergency"}
    assert filtered(browser, log_rows, date_from="2026-01-15", date_to="2026-01-17") == {
        "emergency", "weekend"
    }
    assert filtered(browser, log_rows, outside_office_hours="on") == {
        "evening", "weekend", "emergency"
    }
    assert filtered(browser, log_rows, emergency="on") == {"emergency"}
    assert filtered(browser, log_rows, protected_identity="on") == {"weekend"}
    assert filtered(browser, log_rows, staff=world.cl.pk, outside_office_hours="on") == {
        "evening"
    }


def test_the_access_log_shows_the_emergency_reason_and_the_protected_badge(
    world, login, log_rows
):
    page = main_html(login(world.ma).get(reverse("audit:access-log")))

    assert "Natten till torsdag" in page
    assert "skyddad" in page


def test_the_log_extract_lists_who_read_the_clients_record(world, login):
    for user in [world.co, world.cl]:
        login(user).get(reverse("clients:client-detail", args=[world.anna.public_id]))
    login(world.oa).get(reverse("clients:client-detail", args=[world.petra.public_id]))
    login(world.co).post(reverse("clients:client-search"), {"q": "Anna"}, follow=True)

    response = login(world.ma).get(
        reverse("clients:access-log-extract", args=[world.anna.public_id])
    )

    assert response.status_code == 200
    rows = list(response.context["rows"])
    assert [row.user for row in rows] == [world.co, world.cl]
    extract = main_html(response).split('data-testid="extract"')[1]
    assert str(world.co) in extract
    assert str(world.cl) in extract
    assert str(world.oa) not in extract


def test_a_manager_signs_off_a_reviewed_period(world, login):
    browser = login(world.ma)

    response = browser.post(
        reverse("audit:access-log-review"),
        {"period_start": "2026-01-01", "period_end": "2026-01-31", "comment": "Inga avvikelser."},
    )

    assert response.status_code == 302
    assert response.url == reverse("audit:access-log")
    review = AccessLogReview.objects.get()
    assert (review.reviewed_by, str(review.period_start), str(review.period_end)) == (
        world.ma, "2026-01-01", "2026-01-31"
    )
    reviews = main_html(browser.get(reverse("audit:access-log"))).split('data-testid="reviews"')
    assert "2026-01-01" in reviews[1] or "1 januari 2026" in reviews[1]


def test_a_review_period_must_end_after_it_starts(world, login):
    response = login(world.ma).post(
        reverse("audit:access-log-review"),
        {"period_start": "2026-02-01", "period_end": "2026-01-01"},
    )

    assert response.status_code == 200
    assert response.context["form"].errors["period_end"]
    assert not AccessLogReview.objects.exists()


def test_only_managers_review_the_access_log(world, login):
    response = login(world.co).post(
        reverse("audit:access-log-review"),
        {"period_start": "2026-01-01", "period_end": "2026-01-31"},
    )

    assert response.status_code == 403
    assert not AccessLogReview.objects.exists()


def test_the_access_log_pages_query_count_does_not_grow_with_the_rows(
    world, login, django_assert_max_num_queries, staff_of
):
    browser = login(world.ma)
    with django_assert_max_num_queries(15) as few:
        browser.get(reverse("audit:access-log"))
    clients = [
        services.register_client(unit=UnitCode.COUNSELLING, by=world.oa, alias=f"Klient {i}")
        for i in range(10)
    ]
    readers = [world.co, world.cl, world.oa, world.ow]
    emergencies = [
        services.open_emergency_access(c, user=world.ma, reason=f"Skäl {i}", hours=1)
        for i, c in enumerate(clients[:5])
    ]
    now = timezone.now()
    for i in range(70):
        emergency = emergencies[i % 5] if i % 7 == 0 else None
        AccessLog.objects.create(
            at=now - datetime.timedelta(minutes=i),
            user=world.ma if emergency else readers[i % 4],
            client=emergency.client if emergency else clients[i % 10],
            kind=AccessKind.EMERGENCY if emergency else AccessKind.READ,
            view="clients:client-detail", emergency=emergency,
        )

    with django_assert_max_num_queries(len(few.captured_queries)):
        response = browser.get(reverse("audit:access-log"))
    assert len(response.context["page"]) == 50


# Pages about one client that are not a read of the record, and why. A new view about a
# client must be added to READ_VIEWS (and log its read) or here, with its reason.
NOT_A_RECORD_READ = {
    "clients:enrollment-create": "confirmation page: alias and units only",
    "clients:enrollment-end": "confirmation page: alias and unit only",
    "clients:consent-create": "confirmation page: alias and units only",
    "clients:consent-revoke": "confirmation page: alias and the consent's units only",
    "clients:assignment-create": "confirmation page: alias and counsellors only",
    "clients:assignment-end": "confirmation page: alias and the counsellor only",
    "clients:entry-autosave": "POST only, by the author on the logged entry-edit page",
    "clients:emergency-open": "logs the client shown as a search row; the reads that follow "
    "are logged as emergency access",
    "clients:access-log-extract": "the manager's review of the log itself",
    "trafficking:client-case": "redirects to the client's case page, which logs the read",
}


def test_every_view_about_one_client_logs_its_reads_or_says_why_not():
    from django.urls import URLPattern, URLResolver, get_resolver

    def patterns(resolver, namespace=""):
        for pattern in resolver.url_patterns:
            if isinstance(pattern, URLResolver):
                inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
                yield from patterns(pattern, inner)
            elif isinstance(pattern, URLPattern):
                yield f"{namespace}{pattern.name}", pattern.pattern.converters

    about_a_client = {
        name
        for name, converters in patterns(get_resolver())
        if name.startswith(("clients:", "audit:", "spiralen:", "outreach:", "kast:",
                            "trafficking:"))
        and ({"public_id", "entry_id", "other_id", "client_id", "sample_id"} & set(converters))
    }
    covered = {view[0] for view in READ_VIEWS} | set(NOT_A_RECORD_READ)
    assert about_a_client - covered == set()
    assert set(NOT_A_RECORD_READ) <= about_a_client
