import contextlib
import re
import secrets

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Div, Field, Fieldset, Layout, Submit
from django import forms
from django.core.validators import MaxValueValidator
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from prostenhet.forms import DateField, IntegerField, autocomplete_off, submit_helper
from prostenhet.lib import personnummer
from prostenhet.lib.text import phone_digits
from prostenhet.models import User
from prostenhet.roles import Role, UnitCode

from .. import access
from ..models import Client, ConsentMethod, EntryKind, JournalEntry, Quality

DATE_INPUT = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def optional_identity_number(value):
    """A form's identity number, normalised to twelve digits ("" when none is given); a
    number that is not valid is the field's error, in Swedish, without echoing it."""
    value = (value or "").strip()
    if not value:
        return ""
    try:
        return personnummer.normalise(value)
    except personnummer.IdentityNumberError as error:
        raise forms.ValidationError(error.message) from None


class ClientSearchForm(forms.Form):
    q = forms.CharField(
        label=_("Sök klient"), required=False, max_length=100,
        help_text=_("Alias (början), personnummer eller telefonnummer."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # POST, never GET: a search term may be an identity number, which must not reach a
        # URL (and so the browser history and the server's access log).
        self.helper = FormHelper()
        self.helper.add_input(Submit("", _("Sök")))
        autocomplete_off(self)

    def filter_qs(self, qs):
        """Alias prefix; or, for a term of digits, an exact identity number (any accepted
        form) or a phone number."""
        term = self.cleaned_data.get("q", "").strip()
        if not term:
            return qs
        if not re.fullmatch(r"[0-9+\-\s()]+", term):
            return qs.alias_prefix(term)
        condition = Q(pk__in=[])
        with contextlib.suppress(personnummer.IdentityNumberError):
            condition |= Q(identity_number=personnummer.normalise(term))
        digits = phone_digits(term)
        if len(digits) >= 5:
            condition |= Q(phone_digits__contains=digits)
        return qs.filter(condition)


class ClientForm(forms.ModelForm):
    """The registry data of a client. Only the alias is required."""

    identity_number = forms.CharField(
        label=_("Personnummer eller samordningsnummer"), required=False, max_length=20,
        help_text=_("ÅÅÅÅMMDD-NNNN eller ÅÅMMDD-NNNN. Lämna tomt om personen är anonym."),
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )

    class Meta:
        model = Client
        fields = [
            "alias", "legal_name", "legal_name_quality", "identity_number",
            "identity_number_quality", "birth_year", "birth_year_quality", "gender",
            "born_in_sweden", "country_of_birth", "languages", "interpreter_needed",
            "phone", "email", "address", "protected_identity",
        ]
        labels = {
            "legal_name_quality": _("Namn: hur känt"),
            "identity_number_quality": _("Personnummer: hur känt"),
            "birth_year_quality": _("Födelseår: hur känt"),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.layout = Layout(
            Fieldset(_("Identitet"), "alias",
                     Div(Div("legal_name", css_class="col-md-8"),
                         Div("legal_name_quality", css_class="col-md-4"), css_class="row"),
                     Div(Div("identity_number", css_class="col-md-8"),
                         Div("identity_number_quality", css_class="col-md-4"), css_class="row"),
                     Div(Div("birth_year", css_class="col-md-4"),
                         Div("birth_year_quality", css_class="col-md-4"),
                         Div("gender", css_class="col-md-4"), css_class="row")),
            Fieldset(_("Bakgrund"),
                     Div(Div("born_in_sweden", css_class="col-md-4"),
                         Div("country_of_birth", css_class="col-md-8"), css_class="row"),
                     Div(Div("languages", css_class="col-md-8"),
                         Div("interpreter_needed", css_class="col-md-4"), css_class="row")),
            Fieldset(_("Kontakt"),
                     Div(Div("phone", css_class="col-md-6"), Div("email", css_class="col-md-6"),
                         css_class="row"),
                     "address", Field("protected_identity")),
        )
        if self.instance.pk and self.instance.identity_number:
            self.initial["identity_number"] = personnummer.display(self.instance.identity_number)
        self._quality_choices()
        self._derived_qualities_as_given()
        autocomplete_off(self)

    # (value field, its quality field): a value and its quality code must agree.
    QUALITY_OF = [
        ("legal_name", "legal_name_quality"),
        ("identity_number", "identity_number_quality"),
        ("birth_year", "birth_year_quality"),
    ]

    def _derived_qualities_as_given(self):
        """A stored quality that merely follows from the value ("Känd" with a value, "Inte
        efterfrågad" without) is shown as "Enligt uppgiften", so that typing a name where
        there was none gives "Känd" without touching the quality."""
        if not self.instance.pk:
            return
        for value_field, quality_field in self.QUALITY_OF:
            value = getattr(self.instance, value_field)
            derived = Quality.KNOWN if value not in (None, "") else Quality.NOT_ASKED
            if self.initial.get(quality_field) == derived:
                self.initial[quality_field] = ""

    def _quality_choices(self):
        for _value_field, quality_field in self.QUALITY_OF:
            field = self.fields[quality_field]
            field.required = False
            field.choices = [("", _("Enligt uppgiften"))] + list(Quality.choices)
            # A new client's too, not the model's default ("Inte efterfrågad"), which would
            # refuse a typed value until the quality is changed by hand.
            field.initial = ""
            field.help_text = _(
                "Lämna \"Enligt uppgiften\" så blir det \"Känd\" när något är ifyllt och "
                "\"Inte efterfrågad\" annars."
            )

    def clean_identity_number(self):
        return optional_identity_number(self.cleaned_data["identity_number"])

    def clean_birth_year(self):
        year = self.cleaned_data.get("birth_year")
        if year and not 1900 <= year <= timezone.localdate().year:
            raise forms.ValidationError(_("Ange ett födelseår mellan 1900 och i år."))
        return year

    def clean(self):
        cleaned = super().clean()
        number = cleaned.get("identity_number")
        if number:
            birth = personnummer.birth_date(number)
            if cleaned.get("birth_year") and cleaned["birth_year"] != birth.year:
                self.add_error(
                    "birth_year", _("Födelseåret stämmer inte med personnumret.")
                )
            cleaned["birth_year"] = birth.year
            cleaned["birth_year_quality"] = Quality.KNOWN
        self._clean_qualities(cleaned)
        return cleaned

    def _clean_qualities(self, cleaned):
        """A typed value is known unless the user says it is estimated; an empty one is not
        asked unless the user says the person declined. Contradictions are refused."""
        for value_field, quality_field in self.QUALITY_OF:
            if value_field in self.errors or quality_field in self.errors:
                continue
            value, quality = cleaned.get(value_field), cleaned.get(quality_field)
            has_value = value not in (None, "")
            if not quality:
                cleaned[quality_field] = Quality.KNOWN if has_value else Quality.NOT_ASKED
            elif has_value and quality in (Quality.NOT_ASKED, Quality.DECLINED):
                self.add_error(quality_field, _(
                    "Uppgiften är ifylld: välj \"Känd\" eller \"Uppskattad\", eller töm "
                    "fältet."
                ))
            elif not has_value and quality in (Quality.KNOWN, Quality.ESTIMATED):
                self.add_error(quality_field, _(
                    "Uppgiften saknas: fyll i den, eller välj \"Inte efterfrågad\" eller "
                    "\"Vill inte uppge\"."
                ))

    def registry_fields(self):
        return {name: self.cleaned_data[name] for name in self.Meta.fields}


class ClientCreateForm(ClientForm):
    unit = forms.ChoiceField(label=_("Skriv in i verksamhetsdel"))
    estimated_age = IntegerField(
        label=_("Uppskattad ålder"), required=False, min_value=0, max_value=120,
        help_text=_("Om födelseåret inte är känt."),
    )
    confirm_not_duplicate = forms.BooleanField(
        label=_("Jag har kontrollerat de liknande klienterna: det här är en annan person."),
        required=False,
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        units = access.user_units(user)
        self.fields["unit"].choices = [(u.value, u.label) for u in UnitCode if u in units]
        self.helper.layout.fields.insert(0, Fieldset(_("Inskrivning"), "unit"))
        self.helper.layout.fields[2].fields.append("estimated_age")
        self.helper.layout.append("confirm_not_duplicate")
        self.helper.form_tag = True
        self.helper.add_input(Submit("submit", _("Registrera")))

    def clean(self):
        cleaned = super().clean()
        age = cleaned.get("estimated_age")
        if age is not None and not cleaned.get("birth_year"):
            cleaned["birth_year"] = timezone.localdate().year - age
            cleaned["birth_year_quality"] = Quality.ESTIMATED
        return cleaned


class ClientUpdateForm(ClientForm):
    version = IntegerField(widget=forms.HiddenInput)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.initial.setdefault("version", self.instance.version)
        self.helper.layout.append("version")
        self.helper.form_tag = True
        self.helper.add_input(Submit("submit", _("Spara")))


class EnrollForm(forms.Form):
    unit = forms.ChoiceField(label=_("Verksamhetsdel"))

    def __init__(self, *args, units, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].choices = [(u.value, u.label) for u in UnitCode if u in units]
        self.helper = submit_helper(_("Skriv in"))


class ConsentCreateForm(forms.Form):
    unit = forms.ChoiceField(label=_("Verksamhetsdel"))
    other_unit = forms.ChoiceField(label=_("Delar information med"))
    method = forms.ChoiceField(label=_("Hur samtycket gavs"), choices=ConsentMethod.choices)

    def __init__(self, *args, units, **kwargs):
        """units: the user's own units where the client is enrolled. Any other unit may be
        named (a consent may come before a referral), so the choices tell nothing about
        where else the person is a client."""
        super().__init__(*args, **kwargs)
        shared = [(u.value, u.label) for u in UnitCode if u != UnitCode.KAST]
        self.fields["unit"].choices = [choice for choice in shared if choice[0] in units]
        own = [value for value, _label in self.fields["unit"].choices]
        # A unit never shares with itself: with one unit of one's own, it is not offered.
        self.fields["other_unit"].choices = [
            choice for choice in shared if own != [choice[0]]
        ]
        self.helper = submit_helper(_("Registrera samtycke"))

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("unit") and cleaned.get("unit") == cleaned.get("other_unit"):
            self.add_error("other_unit", _("Välj en annan verksamhetsdel än den egna."))
        return cleaned


class AssignmentForm(forms.Form):
    counsellor = forms.ModelChoiceField(label=_("Behandlare"), queryset=User.objects.none())
    substitute = forms.BooleanField(label=_("Som ersättare"), required=False)
    ends_on = DateField(
        label=_("Ersättare till och med"), required=False, widget=DATE_INPUT
    )

    def __init__(self, *args, journal, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["counsellor"].queryset = (
            User.objects.filter(is_active=True, groups__name=Role.COUNSELLOR)
            .filter(groups__name=access.unit_group_name(journal.unit))
            .order_by("first_name", "last_name")
        )
        self.helper = submit_helper(_("Tilldela"))

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("substitute") and not cleaned.get("ends_on"):
            self.add_error("ends_on", _("En ersättare har alltid ett slutdatum."))
        return cleaned


class EmergencyAccessForm(forms.Form):
    reason = forms.CharField(
        label=_("Skäl"), max_length=1000, widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Skälet sparas och granskas av enhetschefen."),
    )
    hours = IntegerField(label=_("Antal timmar"), min_value=1, initial=4)

    def __init__(self, *args, max_hours, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["hours"].max_value = max_hours
        self.fields["hours"].initial = max_hours
        self.fields["hours"].validators.append(MaxValueValidator(max_hours))
        self.helper = submit_helper(_("Öppna nödåtkomst"), danger=True)
        autocomplete_off(self)


class EmergencySearchForm(forms.Form):
    """The reason comes first: only with it does the search show whom the number belongs to."""

    reason = forms.CharField(
        label=_("Skäl"), max_length=1000, widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Varför behöver du nödåtkomst? Skälet sparas och granskas av "
                    "enhetschefen."),
    )
    identity_number = forms.CharField(
        label=_("Personnummer"), max_length=20,
        help_text=_("Nödåtkomst söks bara på exakt personnummer."),
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = submit_helper(_("Sök"))
        autocomplete_off(self)

    def clean_identity_number(self):
        try:
            return personnummer.normalise(self.cleaned_data["identity_number"])
        except personnummer.IdentityNumberError as error:
            raise forms.ValidationError(error.message) from None


class EntryForm(forms.ModelForm):
    """A journal entry's draft. editor (new for every page load) and seq (counted up by the
    page's script at every save) let the service tell this page's saves from another
    window's; see services.save_draft."""

    version = IntegerField(widget=forms.HiddenInput, required=False)
    editor = forms.CharField(widget=forms.HiddenInput, required=False, max_length=32)
    seq = IntegerField(widget=forms.HiddenInput, required=False, min_value=0)

    class Meta:
        model = JournalEntry
        fields = ["kind", "event_date", "text"]
        field_classes = {"event_date": DateField}
        widgets = {
            "event_date": DATE_INPUT,
            "text": forms.Textarea(attrs={"rows": 14}),
        }

    def __init__(self, *args, autosave_url=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = EntryKind.choices
        self.fields["text"].label = pgettext_lazy("entry text", "Anteckning")
        self.initial.setdefault("version", self.instance.version)
        self.initial.setdefault("editor", secrets.token_hex(16))
        self.initial.setdefault("seq", 0)
        self.helper = FormHelper()
        self.helper.form_id = "entry-form"
        self.helper.attrs = {"data-draft-editor": ""}
        if autosave_url:
            # htmx saves the draft every few seconds while the author types, and on leaving
            # a field, so that an expired session or a closed tab loses nothing.
            self.helper.attrs.update({
                "hx-post": autosave_url,
                "hx-trigger": "input changed delay:3s, change, focusout",
                "hx-target": "#autosave-status",
                "hx-swap": "innerHTML",
                "hx-sync": "this:queue last",
            })
        save = Submit("save", _("Spara utkast"))
        save.field_classes = "btn btn-secondary"
        # Signing goes through a save, so that what is signed is exactly what is on screen.
        sign = Submit("sign", _("Signera…"))
        sign.field_classes = "btn btn-success ms-2"
        self.helper.add_input(save)
        self.helper.add_input(sign)
        autocomplete_off(self)

    def clean_event_date(self):
        date = self.cleaned_data["event_date"]
        if date > timezone.localdate():
            raise forms.ValidationError(_("Händelsedatumet kan inte vara i framtiden."))
        return date

    def draft_fields(self):
        """What services.save_draft takes from this form."""
        data = self.cleaned_data
        return {
            "editor": data.get("editor") or "",
            "seq": data.get("seq"),
            "expected_version": data.get("version"),
            "kind": data["kind"],
            "event_date": data["event_date"],
            "text": data["text"],
        }


class SignForm(forms.Form):
    """Signing names the version of the draft the author read on the page."""

    version = IntegerField(widget=forms.HiddenInput)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = submit_helper(_("Signera"))


class MergeSearchForm(forms.Form):
    q = forms.CharField(
        label=_("Sök dubblett"), max_length=100,
        help_text=_("Alias (början), personnummer eller telefonnummer."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()  # POST: the term may be an identity number
        self.helper.add_input(Submit("", _("Sök")))
        autocomplete_off(self)
