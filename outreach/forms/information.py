"""The form of the information work: a talk or training given."""

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Div, Layout, Submit
from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from prostenhet.forms import DateField, IntegerField, autocomplete_off

from ..models import Audience
from .shifts import COUNT_ERRORS, DATE_INPUT, StaffField

__all__ = ["InfoTalkForm"]


class InfoTalkForm(forms.Form):
    date = DateField(label=_("Datum"), widget=DATE_INPUT)
    audience = forms.ChoiceField(label=_("Målgrupp"), choices=Audience.choices)
    title = forms.CharField(
        label=_("Tillfälle"), required=False, max_length=200,
        help_text=_("Till exempel mottagarens namn eller utbildningens rubrik."),
    )
    attendees = IntegerField(label=_("Antal deltagare"), min_value=1, max_value=100_000,
                                   error_messages={**COUNT_ERRORS,
                                                   "min_value": _("Minst en deltagare.")})
    staff = StaffField()

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["date"].initial = timezone.localdate()
        self.helper = FormHelper()
        self.helper.layout = Layout(
            Div(Div("date", css_class="col-sm-4"), Div("audience", css_class="col-sm-4"),
                Div("attendees", css_class="col-sm-4"), css_class="row"),
            "title", "staff",
        )
        self.helper.add_input(Submit("submit", _("Spara")))
        autocomplete_off(self)

    def talk_fields(self):
        data = self.cleaned_data
        return {"date": data["date"], "audience": data["audience"], "title": data["title"],
                "attendees": data["attendees"], "staff": list(data["staff"])}
