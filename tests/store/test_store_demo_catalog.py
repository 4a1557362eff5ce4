"""The demo catalog comes from the shipped catalog files (catalogs/DEMO.yaml, OTHER.yaml)
through the catalog importer: ``openrev demo`` inserts what is missing and leaves changed rows
alone; ``openrev demo --reset`` puts the listed rows back to the file's values."""

from __future__ import annotations

from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from openrev.store.demo import load_demo, reset_demo
from openrev.store.tables import PackageProduct, Product, Provider


def _change_the_catalog(factory: sessionmaker[Session]) -> None:
    with factory.begin() as s:
        s.get(Product, 2001).rate = Decimal("99.00")
        provider = s.get(Provider, 10)
        provider.fault_down, provider.fault_down_message = True, "planned"
        s.get(PackageProduct, 2).lead_product = True
        s.delete(s.get(PackageProduct, 3))
        s.add(PackageProduct(id=500, client_id=1, package_id=1001, product_id=2004,
                             sort_order=9))


def _state(factory: sessionmaker[Session]) -> tuple:
    with factory() as s:
        provider = s.get(Provider, 10)
        return (s.get(Product, 2001).rate, provider.fault_down, provider.fault_down_message,
                s.get(PackageProduct, 2).lead_product, s.get(PackageProduct, 3) is not None,
                s.get(PackageProduct, 500) is not None)


def test_demo_keeps_changed_rows_and_puts_back_missing_ones(
        Session: sessionmaker[Session]) -> None:  # noqa: N803
    with Session.begin() as s:
        load_demo(s)
    _change_the_catalog(Session)
    with Session.begin() as s:
        load_demo(s)
    assert _state(Session) == (Decimal("99.00"), True, "planned", True, True, True)


def test_reset_puts_the_listed_catalog_rows_back(Session: sessionmaker[Session]) -> None:  # noqa: N803
    with Session.begin() as s:
        load_demo(s)
    _change_the_catalog(Session)
    with Session.begin() as s:
        reset_demo(s)
    # a package product a user added to a demo package is left alone, like other added rows
    assert _state(Session) == (Decimal("25.00"), False, None, False, True, True)
    with Session() as s:
        assert list(s.scalars(select(PackageProduct.id).where(
            PackageProduct.package_id == 1001).order_by(PackageProduct.id))) == [1, 2, 3, 500]
