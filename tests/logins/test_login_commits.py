"""What a login writes, and when (LOG-02, issue 15): the count is visible before the hasher
runs, and a successful login waits for the disk once.

The count in advance runs in a provisional unit of work (docs/security.md): its insert
commits at once, without waiting for the disk, and the settling unit is the one commit
a login waits for.
"""

from __future__ import annotations

import sqlite3
import threading

import pytest
from logins_support import PASSWORD, USERNAME, LoginWorld

from cambridge_results.hashing import PasswordHasher
from cambridge_results.rules.logins.lockout import LockoutState

KEY = USERNAME.lower()


class _PeekingHasher:
    """A real hasher that, on each verification, reads the key's count from another thread."""

    def __init__(self, inner: PasswordHasher, world: LoginWorld) -> None:
        self.inner = inner
        self.name = inner.name
        self.world = world
        self.seen: list[LockoutState] = []

    def hash(self, password: str) -> str:
        return self.inner.hash(password)

    def handles(self, encoded: str) -> bool:
        return self.inner.handles(encoded)

    def needs_rehash(self, encoded: str) -> bool:
        return self.inner.needs_rehash(encoded)

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


@pytest.mark.backends("sqlite")
def test_a_successful_login_commits_once_waited_for_on_disk(stored: LoginWorld) -> None:
    """Issue 15: the count commits under synchronous=NORMAL; the one COMMIT is FULL."""
    stored.log_in(USERNAME, PASSWORD)  # warm: the dummy hash, the connection
    conn: sqlite3.Connection = stored.store._connection()  # type: ignore[attr-defined]
    statements: list[str] = []
    conn.set_trace_callback(lambda text: statements.append(" ".join(text.split()[:4])))
    try:
        assert stored.log_in(USERNAME, PASSWORD).ok
    finally:
        conn.set_trace_callback(None)
    kinds = [s.split()[0] for s in statements]
    assert kinds.count("COMMIT") == 1
    assert kinds.count("BEGIN") == 1
    first_insert = kinds.index("INSERT")
    assert statements[first_insert] == 'INSERT INTO "login_lockouts" ("key",'
    assert statements[:first_insert] == ["PRAGMA synchronous = NORMAL"]
    assert kinds.index("BEGIN") > statements.index("PRAGMA synchronous = FULL")
