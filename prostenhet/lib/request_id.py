"""A short id for each request: shown on error pages, sent as X-Request-ID, put on log lines,
so that a user's report ("it said request id 3f9c…") leads to the log entry."""

import contextvars
import logging
import re
import uuid

_current = contextvars.ContextVar("request_id", default="-")
# A proxy may hand us its own id; accept it only when it looks like one.
_VALID = re.compile(r"^[A-Za-z0-9-]{8,64}$")


def new_request_id(incoming=None):
    request_id = incoming if incoming and _VALID.match(incoming) else uuid.uuid4().hex[:16]
    _current.set(request_id)
    return request_id


def current_request_id():
    return _current.get()


class RequestIdFilter(logging.Filter):
    def filter(self, record):
        record.request_id = _current.get()
        return True
