"""Conformance across openings and processes: migrations, persistence, multi-process races.

The workers are module-level functions because spawned children import them.
"""

from __future__ import annotations

import multiprocessing
import queue as queue_module
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, ClassVar

import pytest

from cambridge_results.board.schema import SCHEMA
from cambridge_results.errors import (
    CambridgeResultsError,
    DuplicateError,
    SchemaTooNew,
)
from cambridge_results.storage import open_store
from cambridge_results.storage.migrations import AddColumn, AddIndex, Migration
from cambridge_results.storage.port import MULTI_PROCESS, PERSISTENT, Store, UnitOfWork
from cambridge_results.storage.schema import (
    Column,
    UniqueIndex,
)
from cambridge_results.testing.concurrency import (
    case_migrations,
    check_serial_history,
    create_cases,
    run_case_worker,
)
from cambridge_results.testing.conformance_base import (
    ACTOR,
    _Base,
    conformance_migrations,
    rolled_back,
    thing,
)

__all__ = ["RACES", "MigrationConformance", "MultiProcessConformance", "run_concurrent_migrators"]


class MigrationConformance(_Base):
    """Migrations on a backend that keeps its data between openings."""

    def test_a_store_opened_by_older_code_raises_schema_too_new(self, tmp_path: Path) -> None:
        """Data migrated further than the code knows is refused with SchemaTooNew."""
        store = self.open(tmp_path)
        self.needs(store, PERSISTENT)
        store.close()
        with pytest.raises(SchemaTooNew):
            self.open(tmp_path, SCHEMA)

    def test_added_columns_and_indexes_apply_to_existing_data(self, tmp_path: Path) -> None:
        """A later AddColumn fills existing rows with its default; AddIndex is enforced."""
        base = conformance_migrations()
        store = self.open(tmp_path, base)
        self.needs(store, PERSISTENT)
        with store.unit_of_work(actor=ACTOR) as uow:
            uow.insert("things", thing("a", note="x"))
        store.close()
        more = (
            *base,
            Migration(
                version=len(base) + 1,
                name="conformance-more",
                steps=(
                    AddColumn("things", Column("colour", "text", default="red")),
                    AddIndex("things", UniqueIndex(("owner", "colour"), name="uq_owner_colour")),
                ),
            ),
        )
        store = self.open(tmp_path, more)
        try:
            assert store.schema_version() == len(more)
            assert self.rows(store)[0]["colour"] == "red"
            with pytest.raises(DuplicateError), store.unit_of_work(actor=ACTOR) as uow:
                uow.insert("things", thing("b", kind="k2"))
        finally:
            store.close()

    def test_a_failing_migration_is_rolled_back_whole(self, tmp_path: Path) -> None:
        """A unique index that existing rows break fails and leaves the version unchanged."""
        base = conformance_migrations()
        store = self.open(tmp_path, base)
        self.needs(store, PERSISTENT)
        with store.unit_of_work(actor=ACTOR) as uow:
            uow.insert("things", thing("a"))
            uow.insert("things", thing("b", kind="k2"))
        store.close()
        failing = (
            *base,
            Migration(
                version=len(base) + 1,
                name="conformance-bad-index",
                steps=(
                    AddColumn("things", Column("extra", "int", nullable=True)),
                    AddIndex("things", UniqueIndex(("owner",), name="uq_owner_only")),
                ),
            ),
        )
        with pytest.raises(DuplicateError):
            self.open(tmp_path, failing)
        store = self.open(tmp_path, base)
        try:
            assert store.schema_version() == len(base)
            assert "extra" not in self.rows(store)[0]
        finally:
            store.close()

    def test_data_survives_closing_and_reopening(self, tmp_path: Path) -> None:
        """A persistent backend reopened on the same place has the committed data."""
        store = self.open(tmp_path)
        self.needs(store, PERSISTENT)
        with store.unit_of_work(actor=ACTOR) as uow:
            uow.insert("things", thing("kept"))
        with rolled_back(store) as uow:
            uow.insert("things", thing("lost", kind="k2"))
        store.close()
        again = self.open(tmp_path)
        try:
            assert [r["id"] for r in self.rows(again)] == ["kept"]
        finally:
            again.close()


# -- multi-process workers (module level: spawned children import them) ------


def _worker_increment(url: str, migrations: Sequence[Migration], times: int, out: Any) -> None:
    store = open_store(url, migrations=migrations, migrate=False)
    try:
        for _ in range(times):
            with store.unit_of_work(actor="test:worker") as uow:
                out.put(("value", uow.increment("things", "counter", "n")))
            with store.unit_of_work(actor="test:worker") as uow:
                out.put(("number", uow.next_number("shared")))
    finally:
        store.close()


#: The races of :meth:`MultiProcessConformance.test_processes_racing_for_one_thing_have_one_winner`.
RACES = ("primary-key", "partial-index", "activate", "compare-and-set")


def _race(uow: UnitOfWork, race: str, index: int) -> bool:
    """One racer's attempt; True if it won, False (or DuplicateError) if it lost."""
    if race == "primary-key":
        uow.insert("things", thing("contested", kind=f"k{index}"))
        return True
    if race == "partial-index":
        uow.insert("things", thing(f"p{index}", owner="partial", kind="k", active=True))
        return True
    if race == "activate":
        return uow.update("things", f"a{index}", {"active": True})
    return uow.update("things", "prize", {"note": f"winner-{index}"}, expect={"note": None})


def _worker_race(
    url: str, migrations: Sequence[Migration], barrier: Any, out: Any, index: int
) -> None:
    store = open_store(url, migrations=migrations, migrate=False)
    try:
        for race in RACES:
            barrier.wait()
            try:
                with store.unit_of_work(actor="test:worker") as uow:
                    outcome = "won" if _race(uow, race, index) else "lost"
            except DuplicateError:
                outcome = "lost"
            except CambridgeResultsError as exc:
                outcome = f"other: {type(exc).__name__}: {exc}"
            out.put((race, outcome, index))
    finally:
        store.close()


def _worker_migrate(url: str, migrations: Sequence[Migration], barrier: Any, out: Any) -> None:
    barrier.wait()
    try:
        store = open_store(url, migrations=migrations)
        out.put(store.schema_version())
        store.close()
    except CambridgeResultsError as exc:
        out.put(f"{type(exc).__name__}: {exc}")


def run_concurrent_migrators(
    url: str, migrations: Sequence[Migration], processes: int = 3
) -> list[int | str]:
    """Open ``url`` with ``migrations`` in several processes at once (released together).

    Returns each process's schema version afterwards, or its error as text.
    """
    ctx = multiprocessing.get_context("spawn")
    barrier = ctx.Barrier(processes)
    out = ctx.Queue()
    _run_workers(_worker_migrate, [(url, tuple(migrations), barrier, out)] * processes)
    return _drain(out, processes)


def _run_workers(target: Callable[..., None], args_per_worker: list[tuple[Any, ...]]) -> None:
    ctx = multiprocessing.get_context("spawn")
    processes = [ctx.Process(target=target, args=args) for args in args_per_worker]
    for p in processes:
        p.start()
    for p in processes:
        p.join()
    codes = [p.exitcode for p in processes]
    assert codes == [0] * len(processes), f"worker processes failed: exit codes {codes}"


def _drain(out: Any, count: int) -> list[Any]:
    results = []
    for _ in range(count):
        try:
            results.append(out.get(timeout=60))
        except queue_module.Empty:  # pragma: no cover - only when a worker died
            break
    return results


class MultiProcessConformance(_Base):
    """Several OS processes on one store (needs the ``multi-process`` capability)."""

    processes: ClassVar[int] = 3
    increments_per_process: ClassVar[int] = 15
    racers: ClassVar[int] = 4
    case_workers: ClassVar[int] = 4
    operations_per_worker: ClassVar[int] = 25

    def test_concurrent_increments_from_processes_lose_no_update(self, store: Store) -> None:
        """N processes x M increments end at N*M, every returned value distinct (LOG-02)."""
        self.needs(store, MULTI_PROCESS)
        with store.unit_of_work(actor=ACTOR) as uow:
            uow.insert("things", thing("counter", n=0))
        ctx = multiprocessing.get_context("spawn")
        out = ctx.Queue()
        times = self.increments_per_process
        migrations = conformance_migrations()
        _run_workers(_worker_increment, [(store.url, migrations, times, out)] * self.processes)
        total = self.processes * times
        results = _drain(out, 2 * total)
        values = sorted(v for kind, v in results if kind == "value")
        numbers = sorted(v for kind, v in results if kind == "number")
        assert values == list(range(1, total + 1))
        assert len(set(numbers)) == total
        assert self.rows(store)[0]["n"] == total

    def test_concurrent_compare_and_set_writers_leave_a_serial_history(
        self, tmp_path: Path
    ) -> None:
        """Processes amending, cancelling, advancing and reopening cases lose no update.

        Each attempt reads, decides, and writes by compare-and-set and
        ``increment``; afterwards every case must be explained by replaying
        its recorded history in version order (see
        :func:`cambridge_results.testing.concurrency.check_serial_history`).
        """
        migrations = case_migrations(conformance_migrations())
        store = self.open(tmp_path, migrations)
        try:
            self.needs(store, MULTI_PROCESS)
            cases = ("c1", "c2", "c3")
            create_cases(store, cases)
            ctx = multiprocessing.get_context("spawn")
            workers, operations = self.case_workers, self.operations_per_worker
            barrier = ctx.Barrier(workers)
            out = ctx.Queue()
            _run_workers(
                run_case_worker,
                [
                    (store.url, migrations, f"w{i}", cases, operations, i, out, barrier)
                    for i in range(workers)
                ],
            )
            outcomes = _drain(out, workers * operations)
            assert len(outcomes) == workers * operations
            assert any(o.result == "applied" for o in outcomes)
            check_serial_history(store, outcomes)
        finally:
            store.close()

    def test_processes_racing_for_one_thing_have_one_winner(self, store: Store) -> None:
        """Racing processes: one wins, the rest lose cleanly (no driver error) - four races.

        The same primary key; one active row per owner and kind (a partial
        unique index), reached by insert and by update; and a compare-and-set
        on one row.  Every racer is released at once by a barrier.
        """
        self.needs(store, MULTI_PROCESS)
        racers = self.racers
        with store.unit_of_work(actor=ACTOR) as uow:
            for i in range(racers):
                uow.insert("things", thing(f"a{i}", owner="activate", kind="k", active=False))
            uow.insert("things", thing("prize", kind="prize"))
        ctx = multiprocessing.get_context("spawn")
        barrier = ctx.Barrier(racers)
        out = ctx.Queue()
        migrations = conformance_migrations()
        _run_workers(
            _worker_race, [(store.url, migrations, barrier, out, i) for i in range(racers)]
        )
        results = _drain(out, racers * len(RACES))
        winners = {}
        for race in RACES:
            outcomes = sorted(outcome for r, outcome, _ in results if r == race)
            assert outcomes == ["lost"] * (racers - 1) + ["won"], (race, outcomes)
            winners[race] = next(i for r, o, i in results if r == race and o == "won")
        rows = {r["id"]: r for r in self.rows(store)}
        assert rows["contested"]["kind"] == f"k{winners['primary-key']}"
        assert [i for i, r in rows.items() if r["owner"] == "partial"] == [
            f"p{winners['partial-index']}"
        ]
        assert [i for i, r in rows.items() if r["owner"] == "activate" and r["active"]] == [
            f"a{winners['activate']}"
        ]
        assert rows["prize"]["note"] == f"winner-{winners['compare-and-set']}"
