"""The trafficking unit's share of `manage.py benchmark` (registered in provides.py). DESIGN §9
names no trafficking figures; the unit's scale over ten years is taken as 500 cases and 150
raids at scale 1 (a few hundred victims a decade), each case with a placement, three authority
contacts and two deadlines, a fifth with a return home — and the unit's main pages to time:
the start page (the deadline panel), the case list, a case page, the raid list and a raid."""

from datetime import timedelta

from django.urls import reverse
from django.utils import timezone

from clients import services as client_services
from clients.models import Journal, Register
from prostenhet import access as staff_access
from prostenhet.models import Unit, User
from prostenhet.roles import Role, UnitCode
from prostenhet.services import assign_roles

from .models import (
    ArrangedBy,
    Authority,
    AuthorityContact,
    Country,
    Deadline,
    DeadlineKind,
    HousingPlacement,
    HousingProvider,
    IdentifiedBy,
    PlaceKind,
    Raid,
    ReturnHome,
    ReturnState,
    TraffickingCase,
)

REFERENCE = {"cases": 500, "raids": 150}
COUNTRIES = [Country.RO, Country.NG, Country.BG, Country.TH, Country.HU, Country.UA,
             Country.SE, Country.VN]


def _worker():
    user = User.objects.create(username="bench-manniskohandel", first_name="Bench")
    assign_roles(user, [Role.OUTREACH_WORKER])
    user.units.set(Unit.objects.filter(code__in=[UnitCode.OUTREACH, UnitCode.TRAFFICKING]))
    staff_access.sync_staff_units(user)
    return user


def generate(scale, *, clients, login):
    """Write the unit's rows for `scale` of the reference and return the pages to time:
    (label, method, url, data, browser)."""
    worker = _worker()
    today = timezone.localdate()
    main = [c for c in clients if c.register == Register.MAIN]
    n_cases = min(max(int(REFERENCE["cases"] * scale), 5), len(main))
    n_raids = max(int(REFERENCE["raids"] * scale), 2)
    # The last clients: the other apps take theirs from the front.
    victims = main[len(main) - n_cases:]
    for client in victims:
        client_services.enroll(client, UnitCode.TRAFFICKING, by=worker)
    journals = {
        j.client_id: j
        for j in Journal.objects.filter(unit=UnitCode.TRAFFICKING, client__in=victims,
                                        merged_into__isnull=True)
    }
    raids = Raid.objects.bulk_create([
        Raid(date=today - timedelta(days=(i * 3650) // n_raids + 1),
             place_kind=PlaceKind.values[i % len(PlaceKind.values)],
             police_reference=f"BENCH-{i:05d}", persons_met=6, persons_accepted=4,
             created_by=worker)
        for i in range(n_raids)
    ])
    cases = []
    for i, client in enumerate(victims):
        identified = today - timedelta(days=(i * 3650) // n_cases)
        from_raid = i % 3 == 0
        cases.append(TraffickingCase(
            client=client, journal=journals[client.pk],
            country_of_origin=COUNTRIES[i % len(COUNTRIES)],
            identified_on=identified, opened_on=identified,
            identified_by=IdentifiedBy.RAID if from_raid else IdentifiedBy.OUTREACH,
            raid=raids[(i // 3) % n_raids] if from_raid else None,
            domestic=COUNTRIES[i % len(COUNTRIES)] == Country.SE,
            # All but the last year's are closed.
            closed_on=identified + timedelta(days=300) if i < n_cases * 9 // 10 else None,
            created_by=worker,
        ))
    cases = TraffickingCase.objects.bulk_create(cases, batch_size=2000)
    providers = list(HousingProvider.objects.all())
    HousingPlacement.objects.bulk_create([
        HousingPlacement(case=case, provider=providers[i % len(providers)],
                         starts_on=case.identified_on,
                         ends_on=case.closed_on, created_by=worker)
        for i, case in enumerate(cases)
    ], batch_size=2000)
    AuthorityContact.objects.bulk_create([
        AuthorityContact(case=case, authority=Authority.values[(i + k) % len(Authority.values)],
                         date=case.identified_on + timedelta(days=k * 7),
                         purpose="Förhör", outcome="Genomfört.", created_by=worker)
        for i, case in enumerate(cases) for k in range(3)
    ], batch_size=5000)
    Deadline.objects.bulk_create([
        Deadline(case=case, kind=DeadlineKind.REFLECTION_PERIOD if k == 0
                 else DeadlineKind.TEMPORARY_PERMIT,
                 ends_on=case.identified_on + timedelta(days=30 if k == 0 else 180),
                 done=case.closed_on is not None or k == 0 and i % 2 == 0,
                 created_by=worker)
        for i, case in enumerate(cases) for k in range(2)
    ], batch_size=5000)
    ReturnHome.objects.bulk_create([
        ReturnHome(case=case, state=ReturnState.COMPLETED,
                   date=case.closed_on or case.identified_on,
                   country=case.country_of_origin, receiving_organisation="IOM",
                   arranged_by=ArrangedBy.IOM, created_by=worker)
        for i, case in enumerate(cases) if i % 5 == 0 and case.closed_on
    ], batch_size=2000)

    browser = login(worker)
    case = cases[-1]
    return [
        ("start (trafficking: deadlines)", "get", reverse("start"), None, browser),
        ("trafficking case list", "get", reverse("trafficking:case-list"), None, browser),
        ("trafficking case list, all", "get", reverse("trafficking:case-list") + "?visa=alla",
         None, browser),
        ("trafficking case", "get",
         reverse("trafficking:case-detail", args=[case.public_id]), None, browser),
        ("raid list", "get", reverse("trafficking:raid-list"), None, browser),
        ("raid", "get", reverse("trafficking:raid-detail", args=[raids[0].public_id]), None,
         browser),
    ]
