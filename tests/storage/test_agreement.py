"""Memory, SQLite and PostgreSQL driven together by one state machine against one model."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from hypothesis import HealthCheck, settings
from hypothesis.stateful import run_state_machine_as_test

from cambridge_results.storage import Migration, Store, open_store
from cambridge_results.testing.conformance_stateful import agreement_machine
from cambridge_results.testing.postgres import schema_for, with_schema


def test_memory_sqlite_and_postgresql_agree_with_the_model_after_every_step(
    postgres_url: str,
) -> None:
    """Random inserts, updates, increments, deletes and rollbacks: all three stores agree.

    The one test that needs two backends at once, so it opens them by URL
    itself (the harness gives one backend per test): SQLite in the machine's
    directory, PostgreSQL in a schema of that directory on the session's server.
    """

    def sqlite(path: Path, migrations: Sequence[Migration]) -> Store:
        return open_store(f"sqlite:///{path / 'store.db'}", migrations=migrations)

    def postgresql(path: Path, migrations: Sequence[Migration]) -> Store:
        return open_store(with_schema(postgres_url, schema_for(path)), migrations=migrations)

    machine = agreement_machine(sqlite, postgresql)
    run_state_machine_as_test(
        machine,
        settings=settings(
            max_examples=30,
            stateful_step_count=20,
            deadline=None,
            suppress_health_check=[HealthCheck.too_slow],
        ),
    )
