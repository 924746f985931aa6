"""Forms for bookings (see clients/views/bookings.py): which calendar to show, a new booking,
moving one, and confirming a change of status."""

import secrets
from datetime import datetime, timedelta

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Div, Layout, Submit
from django import forms
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from prostenhet.forms import (
    DateField,
    IntegerField,
    autocomplete_off,
    submit_helper,
)
from prostenhet.models import User

from .. import access
from ..models import BookingKind, Client, Room
from .pickers import ClientPicker, use_client_picker

__all__ = [
    "BookingForm",
    "BookingMoveForm",
    "BookingStatusForm",
    "CalendarFilterForm",
    "bookable_staff",
]

DATE_INPUT = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
TIME_INPUT = forms.TimeInput(attrs={"type": "time", "step": 300}, format="%H:%M")
LENGTHS = [(30, _("30 minuter")), (45, _("45 minuter")), (60, _("1 timme")),
           (90, _("1,5 timme")), (120, _("2 timmar"))]
# The service's words for a client out of the user's sight; a client that does not exist
# gets the same, so the form tells nothing more than the service does.
CLIENT_REFUSED = _("Du kan inte boka en tid för den klienten.")


def bookable_staff(user):
    """Active staff of the user's own units, by name: whose calendars the user sees and
    whom they may book."""
    groups = [access.unit_group_name(unit) for unit in access.user_units(user)]
    return (
        User.objects.filter(is_active=True, groups__name__in=groups)
        .distinct()
        .order_by("first_name", "last_name", "username")
    )


class CalendarFilterForm(forms.Form):
    """Which calendar: a staff member, a room (or both), or everyone in the user's units;
    and the day (the week of the day for the week calendar). A GET form: the query holds
    opaque ids only."""

    staff = forms.ModelChoiceField(
        queryset=User.objects.none(), to_field_name="public_id", required=False,
        label=_("Personal"), empty_label=_("Alla i mina verksamhetsdelar"),
    )
    room = forms.ModelChoiceField(
        queryset=Room.objects.none(), required=False, label=_("Rum"),
        empty_label=_("Inget rum"),
    )
    date = DateField(label=_("Datum"), required=False, widget=DATE_INPUT)

    def __init__(self, *args, staff, rooms, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["staff"].queryset = staff
        self.fields["room"].queryset = rooms
        self.helper = FormHelper()
        self.helper.form_method = "get"
        self.helper.form_class = "row g-2 align-items-end mb-3"
        self.helper.layout = Layout(
            Div("staff", css_class="col-md-4"),
            Div("room", css_class="col-md-3"),
            Div("date", css_class="col-md-3"),
        )
        self.helper.add_input(Submit("", _("Visa"), css_class="btn btn-primary mb-3"))


def _aware(day, at):
    return timezone.make_aware(datetime.combine(day, at))


class _TimeFields(forms.Form):
    """A day, a start time and either an end time or a length."""

    day = DateField(label=_("Datum"), widget=DATE_INPUT)
    start = forms.TimeField(label=_("Börjar"), widget=TIME_INPUT)
    end = forms.TimeField(label=_("Slutar"), required=False, widget=TIME_INPUT)
    length = forms.TypedChoiceField(
        label=_("eller längd"), choices=[("", "—"), *LENGTHS], coerce=int, required=False,
        empty_value=None,
    )

    def clean(self):
        cleaned = super().clean()
        day, start = cleaned.get("day"), cleaned.get("start")
        end, length = cleaned.get("end"), cleaned.get("length")
        if day is None or start is None:
            return cleaned
        if end is None and length is None:
            self.add_error("end", _("Ange en sluttid eller välj en längd."))
            return cleaned
        starts_at = _aware(day, start)
        ends_at = _aware(day, end) if end is not None else starts_at + timedelta(minutes=length)
        if end is not None and length is not None and ends_at != starts_at + timedelta(
            minutes=length
        ):
            self.add_error("length", _("Sluttiden och längden stämmer inte överens. Ange "
                                       "bara den ena."))
            return cleaned
        cleaned["starts_at"], cleaned["ends_at"] = starts_at, ends_at
        return cleaned

    def time_layout(self):
        return Div(
            Div("day", css_class="col-md-4"), Div("start", css_class="col-md-2"),
            Div("end", css_class="col-md-2"), Div("length", css_class="col-md-4"),
            css_class="row",
        )


class BookingForm(_TimeFields):
    """A new booking. request_token is made when the form is shown and sent back hidden: the
    service books once per token, so a double click or a resubmitted form books once."""

    staff = forms.ModelChoiceField(
        queryset=User.objects.none(), to_field_name="public_id", required=False,
        label=_("Personal"),
    )
    room = forms.ModelChoiceField(queryset=Room.objects.none(), required=False, label=_("Rum"))
    client = forms.ModelChoiceField(
        queryset=Client.objects.none(), to_field_name="public_id", required=False,
        widget=ClientPicker, label=_("Klient"),
        help_text=_("Lämna tomt för en tid utan klient (t.ex. ett möte)."),
        error_messages={"invalid_choice": CLIENT_REFUSED},
    )
    kind = forms.ChoiceField(label=_("Typ"), choices=BookingKind.choices,
                             initial=BookingKind.VISIT)
    interpreter_language = forms.CharField(
        label=_("Tolk, språk"), required=False, max_length=60,
        help_text=_("Fyll i om en tolk behövs: byråassistenten beställer tolken."),
    )
    unit = forms.ChoiceField(label=_("Verksamhetsdel"))
    request_token = forms.CharField(widget=forms.HiddenInput, max_length=32)

    field_order = ["unit", "staff", "room", "client", "kind", "day", "start", "end", "length",
                   "interpreter_language", "request_token"]

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        units = access.user_units(user)
        self.fields["unit"].choices = [(u.value, u.label) for u in sorted(units)]
        if len(units) == 1:
            self.fields["unit"].initial = next(iter(units)).value
        self.fields["staff"].queryset = bookable_staff(user)
        self.fields["room"].queryset = Room.objects.filter(active=True)
        # Any current client is looked up, so that one out of sight gets the service's
        # message; only the visible ones are offered.
        client_field = self.fields["client"]
        client_field.queryset = Client.objects.current()
        use_client_picker(client_field, access.visible_clients(user),
                          reverse("clients:booking-client-options"))
        self.fields["request_token"].initial = secrets.token_hex(16)
        self.helper = FormHelper()
        self.helper.layout = Layout(
            Div(Div("unit", css_class="col-md-4"), Div("staff", css_class="col-md-4"),
                Div("room", css_class="col-md-4"), css_class="row"),
            Div(Div("client", css_class="col-md-8"), Div("kind", css_class="col-md-4"),
                css_class="row"),
            self.time_layout(),
            "interpreter_language",
            "request_token",
        )
        self.helper.add_input(Submit("submit", _("Boka")))
        autocomplete_off(self)

    def clean(self):
        cleaned = super().clean()
        if not cleaned.get("staff") and not cleaned.get("room") and not self.has_error("staff"):
            self.add_error("staff", _("Välj en person eller ett rum att boka."))
        return cleaned


class BookingMoveForm(_TimeFields):
    """A new time for a booking; carries the version the user saw."""

    version = IntegerField(widget=forms.HiddenInput)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.layout = Layout(self.time_layout(), "version")
        self.helper.add_input(Submit("submit", _("Flytta")))


class BookingStatusForm(forms.Form):
    """The confirmation of a cancellation or a no-show; carries the version the user saw."""

    version = IntegerField(widget=forms.HiddenInput)

    def __init__(self, *args, submit_label, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = submit_helper(submit_label, danger=True)
