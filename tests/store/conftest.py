"""Fixtures of the store tests: a fresh database per test, on SQLite and (when
``OPENREV_TEST_POSTGRES_URL`` is set, e.g. ``postgresql://postgres@127.0.0.1:5432/test``) on
PostgreSQL too."""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest
from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from openrev.store.db import make_engine, make_sessionmaker
from openrev.store.migrate import upgrade
from openrev.store.testing import fresh_database

POSTGRES_URL = os.environ.get("OPENREV_TEST_POSTGRES_URL", "")
BACKENDS = ["sqlite"] + (["postgresql"] if POSTGRES_URL else [])


@pytest.fixture(params=BACKENDS)
def server_url(request: pytest.FixtureRequest) -> str:
    """What to give ``fresh_database`` for this backend."""
    return "sqlite://" if request.param == "sqlite" else POSTGRES_URL


@pytest.fixture
def database_url(server_url: str) -> Iterator[str]:
    """The URL of a new, empty database (not migrated), dropped after the test."""
    with fresh_database(server_url) as url:
        yield url


@pytest.fixture
def migrated_url(database_url: str) -> str:
    """The URL of a new database migrated to the newest revision."""
    upgrade(database_url)
    return database_url


@pytest.fixture
def engine(migrated_url: str) -> Iterator[Engine]:
    engine = make_engine(migrated_url)
    yield engine
    engine.dispose()


@pytest.fixture
def Session(engine: Engine) -> sessionmaker[Session]:  # noqa: N802 - a factory
    return make_sessionmaker(engine)
