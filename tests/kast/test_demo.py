"""KAST's demo (issue 10): a season of calls, mostly anonymous, some repeat callers with codes,
the demo's KAST clients with referral sources and their calls, a contract, buyers reached per
month; once only; and nothing of it seen outside KAST."""

from io import StringIO

import pytest
from django.core.management import call_command

from clients.models import Register, SessionContract
from kast import services
from kast.models import BuyerOutreach, Call, KastProfile
from prostenhet.models import User
from prostenhet.roles import UnitCode

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo(settings):
    settings.DEMO_MODE = True
    call_command("seed_demo", stdout=StringIO())
    counts = (Call.objects.count(), BuyerOutreach.objects.count())
    call_command("seed_demo", stdout=StringIO())  # a second run adds nothing
    assert (Call.objects.count(), BuyerOutreach.objects.count()) == counts


def test_a_season_of_kast(demo):
    calls = Call.objects.all()
    assert calls.count() > 100
    assert calls.filter(client__isnull=True).count() > calls.count() * 0.8
    codes = calls.exclude(caller_code="").values_list("caller_code", flat=True).distinct()
    assert len(codes) >= 8
    kast_clients = list(
        KastProfile.objects.filter(client__register=Register.KAST).values_list("client", flat=True)
    )
    assert len(kast_clients) >= 2
    assert calls.filter(client__in=kast_clients).count() >= 4
    assert SessionContract.objects.filter(journal__unit=UnitCode.KAST).exists()
    assert BuyerOutreach.objects.filter(kind="police_letters").count() == 6


def test_the_demo_kast_counsellor_sees_it_and_the_other_does_not(demo):
    kast = User.objects.get(username="kastbehandlare")
    counsellor = User.objects.get(username="behandlare")
    assert services.visible_calls(kast).count() == Call.objects.count()
    assert services.follow_up_calls(kast).exists()
    assert not services.visible_calls(counsellor).exists()
