"""The models: secrets stay out of reprs; money, time and enumerations behave."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from sqlalchemy import LargeBinary, String, Text, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from openrev.contract import enums
from openrev.store import tables
from openrev.store.demo import load_demo
from openrev.store.tables import (
    Address,
    Base,
    Customer,
    CustomerLifeline,
    CustomerTaxExemption,
    OrderPort,
    Product,
    User,
)

SECRET = "S3CR3T-VALUE"


def _all_models() -> list[type[Base]]:
    return sorted((m.class_ for m in Base.registry.mappers), key=lambda c: c.__name__)


@pytest.mark.parametrize("model", _all_models(), ids=lambda m: m.__name__)
def test_repr_shows_only_class_and_id(model: type[Base]) -> None:
    row = model()
    for column in model.__table__.columns:
        if isinstance(column.type, (String, Text)):
            setattr(row, column.key, f"{SECRET}-{column.key}")
        elif isinstance(column.type, LargeBinary):
            setattr(row, column.key, SECRET.encode())
    row.id = 42
    assert repr(row) == f"<{model.__name__} id=42>"
    assert SECRET not in repr(row) and SECRET not in str(row)


def test_repr_of_loaded_and_expired_rows(Session: sessionmaker[Session]) -> None:  # noqa: N803
    with Session.begin() as s:
        load_demo(s)
    with Session() as s:
        jane = s.get(Customer, 1)
        demo = s.scalar(select(User).where(User.username == "demo"))
        s.expire_all()
        assert repr(jane) == "<Customer id=1>"
        assert "argon2" not in repr(demo) and repr(demo).startswith("<User id=")
        assert jane.ssn not in repr(jane)


@pytest.mark.parametrize(
    ("values", "enum"),
    [
        (tables.ORDER_STATUSES, enums.OrderStatus),
        (tables.ORDER_TYPES, enums.OrderType),
        (tables.LIFELINE_STATUSES, enums.LifelineStatus),
        (tables.TPIV_STATUSES, enums.TPIVStatus),
        (tables.CUSTOMER_PRODUCT_STATUSES, enums.CustomerProductStatus),
        (tables.INVENTORY_TYPE_KINDS, enums.InventoryType),
        (tables.INVENTORY_ITEM_STATUSES, enums.InventoryItemStatus),
        (tables.CUSTOMER_CLASSES, enums.CustomerClass),
        (tables.BILL_METHODS, enums.BillMethod),
        (tables.LIFELINE_PROGRAMS, enums.LifelineProgram),
        (tables.CUSTOMER_STATUSES, enums.CustomerStatus),
    ],
    ids=lambda v: getattr(v, "name", ""),
)
def test_checked_values_are_the_documented_enumerations(values: tuple[str, ...], enum) -> None:
    assert set(values) == set(enum.values)


def test_money_round_trips_as_decimal_half_up(Session: sessionmaker[Session]) -> None:  # noqa: N803
    with Session.begin() as s:
        load_demo(s)
        s.add_all([
            Product(id=9001, client_id=1, description="a", rate=Decimal("1.005")),
            Product(id=9002, client_id=1, description="b", rate=Decimal("-0.125")),
            Product(id=9003, client_id=1, description="c", rate=Decimal("9999999999.99")),
            Product(id=9004, client_id=1, description="d", rate=7),
        ])
    with Session() as s:
        rates = {p.id: p.rate for p in s.scalars(select(Product).where(Product.id > 9000))}
    assert rates == {9001: Decimal("1.01"), 9002: Decimal("-0.13"),
                     9003: Decimal("9999999999.99"), 9004: Decimal("7.00")}
    assert all(isinstance(r, Decimal) and r.as_tuple().exponent == -2 for r in rates.values())


def test_money_refuses_floats(Session: sessionmaker[Session]) -> None:  # noqa: N803
    with Session() as s:
        load_demo(s)
        s.add(Product(client_id=1, description="float", rate=9.99))
        with pytest.raises(Exception, match="never a float"):
            s.flush()
        s.rollback()


def test_timestamps_are_aware_utc(Session: sessionmaker[Session]) -> None:  # noqa: N803
    eastern = dt.timezone(dt.timedelta(hours=-5))
    with Session.begin() as s:
        load_demo(s)
        s.add(Customer(id=50, client_id=1, created_at=dt.datetime(2024, 3, 1, 7, 0, tzinfo=eastern)))
    with Session() as s:
        created = s.get(Customer, 50).created_at
    assert created == dt.datetime(2024, 3, 1, 12, 0, tzinfo=dt.timezone.utc)
    assert created.utcoffset() == dt.timedelta(0)


def test_check_constraints_refuse_undocumented_values(
    Session: sessionmaker[Session],  # noqa: N803
) -> None:
    with Session() as s:
        load_demo(s)
        s.commit()
        s.add(Customer(client_id=1, status="ACTIVE"))
        with pytest.raises(IntegrityError):
            s.flush()
        s.rollback()


def test_foreign_keys_are_enforced(Session: sessionmaker[Session]) -> None:  # noqa: N803
    with Session() as s:
        s.add(CustomerTaxExemption(client_id=999, customer_id=999, value="FET"))
        with pytest.raises(IntegrityError):
            s.flush()
        s.rollback()


def test_owned_children(Session: sessionmaker[Session]) -> None:  # noqa: N803
    with Session.begin() as s:
        load_demo(s)
        jane = s.get(Customer, 1)
        jane.tax_exemptions.append(CustomerTaxExemption(client_id=1, value="FET"))
        jane.lifeline = CustomerLifeline(client_id=1, status="NEEDS_FORM",
                                         self_certification_pdf=b"%PDF-1.4")
    with Session() as s:
        jane = s.get(Customer, 1)
        assert [t.value for t in jane.tax_exemptions] == ["FET"]
        assert jane.lifeline.status == "NEEDS_FORM"
        assert jane.lifeline.self_certification_pdf == b"%PDF-1.4"
        jane.tax_exemptions.clear()
        s.commit()
        assert s.scalars(select(CustomerTaxExemption)).all() == []


def test_an_address_of_the_wrong_kind_is_refused() -> None:
    customer = Customer(client_id=1)
    with pytest.raises(ValueError):
        customer.physical_address = Address(client_id=1, kind="MAILING")
    port = OrderPort(mdn="8505550199", pin_password=SECRET)
    assert SECRET not in repr(port)
