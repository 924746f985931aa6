"""KAST's services, one module per part: calls (phone counselling, callers who become
clients, the first session, the referral source) and outreach (buyers reached, counted)."""

from .calls import *  # noqa: F401,F403
from .outreach import *  # noqa: F401,F403
