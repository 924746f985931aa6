"""KAST's share of `manage.py benchmark` writes its rows at a small scale and every page it
times opens."""

import pytest

from kast import benchmark
from kast.models import BuyerOutreach, Call, KastProfile

pytestmark = pytest.mark.django_db


def test_kasts_benchmark_part(login, world, django_assert_max_num_queries):
    pages = benchmark.generate(0.005, clients=[], login=login)
    assert Call.objects.count() == 100 and KastProfile.objects.count() == 5
    assert BuyerOutreach.objects.exists()
    for label, method, url, data, browser in pages:
        with django_assert_max_num_queries(20, info=label):
            response = getattr(browser, method)(url, data)
        assert response.status_code == 200, label
