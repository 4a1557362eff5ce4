"""NewCustomers_Quote: the charges of a package (and additional products) in a ZIP code, and
their telecom taxes, as the first bill and the monthly bill would show them.

Checks, in the documented order: input (S2010: ZIP or Address/Zip, the Address rules for a
quote, PackageID required, additional products), S2015 (a ZIP that does not exist), then
existence (PK2013, PR2023). Then the charges are taxed by the client's tax engine
(:data:`ENGINE_FACTORY`, by default the table engine on the client's tax table) for the
jurisdiction of the ZIP. Nothing is written.

Pluggable parts (set them at start-up, e.g. in the ASGI factory):

* :data:`ENGINE_FACTORY` ``(ctx) -> TaxEngine``: another engine (a commercial tax service)
  implements ``taxes(jurisdiction, charges, exemptions) -> list[TaxLine]``
  (:class:`openrev.domain.tax.TaxEngine`);
* :data:`ADDRESS_VERIFIER`: an object with ``zip4(address) -> str | None`` that finds the
  Zip+4 of an Address given without one; with none configured (the default), Zip4 stays empty.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Protocol

from ..contract.errors import ApiError, problems_message
from ..contract.operations import NewCustomers_QuoteRequest, NewCustomers_QuoteResult, QuoteDetail
from ..contract.types import Address
from ..domain import addresses as A, tax
from ..domain.customer_rules import check_quote, product_terms
from ..store import catalog, customer_map as M, tax as tax_store
from .base import Context, handler
from .new_customers import additional_products


class AddressVerifier(Protocol):
    def zip4(self, address: Address) -> str | None: ...


ADDRESS_VERIFIER: AddressVerifier | None = None
"""None: no address verification; an Address without Zip4 is quoted on its 5-digit ZIP."""


def table_engine(ctx: Context) -> tax.TaxEngine:
    """The default engine: the client's tax table (``openrev tax load``), cached in memory."""
    return tax.TableTaxEngine(tax_store.table_of(ctx.db, ctx.client_id), ctx.caller.tax_engine)


ENGINE_FACTORY: Callable[[Context], tax.TaxEngine] = table_engine


@handler("NewCustomers_Quote", writes=False)
def new_customers_quote(ctx: Context, req: NewCustomers_QuoteRequest
                        ) -> NewCustomers_QuoteResult:
    problems, zip5, zip_path = check_quote(req, M.limits())
    if problems:
        raise ApiError("S2010", problems_message(problems))
    if not A.zip_exists(zip5):
        raise ApiError("S2015", f"{zip_path}: {zip5} is not a known US zip code")
    package = catalog.ordered_package(ctx.db, ctx.client_id, req.PackageID)
    if package is None:
        raise ApiError("PK2013", f"PackageID: {req.PackageID} does not exist")
    extras = additional_products(ctx, req.AdditionalProducts, "AdditionalProducts")

    charges = [tax.charge(p.description, p.rate, p.quantity, p.recurring, p.tax_category)
               for p in package.lines]
    for product, p in extras:
        rate, quantity, description = product_terms(product.rate, product.description, p)
        charges.append(tax.charge(description, rate, quantity, product.recurring,
                                  product.tax_category))

    jurisdiction = tax.jurisdiction_of(zip5, _zip4(req.Address))
    assert jurisdiction is not None  # the ZIP exists (checked above)
    q = tax.quote(charges, ENGINE_FACTORY(ctx), jurisdiction, ())
    return NewCustomers_QuoteResult(
        Subtotal_OneTime=q.subtotals["OneTime"],
        Subtotal_OneTime_Revenue=q.revenue["OneTime"],
        Subtotal_OneTime_Taxes=q.tax_totals["OneTime"],
        Subtotal_Monthly=q.subtotals["Monthly"],
        Subtotal_Monthly_Revenue=q.revenue["Monthly"],
        Subtotal_Monthly_Taxes=q.tax_totals["Monthly"],
        Total=q.total,
        Details_Charges=[QuoteDetail(Description=c.description, Amount=c.amount,
                                     Category=c.category) for c in q.charges],
        Details_Taxes=[QuoteDetail(Description=t.description, Amount=t.amount,
                                   Category=t.category) for t in q.taxes],
    )


def _zip4(addr: Address | None) -> str:
    if addr is None:
        return ""
    given = (addr.Zip4 or "").strip()
    if given or ADDRESS_VERIFIER is None:
        return given
    return (ADDRESS_VERIFIER.zip4(addr) or "").strip()
