"""Forms for referrals (see clients/views/referrals.py)."""

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from prostenhet.forms import ConfirmForm, IntegerField, autocomplete_off, submit_helper
from prostenhet.roles import UnitCode

from ..models import ConsentMethod

__all__ = ["ReferralAnswerForm", "ReferralConfirmForm", "ReferralCreateForm"]


def _units(units):
    return [(u.value, u.label) for u in UnitCode if u in units and u != UnitCode.KAST]


class ReferralCreateForm(forms.Form):
    from_unit = forms.ChoiceField(label=_("Från"))
    to_unit = forms.ChoiceField(label=_("Till"))
    message = forms.CharField(
        label=_("Remisstext"), max_length=2000, widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("Det här är allt den mottagande verksamhetsdelen ser innan den tar emot "
                    "remissen (utöver klientens alias)."),
    )
    consent_method = forms.ChoiceField(
        label=_("Klientens samtycke"), required=False,
        choices=[("", _("Samtycke finns redan registrerat")), *ConsentMethod.choices],
        help_text=_("Finns inget samtycke för de två verksamhetsdelarna: fråga klienten och "
                    "ange hur samtycket ges nu. Det registreras när remissen skickas."),
    )

    def __init__(self, *args, from_units, **kwargs):
        """from_units: the user's own units where the client is enrolled. Any other unit
        (KAST excepted) may be named as receiver, so the choices tell nothing about where
        else the person is a client."""
        super().__init__(*args, **kwargs)
        self.fields["from_unit"].choices = _units(from_units)
        self.fields["to_unit"].choices = _units(set(UnitCode))
        self.helper = submit_helper(_("Skicka remissen"))
        autocomplete_off(self)

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("from_unit") and cleaned.get("from_unit") == cleaned.get("to_unit"):
            self.add_error("to_unit", _("En remiss går till en annan verksamhetsdel."))
        return cleaned


class ReferralAnswerForm(forms.Form):
    ACCEPT, DECLINE = "accept", "decline"

    decision = forms.ChoiceField(
        label=_("Svar"), widget=forms.RadioSelect,
        choices=[(ACCEPT, pgettext_lazy("referral", "Ta emot")), (DECLINE, _("Avböj"))],
    )
    reason = forms.CharField(
        label=_("Skäl (om remissen avböjs)"), max_length=300, required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    version = IntegerField(widget=forms.HiddenInput, min_value=1)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = submit_helper(_("Svara"))
        autocomplete_off(self)

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("decision") == self.DECLINE and not cleaned.get("reason", "").strip():
            self.add_error("reason", _("Ange varför remissen avböjs."))
        return cleaned


class ReferralConfirmForm(ConfirmForm):
    """A confirmation (withdraw, done) that carries the referral's version."""

    version = IntegerField(widget=forms.HiddenInput, min_value=1)
