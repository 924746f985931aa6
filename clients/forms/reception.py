"""Forms for reception (see clients/views/reception.py): a drop-in visitor, found in the
registry by alias or anonymous."""

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Submit
from django import forms
from django.utils.translation import gettext_lazy as _

from prostenhet.forms import AliasFilterField, autocomplete_off
from prostenhet.roles import UnitCode

from .. import access
from ..models import AgeBand, Gender, VisitPurpose

__all__ = ["AnonymousVisitForm", "DropInClientForm", "DropInSearchForm"]

# The drop-in page holds both forms; the submit button's name says which one was sent.
CLIENT_SUBMIT = "register_client"
ANONYMOUS_SUBMIT = "register_anonymous"

# How many clients a drop-in search offers: the alias is typed until the person is among them.
DROP_IN_CHOICES = 20

# A drop-in is never a booked visit; reception does not receive KAST's visitors.
DROP_IN_PURPOSES = [(value, label) for value, label in VisitPurpose.choices
                    if value != VisitPurpose.BOOKED]
RECEPTION_UNITS = [(value, label) for value, label in UnitCode.choices
                   if value != UnitCode.KAST]


def _unit_field(user):
    own = [code for code in access.user_units(user) if code != UnitCode.KAST]
    return forms.ChoiceField(
        label=_("Verksamhetsdel"), choices=RECEPTION_UNITS,
        initial=sorted(own)[0] if own else UnitCode.COUNSELLING,
    )


def _purpose_field():
    return forms.ChoiceField(
        label=_("Ärende"), choices=DROP_IN_PURPOSES, initial=VisitPurpose.DROP_IN
    )


class DropInSearchForm(forms.Form):
    """Find a drop-in visitor in the registry by the beginning of the alias (a GET form:
    identity numbers are refused, so none reaches a URL)."""

    alias = AliasFilterField(label=_("Sök klient (alias)"), required=True)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.form_method = "get"
        self.helper.add_input(Submit("", _("Sök")))
        autocomplete_off(self)


class DropInClientForm(forms.Form):
    """A drop-in by a client the user may see: chosen among those whose alias begins with
    the search term (kept in a hidden field, so that a refused form offers the same list)."""

    alias = forms.CharField(widget=forms.HiddenInput, max_length=100)
    client = forms.ChoiceField(
        label=_("Klient"), widget=forms.RadioSelect,
        error_messages={"required": _("Välj vem som har kommit."),
                        "invalid_choice": _("Välj en klient i listan.")},
    )

    def __init__(self, *args, user, candidates, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self.fields["client"].choices = [(str(c.public_id), c.alias) for c in candidates]
        self.fields["unit"] = _unit_field(user)
        self.fields["purpose"] = _purpose_field()
        self.helper = FormHelper()
        self.helper.add_input(Submit(CLIENT_SUBMIT, _("Registrera besök")))
        autocomplete_off(self)

    def clean(self):
        cleaned = super().clean()
        if "client" in self.errors and not self.fields["client"].choices:
            # No list to show the error beside (nobody is found now): say it above the form.
            self.add_error(None, self.errors["client"][0])
        return cleaned

    def clean_client(self):
        """The chosen client, asked again of the access module (the list was made earlier)."""
        client = access.visible_clients(self.user).filter(
            public_id=self.cleaned_data["client"]
        ).first()
        if client is None:
            raise forms.ValidationError(_("Välj en klient i listan."))
        return client


class AnonymousVisitForm(forms.Form):
    """An anonymous visitor, counted for the statistics: unit, purpose, gender and age band,
    nothing that identifies the person."""

    gender = forms.ChoiceField(label=_("Kön"), choices=Gender.choices,
                               initial=Gender.NOT_STATED)
    age_band = forms.ChoiceField(label=_("Ålder"), choices=AgeBand.choices,
                                 initial=AgeBand.UNKNOWN)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"] = _unit_field(user)
        self.fields["purpose"] = _purpose_field()
        self.order_fields(["unit", "purpose", "gender", "age_band"])
        self.helper = FormHelper()
        self.helper.add_input(Submit(ANONYMOUS_SUBMIT, _("Registrera anonymt besök")))
        autocomplete_off(self)
