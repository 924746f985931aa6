"""Forms of KAST's phone counselling (see kast/views/calls.py and clients.py): a call, the
call list's filter, registering a caller as a client, the first session's booking and a
client's referral source."""

import secrets
from datetime import timedelta

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Div, Layout, Submit
from django import forms
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from clients.forms.pickers import ClientPicker, use_client_picker
from clients.models import Client, Gender, Room
from prostenhet.forms import (
    DateTimeField,
    IntegerField,
    autocomplete_off,
    submit_helper,
)
from prostenhet.roles import UnitCode

from ..models import MAX_CALL_MINUTES, CallChannel, CallOutcome, CallTopic, HeardVia
from ..services import SESSION_MINUTES

__all__ = [
    "BookSessionForm",
    "CallFilterForm",
    "CallForm",
    "ReferralSourceForm",
    "RegisterCallerForm",
]

DATETIME_INPUT = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")
CLIENT_REFUSED = _("Du kan inte koppla samtalet till den klienten.")


def _blank(choices, label="---------"):
    return [("", label), *choices]


class CallForm(forms.Form):
    """A call or e-mail: when, how long, how the caller heard of KAST, what it was about and
    how it ended; a caller code for a repeat anonymous caller, or one of the user's KAST
    clients."""

    occurred_at = DateTimeField(label=_("Tidpunkt"), widget=DATETIME_INPUT)
    minutes = IntegerField(
        label=_("Längd (minuter)"), min_value=1, max_value=MAX_CALL_MINUTES,
        error_messages={
            "min_value": _("Ett samtal är minst en minut."),
            "max_value": _("Ett samtal är högst %(limit_value)s minuter."),
        },
    )
    channel = forms.ChoiceField(label=_("Kanal"), choices=CallChannel.choices,
                                widget=forms.RadioSelect, initial=CallChannel.PHONE)
    heard_via = forms.ChoiceField(label=_("Hörde om KAST via"), choices=HeardVia.choices)
    summary = forms.CharField(
        label=_("Vad samtalet gällde"), max_length=300,
        help_text=_("Kort, utan namn eller andra uppgifter som pekar ut någon."),
    )
    topics = forms.MultipleChoiceField(
        label=_("Ämnen"), choices=CallTopic.choices, required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    outcome = forms.ChoiceField(label=_("Utfall"), choices=CallOutcome.choices,
                                widget=forms.RadioSelect)
    caller_code = forms.CharField(
        label=_("Uppringarkod"), max_length=40, required=False,
        help_text=_("För den som ringer igen anonymt, till exempel \"Uppringare 17\": "
                    "samtalen kopplas ihop och följer med om personen blir klient."),
    )
    client = forms.ModelChoiceField(
        queryset=Client.objects.none(), to_field_name="public_id", label=_("KAST-klient"),
        required=False, widget=ClientPicker, error_messages={"invalid_choice": CLIENT_REFUSED},
        help_text=_("Om den som ringer redan är din klient i KAST."),
    )
    version = IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, clients, submit_label, linked=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["heard_via"].choices = _blank(HeardVia.choices)
        if linked is not None:
            # A call already linked to its client stays that client's.
            del self.fields["client"]
        else:
            self.fields["client"].queryset = clients
            use_client_picker(self.fields["client"], clients,
                              reverse("kast:call-client-options"), empty_label=_("Anonym"),
                              birth_year=False)
        self.helper = submit_helper(submit_label)
        autocomplete_off(self)

    def clean_occurred_at(self):
        occurred_at = self.cleaned_data["occurred_at"]
        if occurred_at > timezone.now() + timedelta(minutes=5):
            raise forms.ValidationError(_("Samtalet kan inte ha ägt rum i framtiden."))
        return occurred_at

    def call_fields(self):
        data = self.cleaned_data
        return {
            "occurred_at": data["occurred_at"], "minutes": data["minutes"],
            "channel": data["channel"], "heard_via": data["heard_via"],
            "summary": data["summary"], "topics": data["topics"], "outcome": data["outcome"],
            "caller_code": data["caller_code"], "client": data.get("client"),
        }


class CallFilterForm(forms.Form):
    """The call list's filter (a GET form): a caller code, an outcome, a source."""

    code = forms.CharField(label=_("Uppringarkod"), max_length=40, required=False)
    outcome = forms.ChoiceField(label=_("Utfall"), required=False,
                                choices=_blank(CallOutcome.choices, _("Alla")))
    heard_via = forms.ChoiceField(label=_("Hörde om KAST via"), required=False,
                                  choices=_blank(HeardVia.choices, _("Alla")))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.form_method = "get"
        self.helper.form_class = "row g-2 align-items-end mb-3"
        self.helper.layout = Layout(
            Div("code", css_class="col-md-3"), Div("outcome", css_class="col-md-3"),
            Div("heard_via", css_class="col-md-3"),
        )
        self.helper.add_input(Submit("", _("Visa"), css_class="btn btn-primary mb-3"))
        autocomplete_off(self)


class RegisterCallerForm(forms.Form):
    """Register the caller as a KAST client: an alias (the caller code will do), and what is
    known; the referral source is how they heard of KAST unless said otherwise."""

    alias = forms.CharField(label=_("Alias"), max_length=100)
    birth_year = IntegerField(label=_("Födelseår"), required=False, min_value=1900)
    gender = forms.ChoiceField(label=_("Kön"), choices=Gender.choices, initial=Gender.MAN)
    referral_source = forms.ChoiceField(label=_("Hänvisningsväg"), choices=HeardVia.choices)
    version = IntegerField(widget=forms.HiddenInput)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = submit_helper(_("Registrera som KAST-klient"))
        autocomplete_off(self)

    def clean_birth_year(self):
        year = self.cleaned_data.get("birth_year")
        today = timezone.localdate()
        if year is not None and year > today.year:
            raise forms.ValidationError(_("Födelseåret har inte varit än."))
        return year


class BookSessionForm(forms.Form):
    """The first session with the counsellor: a time, its length and a KAST room."""

    starts_at = DateTimeField(label=_("Tid"), widget=DATETIME_INPUT)
    minutes = IntegerField(label=_("Längd (minuter)"), min_value=SESSION_MINUTES[0],
                                 max_value=SESSION_MINUTES[1], initial=60)
    room = forms.ModelChoiceField(label=_("Rum"), queryset=Room.objects.none(), required=False)
    token = forms.CharField(widget=forms.HiddenInput, max_length=32)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["room"].queryset = Room.objects.filter(active=True, unit=UnitCode.KAST)
        self.initial.setdefault("token", secrets.token_hex(16))
        self.helper = submit_helper(_("Boka samtalet"))


class ReferralSourceForm(forms.Form):
    referral_source = forms.ChoiceField(label=_("Hänvisningsväg"), choices=HeardVia.choices)
    version = IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = submit_helper(_("Spara"))
