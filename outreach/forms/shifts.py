"""Forms of street outreach (see outreach/views/shifts.py): opening a shift, its report and
observations (and closing it), the compact contact form of the shift page (made for a phone),
the search for a registered client and registering a nickname person as a client."""

from datetime import datetime, timedelta

from crispy_forms.bootstrap import InlineRadios
from crispy_forms.helper import FormHelper
from crispy_forms.layout import Div, Field, Layout, Submit
from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from clients.models import AgeBand, Client, ConsentMethod, Gender
from prostenhet.forms import DateField, IntegerField, ModelMultipleChoiceField, autocomplete_off

from ..models import Area, ContactOutcome, MaterialKind, OfferKind
from ..services import NICKNAME_MAX, NOTE_MAX, outreach_team

__all__ = [
    "ClientSearchForm",
    "ContactForm",
    "NicknameRegisterForm",
    "ShiftOpenForm",
    "ShiftReportForm",
    "StaffField",
    "shift_times",
]

DATE_INPUT = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
TIME_INPUT = forms.TimeInput(attrs={"type": "time", "step": 300}, format="%H:%M")
COUNT_ERRORS = {
    "min_value": _("Antalet kan inte vara negativt."),
    "max_value": _("Antalet är orimligt stort."),
    "invalid": _("Ange ett heltal."),
}
# What the contact form offers as perceived gender (of the registry's genders).
PERCEIVED_GENDERS = [
    (Gender.WOMAN, Gender.WOMAN.label),
    (Gender.MAN, Gender.MAN.label),
    (Gender.TRANS_NONBINARY, Gender.TRANS_NONBINARY.label),
    (Gender.NOT_STATED, _("Vet ej")),
]


def count_field(label):
    return IntegerField(label=label, min_value=0, max_value=100_000, initial=0,
                              required=False, error_messages=COUNT_ERRORS,
                              widget=forms.NumberInput(attrs={"inputmode": "numeric"}))


def shift_times(day, starts, ends):
    """(starts_at, ends_at) of a shift on `day` from `starts` to `ends`: an end at or before
    the start is the next day (a night shift passes midnight)."""
    starts_at = timezone.make_aware(datetime.combine(day, starts))
    end_day = day if ends > starts else day + timedelta(days=1)
    return starts_at, timezone.make_aware(datetime.combine(end_day, ends))


class StaffField(forms.ModelMultipleChoiceField):
    def __init__(self, **kwargs):
        kwargs.setdefault("label", _("Personal"))
        super().__init__(
            queryset=outreach_team(), to_field_name="public_id",
            widget=forms.CheckboxSelectMultiple,
            error_messages={"invalid_choice": _("Välj bland uppsökarna."),
                            "required": _("Välj vilka som arbetade.")},
            **kwargs,
        )

    def label_from_instance(self, obj):
        return str(obj)


class ShiftOpenForm(forms.Form):
    """A shift: the day, from and to (a night shift passes midnight), the staff and the areas."""

    date = DateField(label=_("Datum"), widget=DATE_INPUT)
    starts = forms.TimeField(label=_("Från"), widget=TIME_INPUT)
    ends = forms.TimeField(
        label=_("Till"), widget=TIME_INPUT,
        help_text=_("Slutar passet efter midnatt räknas sluttiden till nästa dag. Ett pass är "
                    "högst 16 timmar."),
    )
    staff = StaffField()
    areas = ModelMultipleChoiceField(
        queryset=Area.objects.filter(active=True), label=_("Områden"), required=False,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"invalid_choice": _("Välj bland områdena.")},
    )

    submit_label = _("Starta passet")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.layout = Layout(
            Div(Div("date", css_class="col-12 col-sm-4"), Div("starts", css_class="col-6 col-sm-4"),
                Div("ends", css_class="col-6 col-sm-4"), css_class="row"),
            "staff", "areas", *self.extra_layout(),
        )
        self.helper.add_input(Submit("submit", self.submit_label))
        autocomplete_off(self)

    def extra_layout(self):
        return []

    def clean(self):
        cleaned = super().clean()
        day, starts, ends = cleaned.get("date"), cleaned.get("starts"), cleaned.get("ends")
        if day and starts and ends:
            cleaned["starts_at"], cleaned["ends_at"] = shift_times(day, starts, ends)
        return cleaned

    def shift_fields(self):
        data = self.cleaned_data
        return {"starts_at": data["starts_at"], "ends_at": data["ends_at"],
                "staff": list(data["staff"]), "areas": list(data["areas"])}


class ShiftReportForm(ShiftOpenForm):
    """The shift with its report, observations and material: saved (or saved and closed)."""

    report = forms.CharField(
        label=_("Passrapport"), required=False, max_length=2000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Kort om miljön: hur många som var ute, stämningen, förändringar. "
                    "Aldrig om namngivna personer."),
    )
    seen_women = count_field(_("Säljande, kvinnor"))
    seen_men = count_field(_("Säljande, män"))
    seen_trans = count_field(_("Säljande, trans/icke-binära"))
    buyers_seen = count_field(_("Köpare"))
    version = IntegerField(widget=forms.HiddenInput)

    submit_label = _("Spara")

    def __init__(self, *args, shift=None, close=False, **kwargs):
        self.kinds = list(MaterialKind.objects.filter(active=True))
        if shift is not None:
            start, end = timezone.localtime(shift.starts_at), timezone.localtime(shift.ends_at)
            if close:  # closing early: the end is now (the next whole minute)
                now = timezone.localtime().replace(second=0, microsecond=0)
                now += timedelta(minutes=1)
                if start < now < end:
                    end = now
            given = {m.kind_id: m.count for m in shift.materials.all()}
            initial = {
                "date": start.date(), "starts": start.time().replace(second=0, microsecond=0),
                "ends": end.time().replace(second=0, microsecond=0),
                "staff": [person.public_id for person in shift.staff.all()],
                "areas": [area.pk for area in shift.areas.all()],
                "report": shift.report, "seen_women": shift.seen_women,
                "seen_men": shift.seen_men, "seen_trans": shift.seen_trans,
                "buyers_seen": shift.buyers_seen, "version": shift.version,
                **{f"material_{kind.pk}": given.get(kind.pk, 0) for kind in self.kinds},
            }
            kwargs["initial"] = {**initial, **kwargs.get("initial", {})}
        if close:
            self.submit_label = _("Avsluta passet")
        super().__init__(*args, **kwargs)
        for kind in self.kinds:
            self.fields[f"material_{kind.pk}"] = count_field(kind.name)
        autocomplete_off(self)

    def extra_layout(self):
        kinds = getattr(self, "kinds", [])
        return [
            "report",
            Div(Div("seen_women", css_class="col-6 col-md-3"),
                Div("seen_men", css_class="col-6 col-md-3"),
                Div("seen_trans", css_class="col-6 col-md-3"),
                Div("buyers_seen", css_class="col-6 col-md-3"), css_class="row"),
            Div(*[Div(f"material_{kind.pk}", css_class="col-6 col-md-3") for kind in kinds],
                css_class="row"),
            "version",
        ]

    def shift_fields(self):
        data = self.cleaned_data
        return {
            **super().shift_fields(), "report": data["report"],
            "expected_version": data["version"],
            **{name: data[name] or 0 for name in
               ("seen_women", "seen_men", "seen_trans", "buyers_seen")},
            "materials": {kind: data.get(f"material_{kind.pk}") or 0 for kind in self.kinds},
        }


class ClientSearchForm(forms.Form):
    """Find a registered client of outreach by the beginning of the alias."""

    q = forms.CharField(label=_("Registrerad klient: sök på alias"), max_length=100,
                        widget=forms.TextInput(attrs={"type": "search"}))

    def __init__(self, *args, action="", **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.form_action = action
        self.helper.form_class = "d-flex gap-2 align-items-end"
        self.helper.layout = Layout(Field("q", wrapper_class="flex-grow-1 mb-0"))
        self.helper.add_input(Submit("search", _("Sök")))
        autocomplete_off(self)


class ContactForm(forms.Form):
    """A contact in under a minute: first or repeat; a registered client found by search, or
    anonymous with perceived gender, age band, language and an optional nickname; what was
    offered and the outcome."""

    first_contact = forms.TypedChoiceField(
        label=_("Kontakt"), coerce=lambda value: value == "first", initial="first",
        choices=[("first", _("Första")), ("repeat", _("Återkommande"))],
        widget=forms.RadioSelect,
    )
    client = forms.ModelChoiceField(
        queryset=Client.objects.none(), to_field_name="public_id", required=False,
        label=_("Registrerad klient"), empty_label=_("Ingen – anonym"),
        widget=forms.RadioSelect,
        error_messages={"invalid_choice": _("Du kan inte välja den klienten.")},
    )
    nickname = forms.CharField(
        label=_("Smeknamn"), required=False, max_length=NICKNAME_MAX,
        help_text=_("Teamets namn på personen: välj ett som finns eller skriv ett nytt."),
        widget=forms.TextInput(attrs={"list": "nicknames"}),
    )
    perceived_gender = forms.ChoiceField(label=_("Kön (uppfattat)"), choices=PERCEIVED_GENDERS,
                                         initial=Gender.NOT_STATED, widget=forms.RadioSelect)
    age_band = forms.ChoiceField(label=_("Ålder"), choices=AgeBand.choices,
                                 initial=AgeBand.UNKNOWN)
    language = forms.CharField(label=_("Språk"), required=False, max_length=60,
                               widget=forms.TextInput(attrs={"list": "languages"}))
    offered = forms.MultipleChoiceField(label=_("Erbjudet"), choices=OfferKind.choices,
                                        required=False, widget=forms.CheckboxSelectMultiple)
    outcome = forms.ChoiceField(label=_("Utfall"), choices=ContactOutcome.choices,
                                initial=ContactOutcome.INFORMATION)
    note = forms.CharField(label=_("Kommentar"), required=False, max_length=NOTE_MAX,
                           help_text=_("Kort. Inget som identifierar någon."))

    def __init__(self, *args, clients=(), clients_queryset=None, action="", **kwargs):
        kwargs.setdefault("auto_id", "id_contact_%s")
        super().__init__(*args, **kwargs)
        field = self.fields["client"]
        if clients_queryset is not None:
            field.queryset = clients_queryset
        # Only the clients the search found are offered (already loaded: no query).
        field.choices = [("", field.empty_label)] + [
            (c.public_id, f"{c.alias} ({c.birth_year})" if c.birth_year else c.alias)
            for c in clients
        ]
        self.helper = FormHelper()
        self.helper.form_action = action
        self.helper.form_id = "contact-form"
        names = [InlineRadios("first_contact")]
        if clients:
            names.append("client")
        else:
            del self.fields["client"]
        names += [
            "nickname", InlineRadios("perceived_gender"),
            Div(Div("age_band", css_class="col-6"), Div("language", css_class="col-6"),
                css_class="row"),
            "offered", "outcome", "note",
        ]
        self.helper.layout = Layout(*names)
        self.helper.add_input(Submit("submit", _("Spara kontakten"),
                                     css_class="btn btn-primary w-100"))
        autocomplete_off(self)

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("client") is not None and (cleaned.get("nickname") or "").strip():
            self.add_error("nickname", _("Välj antingen en registrerad klient eller ett "
                                         "smeknamn, inte båda."))
        return cleaned

    def contact_fields(self):
        data = self.cleaned_data
        return {
            "first_contact": data["first_contact"], "client": data.get("client"),
            "nickname": data["nickname"], "perceived_gender": data["perceived_gender"],
            "age_band": data["age_band"], "language": data["language"],
            "offered": data["offered"], "outcome": data["outcome"], "note": data["note"],
        }


class NicknameRegisterForm(forms.Form):
    """The person the team calls by a nickname agrees to be registered as a client."""

    alias = forms.CharField(label=_("Alias"), max_length=100,
                            help_text=_("Vad personen vill kallas. Förifyllt med smeknamnet."))
    birth_year = IntegerField(label=_("Födelseår"), required=False, min_value=1900,
                                    max_value=2100,
                                    error_messages={"min_value": _("Ange ett rimligt år."),
                                                    "max_value": _("Ange ett rimligt år.")})
    gender = forms.ChoiceField(label=_("Kön"), choices=Gender.choices, initial=Gender.NOT_STATED)
    languages = forms.CharField(label=_("Språk"), required=False, max_length=200)
    consent_method = forms.ChoiceField(
        label=_("Personens samtycke till att registreras"), choices=ConsentMethod.choices,
        widget=forms.RadioSelect,
        error_messages={"required": _("Personen måste samtycka till att registreras.")},
        help_text=_("Fråga personen. Utan samtycke registreras ingen."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.add_input(Submit("submit", _("Registrera som klient")))
        autocomplete_off(self)

    def clean_birth_year(self):
        year = self.cleaned_data.get("birth_year")
        if year is not None and year > timezone.localdate().year:
            raise forms.ValidationError(_("Födelseåret kan inte vara i framtiden."))
        return year

    def client_fields(self):
        data = self.cleaned_data
        fields = {"alias": data["alias"], "gender": data["gender"],
                  "languages": data["languages"].strip()}
        if data.get("birth_year"):
            fields["birth_year"] = data["birth_year"]
        return fields
