"""Simultaneous logins and redemptions, with threads and with real processes (LOG-02, LOG-05).

"50 simultaneous wrong attempts: at most 3 reach the hasher and no increment
is lost" and "20 concurrent redemptions of one reset token: exactly 1
succeeds", on every backend: threads on memory://, SQLite and PostgreSQL;
8 spawned processes on the stores several processes can share (SQLite,
PostgreSQL).  Each process counts its own hasher calls and reports them, so
the totals are counted across processes, not guessed.
"""

from __future__ import annotations

import threading

import pytest
from logins_support import PASSWORD, USERNAME, LoginWorld, make_world

from cambridge_results.logins import AttemptOutcome, PasswordReset, PasswordResetRequest
from cambridge_results.logins.tokens import token_digest
from cambridge_results.policy import LoginPolicy
from cambridge_results.rules.logins.lockout import LockoutState
from cambridge_results.rules.logins.reset import issue_token
from cambridge_results.storage import MULTI_PROCESS, Store
from cambridge_results.testing.conformance_logins import (
    race_redemptions,
    race_wrong_logins,
    wrong_logins_in_threads,
)
from cambridge_results.testing.logins_kit import T0

KEY = USERNAME.lower()
WRONG = "not the password at all"


def needs_processes(store: Store) -> None:
    """Skip, saying why, on a store that lives inside one process."""
    if MULTI_PROCESS not in store.capabilities:
        pytest.skip(f"{type(store).__name__} cannot be shared by processes")


def test_of_fifty_simultaneous_wrong_attempts_in_threads_three_reach_the_hasher(
    stored: LoginWorld,
) -> None:
    """LOG-02: 50 racing threads: 3 hasher calls, 3 wrong-password, 47 locked, 50 recorded."""
    race = wrong_logins_in_threads(
        stored.logins, stored.hasher, username=USERNAME, password=WRONG, attempts=50
    )
    assert race.verifies == 3
    assert race.outcomes.count(AttemptOutcome.WRONG_PASSWORD) == 3
    assert race.outcomes.count(AttemptOutcome.LOCKED) == 47
    assert stored.state(KEY) == LockoutState(failures=3, locked_until=T0.add(minutes=30))
    assert len(stored.read(lambda r: r.attempts.for_username(KEY))) == 50


def test_fifty_simultaneous_failures_in_threads_lose_no_increment(stored: LoginWorld) -> None:
    """LOG-02: under a threshold nobody reaches, 50 racing failures count exactly 50."""
    lenient = make_world(stored.store, login=LoginPolicy(lockout_threshold=10_000))
    race = wrong_logins_in_threads(
        lenient.logins, lenient.hasher, username=USERNAME, password=WRONG, attempts=50
    )
    assert race.verifies == 50
    assert stored.state(KEY).failures == 50


def test_of_fifty_wrong_attempts_from_eight_processes_three_reach_the_hasher(
    stored: LoginWorld, store: Store
) -> None:
    """LOG-02: 8 processes x threads, 50 attempts released together: 3 hasher calls in all."""
    needs_processes(store)
    race = race_wrong_logins(store.url, username=USERNAME, password=WRONG, attempts=50)
    assert race.verifies == 3
    assert len(race.outcomes) == 50
    assert race.outcomes.count(AttemptOutcome.WRONG_PASSWORD) == 3
    assert race.outcomes.count(AttemptOutcome.LOCKED) == 47
    assert stored.state(KEY) == LockoutState(failures=3, locked_until=T0.add(minutes=30))
    assert len(stored.read(lambda r: r.attempts.for_username(KEY))) == 50
    # The right password is refused as well until the lock ends (LOG-02).
    stored.clock.set(T0.add(minutes=29))
    assert stored.log_in(USERNAME, PASSWORD).decision.codes == ("LOG-02.locked",)


def test_fifty_failures_from_eight_processes_lose_no_increment(
    stored: LoginWorld, store: Store
) -> None:
    """LOG-02: 8 processes, 50 racing failures under a high threshold: the count is 50."""
    needs_processes(store)
    race = race_wrong_logins(
        store.url, username=USERNAME, password=WRONG, attempts=50, threshold=10_000
    )
    assert race.verifies == 50
    assert stored.state(KEY).failures == 50


def test_twenty_redemptions_of_one_token_from_processes_let_exactly_one_through(
    stored: LoginWorld, store: Store
) -> None:
    """LOG-05: 20 racing redemptions over 4 processes: 1 allowed, 19 refused as used."""
    needs_processes(store)
    digest = token_digest("a token only this test knows, 128 bits or more of it")
    record, _ = issue_token(
        account_id="acct-race", digest=digest, now=T0, policy=stored.policy.login
    )
    stored.write(lambda r: r.reset_tokens.issue(record, T0))
    answers = race_redemptions(store.url, digest=digest, at=T0.add(minutes=5))
    assert sorted(answers) == ["LOG-05.token-used"] * 19 + ["allowed"]
    found = stored.read(lambda r: r.reset_tokens.find(digest))
    assert found is not None
    assert found.used_at == T0.add(minutes=5)


def test_a_whole_reset_completed_twice_at_once_changes_the_password_once(
    stored: LoginWorld,
) -> None:
    """LOG-05: two threads completing one link with different passwords: exactly one wins."""
    stored.logins.request_password_reset(PasswordResetRequest(identifier=USERNAME))
    body = stored.outbox.messages[-1].body
    token = body.split("token=", 1)[1].split()[0]
    candidates = ["first new passphrase 1234", "second new passphrase 567"]
    results: dict[str, bool] = {}
    barrier = threading.Barrier(2)

    def complete(new: str) -> None:
        barrier.wait()
        results[new] = stored.logins.reset_password(
            PasswordReset(token=token, new_password=new)
        ).allowed

    threads = [threading.Thread(target=complete, args=(p,)) for p in candidates]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(results.values()) == [False, True]
    (winner,) = [p for p, ok in results.items() if ok]
    stored.clock.advance(minutes=1)
    assert stored.log_in(USERNAME, winner).ok
