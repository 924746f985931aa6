"""The clients app's views, one module per part of the work (see clients/services). Each
module lists its own URL patterns; clients/urls.py joins them."""

from . import bookings, counselling, extracts, queue, reception, referrals, weeding  # noqa: F401
from .records import *  # noqa: F403
