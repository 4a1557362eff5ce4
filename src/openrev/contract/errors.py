"""The error-code table of the Standards, and the exception that carries one."""

from __future__ import annotations

from collections.abc import Sequence

from .limits import MAX_PROBLEM_CHARS, MAX_PROBLEMS_LISTED

# Code -> documented description, in the order of the Standards' table. The table lists
# S2010 twice ("Invalid input received." and "Invalid_Input"); the first is used.
ERROR_CODES: dict[str, str] = {
    "A2011": "Agent specified does not exist.",
    "AT2002": "The Customer_ID on the order does not match the Customer_ID supplied.",
    "AT2003": "The Customer_ID on the work order does not match the Customer_ID supplied.",
    "AT2004": "The Customer_ID on the ticket does not match the Customer_ID supplied.",
    "AT2005": "The Customer_ID on the task does not match the Customer_ID supplied.",
    "B2012": "Bill Profile does not exist.",
    "CA2014": "Provider does not exist.",
    "CA2020": "Connectivity to the provider is currently down.",
    "CN2001": "Configuration Error.",
    "CO2025": "Contact does not exist.",
    "CO2026": "Contact Type does not exist.",
    "CO2027": "Contact Type ID and Description do not match.",
    "C2002": "Customer ID does not exist.",
    "C2006": "Customer is not in the appropriate status for this action.",
    "C2007": "Customer's Lifeline Status is not appropriate for this action.",
    "C2008": "Cannot change customer hierarchy. Please migrate customer via Rev.io UI.",
    "F2015": "No file can be found with associated file ID.",
    "S2004": "Authorization failure: unknown/invalid Session Key.",
    "S2005": "Authorization failure: unknown/invalid Username/Password/Client.",
    "S2010": "Invalid input received.",
    "S2015": "Unknown Zip Code.",
    "S2017": "Permission denied.",
    "I2019": "Inventory Item ID does not exist.",
    "L2015": "Lifeline Type ID does not exist.",
    "L2016": "Lifeline Proof Type ID does not exist.",
    "L2024": "Services does not exist.",
    "LA2001": "Allowance specified does not exist.",
    "LA2002": "Allowance quantity does not equal allowance balance.",
    "LT2001": "Service type does not exist.",
    "N2001": "The customer on the service does not match the customer supplied.",
    "N2002": "The customer on the order does not match the customer supplied.",
    "O2001": "Order could not be generated.",
    "O2002": "Order specified does not exist.",
    "O2003": "Order element is required.",
    "PB2001": "Wireless pre-activated batch not found.",
    "PC2001": "Process does not exist.",
    "PK2013": "Package does not exist.",
    "P2001": "Amount must be greater than $0.00, but less than or equal to $99,999.00",
    "P2020": "Card Number failed LUHN validation.",
    "P2021": "Card is expired.",
    "P2022": "Credit Card Gateway Fatal Error. Please contact Support before retrying.",
    "P2025": "Routing Number failed validation.",
    "PNB2001": "PIN Batch not found.",
    "PN2001": "PIN not found.",
    "PN2002": "Error claiming PIN.",
    "PR2023": "Product does not exist.",
    "PT2023": "Product Type does not exist.",
    "R2016": "Report does not exist.",
    "R2018": "Report could not be generated.",
    "T2001": "Ticket does not exist.",
    "T2002": "File Type can only be TICKET_ATTACHMENT for ticket attachments.",
    "TG2001": "Tag does not exist.",
    "TS2001": "Task does not exist.",
    "TS2002": "File Type can only be TASK_ATTACHMENT for task attachments.",
    "U2001": "User does not exist.",
    "W2001": "Work Order specified does not exist.",
}

# The error the server answers for an unexpected failure (with a reference id in Message).
INTERNAL_ERROR = "CN2001"


class ApiError(Exception):
    """A documented error: answered as Header.Success=false with Error_Code/Description.

    ``message`` names the field path and the rule, e.g.
    ``Customer/PhysicalAddress/Zip: must be 5 digits``.
    """

    def __init__(self, code: str, message: str = ""):
        if code not in ERROR_CODES:
            raise ValueError(f"undocumented error code {code}")
        super().__init__(f"{code}: {message}" if message else code)
        self.code = code
        self.message = message

    @property
    def description(self) -> str:
        return ERROR_CODES[self.code]


def problems_message(problems: Sequence[str]) -> str:
    """One Message for several problems, bounded: the first MAX_PROBLEMS_LISTED joined by
    ``; ``, then ``; and N more`` (each problem cut at MAX_PROBLEM_CHARS characters)."""
    shown = [p if len(p) <= MAX_PROBLEM_CHARS else p[:MAX_PROBLEM_CHARS] + "…"
             for p in problems[:MAX_PROBLEMS_LISTED]]
    more = len(problems) - len(shown)
    return "; ".join(shown) + (f"; and {more} more" if more > 0 else "")


def invalid(path: str, rule: str) -> ApiError:
    """S2010 for one field: ``invalid("Customer/Email", "not an email address")``."""
    return ApiError("S2010", f"{path}: {rule}")
