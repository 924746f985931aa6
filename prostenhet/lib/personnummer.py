"""Swedish personal identity numbers (personnummer) and coordination numbers (samordningsnummer).

The stored, *normalised* form is 12 ASCII digits ``YYYYMMDDNNNC``: full birth year, month, day
(plus 60 for a coordination number), three birth digits and the check digit. Every other function
here takes that form, as returned by :func:`normalise`.

Error messages are user-facing Swedish, marked for translation, and never contain the number.
"""

import datetime
import re

from django.utils.translation import gettext_lazy as _

__all__ = [
    "IdentityNumberError",
    "age_on",
    "birth_date",
    "display",
    "is_coordination_number",
    "luhn_digit",
    "mask",
    "normalise",
]

# A coordination number's day is the birth day plus 60 (61–91).
COORDINATION_OFFSET = 60
MASKED = "********-****"

# [0-9], not \d: \d also matches non-ASCII digits such as "١".
_TWELVE = re.compile(r"([0-9]{8})-?([0-9]{4})")
_TEN = re.compile(r"([0-9]{6})([-+]?)([0-9]{4})")
_NORMALISED = re.compile(r"[0-9]{12}")


class IdentityNumberError(ValueError):
    """A refused identity number.

    ``message`` is a lazy, translatable Swedish text for the user and ``code`` a stable
    identifier ("format", "date", "coordination_day", "future", "checksum"), e.g. for a
    form's ``ValidationError(error.message, code=error.code)``. Neither contains the number.
    """

    def __init__(self, message: str, code: str) -> None:
        super().__init__(message)
        self.message = message
        self.code = code

    def __str__(self) -> str:
        return str(self.message)


def _format_error() -> IdentityNumberError:
    return IdentityNumberError(
        _("Ange personnumret som ÅÅÅÅMMDD-NNNN eller ÅÅMMDD-NNNN."), "format"
    )


def _date_error() -> IdentityNumberError:
    return IdentityNumberError(_("Datumet finns inte."), "date")


def _coordination_error() -> IdentityNumberError:
    return IdentityNumberError(
        _("Dagen i samordningsnumret finns inte: den ska vara födelsedagen plus 60 (61–91)."),
        "coordination_day",
    )


def _future_error() -> IdentityNumberError:
    return IdentityNumberError(_("Födelsedatumet ligger i framtiden."), "future")


def _checksum_error() -> IdentityNumberError:
    return IdentityNumberError(_("Kontrollsiffran stämmer inte."), "checksum")


def luhn_digit(nine_digits: str) -> str:
    """The check digit for ``YYMMDDNNN`` (Luhn, weights 2, 1, 2, …)."""
    total = 0
    for index, char in enumerate(nine_digits):
        product = int(char) * (2 if index % 2 == 0 else 1)
        total += product // 10 + product % 10
    return str((10 - total % 10) % 10)


def _infer_year(yy: int, month: int, day: int, plus: bool, today: datetime.date) -> int:
    """The full birth year for a 10-digit number, as Skatteverket writes them.

    ``-`` (or no separator): the most recent year ending in ``yy`` whose date
    (``month``/``day``, the real day) is not after ``today``.
    ``+``: Skatteverket writes ``+`` from the year the person turns 100, so the most recent
    year ending in ``yy`` that is at least 100 years before ``today.year``.
    """
    if plus:
        latest = today.year - 100
        return latest - (latest - yy) % 100
    year = today.year - (today.year - yy) % 100
    if (month, day) > (today.month, today.day) and year == today.year:
        year -= 100
    return year


def _birth_date(year: int, month: int, raw_day: int) -> datetime.date:
    """The birth date, raising the date or coordination-day message."""
    coordination = raw_day > COORDINATION_OFFSET
    day = raw_day - COORDINATION_OFFSET if coordination else raw_day
    try:
        return datetime.date(year, month, day)
    except ValueError:
        if coordination and 1 <= month <= 12:
            raise _coordination_error() from None
        raise _date_error() from None


def normalise(value: str, *, today: datetime.date | None = None) -> str:
    """Validate an identity number and return its 12 digits ``YYYYMMDDNNNC``.

    Accepts, with surrounding whitespace: ``YYYYMMDD-NNNN``, ``YYYYMMDDNNNN``,
    ``YYMMDD-NNNN``, ``YYMMDD+NNNN`` and ``YYMMDDNNNN``. The century of a 10-digit form is
    inferred relative to ``today`` (default: the current date); see :func:`_infer_year`.
    A coordination number (day 61–91) keeps its +60 day in the result.

    Raises :class:`IdentityNumberError` for a bad format, a date that does not exist, an
    invalid coordination day, a birth date after ``today`` or a wrong check digit
    (checked in that order).
    """
    today = today or datetime.date.today()
    text = value.strip() if isinstance(value, str) else ""
    if match := _TWELVE.fullmatch(text):
        digits = match[1] + match[2]
        year = int(digits[:4])
    elif match := _TEN.fullmatch(text):
        short = match[1] + match[3]
        month, raw_day = int(short[2:4]), int(short[4:6])
        day = raw_day - COORDINATION_OFFSET if raw_day > COORDINATION_OFFSET else raw_day
        year = _infer_year(int(short[:2]), month, day, match[2] == "+", today)
        digits = f"{year:04d}{short[2:]}"
    else:
        raise _format_error()
    born = _birth_date(year, int(digits[4:6]), int(digits[6:8]))
    if born > today:
        raise _future_error()
    if luhn_digit(digits[2:11]) != digits[11]:
        raise _checksum_error()
    return digits


def _require_normalised(normalised: str) -> None:
    if not isinstance(normalised, str) or not _NORMALISED.fullmatch(normalised):
        # A programming error, not user input: the value stays out of the message.
        raise ValueError("expected the 12 digits returned by normalise()")


def is_coordination_number(normalised: str) -> bool:
    """True when the number is a coordination number (day 61–91)."""
    _require_normalised(normalised)
    return int(normalised[6:8]) > COORDINATION_OFFSET


def birth_date(normalised: str) -> datetime.date:
    """The birth date of a normalised number (a coordination number's day minus 60)."""
    _require_normalised(normalised)
    return _birth_date(int(normalised[:4]), int(normalised[4:6]), int(normalised[6:8]))


def age_on(normalised: str, day: datetime.date) -> int:
    """Completed years on ``day``; someone born on 29 February turns a year older on 1 March
    in a common year."""
    born = birth_date(normalised)
    return day.year - born.year - ((day.month, day.day) < (born.month, born.day))


def mask(normalised: str) -> str:
    """A fully masked form, ``********-****``, that reveals no digit (``""`` for no number)."""
    return MASKED if normalised else ""


def display(normalised: str) -> str:
    """The readable form ``YYYYMMDD-NNNN``."""
    _require_normalised(normalised)
    return f"{normalised[:8]}-{normalised[8:]}"
