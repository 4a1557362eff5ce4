"""Operation handlers, one module per operation group. Importing this registers them all."""

from . import customers, lifeline, lines, new_customers, orders, sessions  # noqa: F401  (registration)
