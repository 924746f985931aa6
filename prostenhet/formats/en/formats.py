# The Swedish standard dates (2026-11-28 13:05) in English too; only the numbers are English.
from ..sv.formats import *  # noqa: F403

DECIMAL_SEPARATOR = "."
THOUSAND_SEPARATOR = ","
