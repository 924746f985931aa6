"""The trafficking unit's access-matrix rows and URL-argument factories (the same code the
project's tests/test_access_matrix.py takes), and small builders for the tests.

In the world, the outreach worker `ow` works in outreach only; the factories below make `ow`
work in the trafficking unit too (as the demo's "uppsokare") and register Maria's case from a
raid. The counsellor `co` holds the role's permissions but is outside the unit."""

from datetime import timedelta

from django.utils import timezone

from prostenhet.roles import Role

OA, OW, CO, CL, MA, SA = (
    Role.OFFICE_ASSISTANT, Role.OUTREACH_WORKER, Role.COUNSELLOR,
    Role.CLINICIAN, Role.MANAGER, Role.SYSADMIN,
)


def trafficking_team(w):
    """The world's outreach worker works in the trafficking unit too."""
    from prostenhet import access as staff_access
    from prostenhet.models import Unit

    w.ow.units.add(Unit.objects.get(code="trafficking"))
    staff_access.sync_staff_units(w.ow)
    for cached in ("group_ids_by_name", "roles", "_perm_cache", "_group_perm_cache",
                   "_user_perm_cache"):
        w.ow.__dict__.pop(cached, None)
    return w.ow


def in_trafficking_team(w):
    """No URL arguments; the outreach worker joins the trafficking unit."""
    trafficking_team(w)
    return {}


def a_raid(w):
    from trafficking import services as trafficking

    ow = trafficking_team(w)
    return trafficking.save_raid(
        by=ow, date=timezone.localdate() - timedelta(days=1), place_kind="apartment",
        police_reference="NOA 123", staff=[ow], persons_met=3, persons_accepted=2,
    )


def a_case(w):
    """Maria, identified at yesterday's raid: a trafficking client of the team, with a
    placement and a deadline."""
    from trafficking import services as trafficking
    from trafficking.models import HousingProvider

    raid = a_raid(w)
    case = trafficking.register_case(
        by=w.ow, alias="Maria", country_of_origin="RO", identified_by="raid",
        identified_on=raid.date, raid=raid, languages="rumänska, engelska",
        interpreter_needed=True,
    )
    trafficking.add_placement(case, by=w.ow, provider=HousingProvider.objects.first(),
                              starts_on=raid.date)
    trafficking.add_deadline(case, by=w.ow, kind="reflection_period",
                             ends_on=timezone.localdate() + timedelta(days=10))
    w.maria = case.client  # for the read-log test's "aliases shown"
    return case


def case_kwargs(w):
    return {"case_id": a_case(w).public_id}


def a_placement(w):
    case = a_case(w)
    return {"case_id": case.public_id, "pk": case.placements.get().pk}


def a_deadline(w):
    case = a_case(w)
    return {"case_id": case.public_id, "pk": case.deadlines.get().pk}


def raid_kwargs(w):
    return {"raid_id": a_raid(w).public_id}


def client_case_kwargs(w):
    return {"client_id": a_case(w).client.public_id}


def team_row(default_403_or_404=404):
    """The team (the outreach worker in the unit) 200; the counsellor (the role's permission,
    outside the unit) 404 for a record, 403 for a page of the unit; the other roles 403."""
    from tests.test_access_matrix import only

    return only({OW: 200, CO: default_403_or_404}, 403)


def matrix_rows():
    from tests.test_access_matrix import only

    return {
        "trafficking:case-list": team_row(403),
        "trafficking:case-create": team_row(403),
        "trafficking:case-detail": team_row(),
        "trafficking:case-edit": team_row(),
        "trafficking:case-close": team_row(),
        # Redirects to the client's case.
        "trafficking:client-case": only({OW: 302, CO: 404}, 403),
        "trafficking:housing-create": team_row(),
        "trafficking:housing-end": team_row(),
        "trafficking:contact-create": team_row(),
        "trafficking:deadline-create": team_row(),
        "trafficking:deadline-done": team_row(),
        "trafficking:return-edit": team_row(),
        "trafficking:raid-list": team_row(403),
        "trafficking:raid-create": team_row(403),
        "trafficking:raid-detail": team_row(),
        "trafficking:raid-edit": team_row(),
    }


KWARGS = {
    "trafficking:case-list": in_trafficking_team,
    "trafficking:case-create": in_trafficking_team,
    "trafficking:case-detail": case_kwargs,
    "trafficking:case-edit": case_kwargs,
    "trafficking:case-close": case_kwargs,
    "trafficking:client-case": client_case_kwargs,
    "trafficking:housing-create": case_kwargs,
    "trafficking:housing-end": a_placement,
    "trafficking:contact-create": case_kwargs,
    "trafficking:deadline-create": case_kwargs,
    "trafficking:deadline-done": a_deadline,
    "trafficking:return-edit": case_kwargs,
    "trafficking:raid-list": in_trafficking_team,
    "trafficking:raid-create": in_trafficking_team,
    "trafficking:raid-detail": raid_kwargs,
    "trafficking:raid-edit": raid_kwargs,
}


# For tests/clients/test_audit.py READ_VIEWS: (name, kwargs factory, who, [aliases shown]).
READ_VIEWS = [
    ("trafficking:case-detail", case_kwargs, "ow", ["maria"]),
    ("trafficking:case-edit", case_kwargs, "ow", ["maria"]),
    ("trafficking:case-close", case_kwargs, "ow", ["maria"]),
    ("trafficking:housing-create", case_kwargs, "ow", ["maria"]),
    ("trafficking:housing-end", a_placement, "ow", ["maria"]),
    ("trafficking:contact-create", case_kwargs, "ow", ["maria"]),
    ("trafficking:deadline-create", case_kwargs, "ow", ["maria"]),
    ("trafficking:deadline-done", a_deadline, "ow", ["maria"]),
    ("trafficking:return-edit", case_kwargs, "ow", ["maria"]),
]
NOT_A_RECORD_READ = {
    "trafficking:client-case": "redirects to the client's case page, which logs the read",
}
