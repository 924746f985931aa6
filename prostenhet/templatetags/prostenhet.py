"""Template helpers shared by every app: one date format across the product, page links that
keep the other query parameters, and readable view names in the access log."""

from datetime import date, datetime

from django import template
from django.utils import timezone

from prostenhet import registry

register = template.Library()


@register.filter
def when(value, part="datetime"):
    """A date as 2026-11-28 and a time as 13:05 (Europe/Stockholm), the Swedish standard,
    everywhere. `value|when` gives "2026-11-28 13:05" for a datetime and "2026-11-28" for a
    date; `|when:"date"` and `|when:"time"` give one part."""
    if value in (None, ""):
        return ""
    if isinstance(value, datetime):
        if timezone.is_aware(value):
            value = timezone.localtime(value)
        if part == "date":
            return value.strftime("%Y-%m-%d")
        if part == "time":
            return value.strftime("%H:%M")
        return value.strftime("%Y-%m-%d %H:%M")
    if isinstance(value, date):
        return value.strftime("%Y-%m-%d")
    return value


@register.simple_tag(takes_context=True)
def page_url(context, number):
    """The current URL's query with page=number (replacing, never adding, the page)."""
    query = context["request"].GET.copy()
    query["page"] = number
    return "?" + query.urlencode()


@register.filter
def view_label(view_name):
    """What a person understands by a view in the access log ("Journal")."""
    return registry.view_labels.label(view_name)


@register.filter
def detail_label(detail):
    """An access-log row's detail as a person understands it."""
    return registry.detail_labels.label(detail)
