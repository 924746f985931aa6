"""Logging filters configured in settings.LOGGING."""

import logging


class ClientErrorOneLineFilter(logging.Filter):
    """A 4xx answer (permission denied, bad request) is logged on one line, without the
    traceback of the exception that led to it: refusing is the application working as meant,
    and a traceback for each would bury the real errors. The request id on the line leads to
    the rest. 5xx records and records without a status code pass unchanged."""

    def filter(self, record):
        status_code = getattr(record, "status_code", None)
        if isinstance(status_code, int) and 400 <= status_code < 500:
            record.exc_info = None
            record.exc_text = None
            record.stack_info = None
        return True
