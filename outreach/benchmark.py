"""Outreach's share of `manage.py benchmark` (registered in provides.py): ten years of street
outreach at the reference scale of DESIGN §9 — 60,000 contacts on 2,000 shifts, a fifth under
returning nicknames, a few with registered outreach clients — and the main pages to time: the
outreach worker's start page, the shift list and the page of the latest (open) shift."""

from datetime import datetime, time, timedelta

from django.urls import reverse
from django.utils import timezone

from clients import services as client_services
from clients.models import AgeBand, Gender
from prostenhet import access as staff_access
from prostenhet.models import Unit, User
from prostenhet.roles import Role, UnitCode
from prostenhet.services import assign_roles

from .models import Contact, ContactOutcome, MaterialKind, Nickname, Shift, ShiftMaterial

REFERENCE = {"contacts": 60_000, "shifts": 2_000, "nicknames": 3_000, "clients": 300}
GENDERS = [Gender.WOMAN, Gender.WOMAN, Gender.WOMAN, Gender.MAN, Gender.TRANS_NONBINARY]
AGE_BANDS = [AgeBand.UNDER_25, AgeBand.FROM_25, AgeBand.FROM_35, AgeBand.UNKNOWN]


def _worker():
    user = User.objects.create(username="bench-uppsokare", first_name="Bench")
    assign_roles(user, [Role.OUTREACH_WORKER])
    user.units.set(Unit.objects.filter(code=UnitCode.OUTREACH))
    staff_access.sync_staff_units(user)
    return user


def generate(scale, *, clients, login):
    """Write outreach's rows for `scale` of the reference and return the pages to time:
    (label, method, url, data, browser)."""
    worker = _worker()
    now = timezone.now()
    today = timezone.localdate()
    n_clients = max(int(REFERENCE["clients"] * scale), 3)
    registered = clients[-n_clients:]
    for client in registered:
        client_services.enroll(client, UnitCode.OUTREACH, by=worker)

    n_shifts = max(int(REFERENCE["shifts"] * scale), 5)
    shifts = Shift.objects.bulk_create([
        Shift(
            starts_at=timezone.make_aware(datetime.combine(
                today - timedelta(days=(i * 3650) // n_shifts), time(20))),
            ends_at=timezone.make_aware(datetime.combine(
                today - timedelta(days=(i * 3650) // n_shifts), time(20))) + timedelta(hours=5),
            report="Lugn kväll, få ute.", seen_women=8, seen_men=1, seen_trans=1, buyers_seen=6,
            created_by=worker, closed_at=now if i else None, closed_by=worker if i else None,
        )
        for i in range(n_shifts)
    ], batch_size=2000)
    through = Shift.staff.through
    through.objects.bulk_create([through(shift_id=s.pk, user_id=worker.pk) for s in shifts],
                                batch_size=5000)
    kinds = list(MaterialKind.objects.all()[:3])
    ShiftMaterial.objects.bulk_create(
        [ShiftMaterial(shift=s, kind=k, count=40) for s in shifts for k in kinds],
        batch_size=5000,
    )
    n_nicknames = max(int(REFERENCE["nicknames"] * scale), 5)
    nicknames = Nickname.objects.bulk_create([
        Nickname(name=f"Smeknamn {i:05d}", name_folded=f"smeknamn {i:05d}", created_by=worker,
                 last_seen_at=now - timedelta(days=i))
        for i in range(n_nicknames)
    ], batch_size=2000)

    n_contacts = max(int(REFERENCE["contacts"] * scale), 30)
    contacts = []
    for i in range(n_contacts):
        shift = shifts[i % n_shifts]
        kind = i % 10
        fields = {}
        if kind == 0:
            fields["client"] = registered[i % n_clients]
        elif kind <= 2:
            fields["nickname"] = nicknames[i % n_nicknames]
        else:
            fields.update(perceived_gender=GENDERS[i % len(GENDERS)],
                          age_band=AGE_BANDS[i % len(AGE_BANDS)], language="rumänska")
        contacts.append(Contact(
            shift=shift, at=shift.starts_at + timedelta(minutes=10 + (i // n_shifts) % 280),
            recorded_by=worker, first_contact=i < n_shifts, outcome=ContactOutcome.INFORMATION,
            offered_clinic=i % 3 == 0, note="Information given." if i % 4 == 0 else "",
            **fields,
        ))
    Contact.objects.bulk_create(contacts, batch_size=5000)

    browser = login(worker)
    latest = shifts[0]  # today's, still open
    return [
        ("start (outreach worker: shifts)", "get", reverse("start"), None, browser),
        ("outreach shift list", "get", reverse("outreach:shift-list"), None, browser),
        ("outreach shift page (open, with contacts)", "get",
         reverse("outreach:shift-detail", args=[latest.public_id]), None, browser),
        ("outreach nicknames", "get", reverse("outreach:nickname-list"), None, browser),
    ]
