"""A compare-and-set workload for concurrency tests: cases amended, cancelled and moved on.

Several processes act on a few *cases* at once, the way staff act on
enquiries: amend (count it), cancel, move the status on, reopen.  Each
attempt is one unit of work that reads the case, decides from what it read,
and writes with ``update(..., expect={"version": read})`` (compare-and-set),
``increment`` for counters, and an ``insert`` into the case's history.  A
lost update would show as a history that no serial order explains; the
check replays each case's history in version order and demands that every
step was allowed where it stands and that the replay ends exactly where the
case is.

The tables are this module's own (:func:`case_migrations`), so the workload
runs on any store, next to whatever else is being built.
"""

from __future__ import annotations

import functools
import random
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import attrs

from cambridge_results.board.schema import SCHEMA
from cambridge_results.storage import open_store
from cambridge_results.storage.migrations import CreateTable, Migration
from cambridge_results.storage.port import Store, UnitOfWork
from cambridge_results.storage.schema import Column, Index, Table, value_of

__all__ = [
    "CASES",
    "CASE_HISTORY",
    "OPERATIONS",
    "CaseState",
    "Outcome",
    "attempt",
    "case_migrations",
    "check_serial_history",
    "create_cases",
    "run_case_worker",
]

#: A case: its state, a version for compare-and-set, and two counters.
CASES = Table(
    "cases",
    (
        Column("id", "text"),
        Column("status", "text", default="received"),
        Column("cancelled", "bool", default=False),
        Column("amendments", "int", default=0),
        Column("attempts", "int", default=0),
        Column("version", "int", default=0),
    ),
    primary_key="id",
)

#: Every change that was applied, with the version it produced.  Deliberately
#: no unique index on (case, version): the check must see a lost update in
#: the data rather than have the store refuse it.
CASE_HISTORY = Table(
    "case_history",
    (
        Column("seq", "int", auto=True),
        Column("case_id", "text"),
        Column("version", "int"),
        Column("operation", "text"),
        Column("worker", "text"),
    ),
    primary_key="seq",
    indexes=(Index(("case_id", "version")),),
)

#: What a worker may try.
OPERATIONS = ("amend", "cancel", "advance", "reopen")
_NEXT_STATUS = {"received": "in-progress", "in-progress": "completed"}


def case_migrations(base: Sequence[Migration] = SCHEMA) -> tuple[Migration, ...]:
    """``base`` plus one migration creating :data:`CASES` and :data:`CASE_HISTORY`."""
    return (
        *base,
        Migration(
            version=len(base) + 1,
            name="test-cases",
            steps=(CreateTable(CASES), CreateTable(CASE_HISTORY)),
        ),
    )


@attrs.frozen(kw_only=True)
class CaseState:
    """What the rules look at; :meth:`after` is the model of one operation."""

    status: str = "received"
    cancelled: bool = False
    amendments: int = 0

    @classmethod
    def from_row(cls, row: Mapping[str, Any]) -> CaseState:
        """The state stored in a ``cases`` row."""
        return cls(status=row["status"], cancelled=row["cancelled"], amendments=row["amendments"])

    def allows(self, operation: str) -> bool:
        """Whether ``operation`` may happen now."""
        open_ = not self.cancelled and self.status != "completed"
        return not open_ if operation == "reopen" else open_

    def after(self, operation: str) -> CaseState:
        """The state once ``operation`` (which must be allowed) has happened."""
        if operation == "amend":
            return attrs.evolve(self, amendments=self.amendments + 1)
        if operation == "cancel":
            return attrs.evolve(self, cancelled=True)
        if operation == "advance":
            return attrs.evolve(self, status=_NEXT_STATUS[self.status])
        return attrs.evolve(self, status="in-progress", cancelled=False)


@attrs.frozen(kw_only=True)
class Outcome:
    """What one attempt did: ``applied`` (with the version it made), ``refused`` or ``conflict``."""

    worker: str
    case: str
    operation: str
    result: str
    version: int | None = None


def create_cases(store: Store, names: Iterable[str]) -> None:
    """Insert fresh cases."""
    with store.unit_of_work(actor="test:cases") as uow:
        for name in names:
            uow.insert("cases", {"id": name})


def attempt(uow: UnitOfWork, *, worker: str, case: str, operation: str) -> Outcome:
    """One attempt at ``operation`` on ``case``, decided from what this unit of work read."""
    row = uow.require("cases", case)
    state = CaseState.from_row(row)
    if not state.allows(operation):
        uow.increment("cases", case, "attempts")
        return Outcome(worker=worker, case=case, operation=operation, result="refused")
    new = state.after(operation)
    version = value_of(row, "version", int) + 1
    changed = uow.update(
        "cases",
        case,
        {"status": new.status, "cancelled": new.cancelled, "version": version},
        expect={"version": row["version"]},
    )
    # Counted whatever happened, with no compare-and-set: increment must lose none.
    uow.increment("cases", case, "attempts")
    if not changed:
        return Outcome(worker=worker, case=case, operation=operation, result="conflict")
    if operation == "amend":
        uow.increment("cases", case, "amendments")
    uow.insert(
        "case_history",
        {"case_id": case, "version": version, "operation": operation, "worker": worker},
    )
    return Outcome(worker=worker, case=case, operation=operation, result="applied", version=version)


def run_case_worker(
    url: str,
    migrations: Sequence[Migration],
    worker: str,
    cases: Sequence[str],
    operations: int,
    seed: int,
    out: Any,
    barrier: Any = None,
) -> None:
    """A worker process: ``operations`` random attempts; each outcome goes on ``out``."""
    rng = random.Random(seed)  # noqa: S311 - reproducible test randomness
    store = open_store(url, migrations=migrations, migrate=False)
    try:
        if barrier is not None:
            barrier.wait()
        for _ in range(operations):
            work = functools.partial(
                attempt, worker=worker, case=rng.choice(cases), operation=rng.choice(OPERATIONS)
            )
            out.put(store.run(work, actor=f"test:{worker}"))
    finally:
        store.close()


def _expect(condition: bool, message: str) -> None:
    if not condition:
        raise AssertionError(message)


def check_serial_history(store: Store, outcomes: Sequence[Outcome]) -> None:
    """Raise AssertionError unless the stored cases are explained by a serial history.

    For every case: the history's versions run 1, 2, ... up to the case's
    version with none missing or doubled; replaying the history in version
    order from a new case allows every step and ends in the stored state;
    ``attempts`` counts every committed attempt; and the applied outcomes
    the workers reported are exactly the history.
    """
    with store.unit_of_work(actor="test:cases", read_only=True) as uow:
        rows = {value_of(r, "id", str): r for r in uow.select("cases")}
        history = uow.select("case_history", order_by=("case_id", "version"))
    for case, row in rows.items():
        steps = [h for h in history if h["case_id"] == case]
        versions = [h["version"] for h in steps]
        _expect(
            versions == list(range(1, value_of(row, "version", int) + 1)),
            f"case {case}: history versions {versions} do not run 1..{row['version']!r}",
        )
        state = CaseState()
        for step in steps:
            operation = value_of(step, "operation", str)
            _expect(
                state.allows(operation),
                f"case {case}: {operation} at version {step['version']!r} was not "
                f"allowed after the steps before it (state {state})",
            )
            state = state.after(operation)
        _expect(
            state == CaseState.from_row(row),
            f"case {case}: replaying the history gives {state}, the store holds {row!r}",
        )
        tried = sum(1 for o in outcomes if o.case == case)
        _expect(
            row["attempts"] == tried,
            f"case {case}: {tried} attempts committed but the counter says {row['attempts']!r}",
        )
    applied = sorted(
        (o.case, o.version or 0, o.operation, o.worker) for o in outcomes if o.result == "applied"
    )
    recorded = sorted((h["case_id"], h["version"], h["operation"], h["worker"]) for h in history)
    _expect(applied == recorded, "the applied outcomes reported differ from the recorded history")
