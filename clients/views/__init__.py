"""The clients app's views, one module per part of the work (see clients/services); the
URLconf names them through this package."""

from .records import *  # noqa: F403
