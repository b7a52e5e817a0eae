"""Conformance of the unit of work's primitives and of the event log, on any backend."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import pendulum
import pytest

from cambridge_results.errors import (
    DuplicateError,
    InvalidValue,
    NotFound,
    StorageError,
    WriteRefused,
)
from cambridge_results.storage.port import Store
from cambridge_results.storage.query import Ge, Gt, In, Le, Lt, Ne, Prefix
from cambridge_results.storage.schema import (
    INT_MAX,
    INT_MIN,
    value_of,
)
from cambridge_results.testing.conformance_base import (
    ACTOR,
    T0,
    _Base,
    rolled_back,
    thing,
)

__all__ = ["EventConformance", "PrimitiveConformance"]


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
        assert value_of(got, "at", pendulum.DateTime).utcoffset() == pendulum.duration(0)
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
                return [value_of(r, "id", str) for r in uow.select("things", where, order, limit)]

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
                return [value_of(r, "note", str) for r in rows]

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
