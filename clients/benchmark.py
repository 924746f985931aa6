"""The record-keeping pages' share of `manage.py benchmark` (issue 12), registered after the
statistics so that every app's rows are there: a journal printed as a page and as a PDF (the
counsellor's first client, ten years of entries), the manager's weeding page after a dry run
over the whole data set, and a register extract of that client under review, released and
as a PDF."""

from django.urls import reverse
from django.utils import timezone

from prostenhet import access as staff_access
from prostenhet import services as staff_services
from prostenhet.models import Unit, User
from prostenhet.roles import Role, UnitCode

from .services import extracts, weeding


def generate(scale, *, clients, login):
    counsellor = User.objects.get(username="bench-behandlare")
    client = clients[0] if clients else None
    if client is None:
        return []
    manager = User.objects.create(username="bench-registrator", first_name="bench-registrator")
    staff_services.assign_roles(manager, [Role.MANAGER])
    manager.units.set(Unit.objects.exclude(code=UnitCode.KAST))
    staff_access.sync_staff_units(manager)
    weeding.run(execute=False, by=manager)
    today = timezone.localdate()
    under_review = extracts.create_extract(manager, client, today)
    released = extracts.release(manager, extracts.create_extract(manager, client, today))
    browser, chef = login(counsellor), login(manager)
    journal = [client.public_id, UnitCode.COUNSELLING]
    return [
        ("journal, printable", "get", reverse("clients:journal-print", args=journal), None,
         browser),
        ("journal, PDF", "get", reverse("clients:journal-pdf", args=journal), None, browser),
        ("weeding (last dry run)", "get", reverse("clients:weeding"), None, chef),
        ("register extract, review", "get",
         reverse("clients:extract-review", args=[under_review.public_id]), None, chef),
        ("register extract, released", "get",
         reverse("clients:extract-detail", args=[released.public_id]), None, chef),
        ("register extract, PDF", "get",
         reverse("clients:extract-pdf", args=[released.public_id]), None, chef),
    ]
