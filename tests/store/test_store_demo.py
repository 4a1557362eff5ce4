"""openrev.store.demo: exactly the demo data of CONTRACT.md, loadable twice."""

from __future__ import annotations

from decimal import Decimal

from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from openrev.contract.enums import PERMISSIONS
from openrev.domain.passwords import hash_key, verify_password
from openrev.store.demo import CLERK_IMPERSONATION_KEY, load_demo
from openrev.store.tables import (
    Address,
    Agent,
    Base,
    BillProfile,
    Client,
    CustomFieldDefinition,
    Customer,
    CustomerProduct,
    InventoryItem,
    LifelineProofType,
    LifelineType,
    NladProfile,
    Order,
    Package,
    PaymentAccount,
    Process,
    Product,
    Provider,
    Service,
    ServiceType,
    User,
)


def _counts(factory: sessionmaker[Session]) -> dict[str, int]:
    with factory() as session:
        return {
            table.name: session.execute(select(func.count()).select_from(table)).scalar_one()
            for table in Base.metadata.sorted_tables
        }


def _load(factory: sessionmaker[Session]) -> None:
    with factory.begin() as session:
        load_demo(session)


def test_loading_twice_changes_nothing(Session: sessionmaker[Session]) -> None:  # noqa: N803
    _load(Session)
    first = _counts(Session)
    with Session() as session:
        hashes = dict(session.execute(select(User.username, User.password_hash)).all())
    _load(Session)
    assert _counts(Session) == first
    with Session() as session:
        assert dict(session.execute(select(User.username, User.password_hash)).all()) == hashes
    assert first["clients"] == 2
    assert first["users"] == 3
    assert first["customers"] == 2
    assert first["inventory_items"] == 13


def test_clients_users_and_permissions(Session: sessionmaker[Session]) -> None:  # noqa: N803
    _load(Session)
    with Session() as s:
        demo = s.scalar(select(Client).where(Client.code == "DEMO"))
        other = s.scalar(select(Client).where(Client.code == "OTHER"))
        assert (demo.id, demo.tax_engine) == (1, "SURETAX")
        assert (other.id, other.tax_engine) == (2, "CCH")

        users = {u.username: u for u in s.scalars(select(User))}
        assert {u: users[u].client_id for u in users} == {"demo": 1, "clerk": 1, "other": 2}
        for name in ("demo", "clerk", "other"):
            assert users[name].password_hash != name
            assert users[name].password_hash.startswith("$argon2")
            assert verify_password(users[name].password_hash, name)
        assert users["demo"].permission_names == frozenset(PERMISSIONS)
        restricted = {"IMPERSONATE_USERS", "MANUALLY_CHANGE_LIFELINE_INFORMATION", "VIEW_SSN"}
        assert users["clerk"].permission_names == frozenset(PERMISSIONS) - restricted
        assert "ADMINISTER_USERS" in users["clerk"].permission_names  # the console's Users
        assert users["other"].permission_names == frozenset()
        assert users["clerk"].impersonation_key_hash == hash_key(CLERK_IMPERSONATION_KEY)
        assert users["demo"].impersonation_key_hash is None

        states = sorted(p.state for p in s.scalars(select(NladProfile).where(
            NladProfile.client_id == 1, NladProfile.active)))
        assert states == ["FL", "NY"]


def test_catalog(Session: sessionmaker[Session]) -> None:  # noqa: N803
    _load(Session)
    with Session() as s:
        agent = s.get(Agent, 1)
        assert (agent.client_id, agent.agent_number) == (1, 5001)
        assert [(b.id, b.description, b.bill_method, b.payment_terms)
                for b in s.scalars(select(BillProfile).where(BillProfile.client_id == 1)
                                   .order_by(BillProfile.id))] == [
            (1, "Standard", "EMAIL_ONLY", 30), (2, "Paper", "PRINT_ONLY", 15)]
        wireless, manual = s.get(Provider, 10), s.get(Provider, 20)
        assert (wireless.description, wireless.code, wireless.is_wireless) == (
            "Demo Wireless", "DEMOWIRELESS", True)
        assert wireless.auto_complete_seconds == 3
        assert (manual.description, manual.code, manual.is_wireless) == (
            "Manual Provisioning", "MANUAL", False)
        assert manual.auto_complete_seconds is None

        products = {p.id: (p.description, p.rate, p.recurring)
                    for p in s.scalars(select(Product).where(Product.client_id == 1))}
        assert products == {
            2001: ("Unlimited Talk & Text", Decimal("25.00"), True),
            2002: ("5GB Data", Decimal("15.00"), True),
            2003: ("Activation Fee", Decimal("35.00"), False),
            2004: ("Shipping", Decimal("9.99"), False),
            2005: ("Lifeline Discount", Decimal("-9.25"), True),
            2006: ("Business Voice Line", Decimal("29.95"), True),
        }
        assert all(isinstance(rate, Decimal) for _, rate, _ in products.values())

        def package(id_: int) -> tuple:
            p = s.get(Package, id_)
            return (p.description, p.provider_id, p.is_lifeline,
                    [(pp.product_id, pp.product_group_id, pp.lead_product) for pp in p.products])

        assert package(1001) == ("Wireless Unlimited", 10, False,
                                 [(2001, 1, True), (2002, 1, False), (2003, 0, False)])
        assert package(1002) == ("Lifeline Wireless", 10, True, [(2001, 0, False), (2005, 0, False)])
        assert package(1003) == ("Business Voice", 20, False, [(2006, 0, False)])

        def described(model: type) -> dict[int, str]:
            return {r.id: r.description
                    for r in s.scalars(select(model).where(model.client_id == 1))}

        assert described(LifelineType) == {1: "Federal Lifeline", 2: "State Lifeline"}
        assert described(LifelineProofType) == {1: "SNAP", 2: "Medicaid", 3: "Income"}
        assert described(ServiceType) == {1: "Wireless", 2: "Voice"}
        assert described(Process) == {1: "Standard Activation"}
        fields = {f.id: f.label for f in s.scalars(
            select(CustomFieldDefinition).where(CustomFieldDefinition.client_id == 1))}
        assert fields == {1: "Referral Source", 2: "Preferred Contact Time"}


def test_inventory(Session: sessionmaker[Session]) -> None:  # noqa: N803
    _load(Session)
    with Session() as s:
        items = {i.identifier: i for i in s.scalars(select(InventoryItem))}
        assert {k: (v.inventory_type.kind, v.status) for k, v in items.items()} == {
            "356938035643801": ("Mobile_Device", "AVAILABLE"),
            "356938035643802": ("Mobile_Device", "AVAILABLE"),
            "356938035643803": ("Mobile_Device", "BATCHED"),
            "356938035643809": ("Mobile_Device", "UNAVAILABLE"),
            "89014103211118510701": ("SIM_Card", "AVAILABLE"),
            # CONTRACT.md: "For more sign-ups"
            "356938035643106": ("Mobile_Device", "AVAILABLE"),
            "356938035643114": ("Mobile_Device", "AVAILABLE"),
            "356938035643122": ("Mobile_Device", "AVAILABLE"),
            "356938035643130": ("Mobile_Device", "AVAILABLE"),
            "356938035643148": ("Mobile_Device", "AVAILABLE"),
            "89014103211118510720": ("SIM_Card", "AVAILABLE"),
            "89014103211118510738": ("SIM_Card", "AVAILABLE"),
            "89014103211118510746": ("SIM_Card", "AVAILABLE"),
        }
        batched = items["356938035643803"]
        assert batched.mdn == "8505550103" and batched.batch_id is not None
        assert items["89014103211118510701"].inventory_type.identifier_label == "ICCID"
        assert all(i.client_id == 1 and i.customer_id is None for i in items.values())


def test_customers(Session: sessionmaker[Session]) -> None:  # noqa: N803
    _load(Session)
    with Session() as s:
        jane = s.get(Customer, 1)
        assert (jane.client_id, jane.status, jane.customer_class) == (1, "OPEN", "Residential")
        for address, kind in ((jane.physical_address, "PHYSICAL"),
                              (jane.mailing_address, "MAILING")):
            assert address.kind == kind and address.customer_id == 1
            assert (address.first_name, address.last_name) == ("Jane", "Sample")
            assert (address.city, address.state, address.zip) == ("Pensacola", "FL", "32502")
        assert jane.created_at.tzinfo is not None
        service = s.scalar(select(Service).where(Service.customer_id == 1))
        assert (service.tn, service.status, service.package_id, service.provider_id) == (
            "8505550100", "ACTIVE", 1001, 10)
        assert service.provider.is_wireless
        assert [(p.product_id, p.status, p.rate) for p in service.customer_products] == [
            (2001, "ACTIVE", Decimal("25.00")), (2002, "ACTIVE", Decimal("15.00")),
            (2003, "ACTIVE", Decimal("35.00"))]
        order = s.scalar(select(Order).where(Order.customer_id == 1))
        assert (order.order_type, order.status, order.service_id) == ("NEW", "COMPLETE", service.id)
        account = s.scalar(select(PaymentAccount).where(PaymentAccount.customer_id == 1))
        assert account.active and account.last4 == "1111"

        john = s.get(Customer, 2)
        assert (john.client_id, john.status) == (2, "OPEN")
        assert (john.physical_address.city, john.physical_address.state,
                john.physical_address.zip) == ("New York", "NY", "10001")
        other_service = s.scalar(select(Service).where(Service.customer_id == 2))
        assert other_service.tn == "2125550100" and other_service.client_id == 2
        # OTHER's own catalog does not reuse DEMO's ids.
        assert s.get(Package, other_service.package_id).client_id == 2
        assert s.get(Provider, other_service.provider_id).client_id == 2
        assert s.get(LifelineType, 3).client_id == 2


def test_every_row_belongs_to_the_client_of_its_customer(
    Session: sessionmaker[Session],  # noqa: N803
) -> None:
    _load(Session)
    with Session() as s:
        for model in (Address, Service, Order, CustomerProduct, PaymentAccount):
            for row in s.scalars(select(model)):
                assert row.client_id == s.get(Customer, row.customer_id).client_id


def test_new_rows_get_fresh_ids_after_the_demo(Session: sessionmaker[Session]) -> None:  # noqa: N803
    _load(Session)
    with Session.begin() as s:
        customer = Customer(client_id=1, status="PROSPECT")
        product = Product(client_id=1, description="New", rate=Decimal("1.00"))
        user = User(client_id=2, username="new", password_hash="x")
        s.add_all([customer, product, user])
        s.flush()
        customer.physical_address = Address(client_id=1, first_name="A", last_name="B")
        s.flush()
        assert customer.id == 3 and product.id == 2102 and user.id == 4
        assert customer.physical_address.id == 5
        assert customer.physical_address.kind == "PHYSICAL"
        assert customer.physical_address.customer_id == customer.id
    _load(Session)  # and the demo still loads over it
