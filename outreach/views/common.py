"""What the outreach views share: the gate (the role's model permission, and membership of the
outreach team: its records are the team's) and showing a service's refusal on a form."""

from functools import wraps

from django.contrib.auth.decorators import permission_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import render

from clients import access
from prostenhet.roles import UnitCode

FORM_PAGE = "outreach/form.html"


def in_team(user):
    return UnitCode.OUTREACH in access.user_units(user)


def team_required(permission):
    """The role's permission (403 without it) and a place in the outreach team (403 too: a
    page of the team's own records reveals nothing by refusing)."""

    def decorator(view):
        @permission_required(permission, raise_exception=True)
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            if not in_team(request.user):
                raise PermissionDenied
            return view(request, *args, **kwargs)

        return wrapped

    return decorator


def post_data(request):
    return request.POST if request.method == "POST" else None


def form_error(form, error):
    """A service's refusal on the field it names when the form shows it, else above it."""
    name = error.field
    visible = name in form.fields and not form.fields[name].widget.is_hidden
    form.add_error(name if visible else None, error.message)


def form_page(request, form, *, title, back_url, back_label, text="", **extra):
    return render(request, FORM_PAGE, {
        "form": form, "title": title, "text": text, "back_url": back_url,
        "back_label": back_label, **extra,
    })
