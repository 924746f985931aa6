"""The form of a police raid (see trafficking/views/raids.py)."""

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Div, Layout, Submit
from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from prostenhet.forms import DateField, IntegerField, autocomplete_off

from ..models import PlaceKind
from ..services.raids import team_staff

__all__ = ["DATE_INPUT", "COUNT_ERRORS", "RaidForm", "StaffChoiceField"]

DATE_INPUT = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
COUNT_ERRORS = {
    "min_value": _("Antalet kan inte vara negativt."),
    "max_value": _("Antalet är orimligt stort."),
    "invalid": _("Ange ett heltal."),
}


class StaffChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj):
        return str(obj)


class RaidForm(forms.Form):
    """A raid: date, kind of place, the police's reference, staff present and the counts."""

    date = DateField(label=_("Datum"), widget=DATE_INPUT)
    place_kind = forms.ChoiceField(label=_("Typ av plats"), choices=PlaceKind.choices)
    police_reference = forms.CharField(
        label=_("Polisens referens"), required=False, max_length=60,
        help_text=_("Polisens beteckning på insatsen, som polisen anger den."),
    )
    staff = StaffChoiceField(
        queryset=None, to_field_name="public_id", required=False,
        widget=forms.CheckboxSelectMultiple, label=_("Personal på plats"),
    )
    persons_met = IntegerField(
        label=_("Antal personer som mötts"), min_value=0, max_value=500, initial=0,
        error_messages=COUNT_ERRORS,
    )
    persons_accepted = IntegerField(
        label=_("Antal som tackade ja till stöd"), min_value=0, max_value=500, initial=0,
        error_messages=COUNT_ERRORS,
        help_text=_("De som tackar ja registreras som ärenden från tillslagets sida."),
    )
    version = IntegerField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, submit_label=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["staff"].queryset = team_staff()
        self.fields["date"].initial = timezone.localdate()
        self.helper = FormHelper()
        self.helper.layout = Layout(
            Div(Div("date", css_class="col-md-4"), Div("place_kind", css_class="col-md-4"),
                Div("police_reference", css_class="col-md-4"), css_class="row"),
            "staff",
            Div(Div("persons_met", css_class="col-md-6"),
                Div("persons_accepted", css_class="col-md-6"), css_class="row"),
            "version",
        )
        self.helper.add_input(Submit("submit", submit_label or _("Spara")))
        autocomplete_off(self)

    def clean(self):
        cleaned = super().clean()
        met, accepted = cleaned.get("persons_met"), cleaned.get("persons_accepted")
        if met is not None and accepted is not None and accepted > met:
            self.add_error("persons_accepted",
                           _("Fler kan inte ha tackat ja till stöd än som mötts."))
        day = cleaned.get("date")
        if day and day > timezone.localdate():
            self.add_error("date", _("Ett tillslag kan inte registreras i förväg: datumet är "
                                     "i framtiden."))
        return cleaned
