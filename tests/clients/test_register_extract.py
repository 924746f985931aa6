"""The client's register extract (issue 12): every kind of record the client has is in it,
only the client's and only of the units the producer may cover; what the reviewer withholds
(an item, a passage) is not in the released extract; no role produces one outside its rights;
the PDF holds the entries' text; a released extract never changes; the pages' queries stay
bounded."""

import io
from datetime import datetime, time, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

from clients import access, services
from clients.models import ExtractWithholding, RegisterExtract, Visit, term_of
from clients.services import extracts
from kast.models import Call, KastProfile
from outreach import services as outreach
from prostenhet.exceptions import DomainError
from prostenhet.models import AccessLog
from prostenhet.roles import Role, UnitCode
from spiralen import services as clinic
from spiralen.models import Sample
from trafficking.models import (
    AuthorityContact,
    Deadline,
    HousingPlacement,
    HousingProvider,
    ReturnHome,
    TraffickingCase,
)

from ..trafficking.helpers import trafficking_team
from ..world import staff
from .helpers import main_html, next_weekday

pytestmark = pytest.mark.django_db

# The kinds of record, by the distinctive text each carries (suffixed to the client's tag).
TEXTS = [
    "ANTECKNING", "RÄTTELSE", "REMISS", "MÅL", "FYND", "ÅTGÄRD", "PROVSVAR", "KONTAKT",
    "MYNDIGHET", "FRIST", "SPRÅK", "TOLK", "ORGANISATION",
]


def reviewed(extract):
    """The digest the review page puts in its release form: what the reviewer saw."""
    return extracts.digest(extracts.build_extract(extract))


def _at(day, hour):
    return timezone.make_aware(datetime.combine(day, time(hour)))


def give_records(w, client, tag, *, hour, contract_hour, shift):
    """Every kind of record for a client of counselling, Spiralen, outreach and trafficking,
    each with text that names the client's tag. Returns {kind: row}."""
    rows = {}
    counselling = client.journals.get(unit=UnitCode.COUNSELLING)
    entry = services.sign_entry(
        services.save_draft(journal=counselling, by=w.co, text=f"{tag}-ANTECKNING om samtalet."),
        by=w.co,
    )
    rows["entry"] = entry
    rows["correction"] = services.sign_entry(services.save_draft(
        journal=counselling, by=w.co, text=f"{tag}-RÄTTELSE av datum.", corrects=entry,
    ), by=w.co)
    day = next_weekday()
    rows["booking"] = services.book(
        unit=UnitCode.COUNSELLING, staff=w.co, client=client, by=w.oa,
        starts_at=_at(day, hour), ends_at=_at(day, hour + 1),
        interpreter_language=f"{tag}-TOLK",
    )
    rows["visit"] = Visit.objects.create(
        unit=UnitCode.COUNSELLING, purpose="drop_in", client=client, registered_by=w.oa,
    )
    rows["referral"] = services.send_referral(
        client, from_unit=UnitCode.COUNSELLING, to_unit=UnitCode.SPIRALEN,
        message=f"{tag}-REMISS till mottagningen.", by=w.co, consent_method="verbal",
    )
    rows["queue"] = services.add_to_queue(client, source="reception", by=w.oa,
                                          language=f"{tag}-SPRÅK")
    last = term_of(services.next_term_start(timezone.localdate()))[3]
    rows["contract"] = services.create_contract(
        counselling, by=w.co, weekday=2, start_time=time(contract_hour),
        starts_on=last - timedelta(days=20),
    ).contract
    rows["goal"] = services.add_goal(rows["contract"], text=f"{tag}-MÅL att sätta gränser",
                                     by=w.co)
    spiralen = client.journals.get(unit=UnitCode.SPIRALEN)
    draft = clinic.save_encounter(
        journal=spiralen, by=w.cl, kind="sti_testing", findings=f"{tag}-FYND vid besöket.",
        actions=f"{tag}-ÅTGÄRD provtagning.", sample_kinds=["chlamydia"],
    )
    services.sign_entry(draft, by=w.cl)
    sample = clinic.mark_sent(Sample.objects.get(entry=draft), by=w.cl)
    rows["sample"] = clinic.record_result(sample, result="negative",
                                          text=f"{tag}-PROVSVAR negativt.", by=w.cl)
    rows["contact"] = outreach.add_contact(shift, by=w.ow, first_contact=True, client=client,
                                           note=f"{tag}-KONTAKT på gatan.")
    case = TraffickingCase.objects.create(
        client=client, journal=client.journals.get(unit=UnitCode.TRAFFICKING),
        identified_by="police", created_by=w.ow,
    )
    rows["case"] = case
    rows["placement"] = HousingPlacement.objects.create(
        case=case, provider=HousingProvider.objects.first(), starts_on=timezone.localdate(),
        created_by=w.ow,
    )
    rows["authority"] = AuthorityContact.objects.create(
        case=case, authority="police", purpose=f"{tag}-MYNDIGHET förhör", created_by=w.ow,
    )
    rows["deadline"] = Deadline.objects.create(
        case=case, kind="reflection_period", ends_on=timezone.localdate() + timedelta(days=9),
        note=f"{tag}-FRIST betänketid", created_by=w.ow,
    )
    rows["return"] = ReturnHome.objects.create(
        case=case, date=timezone.localdate(), country="RO", arranged_by="unit",
        receiving_organisation=f"{tag}-ORGANISATION", created_by=w.ow,
    )
    return rows


@pytest.fixture
def records(world):
    """Anna and Bodil, both clients of counselling (the counsellor's), Spiralen, outreach and
    trafficking, each with every kind of record; and a contact under a nickname not linked to
    anyone."""
    w = world
    trafficking_team(w)
    bodil = services.register_client(unit=UnitCode.COUNSELLING, by=w.co, alias="Bodil")
    for client in (w.anna, bodil):
        if client is bodil:
            services.enroll(client, UnitCode.SPIRALEN, by=w.cl)
        services.enroll(client, UnitCode.OUTREACH, by=w.ow)
        services.enroll(client, UnitCode.TRAFFICKING, by=w.ow)
    now = timezone.now()
    shift = outreach.open_shift(starts_at=now - timedelta(hours=1),
                                ends_at=now + timedelta(hours=3), staff=[w.ow], by=w.ow)
    anna = give_records(w, w.anna, "ANNA", hour=10, contract_hour=14, shift=shift)
    bodil_rows = give_records(w, bodil, "BODIL", hour=12, contract_hour=15, shift=shift)
    outreach.add_contact(shift, by=w.ow, first_contact=True, nickname="Stjärnan",
                         note="SMEKNAMN-KONTAKT utan klient.")
    w.bodil = bodil
    return anna, bodil_rows


def all_text(sections):
    parts = []
    for section in sections:
        parts += [section.heading, section.note]
        for item in section.items:
            parts += [extracts.item_heading(item), item.text]
            parts += [f"{label}: {value}" for label, value in extracts.item_fields(item)]
    return "\n".join(parts)


def keys(sections):
    return {item.key for section in sections for item in section.items}


def released_text(extract):
    content = RegisterExtract.objects.get(pk=extract.pk).content
    parts = [content["title"], content["subtitle"], content["footer"]]
    parts += [f"{label}: {value}" for label, value in content["meta"]]
    for section in content["sections"]:
        parts += [section["heading"], section["note"]]
        for item in section["items"]:
            parts += [item["heading"], item["text"]]
            parts += [f"{label}: {value}" for label, value in item["meta"]]
    return "\n".join(parts)


# --- what it holds ---------------------------------------------------------------------------


def test_the_extract_holds_every_kind_of_record_the_client_has(world, records):
    anna, _bodil = records
    extract = extracts.create_extract(world.ma, world.anna, timezone.localdate())
    assert set(extract.units) == {"counselling", "spiralen", "outreach", "trafficking"}
    sections = extracts.build_extract(extract)
    text = all_text(sections)
    for suffix in TEXTS:
        assert f"ANNA-{suffix}" in text, suffix
    found = keys(sections)
    for kind, key in [
        ("entry", "clients.entry"), ("correction", "clients.entry"),
        ("booking", "clients.booking"), ("visit", "clients.visit"),
        ("referral", "clients.referral"), ("queue", "clients.queue"),
        ("contract", "clients.contract"), ("goal", "clients.goal"),
        ("sample", "spiralen.sample"), ("contact", "outreach.contact"),
        ("case", "trafficking.case"), ("placement", "trafficking.placement"),
        ("authority", "trafficking.authority"), ("deadline", "trafficking.deadline"),
        ("return", "trafficking.return"),
    ]:
        assert f"{key}:{anna[kind].pk}" in found, kind
    # The registry data, the enrollments, the consent, the clinic's encounter.
    assert f"clients.client:{world.anna.pk}" in found
    assert {k for k in found if k.startswith("clients.enrollment:")}
    assert {k for k in found if k.startswith("clients.consent:")}
    assert {k for k in found if k.startswith("spiralen.encounter:")}
    assert "Anna Andersson" in text  # her own name: no protected identity
    # The correction is shown under the entry it corrects.
    counselling = next(s for s in sections if s.unit == "counselling")
    order = [item.key for item in counselling.items]
    correction = f"clients.entry:{anna['correction'].pk}"
    assert order.index(correction) == order.index(f"clients.entry:{anna['entry'].pk}") + 1
    assert correction in counselling.indented


def test_the_extract_never_shows_another_persons_data(world, records):
    extract = extracts.create_extract(world.ma, world.anna, timezone.localdate())
    text = all_text(extracts.build_extract(extract))
    assert "BODIL" not in text
    assert "SMEKNAMN" not in text
    extracts.release(world.ma, extract)
    assert "BODIL" not in released_text(extract)


def test_the_extract_covers_only_the_producers_units(world, records):
    # The assigned counsellor: counselling only, nothing of the clinic, outreach, trafficking.
    extract = extracts.create_extract(world.co, world.anna, timezone.localdate())
    assert extract.units == ["counselling"]
    text = all_text(extracts.build_extract(extract))
    assert "ANNA-ANTECKNING" in text and "ANNA-MÅL" in text and "ANNA-REMISS" in text
    for suffix in ["FYND", "PROVSVAR", "KONTAKT", "MYNDIGHET", "FRIST"]:
        assert f"ANNA-{suffix}" not in text, suffix
    # The consent names Spiralen: not in an extract that does not cover it.
    assert not {k for k in keys(extracts.build_extract(extract)) if "consent" in k}
    # No access-log extract from staff: it tells of every unit's reads.
    assert not extract.with_access_log
    # The clinician: Spiralen only.
    assert extracts.create_extract(world.cl, world.anna, timezone.localdate()).units == [
        "spiralen"]


def test_a_protected_identity_is_not_in_the_extract(world):
    extract = extracts.create_extract(world.ma, world.petra, timezone.localdate())
    extracts.release(world.ma, extract)
    text = released_text(extract)
    assert "Petra" in text  # the alias
    for secret in ["Petra Hemlig", "Hemliga gatan", "0709999999", world.petra.identity_number,
                   world.petra.identity_number[:8]]:
        assert secret not in text


def test_the_managers_extract_holds_the_access_log(world, records, login):
    login(world.co).get(reverse("clients:journal", args=[world.anna.public_id, "counselling"]))
    extract = extracts.create_extract(world.ma, world.anna, timezone.localdate())
    assert extract.with_access_log
    log = next(s for s in extracts.build_extract(extract) if s.key == "access-log")
    assert any(str(world.co) in extracts.item_heading(item) for item in log.items)


# --- secrecy review and release -------------------------------------------------------------


def test_what_the_reviewer_withholds_is_not_in_the_released_extract(world, records, login):
    anna, _bodil = records
    extract = extracts.create_extract(world.ma, world.anna, timezone.localdate())
    client = login(world.ma)
    review = reverse("clients:extract-review", args=[extract.public_id])
    page = client.get(review)
    assert page.status_code == 200
    assert "ANNA-ANTECKNING" in page.content.decode()
    # The whole referral, and a passage of the entry, through the review page's forms.
    sections = extracts.build_extract(extract)
    prefix = {}
    index = 0
    for section in sections:
        for item in section.items:
            index += 1
            prefix[item.key] = f"i{index}"
    referral_key = f"clients.referral:{anna['referral'].pk}"
    entry_key = f"clients.entry:{anna['entry'].pk}"
    for key, passage, reason in [
        (referral_key, "", "harm"), (entry_key, "ANNA-ANTECKNING", "other_person"),
    ]:
        p = prefix[key]
        response = client.post(review, {
            "action": "withhold", "prefix": p, f"{p}-item_key": key,
            f"{p}-passage": passage, f"{p}-reason": reason, f"{p}-note": "",
        })
        assert response.status_code == 302, main_html(response)
    assert ExtractWithholding.objects.filter(extract=extract).count() == 2
    # A passage that is not in the item is refused.
    p = prefix[entry_key]
    response = client.post(review, {
        "action": "withhold", "prefix": p, f"{p}-item_key": entry_key,
        f"{p}-passage": "finns inte", f"{p}-reason": "harm",
    })
    assert response.status_code == 200
    assert ExtractWithholding.objects.filter(extract=extract).count() == 2
    # "Other" needs a note.
    response = client.post(review, {
        "action": "withhold", "prefix": p, f"{p}-item_key": entry_key,
        f"{p}-passage": "samtalet", f"{p}-reason": "other", f"{p}-note": "",
    })
    assert ExtractWithholding.objects.filter(extract=extract).count() == 2

    response = client.post(review, {"action": "release", "confirm": "on",
                                    "reviewed": reviewed(extract)})
    assert response.status_code == 302
    extract.refresh_from_db()
    assert extract.released_by == world.ma and extract.released_at is not None
    detail = main_html(client.get(reverse("clients:extract-detail", args=[extract.public_id])))
    assert "ANNA-REMISS" not in detail
    assert "ANNA-ANTECKNING" not in detail
    assert "[…] om samtalet." in detail
    assert "Uppgift undantagen enligt sekretess (Men för klienten" in detail
    assert "ANNA-MÅL" in detail  # the rest is there
    assert str(world.ma) in detail  # who reviewed and released it
    assert "ANNA-REMISS" not in released_text(extract)


def test_a_withholding_can_be_taken_back_before_the_release(world, records, login):
    extract = extracts.create_extract(world.ma, world.anna, timezone.localdate())
    key = f"clients.client:{world.anna.pk}"
    withholding = extracts.withhold(world.ma, extract, key, "", "harm")
    client = login(world.ma)
    response = client.post(reverse("clients:extract-review", args=[extract.public_id]), {
        "action": "undo", "prefix": f"u{withholding.pk}",
        f"u{withholding.pk}-withholding": withholding.pk,
    })
    assert response.status_code == 302
    assert not ExtractWithholding.objects.filter(pk=withholding.pk).exists()


def test_the_released_extract_cannot_be_changed(world, records, login):
    extract = extracts.create_extract(world.ma, world.anna, timezone.localdate())
    key = f"clients.client:{world.anna.pk}"
    held = extracts.withhold(world.ma, extract, key, "Anna Andersson", "harm")
    extracts.release(world.ma, extract)
    content = RegisterExtract.objects.get(pk=extract.pk).content
    with pytest.raises(DomainError, match="redan frisläppt"):
        extracts.release(world.ma, extract)
    with pytest.raises(DomainError, match="frisläppt"):
        extracts.withhold(world.ma, extract, key, "", "harm")
    with pytest.raises(DomainError, match="frisläppt"):
        extracts.undo_withholding(world.ma, held)
    # New records after the release do not change what was released.
    services.sign_entry(services.save_draft(
        journal=world.anna_counselling, by=world.co, text="SENARE anteckning."), by=world.co)
    client = login(world.ma)
    review = reverse("clients:extract-review", args=[extract.public_id])
    response = client.post(review, {
        "action": "withhold", "prefix": "i1", "i1-item_key": key, "i1-passage": "",
        "i1-reason": "harm",
    })
    assert response.status_code == 302
    assert response.url == reverse("clients:extract-detail", args=[extract.public_id])
    assert ExtractWithholding.objects.filter(extract=extract).count() == 1
    assert RegisterExtract.objects.get(pk=extract.pk).content == content
    detail = main_html(client.get(reverse("clients:extract-detail", args=[extract.public_id])))
    assert "SENARE" not in detail
    assert "Anna Andersson" not in detail


def test_the_pdf_opens_and_holds_the_entries_text(world, records, login):
    extract = extracts.create_extract(world.ma, world.anna, timezone.localdate())
    client = login(world.ma)
    assert client.get(reverse("clients:extract-pdf", args=[extract.public_id])).status_code == 404
    extracts.release(world.ma, extract)
    response = client.get(reverse("clients:extract-pdf", args=[extract.public_id]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    text = "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(response.content)).pages)
    assert "ANNA-ANTECKNING om samtalet." in text
    assert "ANNA-RÄTTELSE av datum." in text
    assert "ANNA-PROVSVAR negativt." in text
    assert "BODIL" not in text
    assert AccessLog.objects.filter(client=world.anna, view="clients:extract-pdf").exists()


def test_the_pages_are_logged_as_reads(world, records, login):
    extract = extracts.create_extract(world.ma, world.anna, timezone.localdate())
    client = login(world.ma)
    client.get(reverse("clients:extract-review", args=[extract.public_id]))
    client.post(reverse("clients:extract-review", args=[extract.public_id]),
                {"action": "release", "confirm": "on", "reviewed": reviewed(extract)})
    client.get(reverse("clients:extract-detail", args=[extract.public_id]))
    views = set(AccessLog.objects.filter(client=world.anna, user=world.ma).values_list(
        "view", flat=True))
    assert {"clients:extract-review", "clients:extract-detail"} <= views


# --- who may produce one ----------------------------------------------------------------------


def test_no_role_produces_an_extract_outside_its_rights(world, records, login):
    other_counsellor = staff(Role.COUNSELLOR, "co2", units=[UnitCode.COUNSELLING])
    kast_manager = staff(Role.MANAGER, "kma", units=[UnitCode.KAST])
    refused = [
        (other_counsellor, world.anna),  # a counsellor not assigned to her
        (world.oa, world.anna),  # the office assistant: no journal content
        (world.cl, world.petra),  # a clinician, for a counselling-only client
        (world.ma, world.karl),  # a manager outside KAST, for a KAST client
        (world.kco, world.anna),  # KAST staff, for a client of the main register
        (kast_manager, world.anna),
        (world.sa, world.anna),
        (world.ow, world.petra),
    ]
    for user, client in refused:
        assert access.extract_units(user, client) == frozenset(), (user, client)
        with pytest.raises(DomainError):
            extracts.create_extract(user, client, timezone.localdate())
        page = login(user).get(reverse("clients:extract-create", args=[client.public_id]))
        assert page.status_code == 404, (user, client)
    assert access.extract_units(kast_manager, world.karl) == {UnitCode.KAST}
    assert access.extract_units(world.kco, world.karl) == {UnitCode.KAST}
    assert access.extract_units(world.co, world.anna) == {UnitCode.COUNSELLING}


def test_an_emergency_access_gives_no_right_to_an_extract(world):
    other_counsellor = staff(Role.COUNSELLOR, "co2", units=[UnitCode.COUNSELLING])
    services.open_emergency_access(world.anna, user=other_counsellor, reason="Akut.", hours=1)
    assert access.can_view_journal(other_counsellor, world.anna_counselling)
    assert access.extract_units(other_counsellor, world.anna) == frozenset()


def test_a_manager_covers_the_units_of_their_profile_where_the_client_is_or_was(world):
    manager = staff(Role.MANAGER, "ma2", units=[UnitCode.SPIRALEN, UnitCode.OUTREACH])
    assert access.extract_units(manager, world.anna) == {UnitCode.SPIRALEN}
    services.end_enrollment(world.anna.enrollments.get(unit=UnitCode.SPIRALEN), by=world.cl)
    assert access.extract_units(manager, world.anna) == {UnitCode.SPIRALEN}
    assert access.extract_units(manager, world.petra) == frozenset()


def test_an_extract_opens_only_for_those_who_cover_its_units(world, records, login):
    extract = extracts.create_extract(world.ma, world.anna, timezone.localdate())
    review = reverse("clients:extract-review", args=[extract.public_id])
    assert login(world.ma).get(review).status_code == 200
    for user in [world.co, world.cl, world.oa, world.ow, world.sa, world.kco]:
        assert login(user).get(review).status_code == 404, user
    # The counsellor's own extract opens for her, and for the manager (who covers it).
    own = extracts.create_extract(world.co, world.anna, timezone.localdate())
    for user in [world.co, world.ma]:
        url = reverse("clients:extract-review", args=[own.public_id])
        assert login(user).get(url).status_code == 200


def test_kast_extract_for_a_kast_manager_with_the_calls(world, login):
    kast_manager = staff(Role.MANAGER, "kma", units=[UnitCode.KAST])
    Call.objects.create(minutes=10, heard_via="police", summary="KARL-SAMTAL om att sluta.",
                        outcome="offered", client=world.karl, counsellor=world.kco)
    Call.objects.create(minutes=10, heard_via="police", summary="ANONYMT-SAMTAL.",
                        outcome="offered", counsellor=world.kco)
    KastProfile.objects.create(client=world.karl, referral_source="police",
                               updated_by=world.kco)
    extract = extracts.create_extract(kast_manager, world.karl, timezone.localdate())
    text = all_text(extracts.build_extract(extract))
    assert "KARL-SAMTAL" in text and "Första telefonsamtalet." in text
    assert "ANONYMT" not in text
    assert {k for k in keys(extracts.build_extract(extract)) if k.startswith("kast.profile")}


def test_the_client_page_links_the_extract_for_those_who_may_produce_one(world, login):
    url = reverse("clients:client-detail", args=[world.anna.public_id])
    assert 'data-testid="extract-create"' in login(world.co).get(url).content.decode()
    assert 'data-testid="extract-create"' not in login(world.oa).get(url).content.decode()


def test_the_managers_search_lists_only_clients_they_may_produce_for(world, login):
    client = login(world.ma)
    url = reverse("clients:extract-search")
    response = client.post(url, {"identity_number": world.anna.identity_number})
    assert response.status_code == 302
    assert world.anna.identity_number not in response.url
    page = main_html(client.get(response.url))
    assert "Anna" in page
    assert reverse("clients:extract-create", args=[world.anna.public_id]) in page
    # Karl (KAST) is not found by a manager outside KAST, by alias and birth year either.
    page = main_html(client.get(client.post(url, {"alias": "Karl", "birth_year": 1970}).url))
    assert "Karl" not in page
    assert 'data-testid="not-found"' in page
    # The search is logged, never with the identity number.
    rows = AccessLog.objects.filter(user=world.ma, view="clients:extract-search")
    assert rows.filter(client=world.anna).exists()
    assert not rows.filter(detail__contains=world.anna.identity_number[2:8]).exists()
    # Without the permission: 403.
    assert login(world.co).get(url).status_code == 403


def test_the_create_page_makes_an_extract_and_opens_its_review(world, login):
    client = login(world.co)
    url = reverse("clients:extract-create", args=[world.anna.public_id])
    assert client.get(url).status_code == 200
    response = client.post(url, {"requested_on": timezone.localdate().isoformat()})
    extract = RegisterExtract.objects.get(client=world.anna)
    assert response.url == reverse("clients:extract-review", args=[extract.public_id])
    assert extract.created_by == world.co and extract.units == ["counselling"]
    future = (timezone.localdate() + timedelta(days=3)).isoformat()
    assert client.post(url, {"requested_on": future}).status_code == 200
    assert RegisterExtract.objects.count() == 1


# --- query counts -----------------------------------------------------------------------------


def grow(w, client, n):
    """n more signed entries, bookings, samples and outreach contacts of the client."""
    shift = outreach.open_shift(starts_at=timezone.now() - timedelta(hours=1),
                                ends_at=timezone.now() + timedelta(hours=3), staff=[w.ow],
                                by=w.ow)
    spiralen = client.journals.get(unit=UnitCode.SPIRALEN)
    day = next_weekday(30)
    for i in range(n):
        services.sign_entry(services.save_draft(
            journal=w.anna_counselling, by=w.co, text=f"Anteckning {i}"), by=w.co)
        start = _at(day + timedelta(days=7 * i), 9)
        services.book(unit=UnitCode.COUNSELLING, staff=w.co, client=client, by=w.oa,
                      starts_at=start, ends_at=start + timedelta(hours=1))
        draft = clinic.save_encounter(journal=spiralen, by=w.cl, kind="sti_testing",
                                      findings=f"Fynd {i}", sample_kinds=["hiv"])
        services.sign_entry(draft, by=w.cl)
        outreach.add_contact(shift, by=w.ow, first_contact=False, client=client)


def count(client, method, url, data=None):
    with CaptureQueriesContext(connection) as queries:
        response = getattr(client, method)(url, data or {})
    assert response.status_code in (200, 302), (url, response.status_code)
    return len(queries)


# What a page may cost, the request itself included (session, user, groups, permissions, the
# lapsed-access check, the access-log row): one or a few queries per kind of record.
MAX_QUERIES = {"review": 40, "detail": 12, "pdf": 12, "create": 15, "search": 14}


def test_the_extract_pages_queries_are_bounded(world, records, login):
    extract = extracts.create_extract(world.ma, world.anna, timezone.localdate())
    released = extracts.create_extract(world.ma, world.anna, timezone.localdate())
    extracts.release(world.ma, released)
    client = login(world.ma)
    search = client.post(reverse("clients:extract-search"),
                         {"identity_number": world.anna.identity_number}).url
    pages = {
        "review": reverse("clients:extract-review", args=[extract.public_id]),
        "detail": reverse("clients:extract-detail", args=[released.public_id]),
        "pdf": reverse("clients:extract-pdf", args=[released.public_id]),
        "create": reverse("clients:extract-create", args=[world.anna.public_id]),
        "search": search,
    }
    small = {name: count(client, "get", url) for name, url in pages.items()}
    grow(world, world.anna, 15)
    for name, url in pages.items():
        large = count(client, "get", url)
        assert large <= small[name], f"{name}: {small[name]} queries, then {large}"
        assert large <= MAX_QUERIES[name], f"{name}: {large} queries"


def test_release_queries_do_not_grow_with_the_record(
    world, records, login, django_assert_max_num_queries
):
    grow(world, world.anna, 15)
    extract = extracts.create_extract(world.ma, world.anna, timezone.localdate())
    client = login(world.ma)
    seen = reviewed(extract)
    with django_assert_max_num_queries(70):
        client.post(reverse("clients:extract-review", args=[extract.public_id]),
                    {"action": "release", "confirm": "on", "reviewed": seen})
    assert RegisterExtract.objects.get(pk=extract.pk).is_released



def test_the_review_page_opens_one_withhold_form_at_a_time(world, records, login):
    """A long record reviews as fast as a short one: each item links to its form."""
    extract = extracts.create_extract(world.ma, world.anna, timezone.localdate())
    client = login(world.ma)
    review = reverse("clients:extract-review", args=[extract.public_id])
    page = main_html(client.get(review))
    assert 'data-testid="withhold-form"' not in page
    key = f"clients.client:{world.anna.pk}"
    assert "?undanta=clients.client%3A" in page
    page = main_html(client.get(review, {"undanta": key}))
    assert page.count('data-testid="withhold-form"') == 1
    assert f'value="{key}"' in page


def test_what_was_added_after_the_review_is_not_released_unreviewed(world, records, login):
    extract = extracts.create_extract(world.ma, world.anna, timezone.localdate())
    client = login(world.ma)
    review = reverse("clients:extract-review", args=[extract.public_id])
    page = main_html(client.get(review))
    seen = page.split('name="reviewed" value="', 1)[1].split('"', 1)[0]
    assert seen == reviewed(extract)
    entry = services.save_draft(journal=world.anna_counselling, by=world.co,
                                text="Skrivet efter granskningen")
    services.sign_entry(entry, by=world.co)
    response = client.post(review, {"action": "release", "confirm": "on", "reviewed": seen})
    assert response.status_code == 302
    assert not RegisterExtract.objects.get(pk=extract.pk).is_released
    assert "Granska det igen" in main_html(client.get(review))
    client.post(review, {"action": "release", "confirm": "on", "reviewed": reviewed(extract)})
    released = RegisterExtract.objects.get(pk=extract.pk)
    assert "Skrivet efter granskningen" in str(released.content)


def test_an_extract_with_the_access_log_opens_only_for_those_who_review_it(world, records,
                                                                          login):
    manager = staff(Role.MANAGER, "ma_outreach", units=[UnitCode.OUTREACH])
    extract = extracts.create_extract(manager, world.anna, timezone.localdate())
    assert extract.with_access_log and extract.units == [UnitCode.OUTREACH]
    review = reverse("clients:extract-review", args=[extract.public_id])
    assert login(world.ow).get(review).status_code == 404
    assert login(manager).get(review).status_code == 200


def test_the_producer_who_left_a_unit_no_longer_opens_its_extract(world, records, login):
    from prostenhet import access as staff_access
    from prostenhet.models import Unit

    extract = extracts.create_extract(world.ow, world.olle, timezone.localdate())
    review = reverse("clients:extract-review", args=[extract.public_id])
    assert login(world.ow).get(review).status_code == 200
    world.ow.units.set(Unit.objects.filter(code=UnitCode.TRAFFICKING))
    staff_access.sync_staff_units(world.ow)
    world.ow.__dict__.pop("group_names", None)
    assert login(world.ow).get(review).status_code == 404
