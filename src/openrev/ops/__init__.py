"""Operation handlers, one module per operation group. Importing this registers them all."""

from . import (  # noqa: F401  (registration)
    customers, customers_update, duplicates, lifeline, lines, new_customers, orders, quote,
    sessions,
)
