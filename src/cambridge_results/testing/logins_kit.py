"""What the login conformance suites share: a store per test, a counting hasher, helpers.

:class:`LoginsBackend` is the one fixture a backend overrides,
``login_store_url``; the suite opens and migrates that store, and builds a
:class:`~cambridge_results.context.Context` (the cheap test hasher allowed,
a fixed clock) and :class:`~cambridge_results.logins.Logins` objects over
it.  Every test uses keys, ids and digests of its own (random), so the
suites also run against one shared database without cleaning up.
"""

from __future__ import annotations

import secrets
import threading
from collections.abc import Callable, Iterator
from typing import TypeVar

import attrs
import pendulum
import pytest

from cambridge_results.board.candidate_credentials import WebsiteCandidateCredentials
from cambridge_results.board.schema import SCHEMA
from cambridge_results.clock import FixedClock
from cambridge_results.context import Context
from cambridge_results.hashing import PasswordHasher, hasher_for
from cambridge_results.logins import InMemoryOutbox, LoginRepositories, Logins
from cambridge_results.policy import CredentialPolicy, LoginPolicy, Policy, example_2026
from cambridge_results.storage.plugins import open_store
from cambridge_results.storage.port import Store

__all__ = [
    "CHEAP",
    "POLICY",
    "T0",
    "CountingHasher",
    "LoginsBackend",
    "LoginsUnderTest",
    "cheap_policy",
    "counting_logins",
    "digest",
    "stand_in_hash",
    "together",
    "unique",
]

T = TypeVar("T")

T0 = pendulum.datetime(2026, 8, 11, 9, 0, 0, tz="UTC")
POLICY = LoginPolicy()
#: The cheap hasher's policy; a real policy would refuse it (hashing.py).
CHEAP = CredentialPolicy(allowed_test_hashers=("test-cheap",))
#: The actor of the suites' own units of work.
ACTOR = "system:conformance"


def unique(prefix: str) -> str:
    """A name no other test (in this run or an earlier one on a shared database) uses."""
    return f"{prefix}-{secrets.token_hex(6)}"


def stand_in_hash(tag: str) -> str:
    """A stand-in stored hash: the repositories store hashes as opaque text."""
    return f"$test${tag}"


def digest() -> str:
    """A fresh random reset-token digest."""
    return secrets.token_hex(32)


def together(workers: int, work: Callable[[], None]) -> None:
    """Run ``work`` in ``workers`` threads released at the same moment; re-raise an error."""
    barrier = threading.Barrier(workers)
    errors: list[BaseException] = []

    def run() -> None:
        barrier.wait()
        try:
            work()
        except BaseException as exc:  # re-raised below in the test's own thread
            errors.append(exc)

    threads = [threading.Thread(target=run) for _ in range(workers)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    if errors:
        raise errors[0]


def cheap_policy(*, threshold: int = 3) -> Policy:
    """The 2026 example policy allowing the cheap test hasher, with this lockout threshold."""
    policy = example_2026()
    return attrs.evolve(
        policy,
        credentials=attrs.evolve(policy.credentials, allowed_test_hashers=("test-cheap",)),
        login=attrs.evolve(policy.login, lockout_threshold=threshold),
    )


class CountingHasher:
    """A real hasher that counts its hashes and verifications (thread-safe), for LOG-02."""

    def __init__(self, inner: PasswordHasher) -> None:
        self.inner = inner
        self.name = inner.name
        self._lock = threading.Lock()
        self.verifies = 0
        self.hashes = 0

    def hash(self, password: str) -> str:
        """Hash, counted."""
        with self._lock:
            self.hashes += 1
        return self.inner.hash(password)

    def verify(self, encoded: str, password: str) -> bool:
        """Verify, counted."""
        with self._lock:
            self.verifies += 1
        return self.inner.verify(encoded, password)

    def handles(self, encoded: str) -> bool:
        """Whether the inner hasher reads ``encoded``."""
        return self.inner.handles(encoded)

    def needs_rehash(self, encoded: str) -> bool:
        """Whether the inner hasher would replace ``encoded``."""
        return self.inner.needs_rehash(encoded)


@attrs.frozen
class LoginsUnderTest:
    """A ``Logins`` with its counting hasher, its in-memory outbox and its fixed clock."""

    logins: Logins
    hasher: CountingHasher
    outbox: InMemoryOutbox
    clock: FixedClock


def counting_logins(store: Store, *, threshold: int = 3) -> LoginsUnderTest:
    """``Logins`` over ``store`` with a fresh counting cheap hasher (counted from zero)."""
    hasher = CountingHasher(hasher_for(CHEAP, "test-cheap"))
    clock = FixedClock(T0)
    outbox = InMemoryOutbox()
    context = Context(store=store, policy=cheap_policy(threshold=threshold), clock=clock)
    logins = Logins(
        context,
        outbox=outbox,
        hasher=hasher,
        reset_link=lambda token: f"https://results.example.org/reset?token={token}",
        candidate_credentials=WebsiteCandidateCredentials(),
    )
    hasher.hashes = 0  # the dummy hash is made once, at construction
    return LoginsUnderTest(logins, hasher, outbox, clock)


class LoginsBackend:
    """The store at ``login_store_url`` (a fixture to override), opened for each test."""

    store: Store

    @pytest.fixture
    def login_store_url(self) -> str:
        """The URL of the store to test (opened and migrated by the suite)."""
        raise NotImplementedError

    @pytest.fixture(autouse=True)
    def _logins_store(self, login_store_url: str) -> Iterator[None]:
        self.store = open_store(login_store_url, migrations=SCHEMA)
        try:
            yield
        finally:
            self.store.close()

    def write(self, work: Callable[[LoginRepositories], T]) -> T:
        """``work(repositories)`` in a writing unit of work, through ``store.run``."""
        return self.store.run(lambda uow: work(LoginRepositories(uow)), actor=ACTOR)

    def read(self, work: Callable[[LoginRepositories], T]) -> T:
        """``work(repositories)`` in a read-only unit of work."""
        return self.store.run(lambda uow: work(LoginRepositories(uow)), actor=ACTOR, read_only=True)

    def logins(self, *, threshold: int = 3) -> LoginsUnderTest:
        """``Logins`` over the store with a fresh counting cheap hasher."""
        return counting_logins(self.store, threshold=threshold)
