"""What a login writes, and when (LOG-02, issue 15): the count is visible before the hasher
runs, a failure is settled by one commit waited for on disk, a success by none.

The count in advance and a success's settling run in provisional units of work
(docs/security.md): each statement commits at once, without waiting for the disk; a
failure's settling unit is an ordinary one, whose commit waits for the disk and so makes
every earlier write durable too.
"""

from __future__ import annotations

import sqlite3
import threading
from typing import Any

import pytest
from logins_support import PASSWORD, USERNAME, LoginWorld

from cambridge_results.hashing import PasswordHasher
from cambridge_results.rules.logins.lockout import LockoutState

KEY = USERNAME.lower()


class _Wrapping:
    """A real hasher, wrapped: everything but ``verify`` is the inner hasher's."""

    def __init__(self, inner: PasswordHasher) -> None:
        self.inner = inner
        self.name = inner.name

    def hash(self, password: str) -> str:
        return self.inner.hash(password)

    def handles(self, encoded: str) -> bool:
        return self.inner.handles(encoded)

    def needs_rehash(self, encoded: str) -> bool:
        return self.inner.needs_rehash(encoded)


class _PeekingHasher(_Wrapping):
    """A real hasher that, on each verification, reads the key's count from another thread."""

    def __init__(self, inner: PasswordHasher, world: LoginWorld) -> None:
        super().__init__(inner)
        self.world = world
        self.seen: list[LockoutState] = []

    def verify(self, encoded: str, password: str) -> bool:
        reader = threading.Thread(target=lambda: self.seen.append(self.world.state(KEY)))
        reader.start()
        reader.join(timeout=30)
        return self.inner.verify(encoded, password)


@pytest.mark.parametrize("password", [PASSWORD, "not the password at all"])
def test_the_count_in_advance_is_seen_by_others_while_the_hasher_runs(
    stored: LoginWorld, password: str
) -> None:
    """LOG-02: during verification another unit of work already sees the failure counted."""
    peeking = _PeekingHasher(stored.hasher.inner, stored)
    stored.hasher.inner = peeking
    stored.log_in(USERNAME, password)
    assert peeking.seen == [LockoutState(failures=1)]


def _traced(stored: LoginWorld, password: str) -> tuple[bool, list[str]]:
    """Log in once (after a warming login) and return whether it worked and its statements.

    The first is the connection's ``PRAGMA synchronous`` setting before the login.
    """
    stored.log_in(USERNAME, PASSWORD)  # warm: the dummy hash, the connection
    conn: sqlite3.Connection = stored.store._connection()  # type: ignore[attr-defined]
    setting = {1: "NORMAL", 2: "FULL"}[conn.execute("PRAGMA synchronous").fetchone()[0]]
    statements: list[str] = [f"PRAGMA synchronous = {setting}"]
    conn.set_trace_callback(lambda text: statements.append(" ".join(text.split()[:4])))
    try:
        ok = stored.log_in(USERNAME, password).ok
    finally:
        conn.set_trace_callback(None)
    return ok, statements


def _waited_for(statements: list[str]) -> list[str]:
    """The writes run while the connection waits for the disk (``synchronous=FULL``)."""
    full, waited = False, []
    for statement in statements:
        if statement.startswith("PRAGMA synchronous"):
            full = statement.endswith("FULL")
        elif full and statement.split()[0] in {"INSERT", "DELETE", "UPDATE", "COMMIT"}:
            waited.append(statement)
    return waited


@pytest.mark.backends("sqlite")
def test_a_successful_login_waits_for_no_disk_flush(stored: LoginWorld) -> None:
    """Issue 15, LOG-02: a success counts, records and clears under synchronous=NORMAL."""
    ok, statements = _traced(stored, PASSWORD)
    assert ok
    kinds = [s.split()[0] for s in statements]
    assert kinds.count("COMMIT") == 1  # the attempt and the clearing, together
    assert _waited_for(statements) == []
    writes = [s for s in statements if s.split()[0] in {"INSERT", "DELETE"}]
    assert writes == [
        'INSERT INTO "login_lockouts" ("key",',
        'INSERT INTO "login_attempts" ("at",',
        'DELETE FROM "login_lockouts" WHERE',
    ]


@pytest.mark.backends("sqlite")
def test_a_failed_login_is_settled_by_one_commit_waited_for(stored: LoginWorld) -> None:
    """LOG-02: a failure's record is committed with synchronous=FULL before the answer."""
    ok, statements = _traced(stored, "not the password at all")
    assert not ok
    assert [s.split()[0] for s in _waited_for(statements)] == ["INSERT", "COMMIT"]
    assert stored.state(KEY) == LockoutState(failures=1)


class _TripNoter(_Wrapping):
    """A real hasher that notes, on each verification, the round trips made so far."""

    def __init__(self, inner: PasswordHasher, trips: list[list[str]]) -> None:
        super().__init__(inner)
        self.trips = trips
        self.before: list[list[str]] = []

    def verify(self, encoded: str, password: str) -> bool:
        self.before = list(self.trips)
        return self.inner.verify(encoded, password)


@pytest.mark.backends("postgresql")
@pytest.mark.parametrize("failures", [0, 1])
def test_on_postgresql_the_count_and_the_read_go_in_one_round_trip_before_the_hasher(
    stored: LoginWorld, monkeypatch: pytest.MonkeyPatch, failures: int
) -> None:
    """Issue 15, LOG-02: a key without failures: one round trip, count then read; else more."""
    from cambridge_results.storage.postgres_wire import Wire

    stored.log_in(USERNAME, PASSWORD)  # warm: the dummy hash, the connection
    for _ in range(failures):
        stored.log_in(USERNAME, "not the password at all")
    trips: list[list[str]] = []
    run = Wire.run

    def noted(wire: Wire, statements: Any) -> Any:
        trips.append([text.split()[0] for text, _ in statements])
        return run(wire, statements)

    monkeypatch.setattr(Wire, "run", noted)
    noter = _TripNoter(stored.hasher.inner, trips)
    stored.hasher.inner = noter
    assert stored.log_in(USERNAME, PASSWORD).ok
    if failures == 0:
        assert noter.before == [["INSERT", "SELECT"]]
    else:  # that read is discarded; the row is counted under its lock, then read again
        assert noter.before[0] == ["INSERT", "SELECT"]
        assert noter.before[-4:] == [["SELECT"], ["UPDATE"], ["SELECT"], ["COMMIT"]]
    assert stored.state(KEY) == LockoutState()
