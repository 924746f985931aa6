"""Forms of a trafficking case (see trafficking/views/cases.py): a new person's case (the
registry fields of clients.Client and the case's), a case for a client already registered,
the case's facts, closing, housing placements, authority contacts, deadlines and the return
home. The services check every rule again; the forms refuse what they can see at once."""

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Div, Layout, Submit
from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from clients.models import Gender
from prostenhet.forms import DateField, IntegerField, autocomplete_off

from ..models import (
    ArrangedBy,
    Authority,
    Country,
    DeadlineKind,
    HousingProvider,
    IdentifiedBy,
    ReturnState,
)
from .raids import DATE_INPUT

__all__ = [
    "CaseForm",
    "CloseCaseForm",
    "ContactForm",
    "DeadlineDoneForm",
    "DeadlineForm",
    "EndPlacementForm",
    "NewPersonCaseForm",
    "PlacementForm",
    "ReturnForm",
]

FUTURE = _("Datumet kan inte vara i framtiden.")


def _not_future(form, name):
    day = form.cleaned_data.get(name)
    if day and day > timezone.localdate():
        form.add_error(name, FUTURE)


def _helper(form, layout, label):
    form.helper = FormHelper()
    form.helper.layout = Layout(*layout)
    form.helper.add_input(Submit("submit", label))
    autocomplete_off(form)


class CaseForm(forms.Form):
    """The case's facts: where the person comes from, how and when identified, domestic."""

    country_of_origin = forms.ChoiceField(label=_("Ursprungsland"), choices=Country.choices,
                                          initial=Country.UNKNOWN)
    identified_on = DateField(label=_("Identifierad"), widget=DATE_INPUT)
    identified_by = forms.ChoiceField(label=_("Hur personen identifierades"),
                                      choices=IdentifiedBy.choices)
    domestic = forms.BooleanField(
        label=_("Inhemsk människohandel"), required=False,
        help_text=_("En svensk medborgare som utnyttjats i Sverige."),
    )
    version = IntegerField(required=False, widget=forms.HiddenInput)

    case_layout = [
        Div(Div("country_of_origin", css_class="col-md-4"),
            Div("identified_on", css_class="col-md-4"),
            Div("identified_by", css_class="col-md-4"), css_class="row"),
        "domestic", "version",
    ]

    def __init__(self, *args, raid=None, submit_label=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.raid = raid
        self.fields["identified_on"].initial = raid.date if raid else timezone.localdate()
        if raid is not None:
            self.fields["identified_by"].initial = IdentifiedBy.RAID
            self.fields["identified_by"].disabled = True
        _helper(self, self.layout(), submit_label or _("Spara"))

    def layout(self):
        return self.case_layout

    def clean(self):
        cleaned = super().clean()
        _not_future(self, "identified_on")
        if self.raid is not None:
            cleaned["identified_by"] = IdentifiedBy.RAID
        if cleaned.get("domestic") and cleaned.get("country_of_origin") not in (
            None, Country.SE
        ):
            self.add_error("country_of_origin", _(
                "Inhemsk människohandel gäller en svensk medborgare som utnyttjats i Sverige: "
                "ursprungslandet är då Sverige."))
        return cleaned

    def case_fields(self):
        data = self.cleaned_data
        return {name: data[name] for name in
                ("country_of_origin", "identified_on", "identified_by", "domestic")}


class NewPersonCaseForm(CaseForm):
    """A new person: the registry's fields (alias, gender, birth year, languages, interpreter
    need: the client's own) and the case's. Adults only (clients.services.check_adult)."""

    alias = forms.CharField(
        label=_("Alias"), max_length=100,
        help_text=_("Det personen vill kallas, eller en kod."),
    )
    gender = forms.ChoiceField(label=_("Kön"), choices=Gender.choices,
                               initial=Gender.NOT_STATED)
    birth_year = IntegerField(
        label=_("Födelseår"), required=False, min_value=1900,
        error_messages={"min_value": _("Ange ett rimligt födelseår."),
                        "invalid": _("Ange ett årtal.")},
    )
    languages = forms.CharField(label=_("Språk"), required=False, max_length=200,
                                help_text=_("Det första språket används när en tolk bokas."))
    interpreter_needed = forms.BooleanField(label=_("Behöver tolk"), required=False)

    def layout(self):
        return [
            Div(Div("alias", css_class="col-md-5"), Div("gender", css_class="col-md-4"),
                Div("birth_year", css_class="col-md-3"), css_class="row"),
            Div(Div("languages", css_class="col-md-8"),
                Div("interpreter_needed", css_class="col-md-4 pt-md-4"), css_class="row"),
            *self.case_layout,
        ]

    def clean_birth_year(self):
        year = self.cleaned_data.get("birth_year")
        if year and year > timezone.localdate().year:
            raise forms.ValidationError(_("Födelseåret kan inte vara i framtiden."))
        return year

    def client_fields(self):
        data = self.cleaned_data
        fields = {"gender": data["gender"], "languages": data["languages"].strip(),
                  "interpreter_needed": data["interpreter_needed"]}
        if data.get("birth_year"):
            fields["birth_year"] = data["birth_year"]
        return fields


class CloseCaseForm(forms.Form):
    closed_on = DateField(label=_("Avslutat"), widget=DATE_INPUT)
    version = IntegerField(widget=forms.HiddenInput)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["closed_on"].initial = timezone.localdate()
        _helper(self, ["closed_on", "version"], _("Avsluta ärendet"))

    def clean(self):
        cleaned = super().clean()
        _not_future(self, "closed_on")
        return cleaned


class PlacementForm(forms.Form):
    provider = forms.ModelChoiceField(
        queryset=HousingProvider.objects.none(), label=_("Boende"),
        help_text=_("Välj anordnaren. Det skyddade boendets adress registreras aldrig."),
        error_messages={"invalid_choice": _("Välj ett av boendena i listan.")},
    )
    starts_on = DateField(label=_("Från och med"), widget=DATE_INPUT)
    ends_on = DateField(label=_("Till och med"), widget=DATE_INPUT, required=False,
                              help_text=_("Lämna tomt medan placeringen pågår."))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["provider"].queryset = HousingProvider.objects.filter(active=True)
        self.fields["starts_on"].initial = timezone.localdate()
        _helper(self, [
            "provider",
            Div(Div("starts_on", css_class="col-md-6"), Div("ends_on", css_class="col-md-6"),
                css_class="row"),
        ], _("Spara placeringen"))

    def clean(self):
        cleaned = super().clean()
        starts, ends = cleaned.get("starts_on"), cleaned.get("ends_on")
        if starts and ends and ends < starts:
            self.add_error("ends_on", _("Placeringen kan inte sluta före den börjar."))
        return cleaned


class EndPlacementForm(forms.Form):
    ends_on = DateField(label=_("Till och med"), widget=DATE_INPUT)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["ends_on"].initial = timezone.localdate()
        _helper(self, ["ends_on"], _("Avsluta placeringen"))


class ContactForm(forms.Form):
    authority = forms.ChoiceField(label=_("Myndighet"), choices=Authority.choices)
    date = DateField(label=_("Datum"), widget=DATE_INPUT)
    purpose = forms.CharField(label=_("Syfte"), max_length=200)
    outcome = forms.CharField(label=_("Resultat"), required=False, max_length=2000,
                              widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["date"].initial = timezone.localdate()
        _helper(self, [
            Div(Div("authority", css_class="col-md-6"), Div("date", css_class="col-md-6"),
                css_class="row"),
            "purpose", "outcome",
        ], _("Spara kontakten"))

    def clean(self):
        cleaned = super().clean()
        _not_future(self, "date")
        return cleaned


class DeadlineForm(forms.Form):
    kind = forms.ChoiceField(label=_("Typ"), choices=DeadlineKind.choices)
    ends_on = DateField(label=_("Slutar"), widget=DATE_INPUT)
    note = forms.CharField(label=_("Kommentar"), required=False, max_length=200)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _helper(self, [
            Div(Div("kind", css_class="col-md-6"), Div("ends_on", css_class="col-md-6"),
                css_class="row"),
            "note",
        ], _("Spara tidsfristen"))


class DeadlineDoneForm(forms.Form):
    version = IntegerField(widget=forms.HiddenInput)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _helper(self, ["version"], _("Markera som hanterad"))


class ReturnForm(forms.Form):
    state = forms.ChoiceField(label=_("Status"), choices=ReturnState.choices)
    date = DateField(label=_("Datum"), widget=DATE_INPUT)
    country = forms.ChoiceField(label=_("Land"), choices=Country.choices)
    receiving_organisation = forms.CharField(
        label=_("Mottagande organisation"), required=False, max_length=200,
        help_text=_("Organisationen som tar emot personen i landet."),
    )
    arranged_by = forms.ChoiceField(label=_("Resan ordnad av"), choices=ArrangedBy.choices)
    version = IntegerField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _helper(self, [
            Div(Div("state", css_class="col-md-4"), Div("date", css_class="col-md-4"),
                Div("country", css_class="col-md-4"), css_class="row"),
            Div(Div("receiving_organisation", css_class="col-md-8"),
                Div("arranged_by", css_class="col-md-4"), css_class="row"),
            "version",
        ], _("Spara återvändandet"))

    def clean(self):
        cleaned = super().clean()
        day = cleaned.get("date")
        if cleaned.get("state") == ReturnState.COMPLETED and day and day > timezone.localdate():
            self.add_error("date", _("Ett genomfört återvändande kan inte ha ett datum i "
                                     "framtiden."))
        return cleaned
