"""Conformance of ``insert_if_absent`` (and ``_later``) and of provisional units, on any backend."""

from __future__ import annotations

import contextlib
import threading
from concurrent.futures import ThreadPoolExecutor

import pytest

from cambridge_results.errors import InvalidValue, StorageError
from cambridge_results.storage.port import MULTI_PROCESS, Store
from cambridge_results.testing.conformance_base import ACTOR, _Base, rolled_back, thing

__all__ = ["ProvisionalConformance"]

#: How many threads race for one key.
RACERS = 8


class _Boom(Exception):
    """Raised inside a unit of work to end it with an exception."""


class ProvisionalConformance(_Base):
    """``insert_if_absent`` (one statement, no DuplicateError) and provisional units."""

    def test_insert_if_absent_inserts_a_new_row_and_returns_it_as_stored(
        self, store: Store
    ) -> None:
        """A free key is inserted; the stored row (defaults filled in) comes back."""
        with store.unit_of_work(actor=ACTOR) as uow:
            stored = uow.insert_if_absent("things", thing("a", n=3))
        assert stored is not None
        assert stored["n"] == 3
        assert stored["active"] is True
        assert self.rows(store) == [stored]

    def test_insert_if_absent_of_a_taken_key_or_unique_value_is_none_and_changes_nothing(
        self, store: Store
    ) -> None:
        """A taken key or unique value gives None, no error; the unit goes on usable."""
        with store.unit_of_work(actor=ACTOR) as uow:
            first = uow.insert_if_absent("things", thing("a", note="x"))
            assert uow.insert_if_absent("things", thing("a", owner="p", n=9)) is None
            assert uow.insert_if_absent("things", thing("b", owner="p", note="x")) is None
            assert uow.insert_if_absent("things", thing("c", owner="o")) is None  # active o/k
            uow.insert("things", thing("d", owner="q"))
        assert [r["id"] for r in self.rows(store)] == ["a", "d"]
        assert self.rows(store)[0] == first

    def test_insert_if_absent_refuses_bad_input_before_touching_storage(self, store: Store) -> None:
        """A row that does not fit the table is InvalidValue, and nothing is stored."""
        with pytest.raises(InvalidValue), store.unit_of_work(actor=ACTOR) as uow:
            uow.insert_if_absent("things", {"id": "a", "owner": "o", "kind": "k", "n": "many"})
        with pytest.raises(InvalidValue), store.unit_of_work(actor=ACTOR) as uow:
            uow.insert_if_absent("no_such_table", {"id": "a"})
        assert self.rows(store) == []

    def test_insert_if_absent_is_undone_with_its_ordinary_unit_of_work(self, store: Store) -> None:
        """In an ordinary unit of work it rolls back like any write."""
        with rolled_back(store) as uow:
            assert uow.insert_if_absent("things", thing("a")) is not None
        assert self.rows(store) == []

    @pytest.mark.parametrize("provisional", [False, True])
    def test_insert_if_absent_later_runs_before_the_next_read_and_answers_as_insert_if_absent(
        self, store: Store, provisional: bool
    ) -> None:
        """The next read sees it; its value is the stored row, or None for a taken key."""
        with store.unit_of_work(actor=ACTOR) as uow:
            uow.insert("things", thing("a", owner="p", n=1))
        with store.unit_of_work(actor=ACTOR, provisional=provisional) as uow:
            new = uow.insert_if_absent_later("things", thing("b", n=3))
            taken = uow.insert_if_absent_later("things", thing("a", owner="q", n=9))
            assert [(r["id"], r["n"]) for r in uow.select("things")] == [("a", 1), ("b", 3)]
            stored = new.value
            assert taken.value is None
        assert stored is not None
        assert stored["n"] == 3
        assert stored["active"] is True
        assert self.rows(store)[1] == stored

    @pytest.mark.parametrize("provisional", [False, True])
    def test_insert_if_absent_later_with_nothing_after_it_is_answered_and_kept(
        self, store: Store, provisional: bool
    ) -> None:
        """Read at once, or never read in its unit: either way it runs and is kept."""
        with store.unit_of_work(actor=ACTOR, provisional=provisional) as uow:
            first = uow.insert_if_absent_later("things", thing("a"))
            assert first.value is not None
            assert uow.insert_if_absent_later("things", thing("a")).value is None
            last = uow.insert_if_absent_later("things", thing("b", owner="p"))
        assert last.value is not None
        assert [r["id"] for r in self.rows(store)] == ["a", "b"]

    def test_insert_if_absent_later_refuses_bad_input_at_once_and_rolls_back_with_its_unit(
        self, store: Store
    ) -> None:
        """A row that does not fit is InvalidValue at once; in a failed unit nothing is kept."""
        with pytest.raises(InvalidValue), store.unit_of_work(actor=ACTOR) as uow:
            uow.insert_if_absent_later("things", {"id": "a", "owner": "o", "kind": "k", "n": "x"})
        with rolled_back(store) as uow:
            uow.insert_if_absent_later("things", thing("a"))
            assert uow.get("things", "a") is not None
        assert self.rows(store) == []

    def test_of_simultaneous_insert_if_absent_of_one_key_exactly_one_inserts(
        self, store: Store
    ) -> None:
        """Threads racing for one key, ordinary or provisional: exactly one gets the row."""
        for provisional in (False, True):
            key = f"race-{provisional}"
            start = threading.Barrier(RACERS)

            def racer(
                n: int,
                key: str = key,
                provisional: bool = provisional,
                start: threading.Barrier = start,
            ) -> bool:
                start.wait()
                with store.unit_of_work(actor=ACTOR, provisional=provisional) as uow:
                    row = thing(key, owner=f"{key}-{n}")
                    if n % 2:  # half of them send theirs with a read
                        later = uow.insert_if_absent_later("things", row)
                        uow.get("things", key)
                        return later.value is not None
                    return uow.insert_if_absent("things", row) is not None

            with ThreadPoolExecutor(RACERS) as pool:
                won = list(pool.map(racer, range(RACERS)))
            assert won.count(True) == 1

    def test_a_provisional_units_writes_are_kept_when_it_ends(self, store: Store) -> None:
        """Inserts, compare-and-set updates and deletes of a provisional unit are all there."""
        with store.unit_of_work(actor=ACTOR) as uow:
            uow.insert("things", thing("gone", owner="g"))
        with store.unit_of_work(actor=ACTOR, provisional=True) as uow:
            assert uow.insert_if_absent("things", thing("a", n=1)) is not None
            assert uow.update("things", "a", {"n": 2}, expect={"n": 1})
            assert not uow.update("things", "a", {"n": 5}, expect={"n": 1})
            assert uow.delete("things", "gone")
            assert uow.get("things", "a") is not None
        assert [(r["id"], r["n"]) for r in self.rows(store)] == [("a", 2)]

    def test_a_provisional_unit_has_no_savepoints_streams_or_read_only_form(
        self, store: Store
    ) -> None:
        """Savepoints and streams are StorageError in it; read-only provisional is InvalidValue."""
        with store.unit_of_work(actor=ACTOR, provisional=True) as uow:
            with pytest.raises(StorageError, match="provisional"), uow.savepoint():
                pass
            with pytest.raises(StorageError, match="provisional"):
                uow.stream("things")
        with pytest.raises(InvalidValue, match="provisional"):
            store.run(lambda uow: None, actor=ACTOR, read_only=True, provisional=True)
        with pytest.raises(InvalidValue, match="provisional"):
            store.run(lambda uow: None, actor=ACTOR, provisional="yes")  # type: ignore[arg-type]

    def test_an_ordinary_unit_after_a_provisional_one_still_rolls_back_whole(
        self, store: Store
    ) -> None:
        """A provisional unit leaves the connection fit for transactions: all or nothing."""
        store.run(lambda uow: uow.insert("things", thing("a")), actor=ACTOR, provisional=True)
        with contextlib.suppress(_Boom), store.unit_of_work(actor=ACTOR) as uow:
            uow.insert("things", thing("b", owner="p"))
            uow.update("things", "a", {"n": 7})
            raise _Boom
        assert [(r["id"], r["n"]) for r in self.rows(store)] == [("a", 0)]

    def test_a_provisional_write_is_seen_by_others_before_its_unit_ends(self, store: Store) -> None:
        """On a store shared by processes, each statement commits as it runs."""
        self.needs(store, MULTI_PROCESS)
        seen: list[bool] = []
        with contextlib.suppress(_Boom), store.unit_of_work(actor=ACTOR, provisional=True) as uow:
            uow.insert("things", thing("a"))

            def look() -> None:
                with store.unit_of_work(actor=ACTOR, read_only=True) as other:
                    seen.append(other.get("things", "a") is not None)

            looker = threading.Thread(target=look)
            looker.start()
            looker.join(timeout=30)
            raise _Boom  # too late to undo: the insert committed on its own
        assert seen == [True]
        assert [r["id"] for r in self.rows(store)] == ["a"]
