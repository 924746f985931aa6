"""The trafficking unit's services, one module per part: cases (the case, housing, authority
contacts, deadlines, the return home, the team's deadline list) and raids."""

from .cases import *  # noqa: F401,F403
from .raids import *  # noqa: F401,F403
