"""The operator console at ``/console`` (see :mod:`openrev.wire.console.app`)."""

from .app import Console, console_routes

__all__ = ["Console", "console_routes"]
