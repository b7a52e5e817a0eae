"""``UnitOfWork.lock``: a named lock held until the unit of work ends (EAR-13's group lock).

On every backend a second unit locking the same name waits, and then reads
what the first committed; PostgreSQL's form (an advisory lock) writes
nothing, the others take the lock of the sequence of that name.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from cambridge_results.errors import InvalidValue, WriteRefused
from cambridge_results.storage import open_store
from cambridge_results.storage.port import Store
from cambridge_results.testing.conformance_base import (
    ACTOR,
    StoreURL,
    conformance_migrations,
    thing,
)


@pytest.fixture
def things(store_url: StoreURL, tmp_path: Path) -> Iterator[Store]:
    """A store with the conformance ``things`` table on this test's backend."""
    opened = open_store(store_url(tmp_path), migrations=conformance_migrations())
    try:
        yield opened
    finally:
        opened.close()


def _holder_then_waiter(store: Store, first: str, second: str) -> list[object]:
    """The first unit locks ``first``, inserts a row and sleeps; meanwhile another unit locks
    ``second`` and reads.  What happened, in order."""
    seen: list[object] = []
    held = threading.Event()

    def other() -> None:
        held.wait(10)
        with store.unit_of_work(actor=ACTOR) as uow:
            uow.lock(second)
            seen.append(("waiter read", [r["id"] for r in uow.select("things")]))

    waiter = threading.Thread(target=other)
    waiter.start()
    with store.unit_of_work(actor=ACTOR) as uow:
        uow.lock(first)
        uow.insert("things", thing("a"))
        held.set()
        time.sleep(0.4)
        seen.append("holder ends")
    waiter.join(10)
    return seen


def test_a_unit_locking_a_held_name_waits_then_reads_what_the_holder_committed(
    things: Store,
) -> None:
    """EAR-13: the second unit locking a name waits for the first to end, then sees its row."""
    assert _holder_then_waiter(things, "enquiry-group:g", "enquiry-group:g") == [
        "holder ends",
        ("waiter read", ["a"]),
    ]


@pytest.mark.backends("postgresql")
def test_on_postgresql_a_unit_locking_another_name_does_not_wait(things: Store) -> None:
    """Two names are two locks: the second unit reads at once, before the first commits."""
    assert _holder_then_waiter(things, "enquiry-group:g", "enquiry-group:h") == [
        ("waiter read", []),
        "holder ends",
    ]


def test_locking_writes_no_row_on_postgresql_and_takes_the_sequence_elsewhere(
    store_backend: str, things: Store
) -> None:
    """PostgreSQL's advisory lock leaves ``sequences`` untouched; elsewhere the sequence
    of that name advances, as ``bump`` does."""
    with things.unit_of_work(actor=ACTOR) as uow:
        uow.lock("enquiry-group:g")
        uow.lock("enquiry-group:g")  # taken twice by one unit: no wait
    with things.unit_of_work(actor=ACTOR) as uow:
        if store_backend == "postgresql":
            assert uow.count("sequences") == 0
            assert uow.next_number("enquiry-group:g") == 1
        else:
            assert uow.next_number("enquiry-group:g") == 3


def test_a_lock_is_released_when_its_unit_rolls_back(things: Store) -> None:
    """A unit that failed holds nothing afterwards: the next unit locks the name at once."""

    def failing() -> None:
        with things.unit_of_work(actor=ACTOR) as uow:
            uow.lock("enquiry-group:g")
            uow.insert("things", thing("b"))
            raise RuntimeError("the unit fails")

    with pytest.raises(RuntimeError):
        failing()
    assert _holder_then_waiter(things, "enquiry-group:g", "enquiry-group:g") == [
        "holder ends",
        ("waiter read", ["a"]),
    ]


def test_a_bad_name_or_a_read_only_unit_is_refused_and_changes_nothing(things: Store) -> None:
    """An empty, too long or NUL-bearing name is InvalidValue; a read-only unit, WriteRefused."""
    for name in ("", "x" * 101, "a\x00b"):
        with things.unit_of_work(actor=ACTOR) as uow, pytest.raises(InvalidValue):
            uow.lock(name)
    with things.unit_of_work(actor=ACTOR, read_only=True) as uow, pytest.raises(WriteRefused):
        uow.lock("enquiry-group:g")
    with things.unit_of_work(actor=ACTOR, read_only=True) as uow:
        assert uow.count("sequences") == 0
        assert uow.count("things") == 0
