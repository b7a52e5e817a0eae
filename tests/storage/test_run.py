"""``store.run``: a unit of work run again from the start when the backend reports a conflict."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from cambridge_results.errors import (
    ConcurrencyError,
    DuplicateError,
    InvalidValue,
    WriteRefused,
)
from cambridge_results.storage.memory import MemoryStore
from cambridge_results.storage.port import BaseStore, UnitOfWork
from cambridge_results.testing.conformance import conformance_migrations, thing

ACTOR = "test:run"


@pytest.fixture(params=["memory", "sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[BaseStore]:
    """A fresh store of each built-in backend."""
    if request.param == "memory":
        opened: BaseStore = MemoryStore(migrations=conformance_migrations())
    else:
        name = "make_sqlite" if request.param == "sqlite" else "postgres"
        factory = request.getfixturevalue(name)
        opened = factory(tmp_path, conformance_migrations())
    try:
        yield opened
    finally:
        opened.close()


def ids(store: BaseStore) -> list[str]:
    """Every ``things`` id in key order."""
    with store.unit_of_work(actor=ACTOR, read_only=True) as uow:
        return [r["id"] for r in uow.select("things")]


def test_run_commits_and_returns_what_the_work_returns(store: BaseStore) -> None:
    """The work's result comes back and its writes are committed."""
    assert store.run(lambda uow: uow.insert("things", thing("a"))["n"], actor=ACTOR) == 0
    assert ids(store) == ["a"]


def test_a_concurrency_error_runs_the_work_again_in_a_new_unit(store: BaseStore) -> None:
    """The failed attempt's writes roll back; the next attempt starts from committed data."""
    calls: list[int] = []

    def work(uow: UnitOfWork) -> int:
        calls.append(1)
        uow.insert("things", thing(f"attempt-{len(calls)}", kind=f"k{len(calls)}"))
        if len(calls) == 1:
            raise ConcurrencyError("a concurrent writer got there first")
        return len(calls)

    assert store.run(work, actor=ACTOR) == 2
    assert ids(store) == ["attempt-2"]


def test_run_gives_up_after_its_attempts_with_the_last_error(store: BaseStore) -> None:
    """Conflicts every time: ``attempts`` tries, then ConcurrencyError, and nothing written."""
    calls: list[int] = []

    def work(uow: UnitOfWork) -> None:
        calls.append(1)
        uow.insert("things", thing("never"))
        raise ConcurrencyError(f"conflict {len(calls)}")

    with pytest.raises(ConcurrencyError, match="conflict 3"):
        store.run(work, actor=ACTOR, attempts=3)
    assert len(calls) == 3
    assert ids(store) == []


def test_other_errors_are_not_retried(store: BaseStore) -> None:
    """A DuplicateError (or any non-conflict error) rolls back and propagates at once."""
    store.run(lambda uow: uow.insert("things", thing("a")), actor=ACTOR)
    calls: list[int] = []

    def work(uow: UnitOfWork) -> None:
        calls.append(1)
        uow.insert("things", thing("b", kind="k2"))
        uow.insert("things", thing("a"))

    with pytest.raises(DuplicateError):
        store.run(work, actor=ACTOR)
    assert calls == [1]
    assert ids(store) == ["a"]


def test_run_checks_its_arguments_and_honours_read_only(store: BaseStore) -> None:
    """Attempts must be a whole number of at least 1; a read-only run refuses writes."""
    for attempts in (0, -1, 1.5, True):
        with pytest.raises(InvalidValue):
            store.run(lambda uow: None, actor=ACTOR, attempts=attempts)  # type: ignore[arg-type]
    with pytest.raises(WriteRefused):
        store.run(lambda uow: uow.insert("things", thing("a")), actor=ACTOR, read_only=True)
    assert store.run(lambda uow: uow.count("things"), actor=ACTOR, read_only=True) == 0
