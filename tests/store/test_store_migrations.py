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
    assert current_revision(database_url) == head_revision() == "0008"


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
