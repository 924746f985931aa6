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
    # Letters after police questioning are counted every month since the history begins.
    assert BuyerOutreach.objects.filter(kind="police_letters").count() >= 24


def test_the_demo_kast_counsellor_sees_it_and_the_other_does_not(demo):
    kast = User.objects.get(username="kastbehandlare")
    counsellor = User.objects.get(username="behandlare")
    # Every anonymous call, and the calls of the clients still in KAST (the history's former
    # clients ended their treatment: their calls left the counsellor's sight with it).
    anonymous = Call.objects.filter(client__isnull=True)
    assert services.visible_calls(kast).filter(client__isnull=True).count() == anonymous.count()
    current = Call.objects.filter(client__enrollments__unit=UnitCode.KAST,
                                  client__enrollments__ended_on__isnull=True)
    assert set(current.values_list("pk", flat=True)) <= set(
        services.visible_calls(kast).values_list("pk", flat=True)
    )
    assert services.follow_up_calls(kast).exists()
    assert not services.visible_calls(counsellor).exists()
