"""The form of buyers reached (see kast/views/outreach.py): a count per shift or month."""

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from clients.forms.records import DATE_INPUT
from prostenhet.forms import DateField, IntegerField, autocomplete_off, submit_helper

from ..models import OutreachKind, OutreachPeriod
from ..services import MAX_COUNT

__all__ = ["BuyerOutreachForm"]


class BuyerOutreachForm(forms.Form):
    kind = forms.ChoiceField(label=_("Vad som räknats"), choices=OutreachKind.choices,
                             widget=forms.RadioSelect)
    period = forms.ChoiceField(
        label=_("Avser"), choices=OutreachPeriod.choices, widget=forms.RadioSelect,
        initial=OutreachPeriod.SHIFT,
        help_text=_("För en månad räcker ett datum i månaden."),
    )
    day = DateField(label=_("Datum"), widget=DATE_INPUT)
    count = IntegerField(
        label=_("Antal"), min_value=0, max_value=MAX_COUNT,
        error_messages={"min_value": _("Antalet kan inte vara negativt."),
                        "max_value": _("Antalet är orimligt stort.")},
    )
    note = forms.CharField(
        label=_("Kommentar"), max_length=300, required=False,
        help_text=_("Bara om arbetet, aldrig om enskilda personer."),
    )
    version = IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, submit_label, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = submit_helper(submit_label)
        autocomplete_off(self)

    def clean_day(self):
        day = self.cleaned_data["day"]
        if day > timezone.localdate():
            raise forms.ValidationError(_("Datumet har inte varit än."))
        return day
