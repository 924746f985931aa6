"""Forms for the counselling queue (see clients/views/queue.py). Every change form carries the
version of the row it was made from, so that a change made meanwhile by someone else is
refused (services.queue) instead of overwritten."""

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from prostenhet.forms import DateField, IntegerField, autocomplete_off, submit_helper
from prostenhet.models import User
from prostenhet.roles import Role, UnitCode

from .. import access
from ..models import CounsellorGender, QueueEntry, QueueRemoval, QueueSource, Room, Weekday

__all__ = [
    "QueueAddForm", "QueueMoveForm", "QueueOfferForm", "QueueRemoveForm", "active_counsellors",
    "version_initial",
]

DATE_INPUT = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class VersionField(IntegerField):
    """The version of the row the form was made from (hidden)."""

    def __init__(self, **kwargs):
        super().__init__(widget=forms.HiddenInput, min_value=1, **kwargs)


class QueueAddForm(forms.Form):
    added_on = DateField(label=_("Satt i kö"), widget=DATE_INPUT,
                               initial=timezone.localdate)
    source = forms.ChoiceField(label=_("Kommer från"), choices=QueueSource.choices)
    language = forms.CharField(label=_("Språk"), max_length=60, required=False)
    interpreter_needed = forms.BooleanField(label=_("Behöver tolk"), required=False)
    counsellor_gender = forms.ChoiceField(
        label=_("Önskar behandlare"), choices=CounsellorGender.choices, required=False
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = submit_helper(_("Sätt i kö"))
        autocomplete_off(self)

    def clean_added_on(self):
        added_on = self.cleaned_data["added_on"]
        if added_on > timezone.localdate():
            raise forms.ValidationError(_("Datumet kan inte vara i framtiden."))
        return added_on


class QueueMoveForm(forms.Form):
    to_place = IntegerField(label=_("Ny plats"), min_value=1,
                                  help_text=_("1 är först i kön."))
    reason = forms.CharField(
        label=_("Skäl"), max_length=300, widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Skälet sparas och visas på kösidan. Skriv inget om klientens ärende."),
    )
    version = VersionField()

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = submit_helper(_("Flytta"))
        autocomplete_off(self)


def active_counsellors():
    """Active counsellors working in counselling (whom a place can be offered to)."""
    return (
        User.objects.filter(is_active=True, groups__name=Role.COUNSELLOR)
        .filter(groups__name=access.unit_group_name(UnitCode.COUNSELLING))
        .order_by("first_name", "last_name", "pk")
        .distinct()
    )


class QueueOfferForm(forms.Form):
    """A place with a counsellor; with the weekday and time already agreed, the session
    contract starts at once (from the start date to the term's end)."""

    counsellor = forms.ModelChoiceField(label=_("Behandlare"), queryset=User.objects.none())
    weekday = forms.TypedChoiceField(
        label=_("Veckodag"), choices=[("", _("Inte överenskommen än"))] + Weekday.choices,
        coerce=int, empty_value=None, required=False,
    )
    start_time = forms.TimeField(
        label=_("Tid"), required=False,
        widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
    )
    minutes = IntegerField(label=_("Längd (minuter)"), min_value=15, max_value=240,
                                 initial=60, required=False)
    room = forms.ModelChoiceField(label=_("Rum"), queryset=Room.objects.none(), required=False)
    starts_on = DateField(
        label=_("Från"), required=False, widget=forms.DateInput(attrs={"type": "date"}),
        help_text=_("Kontraktet gäller terminen ut (vår: januari–juni, höst: augusti–december)."),
    )
    version = VersionField()

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["counsellor"].queryset = active_counsellors()
        self.fields["room"].queryset = Room.objects.filter(
            active=True, unit=UnitCode.COUNSELLING
        )
        self.helper = submit_helper(_("Erbjud plats"))

    def clean(self):
        cleaned = super().clean()
        weekday, start_time = cleaned.get("weekday"), cleaned.get("start_time")
        if (weekday is None) != (start_time is None):
            self.add_error(
                "start_time" if start_time is None else "weekday",
                _("Ange både veckodag och tid för att starta samtalskontraktet, eller ingen av "
                  "dem."),
            )
        return cleaned

    @staticmethod
    def contract(data):
        """The contract's slot from the cleaned data, or None when none was agreed."""
        if data.get("weekday") is None:
            return None
        return {
            "weekday": data["weekday"], "start_time": data["start_time"],
            "minutes": data.get("minutes") or 60, "room": data.get("room"),
            "starts_on": data.get("starts_on") or timezone.localdate(),
        }


class QueueRemoveForm(forms.Form):
    reason = forms.ChoiceField(
        label=_("Skäl"),
        choices=[c for c in QueueRemoval.choices if c[0] != QueueRemoval.OFFERED],
    )
    version = VersionField()

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = submit_helper(_("Ta bort ur kön"), danger=True)


def version_initial(entry: QueueEntry, seen):
    """The version a change form starts from: the one the queue page showed (seen, from the
    link), or the row's current one."""
    try:
        seen = int(seen)
    except (TypeError, ValueError):
        return entry.version
    return seen if seen >= 1 else entry.version
