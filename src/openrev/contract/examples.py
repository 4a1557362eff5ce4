"""A request example for every operation, built from the demo data (CONTRACT.md, "Demo data").

The OpenAPI description shows them on ``/docs``, the ``/`` page and the README reuse the
NewCustomers_Create one. Every operation of :data:`openrev.contract.operations.OPERATIONS` has
one (a test fails otherwise); each is the JSON body of ``POST /v20/json/{Operation}``.
"""

from __future__ import annotations

import json
from typing import Any

DEMO_CREDENTIALS: dict[str, str] = {"Username": "demo", "Password": "demo", "Client": "DEMO"}
"""The demo user with every permission (client DEMO)."""


def _with_credentials(body: dict[str, Any]) -> dict[str, Any]:
    return {"Credentials": dict(DEMO_CREDENTIALS), **body}


_NEW = {"FirstName": "Ann", "LastName": "Lee", "Address1": "1 Main St", "City": "Pensacola",
        "State": "FL", "Zip": "32502", "Country": "USA"}

EXAMPLES: dict[str, dict[str, Any]] = {
    "Sessions_Create": _with_credentials({}),
    "Customers_Query": _with_credentials({"CustomerID": 1}),
    "Customers_Update": _with_credentials({"Customer": {
        "ID": 1, "Email": "jane.sample@example.com", "Language": "English"}}),
    "Duplicate_Query": _with_credentials({
        "FirstName": "Jane", "LastName": "Sample", "DateOfBirth": "1980-05-15",
        "Street1": "101 N Palafox St", "City": "Pensacola", "State": "FL", "Zip": "32502"}),
    "NewCustomers_Create": _with_credentials({
        "Customer": {"CustomerClass": "Residential", "Email": "ann.lee@example.com",
                     "PhysicalAddress": dict(_NEW), "MailingAddress": dict(_NEW)},
        "Order": {"PackageID": 1001, "WirelessESN": "356938035643801"},
        "SendOrders": False}),
    "NewCustomers_Quote": _with_credentials({"ZIP": "32502", "PackageID": 1001}),
    "Orders_Query": _with_credentials({"OrderID": 1}),
    "Orders_Search": _with_credentials({"CustomerID": 1, "PageNumber": 1, "PageSize": 50}),
    "Orders_Update": _with_credentials({
        "OrderID": 3, "Status": "COMPLETE", "StatusNote": "Activated by hand",
        "CompletionDate": "2024-01-03T12:00:00Z"}),
    "LifelineTypes_Query": _with_credentials({}),
    "Lines_Update": _with_credentials({
        "Line_ID": 1, "Number": {"Updated": True, "Value": "8505550199"}}),
}
"""Operation name -> the JSON request body of its example."""

NOTES: dict[str, str] = {
    "NewCustomers_Create": (
        "Signs up a customer on package 1001 with the demo device 356938035643801; its order "
        "waits (SendOrders true would send it to provider 10, which completes it on its own "
        "a few seconds later). `openrev demo --reset` makes the device AVAILABLE again."),
    "Orders_Update": (
        "Order 3 is the order of the first sign-up on a fresh demo database (orders 1 and 2 "
        "are the demo customers' completed orders); completing it opens the customer."),
    "Lines_Update": "Line 1 is the demo customer's service on TN 8505550100.",
}
"""Operation name -> what the example relies on, where that is not obvious."""


def example(op_name: str) -> dict[str, Any]:
    """A copy of ``op_name``'s example request (KeyError when it has none)."""
    return json.loads(json.dumps(EXAMPLES[op_name]))


def curl_example(base_url: str, op_name: str = "NewCustomers_Create") -> str:
    """A copy-paste ``curl`` command posting ``op_name``'s example to the JSON binding."""
    body = json.dumps(EXAMPLES[op_name], indent=2)
    quoted = body.replace("'", "'\\''")
    return (f"curl -s -X POST {base_url.rstrip('/')}/v20/json/{op_name} \\\n"
            f"  -H 'Content-Type: application/json' \\\n  -d '{quoted}'")
