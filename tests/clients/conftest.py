import pytest

from clients.models import Room
from prostenhet.roles import UnitCode


@pytest.fixture
def room(db):
    """A counselling room."""
    return Room.objects.create(name="Rum 3", unit=UnitCode.COUNSELLING)
