"""Conformance of ``uow.savepoint()``: a block whose writes are undone on their own if it raises.

Examples first, then a stateful test: random writes, inside and outside
savepoints that fail or succeed (nested, and held open across steps), in
units of work that commit or roll back, compared after every step with a
dict model of what the unit of work and the store must hold.
"""

from __future__ import annotations

from contextlib import AbstractContextManager
from typing import Any, ClassVar

import pytest
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    initialize,
    invariant,
    precondition,
    rule,
    run_state_machine_as_test,
)

from cambridge_results.errors import DuplicateError, NotFound, StorageError
from cambridge_results.storage.port import Store, UnitOfWork
from cambridge_results.storage.schema import value_of
from cambridge_results.testing.conformance_base import ACTOR, T0, _Base, rolled_back, thing

__all__ = ["SavepointConformance", "savepoint_machine"]


class _Boom(Exception):
    """Raised inside a savepoint to make it undo its block."""


def _ids(uow: UnitOfWork) -> list[str]:
    return [value_of(r, "id", str) for r in uow.select("things")]


class SavepointConformance(_Base):
    """``uow.savepoint()`` undoes exactly its block's writes when the block raises."""

    savepoint_settings: ClassVar[settings] = settings(
        max_examples=30,
        stateful_step_count=20,
        deadline=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
    )

    def test_a_savepoint_that_raises_undoes_only_its_own_writes(self, store: Store) -> None:
        """Inserts, updates, deletes, increments and events of the block go; the rest commits."""
        with store.unit_of_work(actor=ACTOR) as uow:
            uow.insert("things", thing("before", kind="k1"))
            uow.insert("things", thing("doomed", kind="k2"))

            def block() -> None:
                with uow.savepoint():
                    uow.insert("things", thing("inside", kind="k3"))
                    uow.update("things", "before", {"note": "changed"})
                    uow.increment("things", "before", "n", 5)
                    uow.delete("things", "doomed")
                    uow.events.append(at=T0, kind="k", subject="s:1", details={})
                    raise _Boom

            with pytest.raises(_Boom):
                block()
            assert _ids(uow) == ["before", "doomed"]
            uow.insert("things", thing("after", kind="k4"))
        rows = {r["id"]: r for r in self.rows(store)}
        assert sorted(rows) == ["after", "before", "doomed"]
        assert (rows["before"]["note"], rows["before"]["n"]) == (None, 0)
        with store.unit_of_work(actor=ACTOR, read_only=True) as uow:
            assert uow.events.history() == []

    def test_a_savepoint_that_ends_cleanly_keeps_its_writes_in_the_unit(self, store: Store) -> None:
        """A clean block's writes commit with the unit of work, and roll back with it."""
        with store.unit_of_work(actor=ACTOR) as uow, uow.savepoint():
            uow.insert("things", thing("kept"))
        with rolled_back(store) as uow, uow.savepoint():
            uow.insert("things", thing("lost", kind="k2"))
        assert [r["id"] for r in self.rows(store)] == ["kept"]

    def test_savepoints_nest(self, store: Store) -> None:
        """An inner failure leaves the outer block's writes; an outer failure undoes both."""
        with store.unit_of_work(actor=ACTOR) as uow:

            def inner_fails() -> None:
                with uow.savepoint():
                    uow.insert("things", thing("inner-failed", kind="k2"))
                    raise _Boom

            def outer_fails() -> None:
                with uow.savepoint():
                    with uow.savepoint():
                        uow.insert("things", thing("inner-kept", kind="k4"))
                    uow.insert("things", thing("outer-failed", kind="k5"))
                    raise _Boom

            with uow.savepoint():
                uow.insert("things", thing("outer-1", kind="k1"))
                with pytest.raises(_Boom):
                    inner_fails()
                uow.insert("things", thing("outer-2", kind="k3"))
            with pytest.raises(_Boom):
                outer_fails()
            assert _ids(uow) == ["outer-1", "outer-2"]
        assert [r["id"] for r in self.rows(store)] == ["outer-1", "outer-2"]

    def test_a_duplicate_error_in_a_savepoint_leaves_the_unit_usable(self, store: Store) -> None:
        """A refused insert or update inside the block propagates; the unit goes on and commits."""
        with store.unit_of_work(actor=ACTOR) as uow:
            uow.insert("things", thing("a", note="taken"))
            uow.insert("things", thing("b", kind="k2"))

            def update_clashes() -> None:
                with uow.savepoint():
                    uow.update("things", "b", {"n": 7})
                    uow.update("things", "b", {"note": "taken"})

            def insert_clashes() -> None:
                with uow.savepoint():
                    uow.insert("things", thing("c", kind="k3"))
                    uow.insert("things", thing("a", kind="k4"))

            with pytest.raises(DuplicateError):
                update_clashes()
            with pytest.raises(DuplicateError):
                insert_clashes()
            uow.insert("things", thing("d", kind="k5"))
        rows = {r["id"]: r for r in self.rows(store)}
        assert sorted(rows) == ["a", "b", "d"]
        assert rows["b"]["n"] == 0

    def test_a_savepoint_needs_an_open_unit_and_reads_in_a_read_only_one(
        self, store: Store
    ) -> None:
        """After the unit of work ended, savepoint() is refused; a read-only unit may use one."""
        with store.unit_of_work(actor=ACTOR) as uow:
            uow.insert("things", thing("a"))
        with store.unit_of_work(actor=ACTOR, read_only=True) as reader:
            seen: list[list[str]] = []

            def read_then_fail() -> None:
                with reader.savepoint():
                    seen.append(_ids(reader))
                    raise _Boom

            with pytest.raises(_Boom):
                read_then_fail()
            assert seen == [["a"]]
            assert reader.count("things") == 1
        with pytest.raises(StorageError), uow.savepoint():
            pass

    def test_random_writes_and_savepoints_agree_with_a_model(self, store: Store) -> None:
        """Writes in and out of failing, nested and held-open savepoints match a dict model."""
        run_state_machine_as_test(savepoint_machine(store), settings=self.savepoint_settings)


_IDS = st.sampled_from(["a", "b", "c"])
_WRITES = st.tuples(st.sampled_from(["insert", "delete", "increment"]), _IDS, st.integers(-2, 3))


def savepoint_machine(store: Store) -> type[RuleBasedStateMachine]:
    """A state machine driving ``store``'s savepoints against a model (``id -> n``)."""

    class Savepoints(RuleBasedStateMachine):
        """The unit of work and the store hold what the model says after every step."""

        def __init__(self) -> None:
            super().__init__()
            self.committed: dict[str, int] = {}
            self.current: dict[str, int] = {}
            self.unit: AbstractContextManager[UnitOfWork] | None = None
            self.uow: UnitOfWork | None = None
            # Open savepoints, innermost last, each with the model as it was when it opened.
            self.open: list[tuple[AbstractContextManager[None], dict[str, int]]] = []

        @initialize()
        def empty_the_table(self) -> None:
            with store.unit_of_work(actor=ACTOR) as uow:
                for row in uow.select("things"):
                    uow.delete("things", row["id"])

        @precondition(lambda self: self.unit is None)
        @rule()
        def begin(self) -> None:
            self.unit = store.unit_of_work(actor=ACTOR)
            self.uow = self.unit.__enter__()
            self.current = dict(self.committed)

        @precondition(lambda self: self.unit is not None and not self.open)
        @rule(commit=st.booleans())
        def end(self, commit: bool) -> None:
            assert self.unit is not None
            if commit:
                self.unit.__exit__(None, None, None)
                self.committed = self.current
            else:
                self.unit.__exit__(_Boom, _Boom(), None)
            self.unit = self.uow = None

        @precondition(lambda self: self.unit is not None)
        @rule()
        def open_savepoint(self) -> None:
            assert self.uow is not None
            savepoint = self.uow.savepoint()
            savepoint.__enter__()
            self.open.append((savepoint, dict(self.current)))

        @precondition(lambda self: bool(self.open))
        @rule(fail=st.booleans())
        def close_savepoint(self, fail: bool) -> None:
            savepoint, before = self.open.pop()
            if fail:
                assert not savepoint.__exit__(_Boom, _Boom(), None)
                self.current = before
            else:
                savepoint.__exit__(None, None, None)

        @precondition(lambda self: self.unit is not None)
        @rule(write=_WRITES)
        def write(self, write: tuple[str, str, int]) -> None:
            self._write(write)

        @precondition(lambda self: self.unit is not None)
        @rule(writes=st.lists(_WRITES, max_size=4), fail=st.booleans())
        def block(self, writes: list[tuple[str, str, int]], fail: bool) -> None:
            assert self.uow is not None
            before = dict(self.current)
            try:
                with self.uow.savepoint():
                    for write in writes:
                        self._write(write)
                    if fail:
                        raise _Boom
            except _Boom:
                self.current = before

        def _write(self, write: tuple[str, str, int]) -> None:
            assert self.uow is not None
            operation, id_, by = write
            present = id_ in self.current
            outcome: Any
            try:
                if operation == "insert":
                    outcome = self.uow.insert("things", thing(id_, kind=id_))["n"]
                elif operation == "delete":
                    outcome = self.uow.delete("things", id_)
                else:
                    outcome = self.uow.increment("things", id_, "n", by)
            except DuplicateError:
                outcome = "duplicate"
            except NotFound:
                outcome = "not-found"
            if operation == "insert":
                assert outcome == ("duplicate" if present else 0)
                self.current.setdefault(id_, 0)
            elif operation == "delete":
                assert outcome is present
                self.current.pop(id_, None)
            else:
                assert outcome == (self.current[id_] + by if present else "not-found")
                if present:
                    self.current[id_] += by

        @invariant()
        def the_store_holds_the_model(self) -> None:
            if self.uow is not None:
                rows = self.uow.select("things")
                expected = self.current
            else:
                with store.unit_of_work(actor=ACTOR, read_only=True) as reader:
                    rows = reader.select("things")
                expected = self.committed
            assert {value_of(r, "id", str): r["n"] for r in rows} == expected

        def teardown(self) -> None:
            while self.open:
                savepoint, _ = self.open.pop()
                savepoint.__exit__(_Boom, _Boom(), None)
            if self.unit is not None:
                self.unit.__exit__(_Boom, _Boom(), None)

    return Savepoints
