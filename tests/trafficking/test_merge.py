"""Merging two records of one person who both have an open trafficking case: the merge is
refused with a message (one open case per client), and nothing has moved."""

import pytest

from clients import services as client_services
from prostenhet.exceptions import DomainError
from trafficking import services
from trafficking.models import TraffickingCase

from .helpers import trafficking_team

pytestmark = pytest.mark.django_db


def test_two_open_cases_refuse_the_merge_and_nothing_moves(world):
    ow = trafficking_team(world)
    first = services.register_case(by=ow, alias="Ana", country_of_origin="RO",
                                   identified_by="outreach")
    second = services.register_case(by=ow, alias="Ana M", country_of_origin="RO",
                                    identified_by="outreach")
    oa = world.oa
    with pytest.raises(DomainError, match="bara får finnas en gång"):
        client_services.merge_clients(first.client, second.client, by=oa)
    assert TraffickingCase.objects.get(pk=second.pk).client_id == second.client_id
    second.client.refresh_from_db()
    assert second.client.merged_into_id is None
    # Closed, the second case moves with its client.
    second.refresh_from_db()
    services.close_case(second, by=ow, expected_version=second.version)
    client_services.merge_clients(first.client, second.client, by=oa)
    assert TraffickingCase.objects.get(pk=second.pk).client_id == first.client_id
