"""How SQLite and PostgreSQL commit a provisional unit of work: not waited for on disk.

A provisional unit's statements commit as they run without waiting for the
disk; every ordinary writing unit still waits (SQLite ``synchronous=FULL``,
PostgreSQL ``synchronous_commit=on``), which is what makes the earlier
provisional writes durable too (docs/storage.md).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from cambridge_results.board.schema import SCHEMA
from cambridge_results.storage import open_store
from cambridge_results.storage.port import UnitOfWork
from cambridge_results.testing.conformance_base import StoreURL

ACTOR = "test:provisional"
#: SQLite's ``PRAGMA synchronous`` values.
NORMAL, FULL = 1, 2


def _setting(uow: UnitOfWork, backend: str) -> Any:
    uow.count("sequences")  # PostgreSQL sends a unit's BEGIN with its first statement
    conn: Any = uow._conn  # type: ignore[attr-defined]  # the backend's own connection
    if backend == "sqlite":
        return conn.execute("PRAGMA synchronous").fetchone()[0]
    return conn.execute("SHOW synchronous_commit").fetchone()[0]


@pytest.mark.backends("sqlite", "postgresql")
def test_only_the_provisional_unit_skips_waiting_for_the_disk(
    store_backend: str, store_url: StoreURL, tmp_path: Path
) -> None:
    """Provisional: NORMAL / off; ordinary writing units before and after it: FULL / on."""
    store = open_store(store_url(tmp_path), migrations=SCHEMA)
    waits, skips = (FULL, NORMAL) if store_backend == "sqlite" else ("on", "off")
    try:
        seen = [store.run(lambda uow: _setting(uow, store_backend), actor=ACTOR)]
        seen.append(
            store.run(lambda uow: _setting(uow, store_backend), actor=ACTOR, provisional=True)
        )
        seen.append(store.run(lambda uow: _setting(uow, store_backend), actor=ACTOR))
        assert seen == [waits, skips, waits]
    finally:
        store.close()


@pytest.mark.backends("sqlite")
def test_provisional_units_in_a_row_switch_the_setting_once(
    store_url: StoreURL, tmp_path: Path
) -> None:
    """SQLite: NORMAL is set by the first provisional unit only; an ordinary one sets FULL."""
    store = open_store(store_url(tmp_path), migrations=SCHEMA)
    try:
        store.run(lambda uow: uow.count("sequences"), actor=ACTOR)  # the connection, at FULL
        conn: Any = store._connection()  # type: ignore[attr-defined]
        statements: list[str] = []
        conn.set_trace_callback(statements.append)
        for _ in range(3):
            store.run(lambda uow: uow.count("sequences"), actor=ACTOR, provisional=True)
        store.run(lambda uow: uow.count("sequences"), actor=ACTOR)
        conn.set_trace_callback(None)
        pragmas = [s for s in statements if s.startswith("PRAGMA")]
        assert pragmas == ["PRAGMA synchronous = NORMAL", "PRAGMA synchronous = FULL"]
        assert statements.index("PRAGMA synchronous = FULL") < statements.index("BEGIN IMMEDIATE")
    finally:
        store.close()
