"""The clients app's domain operations (STYLE: services), one module per part of the work:
the registry and journals (records), reception (bookings, visits, the queue). Import them from
here: `from clients import services; services.book(...)`."""

from .reception import *  # noqa: F403
from .records import *  # noqa: F403
from .records import DuplicateClientError, EmptyDraftError  # noqa: F401
