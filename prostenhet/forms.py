import copy
from datetime import date, datetime, time, timedelta

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Submit
from django import forms
from django.contrib.auth import password_validation
from django.contrib.auth.forms import (
    AuthenticationForm,
    PasswordChangeForm,
    SetPasswordForm,
)
from django.core import validators
from django.db import models
from django.forms.utils import flatatt
from django.utils import timezone
from django.utils.html import conditional_escape, escape
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _

from . import registry
from .access import CASEWORK_ROLES
from .audit import may_hold_identity_number
from .models import Unit, User
from .roles import Profession, Role, UnitCode

# Input types that the browser's form history remembers.
REMEMBERED_INPUT_TYPES = {"text", "search", "email", "tel", "url", "number"}


def autocomplete_off(form):
    """The browser must not remember what was typed into a form with personal data (a shared
    workstation shows it to the next person as suggestions): autocomplete="off" on every text
    field and text area that names no autocomplete of its own ("new-password",
    "one-time-code" and the like stay)."""
    for field in form.fields.values():
        widget = field.widget
        if isinstance(widget, forms.Textarea) or (
            getattr(widget, "input_type", None) in REMEMBERED_INPUT_TYPES
        ):
            widget.attrs.setdefault("autocomplete", "off")
    return form


class LongSelect(forms.Select):
    """A select of many options (every client a user may book for), with the HTML of
    Django's: its options are written here, not each through a template of its own, which
    cost about 20 µs an option (1,500 clients: 60 ms a page). Grouped choices are left to
    Django."""

    def render(self, name, value, attrs=None, renderer=None):
        choices = list(self.choices)
        if any(isinstance(label, list | tuple) for _value, label in choices):
            return super().render(name, value, attrs, renderer)
        selected = set(self.format_value(value))
        options, found = [], False
        for option_value, label in choices:
            option_value = "" if option_value is None else str(option_value)
            mark = ""
            if not found and option_value in selected:
                mark, found = " selected", True
            options.append(
                f'<option value="{escape(option_value)}"{mark}>{conditional_escape(label)}</option>'
            )
        attributes = flatatt(self.build_attrs(self.attrs, attrs))
        return mark_safe(  # noqa: S308 - every value above is escaped  # nosec B308 B703
            f'<select name="{escape(name)}"{attributes}>\n{"".join(options)}\n</select>'
        )


# The dates a form accepts. The unit's records begin long after 1900 and nothing is planned
# beyond 2100; a date in year 1 or 9999 would be stored and then overflow the date arithmetic
# of calendars, contracts, placements and weeding (a server error).
EARLIEST_DATE = date(1900, 1, 1)
LATEST_DATE = date(2100, 12, 31)


def validate_date_in_range(value):
    day = value.date() if isinstance(value, datetime) else value
    if not EARLIEST_DATE <= day <= LATEST_DATE:
        raise forms.ValidationError(
            _("Ange ett datum mellan %(earliest)s och %(latest)s."),
            code="date_out_of_range",
            params={"earliest": EARLIEST_DATE.isoformat(), "latest": LATEST_DATE.isoformat()},
        )


class DateField(forms.DateField):
    """Every form's date field: a date between EARLIEST_DATE and LATEST_DATE."""

    default_validators = [validate_date_in_range]


class DateTimeField(forms.DateTimeField):
    """Every form's date-and-time field: on a day between EARLIEST_DATE and LATEST_DATE."""

    default_validators = [validate_date_in_range]


# The largest magnitude any database integer column holds (64 bits).
INTEGER_LIMIT = 2**63
# A 32-bit integer column's range (versions, save numbers, positions, counts).
INT32_MIN, INT32_MAX = -(2**31), 2**31 - 1


class IntegerField(forms.IntegerField):
    """Every form's integer: one a 32-bit integer column holds unless the field says less, so
    that a number past it (typed, or posted in a hidden field) is refused on the form, not by
    the database (a server error on PostgreSQL)."""

    def __init__(self, *, max_value=None, min_value=None, **kwargs):
        super().__init__(
            max_value=INT32_MAX if max_value is None else max_value,
            min_value=INT32_MIN if min_value is None else min_value,
            **kwargs,
        )


class ModelMultipleChoiceField(forms.ModelMultipleChoiceField):
    """Django's, refusing an integer key that no database integer can hold: Django passes it
    on to the query (an `__in` lookup), where SQLite raises OverflowError (a server error)."""

    def _check_values(self, value):
        meta = self.queryset.model._meta
        key_field = meta.get_field(self.to_field_name) if self.to_field_name else meta.pk
        if isinstance(key_field, models.IntegerField):
            for pk in value if isinstance(value, list | tuple) else []:
                try:
                    too_large = abs(int(pk)) >= INTEGER_LIMIT
                except (TypeError, ValueError):
                    continue  # Django's own check refuses it
                if too_large:
                    raise forms.ValidationError(
                        self.error_messages["invalid_pk_value"],
                        code="invalid_pk_value",
                        params={"pk": pk},
                    )
        return super()._check_values(value)


def submit_helper(label, *, danger=False):
    helper = FormHelper()
    button = Submit("submit", label)
    if danger:
        button.field_classes = "btn btn-danger"
    helper.add_input(button)
    return helper


class LoginForm(AuthenticationForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Django sets the user name's max_length after the field is made, without its
        # validator: a longer name went on to authenticate() and into django-axes' record of
        # the failed attempt (varchar(255): a server error on PostgreSQL).
        username = self.fields["username"]
        username.validators.append(validators.MaxLengthValidator(username.max_length))
        self.fields["username"].label = _("Användarnamn")
        self.fields["password"].label = _("Lösenord")
        self.helper = submit_helper(_("Logga in"))


class TokenForm(forms.Form):
    token = forms.CharField(
        label=_("Engångskod"),
        min_length=6,
        max_length=6,
        help_text=_("Den sexsiffriga koden i din autentiseringsapp."),
        widget=forms.TextInput(
            attrs={
                "autocomplete": "one-time-code",
                "inputmode": "numeric",
                "pattern": "[0-9]*",
                "autofocus": True,
            }
        ),
    )

    def __init__(self, *args, submit_label=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = submit_helper(submit_label or _("Verifiera"))

    def clean_token(self):
        token = self.cleaned_data["token"].strip()
        if not token.isdigit():
            raise forms.ValidationError(_("Koden består av sex siffror."))
        return token


class CrispyPasswordChangeForm(PasswordChangeForm):
    """The user's own password change. The new password must differ from the current one, so
    that a password the administrator set is really replaced."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = submit_helper(_("Byt lösenord"))

    def clean(self):
        cleaned = super().clean()
        new_password = cleaned.get("new_password1")
        if new_password and new_password == cleaned.get("old_password"):
            self.add_error("new_password1", _("Välj ett annat lösenord än det nuvarande."))
        return cleaned


# The administrator sets someone else's password: Django's help text ("Ditt lösenord …")
# speaks to the wrong person.
STAFF_PASSWORD_HELP_TEXT = _(
    "Lösenordet måste ha minst 12 tecken, får inte likna personens namn eller användarnamn, "
    "inte vara ett vanligt lösenord och inte bestå av bara siffror."
)


def staff_password_input():
    """The administrator's password fields keep what was typed when the form is refused, so
    that a refused password is corrected rather than typed twice again (the page is never
    cached: NoStoreMiddleware)."""
    return forms.PasswordInput(attrs={"autocomplete": "new-password"}, render_value=True)


class StaffSetPasswordForm(SetPasswordForm):
    """The administrator's reset of a staff member's password."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["new_password1"].help_text = STAFF_PASSWORD_HELP_TEXT
        for name in ("new_password1", "new_password2"):
            self.fields[name].widget = staff_password_input()
        self.helper = submit_helper(_("Sätt nytt lösenord"))


class ConfirmForm(forms.Form):
    """A confirmation page's form: a GET shows it, only the POST changes anything."""

    def __init__(self, *args, submit_label, danger=False, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = submit_helper(submit_label, danger=danger)


class StaffForm(forms.ModelForm):
    """A staff member's profile: name, roles, units and (for clinicians) profession."""

    roles = forms.MultipleChoiceField(
        label=_("Roller"),
        choices=Role.choices,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Rollen avgör vad personen får göra i systemet."),
    )
    units = forms.ModelMultipleChoiceField(
        label=_("Verksamhetsdelar"),
        queryset=Unit.objects.all(),
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )

    class Meta:
        model = User
        fields = ["first_name", "last_name", "email", "units", "profession"]
        labels = {
            "first_name": _("Förnamn"),
            "last_name": _("Efternamn"),
            "email": _("E-post"),
            "profession": _("Yrke"),
        }
        help_texts = {"profession": _("Anges för kliniker på Spiralen.")}

    submit_label = _("Spara")
    field_order = ["username", "first_name", "last_name", "email", "roles", "units", "profession"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.initial["roles"] = [role.value for role in self.instance.roles]
        self.fields["units"].label_from_instance = lambda unit: unit.get_code_display()
        self.fields["profession"].choices = [("", _("Inget"))] + list(Profession.choices)
        self.helper = submit_helper(self.submit_label)
        autocomplete_off(self)

    def clean(self):
        cleaned = super().clean()
        roles = cleaned.get("roles") or []
        if Role.CLINICIAN in roles and not cleaned.get("profession"):
            self.add_error("profession", _("Ange yrke för en kliniker."))
        if Role.CLINICIAN not in roles and cleaned.get("profession"):
            self.add_error("profession", _("Yrke anges bara för kliniker."))
        if Role.SYSADMIN in roles and set(roles) & CASEWORK_ROLES:
            self.add_error(
                "roles",
                _("Rollen systemförvaltare kan inte kombineras med en roll i klientarbetet."),
            )
        units = {unit.code for unit in cleaned.get("units") or []}
        if UnitCode.KAST in units and (
            Role.COUNSELLOR not in roles or Role.OFFICE_ASSISTANT in roles
        ):
            self.add_error(
                "units",
                _("KAST är avskilt: bara samtalsbehandlare (utan rollen byråassistent) "
                  "kan arbeta i KAST."),
            )
        return cleaned


class StaffCreateForm(StaffForm):
    password1 = forms.CharField(
        label=_("Startlösenord"),
        strip=False,
        widget=staff_password_input(),
        help_text=STAFF_PASSWORD_HELP_TEXT,
    )
    password2 = forms.CharField(
        label=_("Startlösenord igen"),
        strip=False,
        widget=staff_password_input(),
        help_text=_("Personen byter det till ett eget lösenord vid första inloggningen."),
    )

    class Meta(StaffForm.Meta):
        fields = ["username", *StaffForm.Meta.fields]
        labels = {**StaffForm.Meta.labels, "username": _("Användarnamn")}

    submit_label = _("Skapa konto")

    def clean(self):
        cleaned = super().clean()
        password1, password2 = cleaned.get("password1"), cleaned.get("password2")
        if password1 and password2 and password1 != password2:
            self.add_error("password2", _("Lösenorden är inte lika."))
        elif password1:
            user = User(
                username=cleaned.get("username", ""),
                first_name=cleaned.get("first_name", ""),
                last_name=cleaned.get("last_name", ""),
                email=cleaned.get("email", ""),
            )
            try:
                password_validation.validate_password(password1, user)
            except forms.ValidationError as error:
                self.add_error("password1", error)
        return cleaned


DATE_INPUT = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class AccessLogFilterForm(forms.Form):
    """The review's filters: the base's own, and those the apps register
    (registry.review_filters). A GET form, so that a filtered view can be bookmarked; no
    field takes an identity number (refused in the browser and here)."""

    staff = forms.ModelChoiceField(
        label=_("Personal"), queryset=User.objects.order_by("username"), required=False
    )
    date_from = DateField(label=_("Från"), required=False, widget=DATE_INPUT)
    date_to = DateField(label=_("Till och med"), required=False, widget=DATE_INPUT)
    outside_office_hours = forms.BooleanField(label=_("Utanför kontorstid"), required=False)
    emergency = forms.BooleanField(label=_("Nödåtkomst"), required=False)
    protected_identity = forms.BooleanField(
        label=_("Skyddade personuppgifter"), required=False
    )
    flagged = forms.BooleanField(label=_("Flaggade för granskning"), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._app_filters = list(registry.review_filters)
        fields = list(self.fields.items())
        self.fields = dict(fields[:1])
        for review_filter in self._app_filters:
            self.fields[review_filter.name] = copy.deepcopy(review_filter.field)
        self.fields.update(fields[1:])
        self.helper = FormHelper()
        self.helper.form_method = "get"
        self.helper.add_input(Submit("", _("Filtrera")))
        autocomplete_off(self)

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("date_from"), cleaned.get("date_to")
        if start and end and start > end:
            self.add_error("date_to", _("Periodens slut ligger före dess början."))
        return cleaned

    def filter_qs(self, rows):
        """Every filter is an indexable condition: days are ranges of the timestamp (the
        day's start and end in Stockholm time), never a date computed per row."""
        data = self.cleaned_data
        if data["staff"]:
            rows = rows.filter(user=data["staff"])
        for review_filter in self._app_filters:
            if data.get(review_filter.name):
                rows = review_filter.apply(rows, data[review_filter.name])
        if data["date_from"]:
            rows = rows.filter(at__gte=day_start(data["date_from"]))
        if data["date_to"]:
            rows = rows.filter(at__lt=day_start(data["date_to"] + timedelta(days=1)))
        if data["outside_office_hours"]:
            rows = rows.outside_office_hours()
        if data["emergency"]:
            rows = rows.filter(emergency__isnull=False)
        if data["protected_identity"]:
            rows = rows.filter(protected_identity=True)
        if data["flagged"]:
            rows = rows.filter(flagged=True)
        return rows


def day_start(day):
    """Midnight at the start of the day in the local time zone (Europe/Stockholm)."""
    return timezone.make_aware(datetime.combine(day, time.min))


def refuse_identity_numbers(value):
    """For filters sent in a URL: an identity number must never reach one."""
    if may_hold_identity_number(value):
        raise forms.ValidationError(
            _("Filtrera på alias, inte på personnummer: ett personnummer får inte hamna i en "
              "adress eller en logg.")
        )


class AliasFilterField(forms.CharField):
    """A text filter on an alias (prefix), in a GET form: six digits or more are refused,
    in the browser (pattern) and on the server."""

    default_validators = [refuse_identity_numbers]

    def __init__(self, **kwargs):
        kwargs.setdefault("max_length", 100)
        kwargs.setdefault("required", False)
        super().__init__(**kwargs)

    def widget_attrs(self, widget):
        attrs = super().widget_attrs(widget)
        attrs.update({
            "autocomplete": "off",
            "pattern": r"(?!(?:\D*\d){6}).*",
            "title": _("Alias, inte personnummer"),
        })
        return attrs


class AccessLogReviewForm(forms.Form):
    period_start = DateField(label=_("Granskad period från"), widget=DATE_INPUT)
    period_end = DateField(label=_("till och med"), widget=DATE_INPUT)
    comment = forms.CharField(
        label=_("Kommentar"), required=False, max_length=5000,
        widget=forms.Textarea(attrs={"rows": 4}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = submit_helper(_("Signera granskningen"))
        autocomplete_off(self)

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("period_start"), cleaned.get("period_end")
        if start and end and start > end:
            self.add_error("period_end", _("Periodens slut ligger före dess början."))
        return cleaned


class StaffSearchForm(forms.Form):
    """The staff list's search (a GET form). Through a form so that what no name holds (a
    NUL byte: PostgreSQL refuses the query) is refused, not searched for."""

    q = forms.CharField(required=False, max_length=150)


class StatisticsYearForm(forms.Form):
    """The statistics page's year picker: calendar years, the last ten and any closed."""

    ar = forms.TypedChoiceField(label=_("År"), coerce=int)

    def __init__(self, *args, years, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["ar"].choices = [(year, str(year)) for year in years]


class ReopenYearForm(forms.Form):
    reason = forms.CharField(
        label=_("Varför öppnas året igen?"), max_length=500,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Skälet sparas med vem som öppnade året och när."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = submit_helper(_("Öppna året igen"), danger=True)
        autocomplete_off(self)
