"""Forms for counselling (see clients/views/counselling.py): session contracts, their
single sessions, goals and their evaluation, and the session note written from a booking."""

from django import forms
from django.utils.translation import gettext_lazy as _

from prostenhet.forms import DateField, IntegerField, autocomplete_off, submit_helper

from ..models import (
    BookingStatus,
    EntryKind,
    GoalOutcome,
    Room,
    SessionMethod,
    SessionTheme,
    Weekday,
)
from ..services.counselling import GoalDecision
from .records import DATE_INPUT, EntryForm

__all__ = [
    "ContractForm",
    "ContractEndForm",
    "SessionCancelForm",
    "VersionConfirmForm",
    "GoalForm",
    "GoalEvaluationForm",
    "SessionNoteForm",
]


class ContractForm(forms.Form):
    """A contract's weekly slot and its start (the term follows from the start date)."""

    weekday = forms.TypedChoiceField(label=_("Veckodag"), choices=Weekday.choices, coerce=int)
    start_time = forms.TimeField(
        label=_("Tid"), widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M")
    )
    minutes = IntegerField(label=_("Längd (minuter)"), min_value=15, max_value=240,
                                 initial=60)
    room = forms.ModelChoiceField(label=_("Rum"), queryset=Room.objects.none(), required=False)
    starts_on = DateField(
        label=_("Från"), widget=DATE_INPUT,
        help_text=_("Kontraktet gäller terminen ut (vår: januari–juni, höst: augusti–december)."),
    )
    version = IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, unit, submit_label, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["room"].queryset = Room.objects.filter(active=True, unit=unit)
        self.helper = submit_helper(submit_label)


class ContractEndForm(forms.Form):
    reason = forms.CharField(label=_("Skäl"), max_length=300)
    version = IntegerField(widget=forms.HiddenInput)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = submit_helper(_("Avsluta kontraktet"), danger=True)
        autocomplete_off(self)


class SessionCancelForm(forms.Form):
    """Cancel one session of a contract (holiday, illness): by the unit or by the client."""

    status = forms.ChoiceField(
        label=_("Vem avbokar?"), widget=forms.RadioSelect,
        choices=[
            (BookingStatus.CANCELLED_BY_UNIT, _("Enheten (t.ex. semester, sjukdom)")),
            (BookingStatus.CANCELLED_BY_CLIENT, _("Klienten")),
        ],
    )
    version = IntegerField(widget=forms.HiddenInput)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = submit_helper(_("Avboka samtalet"), danger=True)


class VersionConfirmForm(forms.Form):
    """A confirmation that names the version of the row the user saw."""

    version = IntegerField(widget=forms.HiddenInput)

    def __init__(self, *args, submit_label, danger=False, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = submit_helper(submit_label, danger=danger)


class GoalForm(forms.Form):
    text = forms.CharField(label=_("Mål"), max_length=500,
                           widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = submit_helper(_("Lägg till mål"))
        autocomplete_off(self)


class GoalEvaluationForm(forms.Form):
    outcome = forms.ChoiceField(label=_("Utvärdering"), choices=GoalOutcome.choices,
                                widget=forms.RadioSelect)
    comment = forms.CharField(label=_("Kommentar"), max_length=2000,
                              widget=forms.Textarea(attrs={"rows": 3}))
    decision = forms.ChoiceField(
        label=_("Och sedan"), widget=forms.RadioSelect,
        choices=[
            (GoalDecision.KEEP, _("Behåll målet nästa termin")),
            (GoalDecision.REVISE, _("Omformulera målet")),
            (GoalDecision.CLOSE, _("Avsluta målet")),
        ],
    )
    new_text = forms.CharField(
        label=_("Det omformulerade målet"), max_length=500, required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    version = IntegerField(widget=forms.HiddenInput)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = submit_helper(_("Spara utvärderingen"))
        autocomplete_off(self)

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("decision") == GoalDecision.REVISE and not cleaned.get("new_text"):
            self.add_error("new_text", _("Skriv det omformulerade målet."))
        return cleaned


class SessionNoteForm(EntryForm):
    """A session note written from its booking: the entry's draft with the themes the
    session worked with and the parts of the method it used."""

    themes = forms.MultipleChoiceField(
        label=_("Teman"), choices=SessionTheme.choices, required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    methods = forms.MultipleChoiceField(
        label=_("Metod"), choices=SessionMethod.choices, required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = [(EntryKind.SESSION, EntryKind.SESSION.label)]
        self.initial.setdefault("themes", list(self.instance.themes or []))
        self.initial.setdefault("methods", list(self.instance.methods or []))

    def draft_fields(self):
        fields = super().draft_fields()
        # In the order of the choices, so that the same choice saves as no change.
        fields["themes"] = [v for v in SessionTheme.values if v in self.cleaned_data["themes"]]
        fields["methods"] = [
            v for v in SessionMethod.values if v in self.cleaned_data["methods"]
        ]
        return fields
