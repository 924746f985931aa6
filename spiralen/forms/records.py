"""Forms of the patient record (see spiralen/views/records.py): the encounter editor (a
journal entry's draft with the encounter's fields) and the sample steps."""

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from clients.forms import EntryForm
from clients.forms.records import DATE_INPUT
from prostenhet.forms import DateField, DateTimeField, IntegerField, autocomplete_off, submit_helper

from ..models import EncounterKind, InformedHow, SampleKind, SampleResult

__all__ = [
    "EncounterForm",
    "SampleInformedForm",
    "SampleNotifiedForm",
    "SamplePlanForm",
    "SampleResultForm",
    "SampleSentForm",
]

DATETIME_INPUT = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")


class EncounterForm(EntryForm):
    """An encounter's draft: the journal entry's date and text (the findings) with the
    encounter's kind, actions, a postponed examination and the samples to take. Autosaved and
    signed like every draft (clients' EntryForm)."""

    kind = forms.ChoiceField(label=_("Besökets art"), choices=EncounterKind.choices)
    actions = forms.CharField(
        label=_("Åtgärder"), required=False, max_length=20_000,
        widget=forms.Textarea(attrs={"rows": 5}),
    )
    examination_postponed = forms.BooleanField(
        label=_("Undersökningen erbjöds men sköts upp"), required=False,
        help_text=_("Patienten bestämmer takten: undersökningen erbjuds igen vid ett senare "
                    "besök."),
    )
    sample_kinds = forms.MultipleChoiceField(
        label=_("Prover att ta"), choices=SampleKind.choices, required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Proverna registreras som tagna när anteckningen signeras."),
    )

    class Meta(EntryForm.Meta):
        fields = ["event_date", "text"]

    field_order = ["kind", "event_date", "text", "actions", "examination_postponed",
                   "sample_kinds"]

    def __init__(self, *args, encounter=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = [("", "---------"), *EncounterKind.choices]
        self.fields["text"].label = _("Fynd")
        self.fields["text"].help_text = _("Anamnes, undersökning och bedömning.")
        if encounter is not None:
            self.initial.setdefault("kind", encounter.kind)
            self.initial.setdefault("actions", encounter.actions)
            self.initial.setdefault("examination_postponed", encounter.examination_postponed)
            self.initial.setdefault("sample_kinds", list(encounter.sample_kinds))
        autocomplete_off(self)

    def encounter_fields(self):
        """What services.save_encounter takes from this form."""
        data = self.cleaned_data
        return {
            "editor": data.get("editor") or "",
            "seq": data.get("seq"),
            "expected_version": data.get("version"),
            "kind": data["kind"],
            "event_date": data["event_date"],
            "findings": data["text"],
            "actions": data["actions"],
            "examination_postponed": data["examination_postponed"],
            "sample_kinds": data["sample_kinds"],
        }


class _SampleForm(forms.Form):
    """A sample step names the version of the sample the user saw."""

    version = IntegerField(widget=forms.HiddenInput)
    submit_label = _("Spara")

    def __init__(self, *args, sample, **kwargs):
        kwargs.setdefault("initial", {})
        kwargs["initial"].setdefault("version", sample.version)
        super().__init__(*args, **kwargs)
        self.sample = sample
        self.helper = submit_helper(self.submit_label)
        autocomplete_off(self)


class SampleSentForm(_SampleForm):
    submit_label = _("Provet är skickat")


class SampleResultForm(_SampleForm):
    result = forms.ChoiceField(label=_("Svar"), choices=SampleResult.choices,
                               widget=forms.RadioSelect)
    text = forms.CharField(label=_("Svarstext"), required=False, max_length=2000,
                           widget=forms.Textarea(attrs={"rows": 3}))
    submit_label = _("Registrera svaret")


class SampleInformedForm(_SampleForm):
    how = forms.ChoiceField(label=_("Hur"), choices=InformedHow.choices,
                            widget=forms.RadioSelect)
    at = DateTimeField(label=_("När"), widget=DATETIME_INPUT)
    plan = forms.CharField(
        label=_("Uppföljningsplan"), required=False, max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Behandling, smittspårning, nytt prov: det som patienten fick veta."),
    )
    submit_label = _("Patienten är informerad")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.initial.setdefault("at", timezone.localtime().replace(second=0, microsecond=0))
        if self.sample.result != SampleResult.POSITIVE:
            del self.fields["plan"]
        elif self.sample.follow_up_plan:
            self.fields["plan"].help_text = _(
                "Planen finns redan; skriv här bara om den ska ersättas."
            )


class SamplePlanForm(_SampleForm):
    plan = forms.CharField(label=_("Uppföljningsplan"), max_length=2000,
                           widget=forms.Textarea(attrs={"rows": 4}))
    submit_label = _("Spara planen")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.initial.setdefault("plan", self.sample.follow_up_plan)


class SampleNotifiedForm(_SampleForm):
    notified_on = DateField(label=_("Anmälan gjord"), widget=DATE_INPUT)
    submit_label = _("Registrera anmälan")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.initial.setdefault("notified_on", timezone.localdate())
