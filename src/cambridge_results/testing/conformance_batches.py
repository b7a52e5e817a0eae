"""Conformance of the unit of work's batched and deferred primitives, on any backend.

``select_many``, ``update_many`` and ``write_many`` (one round trip on PostgreSQL),
``send_many`` (not waited for there), ``bump``
and ``insert_later`` (held back to the next statement there), and the
``SERIAL_WRITES`` capability.
"""

from __future__ import annotations

import threading
import time
from typing import Any

import pendulum
import pytest

from cambridge_results.errors import DuplicateError, InvalidValue
from cambridge_results.storage.port import SERIAL_WRITES, Store
from cambridge_results.storage.query import Delete, In, Insert, Select, Update
from cambridge_results.testing.conformance_base import ACTOR, _Base, rolled_back, thing

__all__ = ["BatchConformance"]


def _thing_and_event(store: Store, subject: str) -> dict[str, Any]:
    """Store thing ``t0``; give an event row about ``subject`` for the writes under test."""
    with store.unit_of_work(actor=ACTOR) as uow:
        uow.insert("things", thing("t0"))
    at = pendulum.datetime(2026, 6, 1, tz="UTC")
    return {"at": at, "actor": ACTOR, "kind": "k", "subject": subject, "details": {}}


class BatchConformance(_Base):
    """The batched and deferred primitives, and ``SERIAL_WRITES`` (see the module)."""

    def test_select_many_gives_each_selects_rows_and_checks_them_all_first(
        self, store: Store
    ) -> None:
        """``select_many`` equals one ``select`` per read, sees the unit's writes, refuses first."""
        with store.unit_of_work(actor=ACTOR) as uow:
            for i, owner in enumerate(["x", "y", "x"]):
                uow.insert("things", thing(f"t{i}", owner=owner, kind=f"k{i}", n=i))
            reads = [
                Select("things", {"owner": "x"}, ("-n",)),
                Select("things", {"kind": In([])}),
                Select("things", None, ("n",), 1),
                Select("sequences"),
            ]
            assert uow.select_many(reads) == [
                uow.select(r.table, r.where, r.order_by, r.limit) for r in reads
            ]
            assert [[r["id"] for r in rows] for rows in uow.select_many(reads[:3])] == [
                ["t2", "t0"],
                [],
                ["t0"],
            ]
            assert uow.select_many([]) == []
            for bad in ([Select("things"), Select("nope")], [Select("things", {"n": "1"})]):
                with pytest.raises(InvalidValue):
                    uow.select_many(bad)
            with pytest.raises(InvalidValue):
                uow.select_many(Select("things"))  # type: ignore[arg-type]
            # The unit of work goes on after a refused read.
            assert len(uow.select_many([Select("things")])[0]) == 3

    @pytest.mark.parametrize("provisional", [False, True])
    def test_write_many_does_each_insert_and_delete_in_order_and_checks_them_all_first(
        self, store: Store, provisional: bool
    ) -> None:
        """``write_many`` equals one ``insert`` or ``delete`` per write, in order; refuses first."""
        event = _thing_and_event(store, "s")
        with store.unit_of_work(actor=ACTOR, provisional=provisional) as uow:
            bads: list[list[Any]] = [
                [Insert("things", thing("t8")), Insert("nope", {})],
                [Insert("things", thing("t8")), Delete("things", 7)],
                [Insert("things", thing("t8")), Select("things")],
            ]
            for bad in bads:
                with pytest.raises(InvalidValue):
                    uow.write_many(bad)
            done = uow.write_many(
                [
                    Insert("events", event),
                    Delete("things", "t0"),
                    Insert("things", thing("t1", kind="k1")),
                    Delete("things", "t9"),
                    Delete("things", "t1"),
                    Insert("things", thing("t2")),
                ]
            )
            stored = [w if isinstance(w, bool) else w.get("seq", w.get("id")) for w in done]
            assert isinstance(stored[0], int)
            assert stored[1:] == [True, "t1", False, True, "t2"]
            assert done[5] == uow.get("things", "t2")
            assert uow.write_many([]) == []
        with store.unit_of_work(actor=ACTOR) as uow:
            assert [r["id"] for r in uow.select("things")] == ["t2"]
            assert len(uow.select("events", {"subject": "s"})) == 1
        with pytest.raises(DuplicateError), store.unit_of_work(actor=ACTOR) as uow:
            uow.write_many([Insert("things", thing("t3")), Insert("things", thing("t2"))])
        with store.unit_of_work(actor=ACTOR) as uow:
            assert uow.get("things", "t3") is None  # the refused unit rolled back

    @pytest.mark.parametrize("provisional", [False, True])
    def test_send_many_makes_write_many_writes_seen_by_the_next_statement_and_unit(
        self, store: Store, provisional: bool
    ) -> None:
        """``send_many`` checks every write first, then makes them; later statements see them."""
        event = _thing_and_event(store, "sent")
        with store.unit_of_work(actor=ACTOR, provisional=provisional) as uow:
            with pytest.raises(InvalidValue):
                uow.send_many([Insert("things", thing("t8")), Delete("things", 7)])
            uow.send_many([Insert("events", event), Delete("things", "t0")])
            assert uow.get("things", "t0") is None
            uow.send_many([Insert("things", thing("t1"))])
        with store.unit_of_work(actor=ACTOR) as uow:
            assert [r["id"] for r in uow.select("things")] == ["t1"]
            assert len(uow.select("events", {"subject": "sent"})) == 1
        with rolled_back(store) as uow:
            uow.send_many([Delete("things", "t1")])
        with store.unit_of_work(actor=ACTOR) as uow:
            assert uow.get("things", "t1") is not None  # an ordinary unit's sends roll back

    def test_update_many_does_each_update_in_order_and_checks_them_all_first(
        self, store: Store
    ) -> None:
        """``update_many`` equals one ``update`` per update, in order; refuses bad ones first."""
        with store.unit_of_work(actor=ACTOR) as uow:
            uow.insert("things", thing("a", n=1))
            uow.insert("things", thing("b", kind="k2", n=2))
        with store.unit_of_work(actor=ACTOR) as uow:
            first = Update("things", "a", {"n": 5})
            bads: list[list[Any]] = [
                [first, Update("nope", "a", {"n": 1})],
                [first, Update("things", "b", {})],
                [first, Update("things", "b", {"n": "x"})],
                [first, Update("things", "b", {"id": "c"})],
                [first, Update("things", "b", {"n": 1}, expect={"data": None})],
                [first, Select("things")],
            ]
            for bad in bads:
                with pytest.raises(InvalidValue):
                    uow.update_many(bad)
            with pytest.raises(InvalidValue):
                uow.update_many(first)  # type: ignore[arg-type]
            assert uow.require("things", "a")["n"] == 1  # nothing ran
            done = uow.update_many(
                [
                    Update("things", "a", {"n": 3}, expect={"n": 1}),
                    Update("things", "b", {"n": 4}, expect={"n": 7}),
                    Update("things", "zz", {"n": 1}),
                    Update("things", "b", {"note": "x", "active": False}),
                    Update("things", "a", {"n": 6}, expect={"n": 3}),
                ]
            )
            assert done == [True, False, False, True, True]
            assert uow.update_many([]) == []
        assert [(r["id"], r["n"], r["note"], r["active"]) for r in self.rows(store)] == [
            ("a", 6, None, True),
            ("b", 2, "x", False),
        ]

    def test_update_many_refused_by_an_index_undoes_that_one_and_runs_none_after(
        self, store: Store
    ) -> None:
        """A duplicate in ``update_many``: the ones before stay, it and the rest do not."""
        with store.unit_of_work(actor=ACTOR) as uow:
            uow.insert("things", thing("a", n=1))
            uow.insert("things", thing("b", kind="k2", note="x"))
        with store.unit_of_work(actor=ACTOR) as uow:
            with pytest.raises(DuplicateError):
                uow.update_many(
                    [
                        Update("things", "a", {"n": 7}),
                        Update("things", "a", {"note": "x", "n": 8}),
                        Update("things", "b", {"n": 9}),
                    ]
                )
            # The unit of work goes on: it sees the first update, not the others.
            assert uow.update("things", "b", {"n": 10})
            assert [(r["id"], r["n"], r["note"]) for r in uow.select("things")] == [
                ("a", 7, None),
                ("b", 10, "x"),
            ]
        assert [(r["id"], r["n"]) for r in self.rows(store)] == [("a", 7), ("b", 10)]

    def test_a_store_declaring_serial_writes_runs_one_writing_unit_at_a_time(
        self, store: Store
    ) -> None:
        """SERIAL_WRITES: a second writing unit begins only once the first has ended; a store
        that does not declare it never tells a unit of work it writes alone."""
        if SERIAL_WRITES not in store.capabilities:
            with store.unit_of_work(actor=ACTOR) as uow:
                assert not uow.writes_alone
            return
        seen: list[object] = []
        inside = threading.Event()

        def second() -> None:
            inside.wait(30)
            with store.unit_of_work(actor=ACTOR) as uow:
                seen.extend(["second began", uow.writes_alone])
                uow.insert("things", thing("b", kind="k2"))

        other = threading.Thread(target=second)
        other.start()
        with store.unit_of_work(actor=ACTOR) as uow:
            assert uow.writes_alone
            uow.insert("things", thing("a", kind="k1"))
            inside.set()
            other.join(timeout=0.3)  # it waits for this unit to end
            seen.append("first ends")
        other.join(timeout=30)
        assert seen == ["first ends", "second began", True]
        with store.unit_of_work(actor=ACTOR, read_only=True) as uow:
            assert not uow.writes_alone
            assert len(uow.select("things")) == 2

    def test_bump_takes_a_number_and_holds_the_sequence_until_the_unit_ends(
        self, store: Store
    ) -> None:
        """``bump`` is ``next_number`` unread: it takes a number, and its lock is held."""
        with store.unit_of_work(actor=ACTOR) as uow:
            assert uow.next_number("lock") == 1
            uow.bump("lock")
            assert uow.next_number("lock") == 3
            with pytest.raises(InvalidValue):
                uow.bump("")
        order: list[str] = []
        held = threading.Event()

        def other() -> None:
            held.wait(10)
            with store.unit_of_work(actor=ACTOR) as later:
                later.next_number("lock")
                order.append("other")

        waiter = threading.Thread(target=other)
        waiter.start()
        with store.unit_of_work(actor=ACTOR) as uow:
            uow.bump("lock")
            uow.select("things")  # the bump has run by the time a later read has
            held.set()
            time.sleep(0.3)
            order.append("holder")
        waiter.join(10)
        assert order == ["holder", "other"]

    def test_insert_later_is_seen_by_later_reads_and_commits_with_the_unit(
        self, store: Store
    ) -> None:
        """A row inserted later is in every later read, and commits or rolls back with the unit."""
        with store.unit_of_work(actor=ACTOR) as uow:
            uow.insert_later("things", thing("a", n=1))
            assert [r["id"] for r in uow.select("things")] == ["a"]
            uow.insert_later("things", thing("b", kind="k2"))
        assert [r["id"] for r in self.rows(store)] == ["a", "b"]
        with rolled_back(store) as uow:
            uow.insert_later("things", thing("c", kind="k3"))
        with pytest.raises(InvalidValue), store.unit_of_work(actor=ACTOR) as uow:
            uow.insert_later("things", {"id": "d", "n": "not a number"})
        assert [r["id"] for r in self.rows(store)] == ["a", "b"]

    def test_insert_later_refused_by_an_index_raises_by_the_commit_and_keeps_nothing(
        self, store: Store
    ) -> None:
        """A duplicate inserted later is a DuplicateError, at the latest from the commit."""
        with store.unit_of_work(actor=ACTOR) as uow:
            uow.insert("things", thing("a"))

        def clash() -> None:
            with store.unit_of_work(actor=ACTOR) as uow:
                uow.insert("things", thing("b", kind="k2"))
                uow.insert_later("things", thing("a", kind="k3"))

        with pytest.raises(DuplicateError):
            clash()
        assert [r["id"] for r in self.rows(store)] == ["a"]
