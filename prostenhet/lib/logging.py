"""Logging filters configured in settings.LOGGING."""

import logging
import re


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


class IdentityNumberMaskFilter(logging.Filter):
    """Nothing shaped like a personal identity number (YYMMDD-NNNN, YYYYMMDDNNNN, with or
    without the separator) reaches a log line: not in the message, its arguments, nor the
    traceback (a database error quotes the offending value)."""

    PATTERN = re.compile(r"(?<!\d)(?:\d{2})?\d{6}[-+]?\d{4}(?!\d)")
    MASK = "[personnummer]"

    def filter(self, record):
        message = record.getMessage()
        masked = self.PATTERN.sub(self.MASK, message)
        if masked != message:
            record.msg, record.args = masked, None
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = self.PATTERN.sub(self.MASK, record.exc_text)
        return True
