"""Forms of internet outreach: a session, an e-mail template, and the addresses about to be
mailed (checked against the hashes of those already mailed; never stored)."""

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Div, Layout, Submit
from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from prostenhet.forms import DateField, IntegerField, autocomplete_off

from ..models import TemplateLanguage
from .shifts import DATE_INPUT, StaffField, count_field

__all__ = ["AddressCheckForm", "EmailTemplateForm", "InternetSessionForm"]


class InternetSessionForm(forms.Form):
    date = DateField(label=_("Datum"), widget=DATE_INPUT)
    staff = StaffField()
    sites = forms.CharField(
        label=_("Webbplatser"), required=False, max_length=300,
        help_text=_("Namnen på de webbplatser som gicks igenom, åtskilda med komma."),
    )
    ads_reviewed = count_field(_("Annonser genomgångna"))
    emails_sent = count_field(_("Informationsmejl skickade"))
    replies = count_field(_("Svar"))
    version = IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, session=None, **kwargs):
        if session is not None:
            kwargs["initial"] = {
                "date": session.date, "staff": [p.public_id for p in session.staff.all()],
                "sites": session.sites, "ads_reviewed": session.ads_reviewed,
                "emails_sent": session.emails_sent, "replies": session.replies,
                "version": session.version,
            }
        super().__init__(*args, **kwargs)
        self.fields["date"].initial = timezone.localdate()
        self.helper = FormHelper()
        self.helper.layout = Layout(
            "date", "staff", "sites",
            Div(Div("ads_reviewed", css_class="col-sm-4"), Div("emails_sent", css_class="col-sm-4"),
                Div("replies", css_class="col-sm-4"), css_class="row"),
            "version",
        )
        self.helper.add_input(Submit("submit", _("Spara")))
        autocomplete_off(self)

    def session_fields(self):
        data = self.cleaned_data
        return {"date": data["date"], "staff": list(data["staff"]), "sites": data["sites"],
                "ads_reviewed": data["ads_reviewed"] or 0,
                "emails_sent": data["emails_sent"] or 0, "replies": data["replies"] or 0,
                "expected_version": data.get("version")}


class EmailTemplateForm(forms.Form):
    name = forms.CharField(label=_("Namn"), max_length=100,
                           help_text=_("Samma namn på alla språk, till exempel ”Första mejlet”."))
    language = forms.ChoiceField(label=_("Språk"), choices=TemplateLanguage.choices)
    subject = forms.CharField(label=_("Ämnesrad"), max_length=200)
    body = forms.CharField(label=_("Text"), max_length=10_000,
                           widget=forms.Textarea(attrs={"rows": 10}))
    active = forms.BooleanField(label=_("Används"), required=False, initial=True)
    version = IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, template=None, **kwargs):
        if template is not None:
            kwargs["initial"] = {
                "name": template.name, "language": template.language,
                "subject": template.subject, "body": template.body,
                "active": template.active, "version": template.version,
            }
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.add_input(Submit("submit", _("Spara mallen")))
        autocomplete_off(self)

    def template_fields(self):
        data = self.cleaned_data
        return {"name": data["name"], "language": data["language"], "subject": data["subject"],
                "body": data["body"], "active": data["active"],
                "expected_version": data.get("version")}


class AddressCheckForm(forms.Form):
    addresses = forms.CharField(
        label=_("Adresser du ska mejla"), max_length=50_000,
        widget=forms.Textarea(attrs={"rows": 8, "spellcheck": "false"}),
        help_text=_("En adress per rad (eller åtskilda med komma). Adresserna sparas aldrig: "
                    "bara en nyckelkodad kontrollsumma, så att samma person inte mejlas igen "
                    "inom spärrtiden."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.add_input(Submit("submit", _("Kontrollera och registrera")))
        autocomplete_off(self)
