"""LongSelect writes the HTML Django's Select would, only faster: the booking forms' client
pickers list every client a user may book for."""

import pytest
from django import forms
from django.test.html import parse_html

from prostenhet.forms import LongSelect

CHOICES = [
    ("", "---------"),
    ("a1", "Alias <b>1</b> & co"),
    ("b2", "Kim (1990)"),
    ("b2", "Kim again"),
    (3, "Tre"),
]


def rendered(widget_class, value, choices=CHOICES, attrs=None):
    widget = widget_class(attrs={"class": "form-select"}, choices=choices)
    return parse_html(str(widget.render("client", value, attrs=attrs)))


@pytest.mark.parametrize("value", [None, "", "a1", "b2", 3, "3", "missing"])
def test_it_renders_what_djangos_select_renders(value):
    attrs = {"id": "id_client", "required": True}
    assert rendered(LongSelect, value, attrs=attrs) == rendered(forms.Select, value, attrs=attrs)


def test_the_first_matching_option_alone_is_selected_and_labels_are_escaped():
    html = str(LongSelect(choices=CHOICES).render("client", "b2"))
    assert html.count(" selected") == 1
    assert '<option value="b2" selected>Kim (1990)</option>' in html
    assert "Alias &lt;b&gt;1&lt;/b&gt; &amp; co" in html
    assert "<b>" not in html


def test_a_value_is_escaped_in_its_attribute():
    html = str(LongSelect(choices=[('x"><script>', "X")]).render("client", None))
    assert "<script>" not in html
    assert 'value="x&quot;&gt;&lt;script&gt;"' in html


def test_grouped_choices_are_left_to_django():
    grouped = [("Grupp", [("a", "A"), ("b", "B")]), ("c", "C")]
    assert rendered(LongSelect, "b", grouped) == rendered(forms.Select, "b", grouped)


def test_a_bound_form_keeps_the_posted_choice():
    class Form(forms.Form):
        client = forms.ChoiceField(choices=CHOICES, widget=LongSelect)

    form = Form(data={"client": "a1"})
    assert '<option value="a1" selected>' in str(form["client"])

