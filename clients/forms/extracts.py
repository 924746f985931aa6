"""Forms of the client's register extract: make one, find the client (managers), withhold an
item or a passage, take a withholding back, release."""

from crispy_forms.helper import FormHelper
from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from prostenhet.forms import DateField, IntegerField, autocomplete_off, submit_helper

from ..models import WithholdingReason
from .records import DATE_INPUT, optional_identity_number

__all__ = [
    "ExtractCreateForm", "ExtractReleaseForm", "ExtractSearchForm", "UndoWithholdingForm",
    "WithholdForm",
]


class ExtractCreateForm(forms.Form):
    requested_on = DateField(
        label=_("Dag då klienten begärde utdraget"), widget=DATE_INPUT,
        initial=timezone.localdate,
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = submit_helper(_("Ta fram utdraget"))


class ExtractSearchForm(forms.Form):
    """The client by exact identity number, or by alias and birth year together."""

    identity_number = forms.CharField(
        label=_("Personnummer"), max_length=20, required=False,
        help_text=_("Exakt personnummer eller samordningsnummer."),
    )
    alias = forms.CharField(label=_("Alias"), max_length=100, required=False)
    birth_year = IntegerField(
        label=_("Födelseår"), required=False, min_value=1900, max_value=2100
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = submit_helper(_("Sök"))
        autocomplete_off(self)

    def clean_identity_number(self):
        return optional_identity_number(self.cleaned_data["identity_number"])

    def clean(self):
        data = super().clean()
        if not data.get("identity_number") and not (
            data.get("alias", "").strip() and data.get("birth_year")
        ) and not self.errors:
            raise forms.ValidationError(
                _("Ange personnummer, eller alias och födelseår.")
            )
        return data

    @property
    def term(self):
        """What the search was, as it may be logged (never an identity number)."""
        if self.cleaned_data.get("identity_number"):
            return ""
        return f"{self.cleaned_data['alias'].strip()} {self.cleaned_data['birth_year']}"


class WithholdForm(forms.Form):
    """Withhold one item of the extract, or only a passage of its text."""

    item_key = forms.CharField(widget=forms.HiddenInput, max_length=100)
    passage = forms.CharField(
        label=_("Text att undanta"), required=False, max_length=5000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Klistra in exakt den text som ska undantas. Lämna tomt för att undanta "
                    "hela uppgiften."),
    )
    reason = forms.ChoiceField(label=_("Skäl"), choices=WithholdingReason.choices)
    note = forms.CharField(
        label=_("Kommentar"), required=False, max_length=300,
        help_text=_("Krävs för skälet \"Annat skäl\". Visas inte för klienten."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.disable_csrf = True
        autocomplete_off(self)


class UndoWithholdingForm(forms.Form):
    withholding = IntegerField(widget=forms.HiddenInput)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.disable_csrf = True


class ExtractReleaseForm(forms.Form):
    # What the reviewer saw (services.extracts.digest): the release is refused if the extract
    # has changed since (a new entry, a result), so that nothing is released unreviewed.
    reviewed = forms.CharField(widget=forms.HiddenInput, max_length=64)
    confirm = forms.BooleanField(
        label=_("Jag har sekretessprövat hela utdraget. Efter frisläppandet kan det inte "
                "ändras."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.disable_csrf = True
