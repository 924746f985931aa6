"""The outreach unit's forms, one module per part: shifts (shifts, contacts, nicknames),
support (support and coordination), internet (sessions, templates, addresses) and information
(talks and trainings)."""

from .information import *  # noqa: F401,F403
from .internet import *  # noqa: F401,F403
from .shifts import *  # noqa: F401,F403
from .support import *  # noqa: F401,F403
