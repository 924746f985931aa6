"""The outreach unit's services, one module per part: shifts (shifts, contacts, nicknames and
the contact figures), support (support and coordination in the outreach journal), internet
(sessions, e-mail templates, the hashes of the addresses mailed) and information (talks)."""

from .common import *  # noqa: F401,F403
from .information import *  # noqa: F401,F403
from .internet import *  # noqa: F401,F403
from .shifts import *  # noqa: F401,F403
from .support import *  # noqa: F401,F403
