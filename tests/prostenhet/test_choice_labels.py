"""get_FOO_display() reads a dict made once (prostenhet/lib/choices.py) and answers exactly
what Django's own does, in the language of the moment."""

import pytest
from django.apps import apps
from django.db.models import Model
from django.utils import translation

from clients.models import Booking, BookingStatus

PROJECT_APPS = {"prostenhet", "clients", "spiralen", "outreach", "kast", "trafficking"}


def fields_with_choices():
    for model in apps.get_models():
        if model._meta.app_label not in PROJECT_APPS:
            continue
        for field in model._meta.concrete_fields:
            if field.choices and field.model is model:
                yield model, field


@pytest.mark.parametrize("language", ["sv", "en"])
def test_every_label_is_djangos_label(language):
    checked = 0
    with translation.override(language):
        for model, field in fields_with_choices():
            for value in [value for value, _label in field.flatchoices] + ["inte ett val"]:
                instance = model()
                setattr(instance, field.attname, value)
                ours = getattr(instance, f"get_{field.name}_display")()
                assert ours == Model._get_FIELD_display(instance, field), (model, field, value)
                assert isinstance(ours, str)
                checked += 1
    assert checked > 100  # every app's choices were looked at


def test_the_label_follows_the_language_and_a_stored_value_outside_the_choices_shows_as_is():
    booking = Booking(status=BookingStatus.NO_SHOW)
    with translation.override("sv"):
        assert booking.get_status_display() == "Uteblev"
    with translation.override("en"):
        assert booking.get_status_display() == "No-show"
    booking.status = "okänd"
    assert booking.get_status_display() == "okänd"


def test_the_choices_are_not_rebuilt_at_each_call(monkeypatch):
    booking = Booking(status=BookingStatus.BOOKED)
    field = Booking._meta.get_field("status")
    monkeypatch.setattr(type(field), "flatchoices", property(lambda self: pytest.fail("rebuilt")))
    assert booking.get_status_display()
