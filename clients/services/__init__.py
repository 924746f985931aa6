"""The clients app's domain operations (STYLE: services), one module per part of the work:
the registry and journals (records), reception (bookings and visits), the counselling queue,
referrals, and counselling (contracts, goals, session notes). Import them from here:
`from clients import services; services.book(...)`."""

from .counselling import *  # noqa: F403
from .queue import *  # noqa: F403
from .reception import *  # noqa: F403
from .records import *  # noqa: F403
from .records import DuplicateClientError, EmptyDraftError  # noqa: F401
from .referrals import *  # noqa: F403
