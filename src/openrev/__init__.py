"""openrev: a self-hostable, wire-compatible implementation of the v20 customer and order API."""

__version__ = "0.1.0"
