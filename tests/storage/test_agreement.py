"""Memory, SQLite and PostgreSQL driven together by one state machine against one model."""

from __future__ import annotations

from hypothesis import HealthCheck, settings
from hypothesis.stateful import run_state_machine_as_test

from cambridge_results.testing.conformance import StoreFactory, agreement_machine
from cambridge_results.testing.postgres import PostgresSchemas


def test_memory_sqlite_and_postgresql_agree_with_the_model_after_every_step(
    make_sqlite: StoreFactory, postgres: PostgresSchemas
) -> None:
    """Random inserts, updates, increments, deletes and rollbacks: all three stores agree."""
    machine = agreement_machine(make_sqlite, postgres)
    run_state_machine_as_test(
        machine,
        settings=settings(
            max_examples=30,
            stateful_step_count=20,
            deadline=None,
            suppress_health_check=[HealthCheck.too_slow],
        ),
    )
