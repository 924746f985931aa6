"""The clients app's forms, one module per part of the work (see clients/services)."""

from .bookings import *  # noqa: F403
from .counselling import *  # noqa: F403
from .queue import *  # noqa: F403
from .reception import *  # noqa: F403
from .records import *  # noqa: F403
from .referrals import *  # noqa: F403
