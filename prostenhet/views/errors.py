"""Error pages in Swedish with the request id, never a traceback."""

from django.http import HttpResponseServerError
from django.shortcuts import render
from django.template import loader

from ..lib.request_id import current_request_id


def _render(request, template, status):
    return render(request, template, {"request_id": current_request_id()}, status=status)


def bad_request(request, exception=None):
    return _render(request, "400.html", 400)


def permission_denied(request, exception=None):
    return _render(request, "403.html", 403)


def page_not_found(request, exception=None):
    return _render(request, "404.html", 404)


def csrf_failure(request, reason=""):
    return _render(request, "403_csrf.html", 403)


def server_error(request):
    # No request context: the failure may be in the database or a context processor.
    template = loader.get_template("500.html")
    return HttpResponseServerError(template.render({"request_id": current_request_id()}))
