"""The storage conformance suite, shipped for every backend (ours and third parties').

A backend turns it all on with one class in its own test suite::

    from cambridge_results.storage.sqlite import SQLiteStore
    from cambridge_results.testing.conformance import StoreConformance

    class TestSQLiteStore(StoreConformance):
        make_store = staticmethod(
            lambda path, migrations: SQLiteStore(path / "store.db", migrations=migrations)
        )

``make_store(path, migrations)`` gets an empty directory of the test's own
and the migrations to apply (the library's plus a ``things`` test table);
called twice with the same directory, a persistent backend opens the same
data again.  The suite closes the stores it makes.

What a backend cannot do is a declared capability, not a skipped test name:
tests that need :data:`~cambridge_results.storage.port.PERSISTENT` or
:data:`~cambridge_results.storage.port.MULTI_PROCESS` skip, saying so, when
``store.capabilities`` lacks it.  Multi-process tests reopen the store in
child processes with ``open_store(store.url, migrations=...)``, so the
backend's scheme must be registered (built in, or by entry point).

The mixins can be used one by one: :class:`PrimitiveConformance`,
:class:`EventConformance`, :class:`RepositoryConformance`,
:class:`MigrationConformance`, :class:`MultiProcessConformance`,
:class:`StatefulConformance`.
"""

from __future__ import annotations

import contextlib
import datetime
import multiprocessing
import queue as queue_module
import shutil
import tempfile
import zoneinfo
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any, ClassVar

import attrs
import pendulum

from cambridge_results.testing import _missing_extra

try:
    import pytest
    from hypothesis import HealthCheck, given, settings
    from hypothesis import strategies as st
    from hypothesis.stateful import (
        RuleBasedStateMachine,
        initialize,
        invariant,
        rule,
        run_state_machine_as_test,
    )
except ModuleNotFoundError as exc:
    raise _missing_extra(exc) from exc

from cambridge_results.board.schema import SCHEMA
from cambridge_results.errors import (
    CambridgeResultsError,
    DuplicateError,
    InvalidValue,
    NotFound,
    SchemaTooNew,
    StorageError,
    WriteRefused,
)
from cambridge_results.storage import open_store
from cambridge_results.storage.memory import MemoryStore
from cambridge_results.storage.migrations import AddColumn, AddIndex, CreateTable, Migration
from cambridge_results.storage.port import MULTI_PROCESS, PERSISTENT, Store, UnitOfWork
from cambridge_results.storage.query import Ge, Gt, In, Le, Lt, Ne, Prefix
from cambridge_results.storage.schema import (
    INT_MAX,
    INT_MIN,
    Column,
    Table,
    UniqueIndex,
    canonical_value,
)
from cambridge_results.testing.concurrency import (
    case_migrations,
    check_serial_history,
    create_cases,
    run_case_worker,
)
from cambridge_results.values import (
    AssessedBy,
    Associate,
    Candidate,
    Centre,
    Component,
    ContactDetails,
    Entry,
    EntryStatus,
    Syllabus,
)

__all__ = [
    "THINGS",
    "EventConformance",
    "MigrationConformance",
    "MultiProcessConformance",
    "PrimitiveConformance",
    "RepositoryConformance",
    "StatefulConformance",
    "StoreConformance",
    "StoreFactory",
    "conformance_migrations",
    "run_concurrent_migrators",
]

#: ``make_store(path, migrations) -> Store``.
StoreFactory = Callable[[Path, Sequence[Migration]], Store]

#: The suite's own table: every column type, a partial unique index (one
#: *active* thing per owner and kind) and a unique-when-present ``note``.
THINGS = Table(
    "things",
    (
        Column("id", "text"),
        Column("owner", "text"),
        Column("kind", "text"),
        Column("active", "bool", default=True),
        Column("n", "int", default=0),
        Column("note", "text", nullable=True),
        Column("blob", "bytes", nullable=True),
        Column("data", "json", nullable=True),
        Column("at", "instant", nullable=True),
    ),
    primary_key="id",
    unique=(
        UniqueIndex(("owner", "kind"), where={"active": True}),
        UniqueIndex(("note",)),
    ),
)


def conformance_migrations(base: Sequence[Migration] = SCHEMA) -> tuple[Migration, ...]:
    """The library's migrations plus one creating :data:`THINGS`."""
    return (
        *base,
        Migration(version=len(base) + 1, name="conformance-things", steps=(CreateTable(THINGS),)),
    )


T0 = pendulum.datetime(2026, 6, 1, 9, 0, 0, tz="UTC")
ACTOR = "test:conformance"


class _RollBack(Exception):
    """Raised inside a unit of work to make it roll back."""


def thing(id_: str, owner: str | None = "o", kind: str = "k", **extra: Any) -> dict[str, Any]:
    """A ``things`` row with defaults for the other columns."""
    return {"id": id_, "owner": owner, "kind": kind, **extra}


@contextmanager
def rolled_back(store: Store) -> Iterator[UnitOfWork]:
    """A unit of work made to fail after its block, so everything done in it rolls back."""
    with contextlib.suppress(_RollBack), store.unit_of_work(actor=ACTOR) as uow:
        yield uow
        raise _RollBack


class _Base:
    """The store fixture and capability checks shared by every mixin."""

    make_store: ClassVar[StoreFactory]

    def open(self, path: Path, migrations: Sequence[Migration] | None = None) -> Store:
        """A store from the backend's factory (the suite's migrations by default)."""
        factory = type(self).make_store
        return factory(path, conformance_migrations() if migrations is None else migrations)

    @pytest.fixture
    def store(self, tmp_path: Path) -> Iterator[Store]:
        """A fresh store with the suite's migrations applied."""
        store = self.open(tmp_path)
        try:
            yield store
        finally:
            store.close()

    @staticmethod
    def needs(store: Store, capability: str) -> None:
        """Skip, saying why, when the backend does not declare ``capability``."""
        if capability not in store.capabilities:
            pytest.skip(f"{type(store).__name__} does not declare the {capability!r} capability")

    @staticmethod
    def rows(store: Store, table: str = "things") -> list[dict[str, Any]]:
        """Every row of ``table`` in key order, read in a fresh unit of work."""
        with store.unit_of_work(actor=ACTOR, read_only=True) as uow:
            return uow.select(table)


class PrimitiveConformance(_Base):
    """The unit of work's primitives: insert, get, update, delete, select, count, ..."""

    def test_insert_then_get_returns_every_column_type_unchanged(self, store: Store) -> None:
        """Text, int, bool, bytes, JSON and instants read back exactly as written."""
        row = thing(
            "a",
            active=False,
            n=-(2**63),
            note="ünïcode ✓ 中文",
            blob=b"\x00\xff",
            data={"b": [1, 2.5, None, True, "x"], "a": {}},
            at=pendulum.datetime(2026, 6, 1, 10, 30, 0, 123456, tz="Europe/London"),
        )
        with store.unit_of_work(actor=ACTOR) as uow:
            stored = uow.insert("things", row)
        with store.unit_of_work(actor=ACTOR, read_only=True) as uow:
            got = uow.get("things", "a")
        assert got == stored
        assert got is not None
        assert got["at"] == row["at"]
        assert got["at"].utcoffset() == pendulum.duration(0)
        assert got["blob"] == b"\x00\xff"
        assert got["data"] == {"a": {}, "b": [1, 2.5, None, True, "x"]}
        assert got["active"] is False

    def test_insert_fills_defaults_and_nulls(self, store: Store) -> None:
        """Columns left out take their default, or NULL when nullable."""
        with store.unit_of_work(actor=ACTOR) as uow:
            stored = uow.insert("things", thing("a"))
        assert stored["active"] is True
        assert stored["n"] == 0
        assert stored["note"] is None
        assert self.rows(store) == [stored]

    def test_get_of_a_missing_key_is_none_and_require_raises_not_found(self, store: Store) -> None:
        """``get`` answers None and ``require`` raises NotFound for an unknown key."""
        with store.unit_of_work(actor=ACTOR, read_only=True) as uow:
            assert uow.get("things", "nope") is None
            with pytest.raises(NotFound):
                uow.require("things", "nope")

    def test_a_duplicate_primary_key_raises_duplicate_error(self, store: Store) -> None:
        """Inserting a key twice raises DuplicateError, never a driver error."""
        with store.unit_of_work(actor=ACTOR) as uow:
            uow.insert("things", thing("a"))
        with pytest.raises(DuplicateError), store.unit_of_work(actor=ACTOR) as uow:
            uow.insert("things", thing("a", owner="other"))
        assert [r["owner"] for r in self.rows(store)] == ["o"]

    def test_a_unique_index_refuses_a_second_equal_value(self, store: Store) -> None:
        """A unique column refuses a value another row has."""
        with store.unit_of_work(actor=ACTOR) as uow:
            uow.insert("things", thing("a", note="same"))
        with pytest.raises(DuplicateError), store.unit_of_work(actor=ACTOR) as uow:
            uow.insert("things", thing("b", kind="other", note="same"))
        assert len(self.rows(store)) == 1

    def test_nulls_are_distinct_in_a_unique_index(self, store: Store) -> None:
        """Any number of rows may leave a unique-when-present column empty."""
        with store.unit_of_work(actor=ACTOR) as uow:
            for i in range(3):
                uow.insert("things", thing(f"t{i}", kind=f"k{i}", note=None))
        assert len(self.rows(store)) == 3

    def test_a_partial_unique_index_holds_only_where_its_condition_holds(
        self, store: Store
    ) -> None:
        """One active row per owner and kind; inactive ones are not counted."""
        with store.unit_of_work(actor=ACTOR) as uow:
            uow.insert("things", thing("a", active=True))
            uow.insert("things", thing("b", active=False))
            uow.insert("things", thing("c", active=False))
        with pytest.raises(DuplicateError), store.unit_of_work(actor=ACTOR) as uow:
            uow.insert("things", thing("d", active=True))
        with pytest.raises(DuplicateError), store.unit_of_work(actor=ACTOR) as uow:
            uow.update("things", "b", {"active": True})
        with store.unit_of_work(actor=ACTOR) as uow:
            assert uow.update("things", "a", {"active": False})
            assert uow.update("things", "b", {"active": True})
        assert [r["id"] for r in self.rows(store) if r["active"]] == ["b"]

    def test_a_caught_duplicate_error_leaves_the_unit_of_work_usable(self, store: Store) -> None:
        """After a refused insert, earlier and later writes of the same unit still commit."""
        with store.unit_of_work(actor=ACTOR) as uow:
            uow.insert("things", thing("a"))
            with pytest.raises(DuplicateError):
                uow.insert("things", thing("a"))
            uow.insert("things", thing("b", kind="k2"))
        assert [r["id"] for r in self.rows(store)] == ["a", "b"]

    def test_update_returns_whether_a_row_changed(self, store: Store) -> None:
        """``update`` is True for an existing key and False for a missing one."""
        with store.unit_of_work(actor=ACTOR) as uow:
            uow.insert("things", thing("a"))
            assert uow.update("things", "a", {"note": "x", "n": 5}) is True
            assert uow.update("things", "zz", {"note": "y"}) is False
        assert self.rows(store)[0]["note"] == "x"
        assert self.rows(store)[0]["n"] == 5

    def test_update_with_expect_is_a_compare_and_set(self, store: Store) -> None:
        """``expect`` must match the current values (None meaning NULL) for the update to apply."""
        with store.unit_of_work(actor=ACTOR) as uow:
            uow.insert("things", thing("a", n=1))
            assert not uow.update("things", "a", {"n": 2}, expect={"n": 7})
            assert not uow.update("things", "a", {"n": 2}, expect={"note": "x"})
            assert uow.update("things", "a", {"n": 2}, expect={"n": 1, "note": None})
            assert uow.update("things", "a", {"note": "set"}, expect={"n": 2})
        assert self.rows(store)[0]["n"] == 2
        assert self.rows(store)[0]["note"] == "set"

    def test_update_cannot_change_the_primary_key(self, store: Store) -> None:
        """Changing a key column is refused with InvalidValue."""
        with store.unit_of_work(actor=ACTOR) as uow:
            uow.insert("things", thing("a"))
        with pytest.raises(InvalidValue), store.unit_of_work(actor=ACTOR) as uow:
            uow.update("things", "a", {"id": "b"})
        assert [r["id"] for r in self.rows(store)] == ["a"]

    def test_delete_returns_whether_a_row_was_deleted(self, store: Store) -> None:
        """``delete`` removes the row and says whether there was one."""
        with store.unit_of_work(actor=ACTOR) as uow:
            uow.insert("things", thing("a"))
            assert uow.delete("things", "a") is True
            assert uow.delete("things", "a") is False
        assert self.rows(store) == []

    def test_select_filters_orders_and_limits(self, store: Store) -> None:
        """``where``, ``order_by`` (with ``-`` for descending) and ``limit`` agree with SQL."""
        with store.unit_of_work(actor=ACTOR) as uow:
            for i, (owner, n, note) in enumerate(
                [("x", 3, None), ("y", 1, "b"), ("x", 2, "a"), ("y", 3, "c"), ("x", 1, None)]
            ):
                uow.insert("things", thing(f"t{i}", owner=owner, kind=f"k{i}", n=n, note=note))
        with store.unit_of_work(actor=ACTOR, read_only=True) as uow:

            def ids(
                where: Any = None, order: Sequence[str] = (), limit: int | None = None
            ) -> list[str]:
                return [r["id"] for r in uow.select("things", where, order, limit)]

            assert ids() == ["t0", "t1", "t2", "t3", "t4"]
            assert ids({"owner": "x"}) == ["t0", "t2", "t4"]
            assert ids({"owner": "x"}, ("n",)) == ["t4", "t2", "t0"]
            assert ids(None, ("-n",)) == ["t0", "t3", "t2", "t1", "t4"]
            assert ids(None, ("note",)) == ["t0", "t4", "t2", "t1", "t3"]
            assert ids(None, ("-note",)) == ["t3", "t1", "t2", "t0", "t4"]
            assert ids(None, ("n",), limit=2) == ["t1", "t4"]
            assert ids({"note": None}) == ["t0", "t4"]
            assert ids({"note": Ne(None)}) == ["t1", "t2", "t3"]
            assert ids({"note": Ne("a")}) == ["t1", "t3"]
            assert ids({"n": Gt(1), "owner": "y"}) == ["t3"]
            assert ids({"n": Ge(2)}) == ["t0", "t2", "t3"]
            assert ids({"n": Lt(2)}) == ["t1", "t4"]
            assert ids({"n": Le(2)}) == ["t1", "t2", "t4"]
            assert ids({"kind": In(["k1", "k3", "zz"])}) == ["t1", "t3"]
            assert ids({"kind": In([])}) == []
            assert ids({"id": Prefix("t")}, limit=0) == []
            assert uow.count("things") == 5
            assert uow.count("things", {"owner": "y", "n": Ge(2)}) == 1

    def test_prefix_matches_case_sensitively_and_literally(self, store: Store) -> None:
        """``Prefix`` is an exact, case-sensitive start; ``%`` and ``_`` are not wildcards."""
        with store.unit_of_work(actor=ACTOR) as uow:
            for i, note in enumerate(["ab/1", "Ab/2", "a%/3", "a_/4", "abc", "é/5"]):
                uow.insert("things", thing(f"t{i}", kind=f"k{i}", note=note))
        with store.unit_of_work(actor=ACTOR, read_only=True) as uow:

            def notes(prefix: str) -> list[str]:
                rows = uow.select("things", {"note": Prefix(prefix)}, ("note",))
                return [r["note"] for r in rows]

            assert notes("ab") == ["ab/1", "abc"]
            assert notes("a%") == ["a%/3"]
            assert notes("a_") == ["a_/4"]
            assert notes("é") == ["é/5"]
            assert len(notes("")) == 6

    def test_increment_is_atomic_and_returns_the_new_value(self, store: Store) -> None:
        """``increment`` adds and answers the new value; a missing row is NotFound."""
        with store.unit_of_work(actor=ACTOR) as uow:
            uow.insert("things", thing("a", n=10))
            assert uow.increment("things", "a", "n") == 11
            assert uow.increment("things", "a", "n", by=-5) == 6
            with pytest.raises(NotFound):
                uow.increment("things", "zz", "n")
            with pytest.raises(InvalidValue):
                uow.increment("things", "a", "note")
        assert self.rows(store)[0]["n"] == 6

    def test_an_increment_that_would_leave_the_64_bit_range_is_refused(self, store: Store) -> None:
        """Past the 64-bit range ``increment`` is InvalidValue; the value stays; work goes on."""
        with store.unit_of_work(actor=ACTOR) as uow:
            uow.insert("things", thing("hi", kind="k1", n=INT_MAX - 1))
            uow.insert("things", thing("lo", kind="k2", n=INT_MIN))
            assert uow.increment("things", "hi", "n") == INT_MAX
            with pytest.raises(InvalidValue):
                uow.increment("things", "hi", "n")
            with pytest.raises(InvalidValue):
                uow.increment("things", "lo", "n", by=-1)
            with pytest.raises(InvalidValue):
                uow.increment("things", "lo", "n", by=2**64)
            assert uow.increment("things", "lo", "n", by=INT_MAX) == -1
        assert [r["n"] for r in self.rows(store)] == [INT_MAX, -1]

    def test_json_numbers_read_back_as_the_same_type_and_value(self, store: Store) -> None:
        """Floats stay floats and ints stay ints: ``1e16`` does not come back as an int."""
        data = {
            "big": 1e300,
            "e16": 1e16,
            "tiny": 1.5e-300,
            "int": 2**70,
            "negative": -0.5,
            "one": 1.0,
            "zero": 0,
            "list": [1, 1.0, 1e16],
        }
        with store.unit_of_work(actor=ACTOR) as uow:
            uow.insert("things", thing("a", data=data))
        got = self.rows(store)[0]["data"]
        assert got == data
        assert {k: type(v) for k, v in got.items()} == {k: type(v) for k, v in data.items()}
        assert [type(v) for v in got["list"]] == [int, float, float]

    def test_a_caught_duplicate_error_from_an_update_leaves_the_unit_usable(
        self, store: Store
    ) -> None:
        """An update refused by a unique index changes nothing; the unit's other writes commit."""
        with store.unit_of_work(actor=ACTOR) as uow:
            uow.insert("things", thing("a", note="x"))
            uow.insert("things", thing("b", kind="k2"))
            with pytest.raises(DuplicateError):
                uow.update("things", "b", {"note": "x", "n": 5})
            assert uow.update("things", "b", {"note": "y"})
            uow.insert("things", thing("c", kind="k3"))
        assert [(r["id"], r["note"], r["n"]) for r in self.rows(store)] == [
            ("a", "x", 0),
            ("b", "y", 0),
            ("c", None, 0),
        ]

    def test_a_refused_change_to_an_append_only_table_leaves_the_unit_usable(
        self, store: Store
    ) -> None:
        """WriteRefused for changing an event is caught; the unit's later writes commit."""
        with store.unit_of_work(actor=ACTOR) as uow:
            first = uow.events.append(at=T0, kind="k", subject="s")
            with pytest.raises(WriteRefused):
                uow.update("events", first.seq, {"kind": "forged"})
            with pytest.raises(WriteRefused):
                uow.delete("events", first.seq)
            assert uow.update("events", first.seq + 1000, {"kind": "forged"}) is False
            second = uow.events.append(at=T0, kind="k2", subject="s")
        with store.unit_of_work(actor=ACTOR, read_only=True) as uow:
            assert uow.events.history() == [first, second]

    def test_a_stream_left_unfinished_does_not_disturb_later_units_of_work(
        self, store: Store
    ) -> None:
        """A stream abandoned part-way stops at its unit's end and harms no later unit of work."""
        with store.unit_of_work(actor=ACTOR) as uow:
            for i in range(5):
                uow.insert("things", thing(f"t{i}", kind=f"k{i}"))
        with store.unit_of_work(actor=ACTOR, read_only=True) as uow:
            leftover = uow.stream("things", batch_size=2)
            assert next(leftover)["id"] == "t0"
        with store.unit_of_work(actor=ACTOR) as uow:
            with pytest.raises(StorageError):
                next(leftover)
            dropped = uow.stream("things", batch_size=1)
            assert next(dropped)["id"] == "t0"
            dropped.close()
            uow.events.append(at=T0, kind="after-streams", subject="s")
            uow.update("things", "t4", {"n": 4})
        with store.unit_of_work(actor=ACTOR, read_only=True) as uow:
            assert [r["id"] for r in uow.stream("things", {"n": 4}, batch_size=1)] == ["t4"]
            assert [e.kind for e in uow.events.history()] == ["after-streams"]

    def test_next_number_counts_each_sequence_separately(self, store: Store) -> None:
        """Sequences start at 1 and rise; different names do not interfere."""
        with store.unit_of_work(actor=ACTOR) as uow:
            first = [uow.next_number("enquiry") for _ in range(3)]
            other = uow.next_number("invoice")
        with store.unit_of_work(actor=ACTOR) as uow:
            later = uow.next_number("enquiry")
        assert first == [1, 2, 3]
        assert other == 1
        assert later > 3

    def test_stream_yields_every_match_in_order_in_batches(self, store: Store) -> None:
        """``stream`` with a small batch size gives the same rows as ``select``."""
        with store.unit_of_work(actor=ACTOR) as uow:
            for i in range(7):
                uow.insert("things", thing(f"t{i}", kind=f"k{i}", n=i % 3))
        with store.unit_of_work(actor=ACTOR, read_only=True) as uow:
            streamed = list(uow.stream("things", {"n": Ne(1)}, ("-n",), batch_size=2))
            selected = uow.select("things", {"n": Ne(1)}, ("-n",))
        assert streamed == selected
        assert [r["id"] for r in streamed] == ["t2", "t5", "t0", "t3", "t6"]

    def test_an_exception_rolls_back_every_write_of_the_unit(self, store: Store) -> None:
        """Inserts, updates, deletes, increments and sequences all roll back together."""
        with store.unit_of_work(actor=ACTOR) as uow:
            uow.insert("things", thing("a", n=1))
            uow.insert("things", thing("b", kind="k2"))
        before = self.rows(store)
        with rolled_back(store) as uow:
            uow.insert("things", thing("c", kind="k3"))
            uow.update("things", "a", {"note": "changed"})
            uow.increment("things", "a", "n", by=100)
            uow.delete("things", "b")
            uow.next_number("rolled-back")
            uow.events.append(at=T0, kind="thing-changed", subject="thing:a")
        assert self.rows(store) == before
        with store.unit_of_work(actor=ACTOR, read_only=True) as uow:
            assert uow.events.history() == []

    def test_bad_input_raises_invalid_value_and_stores_nothing(self, store: Store) -> None:
        """Wrong types, unknown columns, naive instants and NUL text are refused."""
        bad_rows = [
            thing("a", n="1"),
            thing("a", n=True),
            thing("a", n=2**63),
            thing("a", active=1),
            thing("a", note=5),
            thing("a", note="nul\x00"),
            thing("a", blob="text"),
            thing("a", data={1: float("nan")}),
            thing("a", at=pendulum.naive(2026, 1, 1)),
            thing("a", at="2026-01-01T00:00:00Z"),
            thing("a", unknown=1),
            {"id": "a", "kind": "k"},
            thing("a", owner=None),
        ]
        for row in bad_rows:
            with pytest.raises(InvalidValue), store.unit_of_work(actor=ACTOR) as uow:
                uow.insert("things", row)
        with store.unit_of_work(actor=ACTOR) as uow:
            with pytest.raises(InvalidValue):
                uow.insert("no_such_table", {"id": "a"})
            with pytest.raises(InvalidValue):
                uow.select("things", {"data": {"a": 1}})
            with pytest.raises(InvalidValue):
                uow.select("things", order_by="n")
            with pytest.raises(InvalidValue):
                uow.get("things", ("a", "b"))
        assert self.rows(store) == []

    def test_a_read_only_unit_of_work_refuses_writes(self, store: Store) -> None:
        """Every write primitive raises WriteRefused in a read-only unit of work."""
        with store.unit_of_work(actor=ACTOR) as uow:
            uow.insert("things", thing("a"))
        with store.unit_of_work(actor=ACTOR, read_only=True) as uow:
            attempts: list[Callable[[], object]] = [
                lambda: uow.insert("things", thing("b", kind="k2")),
                lambda: uow.update("things", "a", {"n": 1}),
                lambda: uow.delete("things", "a"),
                lambda: uow.increment("things", "a", "n"),
                lambda: uow.next_number("s"),
                lambda: uow.events.append(at=T0, kind="k", subject="s"),
            ]
            for attempt in attempts:
                with pytest.raises(WriteRefused):
                    attempt()
        assert [r["n"] for r in self.rows(store)] == [0]

    def test_a_unit_of_work_needs_an_actor_and_cannot_nest_or_outlive_its_block(
        self, store: Store
    ) -> None:
        """No actor is InvalidValue; a nested or finished unit of work is a StorageError."""
        with pytest.raises(InvalidValue), store.unit_of_work(actor=""):
            pass
        with store.unit_of_work(actor=ACTOR) as uow:
            with pytest.raises(StorageError), store.unit_of_work(actor=ACTOR):
                pass
            uow.insert("things", thing("a"))
        with pytest.raises(StorageError):
            uow.get("things", "a")
        assert len(self.rows(store)) == 1


class EventConformance(_Base):
    """The append-only event log (SPEC section 5)."""

    def test_appended_events_carry_the_actor_and_read_back_in_order(self, store: Store) -> None:
        """``history(prefix)`` returns the subject's events oldest first, with seq and actor."""
        with store.unit_of_work(actor="centre:GB123") as uow:
            first = uow.events.append(
                at=T0, kind="access-set", subject="centre:GB123/series:2026-06", details={"m": 1}
            )
            uow.events.append(at=T0, kind="other", subject="centre:GB124/series:2026-06")
        with store.unit_of_work(actor="board:staff") as uow:
            third = uow.events.append(
                at=T0.add(hours=1), kind="access-set", subject="centre:GB123/series:2026-11"
            )
        with store.unit_of_work(actor=ACTOR, read_only=True) as uow:
            history = uow.events.history("centre:GB123/")
            everything = uow.events.history()
        assert [e.seq for e in history] == [first.seq, third.seq]
        assert first.seq < third.seq
        assert [e.actor for e in history] == ["centre:GB123", "board:staff"]
        assert history[0].details == {"m": 1}
        assert history[0].at == T0
        assert history[1].at == T0.add(hours=1)
        assert len(everything) == 3

    def test_events_cannot_be_updated_or_deleted(self, store: Store) -> None:
        """The store refuses to change or remove an event: WriteRefused."""
        with store.unit_of_work(actor=ACTOR) as uow:
            event = uow.events.append(at=T0, kind="k", subject="s")
        with pytest.raises(WriteRefused), store.unit_of_work(actor=ACTOR) as uow:
            uow.update("events", event.seq, {"kind": "forged"})
        with pytest.raises(WriteRefused), store.unit_of_work(actor=ACTOR) as uow:
            uow.delete("events", event.seq)
        with store.unit_of_work(actor=ACTOR, read_only=True) as uow:
            assert uow.events.history() == [event]

    def test_an_event_with_bad_fields_is_refused(self, store: Store) -> None:
        """A naive time, empty kind or non-JSON details raise InvalidValue; nothing is stored."""
        bad: list[dict[str, Any]] = [
            {"at": pendulum.naive(2026, 1, 1), "kind": "k", "subject": "s"},
            {"at": T0, "kind": "", "subject": "s"},
            {"at": T0, "kind": "k", "subject": ""},
            {"at": T0, "kind": "k", "subject": "s", "details": {"x": object()}},
        ]
        for kwargs in bad:
            with pytest.raises(InvalidValue), store.unit_of_work(actor=ACTOR) as uow:
                uow.events.append(**kwargs)
        with store.unit_of_work(actor=ACTOR, read_only=True) as uow:
            assert uow.events.history() == []


def _contact() -> ContactDetails:
    return ContactDetails(name="Exams Officer", email="exams@example.org")


def _syllabus() -> Syllabus:
    return Syllabus(
        code="0580",
        name="Mathematics",
        qualification="IGCSE",
        components=(
            Component(code="12", name="Paper 12", assessed_by=AssessedBy.BOARD),
            Component(code="42", name="Paper 42", assessed_by=AssessedBy.BOARD),
            Component(code="05", name="Coursework", assessed_by=AssessedBy.CENTRE),
        ),
    )


_names = st.text(
    alphabet=st.characters(categories=("L", "M", "Nd", "Zs", "Pd")), min_size=1, max_size=40
)


def _valid_candidate(given: str, family: str, number: int, uci: bool) -> Candidate | None:
    try:
        return Candidate(
            centre="GB123",
            number=f"{number:04d}",
            given_name=given,
            family_name=family,
            uci=f"GB12326{number:05d}A" if uci else None,
        )
    except InvalidValue:
        return None


class RepositoryConformance(_Base):
    """The foundation repositories over the primitives."""

    @pytest.fixture
    def board(self, store: Store) -> Store:
        """A store with an Associate, two centres, a syllabus and some candidates."""
        with store.unit_of_work(actor=ACTOR) as uow:
            uow.associates.add(Associate(number="AS001", name="Associate One", contact=_contact()))
            uow.centres.add(Centre(number="GB123", name="Main Centre", contact=_contact()))
            uow.centres.add(Centre(number="GB456", name="Sub Centre", associate="AS001"))
            uow.syllabuses.add(_syllabus())
            for number, given, family, uci in [
                ("1000", "Zoë", "Ångström", None),
                ("0713", "Ali", "Khan", "GB1232600713A"),
                ("0002", "محمد", "Straße", None),
                ("0100", "Mei", "王", "GB1232600100B"),
            ]:
                uow.candidates.add(
                    Candidate(
                        centre="GB123",
                        number=number,
                        given_name=given,
                        family_name=family,
                        uci=uci,
                    )
                )
        return store

    def test_centres_and_associates_round_trip(self, board: Store) -> None:
        """Centres and Associates read back equal, and an Associate lists its centres (ASC-01)."""
        with board.unit_of_work(actor=ACTOR, read_only=True) as uow:
            assert uow.centres.get("GB123") == Centre(
                number="GB123", name="Main Centre", contact=_contact()
            )
            assert uow.associates.get("as001").contact == _contact()
            assert [c.number.value for c in uow.associates.centres("AS001")] == ["GB456"]
            assert [c.number.value for c in uow.centres.all()] == ["GB123", "GB456"]
            assert [a.number.value for a in uow.associates.all()] == ["AS001"]
            assert uow.centres.find("GB999") is None
            with pytest.raises(NotFound):
                uow.centres.get("GB999")

    def test_saving_a_centre_replaces_its_details(self, board: Store) -> None:
        """``save`` replaces a stored centre; saving an unknown one is NotFound."""
        with board.unit_of_work(actor=ACTOR) as uow:
            uow.centres.save(Centre(number="GB123", name="Renamed", associate="AS001"))
            with pytest.raises(NotFound):
                uow.centres.save(Centre(number="GB999", name="Nobody"))
        with board.unit_of_work(actor=ACTOR, read_only=True) as uow:
            assert uow.centres.get("GB123").name == "Renamed"
            assert len(uow.associates.centres("AS001")) == 2

    def test_a_centre_of_an_unknown_associate_or_a_duplicate_is_refused(self, board: Store) -> None:
        """Unknown Associate is NotFound, a taken number DuplicateError; nothing is written."""
        with pytest.raises(NotFound), board.unit_of_work(actor=ACTOR) as uow:
            uow.centres.add(Centre(number="GB777", name="Orphan", associate="AS999"))

        def new_then_taken(uow: UnitOfWork) -> None:
            uow.centres.add(Centre(number="GB777", name="New"))
            uow.centres.add(Centre(number="GB123", name="Again"))

        with pytest.raises(DuplicateError), board.unit_of_work(actor=ACTOR) as uow:
            new_then_taken(uow)
        with pytest.raises(InvalidValue), board.unit_of_work(actor=ACTOR) as uow:
            uow.centres.add("GB888")  # type: ignore[arg-type]
        with board.unit_of_work(actor=ACTOR, read_only=True) as uow:
            assert uow.centres.find("GB777") is None

    def test_a_centres_candidates_come_in_ascending_candidate_number_order(
        self, board: Store
    ) -> None:
        """The candidate list is sorted by candidate number (CRW-07)."""
        with board.unit_of_work(actor=ACTOR, read_only=True) as uow:
            numbers = [c.number.value for c in uow.candidates.for_centre("GB123")]
            assert uow.candidates.for_centre("GB456") == []
        assert numbers == ["0002", "0100", "0713", "1000"]

    def test_candidates_are_found_by_name_part_number_or_uci(self, board: Store) -> None:
        """Search matches any case and script, 713 finds 0713 (EAR-12), and UCIs (CRW-07)."""
        with board.unit_of_work(actor=ACTOR, read_only=True) as uow:

            def found(query: str) -> list[str]:
                return [c.number.value for c in uow.candidates.search("GB123", query)]

            assert found("713") == ["0713"]
            assert found("0713") == ["0713"]
            assert found("2") == ["0002"]
            assert found("KHAN") == ["0713"]
            assert found("ali kh") == ["0713"]
            assert found("zoË") == ["1000"]
            assert found("ångSTRÖM") == ["1000"]
            assert found("STRASSE") == ["0002"]
            assert found("محمد") == ["0002"]
            assert found("王") == ["0100"]
            assert found("gb1232600100b") == ["0100"]
            assert found("nobody") == []
            with pytest.raises(InvalidValue):
                found("   ")

    def test_a_uci_belongs_to_one_candidate_only(self, board: Store) -> None:
        """A UCI is unique when present, across centres; candidates without one are fine."""
        with pytest.raises(DuplicateError), board.unit_of_work(actor=ACTOR) as uow:
            uow.candidates.add(
                Candidate(
                    centre="GB456",
                    number="0001",
                    given_name="Copy",
                    family_name="Cat",
                    uci="GB1232600713A",
                )
            )
        with board.unit_of_work(actor=ACTOR) as uow:
            uow.candidates.add(
                Candidate(centre="GB456", number="0001", given_name="No", family_name="Uci")
            )
            found = uow.candidates.by_uci("GB1232600713A")
            assert found is not None
            assert found.number.value == "0713"
            with pytest.raises(DuplicateError):
                uow.candidates.save(
                    attrs.evolve(uow.candidates.get("GB456", "1"), uci="GB1232600100B")
                )

    def test_a_candidate_needs_a_known_centre_and_a_free_number(self, board: Store) -> None:
        """Unknown centre is NotFound; a taken number is DuplicateError; nothing is written."""
        with pytest.raises(NotFound), board.unit_of_work(actor=ACTOR) as uow:
            uow.candidates.add(
                Candidate(centre="GB999", number="1", given_name="A", family_name="B")
            )
        with pytest.raises(DuplicateError), board.unit_of_work(actor=ACTOR) as uow:
            uow.candidates.add(
                Candidate(centre="GB123", number="713", given_name="A", family_name="B")
            )
        with board.unit_of_work(actor=ACTOR, read_only=True) as uow:
            assert uow.candidates.get("GB123", "713").given_name == "Ali"
            assert uow.candidates.find("GB999", "1") is None

    def test_saving_a_candidate_replaces_names_and_uci(self, board: Store) -> None:
        """``save`` changes a stored candidate; an unknown one is NotFound."""
        with board.unit_of_work(actor=ACTOR) as uow:
            updated = attrs.evolve(uow.candidates.get("GB123", "713"), family_name="Khan-Smith")
            uow.candidates.save(updated)
            with pytest.raises(NotFound):
                uow.candidates.save(attrs.evolve(updated, number="9999", uci=None))
        with board.unit_of_work(actor=ACTOR, read_only=True) as uow:
            assert uow.candidates.get("GB123", "0713") == updated

    @settings(
        max_examples=25,
        deadline=None,
        # One store serves every example (each example rolls its writes back),
        # and one mixin method runs once per backend class by design.
        suppress_health_check=[
            HealthCheck.function_scoped_fixture,
            HealthCheck.differing_executors,
        ],
    )
    @given(given=_names, family=_names, number=st.integers(0, 9999), uci=st.booleans())
    def test_any_valid_candidate_reads_back_equal(
        self, board: Store, given: str, family: str, number: int, uci: bool
    ) -> None:
        """A candidate with any valid names in any script reads back equal (round trip)."""
        candidate = _valid_candidate(given, family, number, uci)
        if candidate is None:
            return
        with rolled_back(board) as uow:
            uow.centres.add(Centre(number="ZZ999", name="Round Trip"))
            candidate = attrs.evolve(candidate, centre="ZZ999")
            uow.candidates.add(candidate)
            assert uow.candidates.get("ZZ999", candidate.number) == candidate
            assert uow.candidates.search("ZZ999", candidate.family_name) == [candidate]

    def test_syllabuses_round_trip_with_their_components(self, board: Store) -> None:
        """A syllabus reads back equal, components and all."""
        with board.unit_of_work(actor=ACTOR) as uow:
            assert uow.syllabuses.get("0580") == _syllabus()
            changed = attrs.evolve(_syllabus(), name="Maths", art_and_design=True)
            uow.syllabuses.save(changed)
            with pytest.raises(DuplicateError):
                uow.syllabuses.add(_syllabus())
        with board.unit_of_work(actor=ACTOR, read_only=True) as uow:
            assert uow.syllabuses.get("0580") == changed
            assert uow.syllabuses.all() == [changed]
            assert uow.syllabuses.find("9999") is None

    def test_valid_entries_decide_whether_a_centre_or_candidate_is_entered(
        self, board: Store
    ) -> None:
        """CRW-03: only valid (not withdrawn) entries count, per centre and per candidate."""
        with board.unit_of_work(actor=ACTOR) as uow:
            assert not uow.entries.centre_has_valid_entry("GB123", "June 2026")
            for number in ("1000", "0713"):
                uow.entries.add(
                    Entry(
                        centre="GB123",
                        series="June 2026",
                        candidate=number,
                        syllabus="0580",
                        components=("12", "42"),
                    )
                )
            uow.entries.save(
                attrs.evolve(
                    uow.entries.get("GB123", "2026-06", "1000", "0580"),
                    status=EntryStatus.WITHDRAWN,
                )
            )
        with board.unit_of_work(actor=ACTOR, read_only=True) as uow:
            assert uow.entries.centre_has_valid_entry("GB123", "June 2026")
            assert not uow.entries.centre_has_valid_entry("GB123", "November 2026")
            assert not uow.entries.centre_has_valid_entry("GB456", "June 2026")
            assert uow.entries.candidate_has_valid_entry("GB123", "June 2026", "713")
            assert not uow.entries.candidate_has_valid_entry("GB123", "June 2026", "1000")
            assert uow.entries.candidates_with_valid_entry("GB123", "2026-06") == [
                uow.candidates.get("GB123", "713").number
            ]
            listed = uow.entries.for_centre("GB123", "June 2026")
            assert [e.candidate.value for e in listed] == ["0713", "1000"]
            assert [e.valid for e in listed] == [True, False]
            assert len(uow.entries.for_candidate("GB123", "June 2026", "0713")) == 1

    def test_an_entry_needs_a_known_candidate_syllabus_and_components(self, board: Store) -> None:
        """Unknown candidate or syllabus is NotFound, a foreign component InvalidValue."""
        entry = Entry(
            centre="GB123", series="June 2026", candidate="713", syllabus="0580", components=("12",)
        )
        for bad, error in (
            (attrs.evolve(entry, candidate="5555"), NotFound),
            (attrs.evolve(entry, syllabus="9999"), NotFound),
            (attrs.evolve(entry, components=("12", "99")), InvalidValue),
        ):
            with pytest.raises(error), board.unit_of_work(actor=ACTOR) as uow:
                uow.entries.add(bad)
        with board.unit_of_work(actor=ACTOR) as uow:
            uow.entries.add(entry)
            with pytest.raises(DuplicateError):
                uow.entries.add(entry)
        with board.unit_of_work(actor=ACTOR, read_only=True) as uow:
            assert uow.entries.for_centre("GB123", "June 2026") == [entry]


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


# -- the stateful agreement test ------------------------------------------------

_IDS = st.sampled_from(["a", "b", "c", "d"])
_OWNERS = st.sampled_from(["x", "y"])
_KINDS = st.sampled_from(["k1", "k2"])
_NOTES = st.none() | st.sampled_from(["n1", "n2"])


_TEXT = st.text(st.characters(exclude_characters="\x00"), max_size=6)
_JSON = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(-(2**70), 2**70)
    | st.floats(allow_nan=False, allow_infinity=False)
    | _TEXT,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(_TEXT, inner, max_size=3),
    max_leaves=6,
)
_ZONES = st.sampled_from(
    [
        datetime.UTC,
        zoneinfo.ZoneInfo("Europe/London"),
        datetime.timezone(datetime.timedelta(hours=5, minutes=30)),
    ]
)
_INSTANTS = st.datetimes(
    min_value=datetime.datetime(1900, 1, 2),
    max_value=datetime.datetime(2200, 1, 1),
    timezones=_ZONES,
)
#: The columns the agreement machine compares.
_COMPARED = ("id", "owner", "kind", "active", "n", "note", "data", "at", "blob")


def agreement_machine(factory: StoreFactory, *more: StoreFactory) -> type[RuleBasedStateMachine]:
    """A state machine driving one or more backends and a :class:`MemoryStore` against a model.

    Each factory gets a directory of its own; after every step every store
    must hold exactly the rows the dict model predicts, in the same order.
    """

    migrations = conformance_migrations()
    factories = (factory, *more)

    class StoreAgreement(RuleBasedStateMachine):
        """Every operation gives the same outcome on each store and in the model."""

        def __init__(self) -> None:
            super().__init__()
            self.dir = Path(tempfile.mkdtemp(prefix="cambridge-results-agreement-"))
            self.stores: list[Store] = []
            self.model: dict[str, dict[str, Any]] = {}
            self.numbers: dict[str, int] = {}

        @initialize()
        def open_stores(self) -> None:
            for number, make in enumerate(factories):
                path = self.dir / f"store-{number}"
                path.mkdir()
                self.stores.append(make(path, migrations))
            self.stores.append(MemoryStore(migrations=migrations))

        def _conflicts(self, row: dict[str, Any]) -> bool:
            for other in self.model.values():
                if other["id"] == row["id"]:
                    continue
                if (
                    row["active"]
                    and other["active"]
                    and ((other["owner"], other["kind"]) == (row["owner"], row["kind"]))
                ):
                    return True
                if row["note"] is not None and other["note"] == row["note"]:
                    return True
            return False

        def _each(self, action: Callable[[Any], Any]) -> list[Any]:
            outcomes = []
            for store in self.stores:
                try:
                    with store.unit_of_work(actor=ACTOR) as uow:
                        outcomes.append(action(uow))
                except DuplicateError:
                    outcomes.append("duplicate")
                except NotFound:
                    outcomes.append("not-found")
            return outcomes

        @rule(id_=_IDS, owner=_OWNERS, kind=_KINDS, active=st.booleans(), note=_NOTES)
        def insert(self, id_: str, owner: str, kind: str, active: bool, note: str | None) -> None:
            row = {"id": id_, "owner": owner, "kind": kind, "active": active, "n": 0, "note": note}
            row.update(data=None, at=None, blob=None)
            expected = "duplicate" if id_ in self.model or self._conflicts(row) else "ok"

            def act(uow: Any) -> str:
                uow.insert("things", thing(id_, owner, kind, active=active, note=note))
                return "ok"

            assert self._each(act) == [expected] * len(self.stores)
            if expected == "ok":
                self.model[id_] = row

        @rule(id_=_IDS, active=st.booleans(), note=_NOTES, expect_n=st.none() | st.integers(0, 2))
        def update(self, id_: str, active: bool, note: str | None, expect_n: int | None) -> None:
            current = self.model.get(id_)
            expect = None if expect_n is None else {"n": expect_n}
            if current is None or (expect_n is not None and current["n"] != expect_n):
                expected: Any = False
            else:
                new = {**current, "active": active, "note": note}
                expected = "duplicate" if self._conflicts(new) else True

            def act(uow: Any) -> Any:
                return uow.update("things", id_, {"active": active, "note": note}, expect=expect)

            assert self._each(act) == [expected] * len(self.stores)
            if expected is True:
                self.model[id_] = {**self.model[id_], "active": active, "note": note}

        @rule(
            id_=_IDS,
            data=st.none() | _JSON,
            at=st.none() | _INSTANTS,
            blob=st.none() | st.binary(max_size=8),
        )
        def set_values(
            self, id_: str, data: Any, at: datetime.datetime | None, blob: bytes | None
        ) -> None:
            changes = {"data": data, "at": at, "blob": blob}
            outcomes = self._each(lambda uow: uow.update("things", id_, changes))
            assert outcomes == [id_ in self.model] * len(self.stores)
            if id_ in self.model:
                canonical = {n: canonical_value(THINGS.column(n), v) for n, v in changes.items()}
                self.model[id_].update(canonical)

        @rule(id_=_IDS, by=st.integers(-2, 3))
        def increment(self, id_: str, by: int) -> None:
            expected: Any = "not-found"
            if id_ in self.model:
                expected = self.model[id_]["n"] + by
            outcomes = self._each(lambda uow: uow.increment("things", id_, "n", by))
            assert outcomes == [expected] * len(self.stores)
            if id_ in self.model:
                self.model[id_]["n"] = expected

        @rule(id_=_IDS)
        def delete(self, id_: str) -> None:
            outcomes = self._each(lambda uow: uow.delete("things", id_))
            assert outcomes == [id_ in self.model] * len(self.stores)
            self.model.pop(id_, None)

        @rule(id_=_IDS, owner=_OWNERS)
        def failed_unit_changes_nothing(self, id_: str, owner: str) -> None:
            for store in self.stores:
                with rolled_back(store) as uow:
                    if uow.get("things", id_) is None:
                        uow.insert("things", thing(id_, owner, "k-rolled-back", active=False))
                    else:
                        # The change may clash with another row; either way it rolls back.
                        with contextlib.suppress(DuplicateError):
                            uow.update("things", id_, {"owner": owner, "n": 99})
                    uow.next_number("rolled-back")

        @rule(name=st.sampled_from(["s1", "s2"]))
        def next_number(self, name: str) -> None:
            outcomes = self._each(lambda uow: uow.next_number(name))
            assert outcomes == [self.numbers.get(name, 0) + 1] * len(self.stores)
            self.numbers[name] = outcomes[0]

        @invariant()
        def stores_agree_with_the_model(self) -> None:
            expected = [self.model[k] for k in sorted(self.model)]
            for store in self.stores:
                with store.unit_of_work(actor=ACTOR, read_only=True) as uow:
                    rows = [{k: r[k] for k in _COMPARED} for r in uow.select("things")]
                    streamed = [
                        {k: r[k] for k in _COMPARED} for r in uow.stream("things", batch_size=2)
                    ]
                    ordered = [r["id"] for r in uow.select("things", None, ("-n", "note"))]
                    active_x = uow.count("things", {"active": True, "owner": "x"})
                assert rows == expected, type(store).__name__
                assert streamed == expected
                for row, model_row in zip(rows, expected, strict=True):
                    assert {k: type(v) for k, v in row.items()} == {
                        k: type(v) for k, v in model_row.items()
                    }, type(store).__name__
                model_order = sorted(
                    expected,
                    key=lambda r: (-r["n"], r["note"] is not None, r["note"] or "", r["id"]),
                )
                assert ordered == [r["id"] for r in model_order]
                assert active_x == sum(1 for r in expected if r["active"] and r["owner"] == "x")

        def teardown(self) -> None:
            for store in self.stores:
                store.close()
            shutil.rmtree(self.dir, ignore_errors=True)

    return StoreAgreement


class StatefulConformance(_Base):
    """Random operation sequences: the backend, the memory store and a dict model agree."""

    stateful_settings: ClassVar[settings] = settings(
        max_examples=25,
        stateful_step_count=15,
        deadline=None,
        suppress_health_check=[HealthCheck.too_slow],
    )

    def test_random_operations_agree_with_memory_and_a_dict_model(self) -> None:
        """After every step, every store holds exactly what the model predicts."""
        machine = agreement_machine(type(self).make_store)
        run_state_machine_as_test(machine, settings=self.stateful_settings)


class StoreConformance(
    PrimitiveConformance,
    EventConformance,
    RepositoryConformance,
    MigrationConformance,
    MultiProcessConformance,
    StatefulConformance,
):
    """Every conformance test.  Subclass it and set ``make_store``; see the module docstring."""
