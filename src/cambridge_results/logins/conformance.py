"""Tests every implementation of the login ports must pass (LOG-02, LOG-05).

A backend turns them on with one subclass per port, overriding only the
factory, e.g.::

    class TestSQLiteLockoutCounter(LockoutCounterConformance):
        def make_counter(self) -> LockoutCounter:
            return SQLiteLockoutCounter(open_store("sqlite:///" + tmp))

The classes use plain ``assert`` and threads; they need pytest (or any
runner that collects ``test_*`` methods) but import nothing beyond the
standard library and this package.
"""

from __future__ import annotations

import threading
from collections.abc import Callable

import pendulum

from cambridge_results.logins.ports import LockoutCounter, ResetTokenStore
from cambridge_results.policy import LoginPolicy
from cambridge_results.rules.lockout import LockoutState
from cambridge_results.rules.reset import ResetTokenRecord, issue_token

__all__ = ["LockoutCounterConformance", "ResetTokenStoreConformance"]

T0 = pendulum.datetime(2026, 8, 11, 9, 0, 0, tz="UTC")
POLICY = LoginPolicy()


def _together(workers: int, work: Callable[[], None]) -> None:
    """Run ``work`` in ``workers`` threads released at the same moment."""
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


class LockoutCounterConformance:
    """The contract of :class:`~cambridge_results.logins.ports.LockoutCounter` (LOG-02)."""

    def make_counter(self) -> LockoutCounter:
        """A fresh, empty counter; backends override this."""
        raise NotImplementedError

    def test_an_unseen_key_has_a_fresh_state(self) -> None:
        """LOG-02: no failures and no lock for a key never seen."""
        assert self.make_counter().state("nobody") == LockoutState()

    def test_the_third_failure_locks_for_thirty_minutes(self) -> None:
        """LOG-02: failures count; the third locks until 30 minutes after it."""
        counter = self.make_counter()
        for i in range(3):
            assert counter.record_failure("k", T0.add(seconds=i), POLICY).allowed
        assert counter.state("k") == LockoutState(
            failures=3, locked_until=T0.add(seconds=2, minutes=30)
        )

    def test_a_locked_key_refuses_without_changing(self) -> None:
        """LOG-02: while locked nothing is counted and the lock is not extended."""
        counter = self.make_counter()
        for _ in range(3):
            counter.record_failure("k", T0, POLICY)
        before = counter.state("k")
        refused = counter.record_failure("k", T0.add(minutes=29, seconds=59), POLICY)
        assert refused.codes == ("LOG-02.locked",)
        assert counter.state("k") == before
        assert counter.record_failure("k", T0.add(minutes=30), POLICY).allowed
        assert counter.state("k") == LockoutState(failures=1)

    def test_a_success_resets_only_its_key(self) -> None:
        """LOG-02: record_success clears one key; other keys keep their counts."""
        counter = self.make_counter()
        counter.record_failure("a", T0, POLICY)
        counter.record_failure("b", T0, POLICY)
        counter.record_success("a")
        assert counter.state("a") == LockoutState()
        assert counter.state("b") == LockoutState(failures=1)

    def test_simultaneous_failures_lose_no_increment(self) -> None:
        """LOG-02: 8 threads x 25 failures under a high threshold count 200."""
        counter = self.make_counter()
        policy = LoginPolicy(lockout_threshold=10_000)

        def work() -> None:
            for _ in range(25):
                assert counter.record_failure("k", T0, policy).allowed

        _together(8, work)
        assert counter.state("k").failures == 200

    def test_of_many_simultaneous_attempts_exactly_three_are_let_through(self) -> None:
        """LOG-02: 30 racing attempts at a fresh key: 3 allowed, 27 refused as locked."""
        counter = self.make_counter()
        allowed: list[bool] = []
        lock = threading.Lock()

        def work() -> None:
            result = counter.record_failure("k", T0, POLICY).allowed
            with lock:
                allowed.append(result)

        _together(30, work)
        assert allowed.count(True) == 3
        assert counter.state("k").locked_until == T0.add(minutes=30)


def _record(account: str, digest_byte: str, at: pendulum.DateTime = T0) -> ResetTokenRecord:
    record, _ = issue_token(account_id=account, digest=digest_byte * 64, now=at, policy=POLICY)
    return record


class ResetTokenStoreConformance:
    """The contract of :class:`~cambridge_results.logins.ports.ResetTokenStore` (LOG-05)."""

    def make_tokens(self) -> ResetTokenStore:
        """A fresh, empty token store; backends override this."""
        raise NotImplementedError

    def test_an_issued_record_is_found_by_its_digest(self) -> None:
        """LOG-05: find returns the record issued, and None for other digests."""
        tokens = self.make_tokens()
        record = _record("a", "1")
        tokens.issue(record, T0)
        assert tokens.find("1" * 64) == record
        assert tokens.find("2" * 64) is None

    def test_issuing_voids_the_accounts_earlier_tokens_only(self) -> None:
        """LOG-05: a new token voids the same account's live tokens, not others'."""
        tokens = self.make_tokens()
        tokens.issue(_record("a", "1"), T0)
        tokens.issue(_record("b", "2"), T0)
        later = T0.add(minutes=1)
        tokens.issue(_record("a", "3", later), later)
        first = tokens.find("1" * 64)
        assert first is not None
        assert first.voided_at == later
        assert tokens.redeem("1" * 64, later).codes == ("LOG-05.token-void",)
        assert tokens.redeem("2" * 64, later).allowed
        assert tokens.redeem("3" * 64, later).allowed

    def test_a_token_redeems_once_and_not_after_expiry(self) -> None:
        """LOG-05: single use; refused at exactly 60 minutes; unknown digests refused."""
        tokens = self.make_tokens()
        tokens.issue(_record("a", "1"), T0)
        tokens.issue(_record("b", "2"), T0)
        assert tokens.redeem("1" * 64, T0.add(minutes=59, seconds=59)).allowed
        assert tokens.redeem("1" * 64, T0.add(minutes=59, seconds=59)).codes == (
            "LOG-05.token-used",
        )
        assert tokens.redeem("2" * 64, T0.add(minutes=60)).codes == ("LOG-05.token-expired",)
        assert tokens.redeem("9" * 64, T0).codes == ("LOG-05.token-unknown",)

    def test_void_account_kills_every_live_token(self) -> None:
        """LOG-05: a password changed elsewhere voids the account's links."""
        tokens = self.make_tokens()
        tokens.issue(_record("a", "1"), T0)
        tokens.void_account("a", T0.add(minutes=1))
        assert tokens.redeem("1" * 64, T0.add(minutes=2)).codes == ("LOG-05.token-void",)

    def test_simultaneous_redemptions_let_exactly_one_through(self) -> None:
        """LOG-05: of 20 racing redemptions of one token exactly one is allowed."""
        tokens = self.make_tokens()
        tokens.issue(_record("a", "1"), T0)
        allowed: list[bool] = []
        lock = threading.Lock()

        def work() -> None:
            result = tokens.redeem("1" * 64, T0.add(minutes=1)).allowed
            with lock:
                allowed.append(result)

        _together(20, work)
        assert allowed.count(True) == 1
