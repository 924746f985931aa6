"""Forms for the clinic's bookings (see spiralen/views/bookings.py): which day of the clinic
to show, the search for the first free times and the booking of one of them, consultation
hours, their exceptions and the appointment types' lengths."""

import secrets
import uuid

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Div, Layout, Submit
from django import forms
from django.urls import reverse
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext_lazy as _

from clients import access
from clients.forms.pickers import ClientPicker, use_client_picker
from clients.models import Client, ConsentMethod, Register, Weekday
from prostenhet.forms import (
    DateField,
    IntegerField,
    autocomplete_off,
    submit_helper,
)
from prostenhet.models import User

from ..models import AppointmentType, ExceptionReason
from ..services.bookings import MAX_MINUTES, MIN_MINUTES, clinic_staff

__all__ = [
    "AppointmentLengthForm",
    "BookSlotForm",
    "EndHoursForm",
    "ExceptionForm",
    "FreeTimesForm",
    "HoursForm",
    "ScheduleForm",
]

DATE_INPUT = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
TIME_INPUT = forms.TimeInput(attrs={"type": "time", "step": 300}, format="%H:%M")
# The service's words for a client out of the user's sight; a client that does not exist
# gets the same, so the form tells nothing more than the service does.
CLIENT_REFUSED = _("Du kan inte boka en tid för den klienten.")


def type_label(appointment_type):
    return _("%(type)s – %(profession)s, %(minutes)d min") % {
        "type": appointment_type, "profession": appointment_type.get_profession_display(),
        "minutes": appointment_type.minutes,
    }


def staff_label(user):
    profession = user.get_profession_display()
    return f"{user} ({profession})" if profession else str(user)


class _StaffChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return staff_label(obj)


class _TypeChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return type_label(obj)


class ScheduleForm(forms.Form):
    """Which day (or the week of the day) of the clinic to show. A GET form."""

    date = DateField(label=_("Datum"), required=False, widget=DATE_INPUT)
    week = forms.BooleanField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.form_method = "get"
        self.helper.form_class = "row g-2 align-items-end mb-3"
        self.helper.layout = Layout(Div("date", css_class="col-md-3"), "week")
        self.helper.add_input(Submit("", _("Visa"), css_class="btn btn-primary mb-3"))


class FreeTimesForm(forms.Form):
    """Step 1 of a booking: what, for whom, from which day, and (optionally) with whom.
    A GET form: the query holds opaque ids only."""

    type = _TypeChoiceField(
        queryset=AppointmentType.objects.all(), label=_("Besökstyp"),
        error_messages={"invalid_choice": _("Välj en av besökstyperna.")},
    )
    client = forms.ModelChoiceField(
        queryset=Client.objects.none(), to_field_name="public_id", label=_("Klient"),
        widget=ClientPicker, error_messages={"invalid_choice": CLIENT_REFUSED},
    )
    from_day = DateField(label=_("Från datum"), widget=DATE_INPUT)
    staff = _StaffChoiceField(
        queryset=User.objects.none(), to_field_name="public_id", required=False,
        label=_("Kliniker"), empty_label=_("Vem som helst med rätt yrke"),
        error_messages={"invalid_choice": _("Välj en av klinikerna.")},
    )

    @staticmethod
    def bookable_clients(user):
        """Whom the user may book a clinic visit for: the clients of the main register in
        sight."""
        return access.visible_clients(user).filter(register=Register.MAIN)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["from_day"].initial = timezone.localdate()
        client_field = self.fields["client"]
        client_field.queryset = self.bookable_clients(user)
        use_client_picker(client_field, client_field.queryset,
                          reverse("spiralen:book-client-options"))
        self.fields["staff"].queryset = clinic_staff()
        self.helper = FormHelper()
        self.helper.form_method = "get"
        self.helper.layout = Layout(
            Div(Div("type", css_class="col-md-6"), Div("client", css_class="col-md-6"),
                css_class="row"),
            Div(Div("from_day", css_class="col-md-4"), Div("staff", css_class="col-md-8"),
                css_class="row"),
        )
        self.helper.add_input(Submit("", _("Visa lediga tider")))

    def clean(self):
        cleaned = super().clean()
        kind, staff = cleaned.get("type"), cleaned.get("staff")
        if kind is not None and staff is not None and staff.profession != kind.profession:
            self.add_error("staff", _("%(staff)s tar inte emot %(type)s: välj någon som är "
                                      "%(profession)s.") % {
                "staff": staff, "type": str(kind).lower(),
                "profession": kind.get_profession_display().lower(),
            })
        return cleaned


class BookSlotForm(forms.Form):
    """Step 2: book one of the free times. Each free time is a button named "slot" whose
    value is the clinician's public id and the start (ISO); the rest is sent hidden.
    request_token is made when the times are shown: the service books once per token, so a
    double click or a resubmitted form books once."""

    type = forms.ModelChoiceField(
        queryset=AppointmentType.objects.all(), widget=forms.HiddenInput,
        error_messages={"invalid_choice": _("Välj en av besökstyperna.")},
    )
    client = forms.ModelChoiceField(
        queryset=Client.objects.none(), to_field_name="public_id", widget=forms.HiddenInput,
        error_messages={"invalid_choice": CLIENT_REFUSED},
    )
    from_day = DateField(widget=forms.HiddenInput)
    request_token = forms.CharField(widget=forms.HiddenInput, max_length=32)
    slot = forms.CharField(
        max_length=100, required=False, widget=forms.HiddenInput,
        error_messages={"required": _("Välj en av de lediga tiderna.")},
    )
    interpreter_language = forms.CharField(
        label=_("Tolk, språk"), required=False, max_length=60,
        help_text=_("Fyll i om en tolk behövs: byråassistenten beställer tolken."),
    )
    referral_message = forms.CharField(
        label=_("Remiss till Spiralen"), required=False, max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Vad besöket gäller, i korthet. Lämnas det tomt skrivs en kort standardtext."),
    )
    consent_method = forms.ChoiceField(
        label=_("Klientens samtycke till att Spiralen och uppsökande arbetet delar uppgifter"),
        required=False,
        choices=[("", _("Finns redan")), *ConsentMethod.choices],
        help_text=_("Fråga klienten. Utan samtycke kan ingen remiss skickas och ingen tid "
                    "bokas."),
    )

    def __init__(self, *args, referral=False, **kwargs):
        # Shown on the page of the search form: ids of its own.
        kwargs.setdefault("auto_id", "id_book_%s")
        super().__init__(*args, **kwargs)
        self.fields["client"].queryset = Client.objects.current()
        self.fields["request_token"].initial = secrets.token_hex(16)
        if not referral:
            del self.fields["referral_message"]
            del self.fields["consent_method"]
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.disable_csrf = True
        names = ["type", "client", "from_day", "request_token", "interpreter_language"]
        if referral:
            names += ["referral_message", "consent_method"]
        self.helper.layout = Layout(*names)
        autocomplete_off(self)

    def clean(self):
        cleaned = super().clean()
        slot = (cleaned.get("slot") or "").strip()
        staff_id, _sep, start = slot.partition("@")
        try:
            starts_at = parse_datetime(start) if start else None
        except ValueError:  # well formed, but no such time
            starts_at = None
        staff = None
        try:
            staff_uuid = uuid.UUID(staff_id)
        except ValueError:
            staff_uuid = None
        if staff_uuid is not None and starts_at is not None:
            staff = clinic_staff().filter(public_id=staff_uuid).first()
        if staff is None or starts_at is None:
            raise forms.ValidationError(_("Välj en av de lediga tiderna."))
        if timezone.is_naive(starts_at):
            starts_at = timezone.make_aware(starts_at)
        cleaned["staff"], cleaned["starts_at"] = staff, starts_at
        return cleaned

    @staticmethod
    def slot_value(free_time):
        return f"{free_time.staff.public_id}@{free_time.starts_at.isoformat()}"


class HoursForm(forms.Form):
    """A clinician's new weekly consultation hours."""

    clinician = _StaffChoiceField(
        queryset=User.objects.none(), to_field_name="public_id", label=_("Kliniker"),
        error_messages={"invalid_choice": _("Välj en av klinikerna.")},
    )
    weekday = forms.TypedChoiceField(label=_("Veckodag"), choices=Weekday.choices, coerce=int)
    starts = forms.TimeField(label=_("Från"), widget=TIME_INPUT)
    ends = forms.TimeField(label=_("Till"), widget=TIME_INPUT)
    valid_from = DateField(label=_("Gäller från"), widget=DATE_INPUT)
    valid_until = DateField(
        label=_("Gäller till och med"), required=False, widget=DATE_INPUT,
        help_text=_("Lämna tomt om tiderna gäller tills vidare."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["clinician"].queryset = clinic_staff()
        self.fields["valid_from"].initial = timezone.localdate()
        self.helper = FormHelper()
        self.helper.layout = Layout(
            Div(Div("clinician", css_class="col-md-8"), Div("weekday", css_class="col-md-4"),
                css_class="row"),
            Div(Div("starts", css_class="col-md-3"), Div("ends", css_class="col-md-3"),
                Div("valid_from", css_class="col-md-3"), Div("valid_until", css_class="col-md-3"),
                css_class="row"),
        )
        self.helper.add_input(Submit("submit", _("Spara")))


class EndHoursForm(forms.Form):
    """The last day weekly hours hold."""

    last_day = DateField(label=_("Sista dagen"), widget=DATE_INPUT)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["last_day"].initial = timezone.localdate()
        self.helper = submit_helper(_("Avsluta tiderna"), danger=True)


class ExceptionForm(forms.Form):
    """Days the hours do not hold: one clinician away, or the whole clinic closed."""

    clinician = _StaffChoiceField(
        queryset=User.objects.none(), to_field_name="public_id", required=False,
        label=_("Kliniker"), empty_label=_("Hela mottagningen"),
        error_messages={"invalid_choice": _("Välj en av klinikerna.")},
    )
    starts_on = DateField(label=_("Från och med"), widget=DATE_INPUT)
    ends_on = DateField(label=_("Till och med"), widget=DATE_INPUT)
    reason = forms.ChoiceField(label=_("Orsak"), choices=ExceptionReason.choices)
    note = forms.CharField(label=_("Kommentar"), required=False, max_length=200)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["clinician"].queryset = clinic_staff()
        self.helper = FormHelper()
        self.helper.layout = Layout(
            Div(Div("clinician", css_class="col-md-6"), Div("reason", css_class="col-md-6"),
                css_class="row"),
            Div(Div("starts_on", css_class="col-md-6"), Div("ends_on", css_class="col-md-6"),
                css_class="row"),
            "note",
        )
        self.helper.add_input(Submit("submit", _("Spara")))
        autocomplete_off(self)


class AppointmentLengthForm(forms.Form):
    """A new default length for one appointment type (the view gives each type's form its
    own prefix); carries the version the user saw."""

    minutes = IntegerField(
        label=_("Längd i minuter"), min_value=MIN_MINUTES, max_value=MAX_MINUTES,
    )
    version = IntegerField(widget=forms.HiddenInput)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.form_class = "row g-2 align-items-end"
        self.helper.layout = Layout(Div("minutes", css_class="col-auto"), "version")
        self.helper.add_input(Submit("submit", _("Spara"), css_class="btn btn-primary mb-3"))
