"""Log lines: a refused request (4xx) is one line with its request id, an error keeps its
traceback."""

import io
import logging
import sys

import pytest
from django.urls import reverse

from prostenhet.lib.logging import ClientErrorOneLineFilter


@pytest.fixture
def console():
    """What the configured console handler (settings.LOGGING) writes, as a string buffer."""
    handler = next(h for h in logging.getLogger().handlers if h.name == "console")
    buffer = io.StringIO()
    previous = handler.setStream(buffer)
    yield buffer
    handler.setStream(previous)


@pytest.mark.django_db
def test_a_permission_denied_is_logged_on_one_line_with_the_request_id(
    login, staff_of, console
):
    from prostenhet.roles import Role

    client = login(staff_of(Role.COUNSELLOR))
    response = client.get(reverse("staff:list"), HTTP_X_REQUEST_ID="req-0123456789ab")
    assert response.status_code == 403
    lines = [line for line in console.getvalue().splitlines() if "django.request" in line]
    assert len(lines) == 1, console.getvalue()
    assert "[req-0123456789ab]" in lines[0]
    assert "Forbidden" in lines[0] and reverse("staff:list") in lines[0]
    assert "Traceback" not in console.getvalue()


def _record(status_code):
    try:
        raise ValueError("boom")
    except ValueError:
        exc_info = sys.exc_info()
    record = logging.LogRecord(
        "django.request", logging.WARNING, __file__, 1, "Forbidden: %s", ("/x/",), exc_info
    )
    record.status_code = status_code
    return record


def test_the_filter_drops_the_traceback_of_client_errors_only():
    one_line = ClientErrorOneLineFilter()
    for status_code in (400, 403, 404, 429):
        record = _record(status_code)
        assert one_line.filter(record) is True
        assert record.exc_info is None
    for status_code in (500, 503):
        record = _record(status_code)
        assert one_line.filter(record) is True
        assert record.exc_info is not None


def test_the_filter_leaves_records_without_a_status_code_alone():
    record = _record(None)
    del record.status_code
    assert ClientErrorOneLineFilter().filter(record) is True
    assert record.exc_info is not None
