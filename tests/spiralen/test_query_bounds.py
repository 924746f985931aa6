"""Every page of the clinic runs a bounded number of queries (DESIGN §9: about 20 at most),
whatever the data: each is opened by the clinician, with the arguments the access matrix
makes, once with little data and once with a clinic week more, and may not cost more."""

from datetime import time, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from clients import services as client_services
from prostenhet.roles import UnitCode
from spiralen import services
from spiralen.models import ConsultationHours

from .. import test_access_matrix as matrix

# The client picker's search is POSTed by a script, not a page: its bound is in
# tests/clients/test_client_picker.py.
SPIRALEN_VIEWS = sorted(
    name for name in matrix.MATRIX
    if name.startswith("spiralen:") and name != "spiralen:book-client-options"
)
MAX_QUERIES = 20

pytestmark = pytest.mark.django_db


def more_clinic_data(world, patients=15):
    """Patients with signed encounters and samples, and hours."""
    for weekday in range(1, 6):
        ConsultationHours.objects.create(
            clinician=world.cl, weekday=weekday, starts=time(8), ends=time(16),
            valid_from=timezone.localdate() - timedelta(days=1), created_by=world.cl,
        )
    for number in range(patients):
        client = client_services.register_client(
            unit=UnitCode.SPIRALEN, by=world.cl, alias=f"Patient {number}"
        )
        draft = services.save_encounter(
            journal=client.journals.get(), by=world.cl, kind="sti_testing",
            findings="Provtagning.", sample_kinds=["chlamydia", "hiv"],
        )
        client_services.sign_entry(draft, by=world.cl)
    # Anna has more encounters too.
    for _ in range(5):
        draft = services.save_encounter(
            journal=world.anna_spiralen, by=world.cl, kind="midwife_visit",
            findings="Uppföljning.", sample_kinds=["syphilis"],
        )
        client_services.sign_entry(draft, by=world.cl)


def count(client, url, django_assert_max_num_queries, bound):
    with django_assert_max_num_queries(bound) as captured:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(captured.captured_queries)


@pytest.mark.parametrize("name", SPIRALEN_VIEWS)
def test_every_clinic_page_is_bounded(login, world, name, django_assert_max_num_queries):
    make = matrix.KWARGS.get(name)
    url = reverse(name, kwargs=make(world) if make else {})
    browser = login(world.cl)
    few = count(browser, url, django_assert_max_num_queries, MAX_QUERIES)
    more_clinic_data(world)
    count(browser, url, django_assert_max_num_queries, few)
