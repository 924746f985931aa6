"""The clinic's services, one module per part: bookings (hours, appointment types, booking by
profession) and records (encounters, samples, the follow-up list)."""

from .bookings import *  # noqa: F401,F403
from .records import *  # noqa: F401,F403
