"""The migrations create exactly the tables of openrev.store.tables."""

from __future__ import annotations

import logging
from typing import Any

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import Float, ForeignKeyConstraint, inspect

from openrev.store.db import make_engine
from openrev.store.migrate import alembic_config, current_revision, head_revision, upgrade
from openrev.store.tables import GLOBAL_MODELS, TENANT_MODELS, Base, Money
from openrev.store.testing import fresh_database


def _schema(url: str) -> dict[str, Any]:
    """Everything reflection tells about the tables of ``url`` (but alembic_version)."""
    engine = make_engine(url)
    try:
        insp = inspect(engine)
        schema: dict[str, Any] = {}
        for table in sorted(insp.get_table_names()):
            if table == "alembic_version":
                continue
            schema[table] = {
                "columns": [
                    (c["name"], repr(c["type"]), c["nullable"]) for c in insp.get_columns(table)
                ],
                "pk": insp.get_pk_constraint(table),
                "fks": sorted(
                    (fk["name"], tuple(fk["constrained_columns"]), fk["referred_table"],
                     tuple(fk["referred_columns"]))
                    for fk in insp.get_foreign_keys(table)
                ),
                "indexes": sorted(
                    (ix["name"], tuple(ix["column_names"]), bool(ix["unique"]))
                    for ix in insp.get_indexes(table)
                ),
                "uniques": sorted(
                    (uq["name"], tuple(uq["column_names"]))
                    for uq in insp.get_unique_constraints(table)
                ),
                "checks": sorted(
                    (ck["name"], ck["sqltext"]) for ck in insp.get_check_constraints(table)
                ),
            }
        return schema
    finally:
        engine.dispose()


def test_upgrade_has_no_drift_against_the_models(migrated_url: str) -> None:
    engine = make_engine(migrated_url)
    try:
        with engine.connect() as conn:
            context = MigrationContext.configure(conn, opts={"compare_type": True})
            assert compare_metadata(context, Base.metadata) == []
    finally:
        engine.dispose()


def test_upgrade_matches_create_all_exactly(migrated_url: str, server_url: str) -> None:
    """Also what autogenerate does not compare: CHECK constraints, names, types."""
    with fresh_database(server_url) as other:
        engine = make_engine(other)
        try:
            Base.metadata.create_all(engine)
        finally:
            engine.dispose()
        expected = _schema(other)
    actual = _schema(migrated_url)
    assert sorted(actual) == sorted(Base.metadata.tables)
    assert actual == expected


def test_upgrade_is_safe_to_run_twice(database_url: str) -> None:
    assert current_revision(database_url) is None
    upgrade(database_url)
    upgrade(database_url)
    assert current_revision(database_url) == head_revision() == "0009"


def test_downgrade_to_base_and_up_again(migrated_url: str) -> None:
    command.downgrade(alembic_config(migrated_url), "base")
    engine = make_engine(migrated_url)
    try:
        assert set(inspect(engine).get_table_names()) <= {"alembic_version"}
    finally:
        engine.dispose()
    upgrade(migrated_url)
    assert current_revision(migrated_url) == head_revision()


def test_upgrade_leaves_loggers_alone(database_url: str) -> None:
    logger = logging.getLogger("openrev.test.some_logger")
    upgrade(database_url)
    assert logger.disabled is False


def test_every_tenant_table_has_an_indexed_client_id() -> None:
    for model in TENANT_MODELS:
        table = model.__table__
        column = table.c.client_id
        assert not column.nullable, table.name
        assert [fk.target_fullname for fk in column.foreign_keys] == ["clients.id"], table.name
        assert any(
            list(ix.columns) == [column] for ix in table.indexes
        ), f"{table.name}.client_id is not indexed"
    assert len(TENANT_MODELS) == len(Base.metadata.tables) - len(GLOBAL_MODELS)


def test_every_table_has_an_integer_id_primary_key() -> None:
    for table in Base.metadata.sorted_tables:
        assert [c.name for c in table.primary_key.columns] == ["id"], table.name
        assert table.c.id.autoincrement in (True, "auto"), table.name


def test_constraint_names_are_explicit_and_fit_postgres() -> None:
    for table in Base.metadata.sorted_tables:
        names = [c.name for c in table.constraints] + [ix.name for ix in table.indexes]
        for name in names:
            assert name, f"unnamed constraint on {table.name}"
            assert len(name) <= 63, name
        for fk in table.constraints:
            if isinstance(fk, ForeignKeyConstraint):
                assert fk.name.startswith(f"fk_{table.name}_"), fk.name


def test_money_is_numeric_12_2_and_nothing_is_float() -> None:
    money = 0
    for table in Base.metadata.sorted_tables:
        for column in table.columns:
            assert not isinstance(column.type, Float), f"{table.name}.{column.name}"
            if isinstance(column.type, Money):
                money += 1
                assert (column.type.impl.precision, column.type.impl.scale) == (12, 2)
    assert money >= 8


def test_0008_queues_the_orders_that_waited_for_a_worker(database_url: str) -> None:
    """NEW flow-through orders, and SENT orders of a provider that completed on its own, are
    queued; the provider gets the DEMOWIRELESS adapter; a user's history entries their actor."""
    import datetime as dt

    from sqlalchemy import MetaData, Table, select

    command.upgrade(alembic_config(database_url), "0007")
    now = dt.datetime(2024, 1, 1, tzinfo=dt.timezone.utc)
    engine = make_engine(database_url)
    try:
        with engine.begin() as conn:
            md = MetaData()
            t = {n: Table(n, md, autoload_with=conn) for n in (
                "clients", "customers", "providers", "orders", "users", "order_history")}
            conn.execute(t["clients"].insert(), {"id": 1, "code": "M", "name": "M",
                         "tax_engine": "SURETAX", "lifeline_form_status": "NEEDS_REVIEW",
                         "created_at": now})
            conn.execute(t["users"].insert(), {"id": 1, "client_id": 1, "username": "ann",
                         "password_hash": "x", "active": True, "created_at": now})
            conn.execute(t["customers"].insert(), {
                "id": 1, "client_id": 1, "status": "PENDING", "customer_class": "Residential",
                "is_parent_account": False, "created_at": now, "balance": 0, "due": 0,
                "overdue": 0, "unbilled_usage": 0, "enabled_balance_limit": False,
                "usage_balance_limit": 0, "payment_terms": 0, "payment_terms_override": False,
                "is_auto_debit": False, "auto_debit_day": 0, "lifeline_program": "NON_LIFELINE"})
            conn.execute(t["providers"].insert(), [
                {"id": 1, "client_id": 1, "description": "W", "code": "W", "is_wireless": True,
                 "auto_complete_seconds": 3},
                {"id": 2, "client_id": 1, "description": "M", "code": "M", "is_wireless": False,
                 "auto_complete_seconds": None}])
            common = {"client_id": 1, "customer_id": 1, "order_type": "NEW",
                      "is_reconnect": False, "created_at": now}
            conn.execute(t["orders"].insert(), [
                {**common, "id": 1, "provider_id": 1, "status": "NEW", "flow_through": True},
                {**common, "id": 2, "provider_id": 1, "status": "SENT", "flow_through": False},
                {**common, "id": 3, "provider_id": 1, "status": "NEW", "flow_through": False},
                {**common, "id": 4, "provider_id": 2, "status": "SENT", "flow_through": False},
                {**common, "id": 5, "provider_id": 1, "status": "COMPLETE",
                 "flow_through": True}])
            conn.execute(t["order_history"].insert(), [
                {"id": 1, "client_id": 1, "order_id": 1, "created_at": now, "status": "NEW",
                 "user_id": 1},
                {"id": 2, "client_id": 1, "order_id": 2, "created_at": now, "status": "NEW",
                 "user_id": None}])
        upgrade(database_url)
        with engine.connect() as conn:
            md = MetaData()
            outbox = Table("order_outbox", md, autoload_with=conn)
            queued = {r.order_id: (r.action, r.key, r.in_doubt)
                      for r in conn.execute(select(outbox))}
            assert queued == {1: ("SEND", "o1.1", False), 2: ("SEND", "o2.1", True)}
            providers = Table("providers", md, autoload_with=conn)
            assert dict(conn.execute(select(providers.c.id, providers.c.adapter)).all()) == {
                1: "DEMOWIRELESS", 2: "MANUAL"}
            history = Table("order_history", md, autoload_with=conn)
            assert dict(conn.execute(select(history.c.id, history.c.actor)).all()) == {
                1: "user ann", 2: None}
    finally:
        engine.dispose()
