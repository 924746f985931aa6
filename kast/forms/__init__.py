"""KAST's forms, one module per part: calls (calls, callers who become clients, the first
session, the referral source) and outreach (buyers reached, counted)."""

from .calls import *  # noqa: F401,F403
from .outreach import *  # noqa: F401,F403
