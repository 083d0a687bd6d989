"""The database every history test runs against: SQLite always, PostgreSQL through
`tests.support.postgres` (``XINAO_XL_TEST_PG``, else a throwaway cluster), skipped with a
reason when no server can be had here, failed instead when ``CI`` is set."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine, create_engine, text

from tests.support import postgres
from tests.support.libreoffice import in_ci
from xinao_xl.history import schema
from xinao_xl.history.store import _as_url


@pytest.fixture(scope="session")
def pg_server() -> Iterator[str]:
    """A PostgreSQL URL for the session (see the module docstring)."""
    manager = postgres.server()
    try:
        url = manager.__enter__()
        engine = create_engine(_as_url(url))
        with engine.connect() as conn:
            conn.execute(text("select 1"))
        engine.dispose()
    except Exception as exc:  # NoServer, or a server that does not answer
        manager.__exit__(None, None, None)
        reason = f"no PostgreSQL server for the history tests: {exc}"
        if in_ci():
            pytest.fail(f"{reason} — required when CI is set", pytrace=False)
        pytest.skip(reason)
    try:
        yield url
    finally:
        manager.__exit__(None, None, None)


def clean(url: str) -> str:
    """Drop the store's tables (only those) so a test starts from an empty database."""
    engine = create_engine(_as_url(url))
    schema.metadata.drop_all(engine)
    engine.dispose()
    return url


def empty_store(request: pytest.FixtureRequest) -> Engine:
    """For a fixture parametrized "sqlite"/"postgresql": an engine on an empty store with its
    tables made — SQLite in memory, or the session's PostgreSQL emptied."""
    if request.param == "sqlite":
        engine = create_engine("sqlite://")
    else:
        engine = create_engine(_as_url(clean(request.getfixturevalue("pg_server"))))
    schema.metadata.create_all(engine)
    return engine


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """An empty database: a SQLite file in the test's folder, or the session's PostgreSQL."""
    if request.param == "sqlite":
        return str(tmp_path / "历史库.sqlite")
    return clean(request.getfixturevalue("pg_server"))
