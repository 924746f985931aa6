import pytest

pytestmark = pytest.mark.django_db


def test_world_builds(world):
    assert world.anna.journals.count() == 2
