"""The clients app's forms, one module per part of the work (see clients/services)."""

from .records import *  # noqa: F403
