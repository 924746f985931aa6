"""The outreach "Stöd och samordning" form: a support action for a registered client, written
and signed as an entry of the client's outreach journal (services.support)."""

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Submit
from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from prostenhet.forms import DateField, autocomplete_off

from ..models import Authority, SupportKind

__all__ = ["SupportActionForm"]

DATE_INPUT = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class SupportActionForm(forms.Form):
    kind = forms.ChoiceField(label=_("Stödinsats"), choices=SupportKind.choices,
                             widget=forms.RadioSelect)
    authority = forms.ChoiceField(
        label=_("Myndighet eller organisation"), required=False,
        choices=[("", "—"), *Authority.choices],
        help_text=_("Vid kontakt med en myndighet och när ni följt med till ett möte."),
    )
    event_date = DateField(label=_("Datum"), widget=DATE_INPUT)
    text = forms.CharField(
        label=_("Vad gjordes"), max_length=5000, widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Kort: vad som gjordes och vad som avtalades. Anteckningen signeras när "
                    "du sparar."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["event_date"].initial = timezone.localdate()
        self.helper = FormHelper()
        self.helper.add_input(Submit("submit", _("Spara och signera")))
        autocomplete_off(self)

    def clean_event_date(self):
        day = self.cleaned_data["event_date"]
        if day > timezone.localdate():
            raise forms.ValidationError(_("Datumet kan inte vara i framtiden."))
        return day
