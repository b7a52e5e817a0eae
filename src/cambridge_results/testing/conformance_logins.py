"""Tests every implementation of the login ports must pass (LOG-01, LOG-02, LOG-04..LOG-06).

One class per port, each with one factory to override::

    class TestMyLockout(LockoutCounterConformance):
        def make_counter(self) -> LockoutCounter:
            return MyLockoutCounter()

:class:`LoginPortsConformance` is all of them together.  For the stored
ports (:mod:`cambridge_results.logins.stored`) a backend needs one fixture,
the URL of a migrated store, because :class:`StoredLoginPortsConformance`
builds every factory from it::

    class TestStoredLoginsOnSQLite(StoredLoginPortsConformance):
        @pytest.fixture
        def login_store_url(self, tmp_path: Path) -> str:
            return f"sqlite:///{tmp_path / 'logins.db'}"

Every test uses keys, ids and digests of its own (random), so the suite also
runs against one shared database (a PostgreSQL server for the whole test
session) without cleaning up between tests.

The races (:func:`race_wrong_logins`, :func:`race_redemptions`) run real OS
processes (``spawn``) against one store URL: the lead's LOG-02 and LOG-05
checks, "of any number of simultaneous wrong attempts at most 3 reach the
hasher, and no increment is lost" and "of 20 simultaneous redemptions of one
token exactly one succeeds".  Every process counts its own hasher calls and
reports them back, so the total is honest across processes.
"""

from __future__ import annotations

import multiprocessing
import queue as queue_module
import secrets
import threading
from collections.abc import Callable, Iterator, Sequence
from typing import Any, Protocol

import attrs
import pendulum

from cambridge_results.testing import _missing_extra

try:
    import pytest
except ModuleNotFoundError as exc:
    raise _missing_extra(exc) from exc

from cambridge_results.board.schema import SCHEMA
from cambridge_results.clock import FixedClock
from cambridge_results.decisions import Decision
from cambridge_results.errors import DuplicateError, InvalidValue, NotFound
from cambridge_results.hashing import PasswordHasher, hasher_for
from cambridge_results.logins.identity import IdentityRecord, IdentityResult
from cambridge_results.logins.login import LoginService
from cambridge_results.logins.ports import (
    AccountRecord,
    AttemptOutcome,
    LockoutCounter,
    LoginAttempt,
    ResetTokenStore,
)
from cambridge_results.logins.registration import LetterRecord
from cambridge_results.logins.stored import StoredLogins
from cambridge_results.policy import CredentialPolicy, LoginPolicy
from cambridge_results.rules.logins.lockout import LockoutState
from cambridge_results.rules.logins.login import IdentityAction
from cambridge_results.rules.logins.reset import ResetTokenRecord, issue_token
from cambridge_results.storage.plugins import open_store

__all__ = [
    "AccountsConformance",
    "AttemptLogConformance",
    "CountingHasher",
    "IdentitiesConformance",
    "LettersConformance",
    "LockoutCounterConformance",
    "LoginPortsConformance",
    "LoginRace",
    "ResetTokenStoreConformance",
    "StoredLoginPortsConformance",
    "race_redemptions",
    "race_wrong_logins",
    "wrong_logins_in_threads",
]

T0 = pendulum.datetime(2026, 8, 11, 9, 0, 0, tz="UTC")
POLICY = LoginPolicy()
#: Seconds a process waits for the others at the start line (a dead sibling breaks it).
BARRIER_TIMEOUT = 120.0
#: The cheap hasher the races use; a real policy would refuse it (hashing.py).
CHEAP = CredentialPolicy(allowed_test_hashers=("test-cheap",))


def _unique(prefix: str) -> str:
    """A name no other test (in this run or an earlier one on a shared database) uses."""
    return f"{prefix}-{secrets.token_hex(6)}"


def _h(tag: str) -> str:
    """A stand-in stored hash: the ports store hashes as opaque text."""
    return f"$test${tag}"


def _digest() -> str:
    return secrets.token_hex(32)


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


class CountingHasher:
    """A real hasher that counts its verifications (thread-safe), for LOG-02 checks."""

    def __init__(self, inner: PasswordHasher) -> None:
        self.inner = inner
        self.name = inner.name
        self._lock = threading.Lock()
        self.verifies = 0

    def hash(self, password: str) -> str:
        """Hash with the inner hasher (not counted)."""
        return self.inner.hash(password)

    def verify(self, encoded: str, password: str) -> bool:
        """Verify with the inner hasher and count it."""
        with self._lock:
            self.verifies += 1
        return self.inner.verify(encoded, password)

    def handles(self, encoded: str) -> bool:
        """Whether the inner hasher wrote ``encoded``."""
        return self.inner.handles(encoded)

    def needs_rehash(self, encoded: str) -> bool:
        """Whether the inner hasher would rehash ``encoded``."""
        return self.inner.needs_rehash(encoded)


# -- lockout -------------------------------------------------------------------------


class LockoutCounterConformance:
    """The contract of :class:`~cambridge_results.logins.ports.LockoutCounter` (LOG-02)."""

    def make_counter(self) -> LockoutCounter:
        """The counter under test; backends override this."""
        raise NotImplementedError

    def test_an_unseen_key_has_a_fresh_state(self) -> None:
        """LOG-02: no failures and no lock for a key never seen."""
        assert self.make_counter().state(_unique("nobody")) == LockoutState()

    def test_the_third_failure_locks_for_thirty_minutes(self) -> None:
        """LOG-02: failures count; the third locks until 30 minutes after it."""
        counter, k = self.make_counter(), _unique("k")
        for i in range(3):
            assert counter.record_failure(k, T0.add(seconds=i), POLICY).allowed
        assert counter.state(k) == LockoutState(
            failures=3, locked_until=T0.add(seconds=2, minutes=30)
        )

    def test_a_locked_key_refuses_without_changing(self) -> None:
        """LOG-02: while locked nothing is counted and the lock is not extended."""
        counter, k = self.make_counter(), _unique("k")
        for _ in range(3):
            counter.record_failure(k, T0, POLICY)
        before = counter.state(k)
        refused = counter.record_failure(k, T0.add(minutes=29, seconds=59), POLICY)
        assert refused.codes == ("LOG-02.locked",)
        assert counter.state(k) == before
        assert counter.record_failure(k, T0.add(minutes=30), POLICY).allowed
        assert counter.state(k) == LockoutState(failures=1)

    def test_a_success_resets_only_its_key(self) -> None:
        """LOG-02: record_success clears one key; other keys keep their counts."""
        counter, a, b = self.make_counter(), _unique("a"), _unique("b")
        counter.record_failure(a, T0, POLICY)
        counter.record_failure(b, T0, POLICY)
        counter.record_success(a)
        assert counter.state(a) == LockoutState()
        assert counter.state(b) == LockoutState(failures=1)
        assert counter.record_failure(a, T0, POLICY).allowed
        assert counter.state(a) == LockoutState(failures=1)

    def test_keys_differing_only_in_case_are_different_keys(self) -> None:
        """LOG-02: the counter compares keys exactly; normalising is the flow's job."""
        counter, k = self.make_counter(), _unique("key")
        counter.record_failure(k, T0, POLICY)
        assert counter.state(k.upper()) == LockoutState()

    def test_simultaneous_failures_lose_no_increment(self) -> None:
        """LOG-02: 8 threads x 25 failures under a high threshold count 200."""
        counter, k = self.make_counter(), _unique("k")
        policy = LoginPolicy(lockout_threshold=10_000)

        def work() -> None:
            for _ in range(25):
                assert counter.record_failure(k, T0, policy).allowed

        _together(8, work)
        assert counter.state(k).failures == 200

    def test_of_many_simultaneous_attempts_exactly_three_are_let_through(self) -> None:
        """LOG-02: 30 racing attempts at a fresh key: 3 allowed, 27 refused as locked."""
        counter, k = self.make_counter(), _unique("k")
        allowed: list[bool] = []
        lock = threading.Lock()

        def work() -> None:
            result = counter.record_failure(k, T0, POLICY).allowed
            with lock:
                allowed.append(result)

        _together(30, work)
        assert allowed.count(True) == 3
        assert counter.state(k) == LockoutState(failures=3, locked_until=T0.add(minutes=30))


# -- reset tokens --------------------------------------------------------------------


def _record(account: str, digest: str, at: pendulum.DateTime = T0) -> ResetTokenRecord:
    record, _ = issue_token(account_id=account, digest=digest, now=at, policy=POLICY)
    return record


class ResetTokenStoreConformance:
    """The contract of :class:`~cambridge_results.logins.ports.ResetTokenStore` (LOG-05)."""

    def make_tokens(self) -> ResetTokenStore:
        """The token store under test; backends override this."""
        raise NotImplementedError

    def test_an_issued_record_is_found_by_its_digest(self) -> None:
        """LOG-05: find returns the record issued, and None for other digests."""
        tokens, d = self.make_tokens(), _digest()
        record = _record(_unique("a"), d)
        tokens.issue(record, T0)
        assert tokens.find(d) == record
        assert tokens.find(_digest()) is None

    def test_a_digest_is_issued_once(self) -> None:
        """LOG-05: a second record under the same digest is a DuplicateError."""
        tokens, d = self.make_tokens(), _digest()
        tokens.issue(_record(_unique("a"), d), T0)
        with pytest.raises(DuplicateError):
            tokens.issue(_record(_unique("b"), d), T0)

    def test_issuing_voids_the_accounts_earlier_tokens_only(self) -> None:
        """LOG-05: a new token voids the same account's live tokens, not others'."""
        tokens, a, b = self.make_tokens(), _unique("a"), _unique("b")
        d1, d2, d3 = _digest(), _digest(), _digest()
        tokens.issue(_record(a, d1), T0)
        tokens.issue(_record(b, d2), T0)
        later = T0.add(minutes=1)
        tokens.issue(_record(a, d3, later), later)
        first = tokens.find(d1)
        assert first is not None
        assert first.voided_at == later
        assert tokens.redeem(d1, later).codes == ("LOG-05.token-void",)
        assert tokens.redeem(d2, later).allowed
        assert tokens.redeem(d3, later).allowed

    def test_a_token_redeems_once_and_not_after_expiry(self) -> None:
        """LOG-05: single use; refused at exactly 60 minutes; unknown digests refused."""
        tokens, d1, d2 = self.make_tokens(), _digest(), _digest()
        tokens.issue(_record(_unique("a"), d1), T0)
        tokens.issue(_record(_unique("b"), d2), T0)
        at = T0.add(minutes=59, seconds=59)
        assert tokens.redeem(d1, at).allowed
        assert tokens.redeem(d1, at).codes == ("LOG-05.token-used",)
        used = tokens.find(d1)
        assert used is not None
        assert used.used_at == at
        assert tokens.redeem(d2, T0.add(minutes=60)).codes == ("LOG-05.token-expired",)
        assert tokens.redeem(_digest(), T0).codes == ("LOG-05.token-unknown",)

    def test_a_redeemed_token_voids_the_accounts_other_tokens(self) -> None:
        """LOG-05: after a reset no other link of the account works."""
        tokens, a, d1, d2 = self.make_tokens(), _unique("a"), _digest(), _digest()
        tokens.issue(_record(a, d1), T0)
        tokens.issue(_record(a, d2), T0)
        assert tokens.redeem(d2, T0.add(minutes=1)).allowed
        assert tokens.redeem(d1, T0.add(minutes=2)).codes == ("LOG-05.token-void",)

    def test_void_account_kills_every_live_token(self) -> None:
        """LOG-05: a password changed elsewhere voids the account's links."""
        tokens, a, d = self.make_tokens(), _unique("a"), _digest()
        tokens.issue(_record(a, d), T0)
        tokens.void_account(a, T0.add(minutes=1))
        assert tokens.redeem(d, T0.add(minutes=2)).codes == ("LOG-05.token-void",)

    def test_simultaneous_redemptions_let_exactly_one_through(self) -> None:
        """LOG-05: of 20 racing redemptions of one token exactly one is allowed."""
        tokens, d = self.make_tokens(), _digest()
        tokens.issue(_record(_unique("a"), d), T0)
        allowed: list[Decision] = []
        lock = threading.Lock()

        def work() -> None:
            result = tokens.redeem(d, T0.add(minutes=1))
            with lock:
                allowed.append(result)

        _together(20, work)
        assert [r.allowed for r in allowed].count(True) == 1
        assert {c for r in allowed for c in r.codes} == {"LOG-05.token-used"}

    def test_simultaneous_requests_leave_exactly_one_live_token(self) -> None:
        """LOG-05: 10 racing issues for one account: one link works, the others are void."""
        tokens, a = self.make_tokens(), _unique("a")
        digests = [_digest() for _ in range(10)]
        pending = list(digests)
        lock = threading.Lock()

        def work() -> None:
            with lock:
                digest = pending.pop()
            tokens.issue(_record(a, digest), T0)

        _together(10, work)
        later = T0.add(minutes=1)
        outcomes = [tokens.redeem(d, later) for d in digests]
        assert [o.allowed for o in outcomes].count(True) == 1


# -- accounts ------------------------------------------------------------------------


class AccountStore(Protocol):
    """What :class:`AccountsConformance` drives: the account ports plus ``add``."""

    def add(self, account: AccountRecord) -> None:
        """Keep a new account."""
        ...

    def find_account(self, username: str) -> AccountRecord | None:
        """By normalised username."""
        ...

    def get_account(self, account_id: str) -> AccountRecord | None:
        """By id."""
        ...

    def set_password_hash(self, account_id: str, password_hash: str) -> None:
        """Replace the hash."""
        ...

    def replace_password_hash(self, account_id: str, old_hash: str, new_hash: str) -> bool:
        """Compare-and-set the hash."""
        ...


def _account(username: str | None = None) -> AccountRecord:
    name = username or f"{_unique('kim')}@school.example"
    return AccountRecord(
        account_id=_unique("acct"), username=name, password_hash=_h("hash-1"), email=name
    )


class AccountsConformance:
    """``AccountLookup``, ``AccountsById``, ``PasswordStore``, ``PasswordHashUpgrades`` (LOG-01)."""

    def make_accounts(self) -> AccountStore:
        """The account store under test; backends override this."""
        raise NotImplementedError

    def test_an_account_is_found_by_username_and_by_id(self) -> None:
        """LOG-01: lookups by the normalised username and by id return the account kept."""
        accounts, account = self.make_accounts(), _account()
        accounts.add(account)
        assert accounts.find_account(account.username) == account
        assert accounts.get_account(account.account_id) == account
        assert accounts.find_account(_unique("nobody")) is None
        assert accounts.get_account(_unique("nobody")) is None

    def test_a_username_or_id_is_taken_once(self) -> None:
        """LOG-01: a second account with the same username or id is a DuplicateError."""
        accounts, account = self.make_accounts(), _account()
        accounts.add(account)
        with pytest.raises(DuplicateError):
            accounts.add(attrs.evolve(account, account_id=_unique("other")))
        with pytest.raises(DuplicateError):
            accounts.add(attrs.evolve(account, username=f"{_unique('x')}@school.example"))
        assert accounts.find_account(account.username) == account

    def test_set_password_hash_replaces_the_hash(self) -> None:
        """LOG-05: the new hash is the only hash; an unknown account is NotFound."""
        accounts, account = self.make_accounts(), _account()
        accounts.add(account)
        accounts.set_password_hash(account.account_id, _h("hash-2"))
        found = accounts.get_account(account.account_id)
        assert found is not None
        assert found.password_hash == _h("hash-2")
        with pytest.raises(NotFound):
            accounts.set_password_hash(_unique("nobody"), _h("hash-3"))

    def test_an_upgrade_is_a_compare_and_set(self) -> None:
        """CRW-12: an upgrade lands only over the hash it replaces, never over a newer one."""
        accounts, account = self.make_accounts(), _account()
        accounts.add(account)
        assert accounts.replace_password_hash(account.account_id, _h("hash-1"), _h("up"))
        assert not accounts.replace_password_hash(account.account_id, _h("hash-1"), _h("x"))
        found = accounts.get_account(account.account_id)
        assert found is not None
        assert found.password_hash == _h("up")
        assert not accounts.replace_password_hash(_unique("nobody"), "a", "b")


# -- attempt log ---------------------------------------------------------------------


class ReadableAttemptLog(Protocol):
    """What :class:`AttemptLogConformance` drives: ``record`` and a way to read back."""

    def record(self, attempt: LoginAttempt) -> None:
        """Keep an attempt."""
        ...

    def attempts_for(self, username: str) -> tuple[LoginAttempt, ...]:
        """The attempts naming ``username``, oldest first."""
        ...


class AttemptLogConformance:
    """The contract of :class:`~cambridge_results.logins.ports.AttemptLog` (SPEC section 5)."""

    def make_attempt_log(self) -> ReadableAttemptLog:
        """The attempt log under test; backends override this."""
        raise NotImplementedError

    def test_attempts_read_back_in_order_with_utc_times(self) -> None:
        """LOG-02: every attempt is kept with its UTC time, outcome and flow."""
        log, who = self.make_attempt_log(), f"{_unique('kim')}@school.example"
        local = T0.in_timezone("Asia/Kolkata")
        kept = [
            LoginAttempt(at=local, username=who, outcome=AttemptOutcome.WRONG_PASSWORD),
            LoginAttempt(at=T0.add(seconds=1), username=who, outcome=AttemptOutcome.LOCKED),
            LoginAttempt(
                at=T0.add(seconds=2),
                username=who,
                outcome=AttemptOutcome.SUCCESS,
                flow="identity-registration",
            ),
        ]
        for attempt in kept:
            log.record(attempt)
        back = log.attempts_for(who)
        assert back == tuple(kept)
        assert all(a.at.timezone_name == "UTC" for a in back)

    def test_many_simultaneous_records_are_all_kept(self) -> None:
        """SPEC section 5: 40 racing records, 40 kept."""
        log, who = self.make_attempt_log(), _unique("racer")

        def work() -> None:
            log.record(LoginAttempt(at=T0, username=who, outcome=AttemptOutcome.WRONG_PASSWORD))

        _together(40, work)
        assert len(log.attempts_for(who)) == 40


# -- identities and letters ----------------------------------------------------------


class IdentityStore(Protocol):
    """What :class:`IdentitiesConformance` drives."""

    def put(self, identity: IdentityRecord) -> None:
        """Keep an identity."""
        ...

    def find_identity(self, email: str) -> IdentityRecord | None:
        """By normalised email."""
        ...

    def apply(self, result: IdentityResult, site: str) -> bool:
        """Store an allowed registration."""
        ...


class IdentitiesConformance:
    """Identities shared by the board's sites (LOG-04)."""

    def make_identities(self) -> IdentityStore:
        """The identity store under test; backends override this."""
        raise NotImplementedError

    def test_a_created_identity_then_gains_sites(self) -> None:
        """LOG-04: CREATE keeps email, hash and site; ADD_SITE adds a site; NOTHING keeps."""
        identities, email = self.make_identities(), f"{_unique('t')}@school.example"
        create = IdentityResult(
            decision=Decision.allow(),
            action=IdentityAction.CREATE,
            email=email,
            password_hash=_h("h"),
        )
        assert identities.apply(create, "prep")
        add = IdentityResult(decision=Decision.allow(), action=IdentityAction.ADD_SITE, email=email)
        assert identities.apply(add, "results-online")
        nothing = IdentityResult(
            decision=Decision.allow(), action=IdentityAction.NOTHING, email=email
        )
        assert identities.apply(nothing, "prep")
        assert identities.find_identity(email) == IdentityRecord(
            email=email, password_hash=_h("h"), sites=frozenset({"prep", "results-online"})
        )

    def test_a_second_create_for_one_email_does_not_apply(self) -> None:
        """LOG-04: one identity per email; a racing CREATE loses and changes nothing."""
        identities, email = self.make_identities(), f"{_unique('t')}@school.example"
        first = IdentityResult(
            decision=Decision.allow(),
            action=IdentityAction.CREATE,
            email=email,
            password_hash=_h("first"),
        )
        assert identities.apply(first, "prep")
        assert not identities.apply(attrs.evolve(first, password_hash=_h("second")), "other")
        found = identities.find_identity(email)
        assert found is not None
        assert found.password_hash == _h("first")
        assert found.sites == frozenset({"prep"})

    def test_a_refused_registration_stores_nothing(self) -> None:
        """LOG-04: applying a refusal is a programming error, InvalidValue."""
        identities = self.make_identities()
        refused = IdentityResult(decision=Decision.refuse("LOG-04.x", "no"), email="a@b.example")
        with pytest.raises(InvalidValue):
            identities.apply(refused, "prep")

    def test_put_replaces_the_identity(self) -> None:
        """LOG-04: put keeps the latest record for the email."""
        identities, email = self.make_identities(), f"{_unique('t')}@school.example"
        identities.put(IdentityRecord(email=email, password_hash=_h("1")))
        identities.put(IdentityRecord(email=email, password_hash=_h("2"), sites=frozenset({"a"})))
        assert identities.find_identity(email) == IdentityRecord(
            email=email, password_hash=_h("2"), sites=frozenset({"a"})
        )


class LetterStore(Protocol):
    """What :class:`LettersConformance` drives."""

    def put(self, letter: LetterRecord) -> None:
        """Keep a letter."""
        ...

    def find_letter(self, candidate_id: str) -> LetterRecord | None:
        """By upper-case ID."""
        ...

    def mark_registered(self, candidate_id: str) -> bool:
        """Use the letter up, once."""
        ...


class LettersConformance:
    """Letters candidates register with (LOG-06)."""

    def make_letters(self) -> LetterStore:
        """The letter store under test; backends override this."""
        raise NotImplementedError

    def test_a_letter_registers_once_even_under_a_race(self) -> None:
        """LOG-06: of 10 racing registrations of one letter exactly one marks it."""
        letters, cid = self.make_letters(), _unique("C").upper().replace("-", "")
        letters.put(LetterRecord(candidate_id=cid, secret_hash=_h("s")))
        won: list[bool] = []
        lock = threading.Lock()

        def work() -> None:
            result = letters.mark_registered(cid)
            with lock:
                won.append(result)

        _together(10, work)
        assert won.count(True) == 1
        assert letters.find_letter(cid) == LetterRecord(
            candidate_id=cid, secret_hash=_h("s"), registered=True
        )
        assert not letters.mark_registered(_unique("NOBODY").upper())

    def test_a_resent_letter_replaces_the_old_one(self) -> None:
        """LOG-06: a lost letter re-sent by the centre has a new Secret Number."""
        letters, cid = self.make_letters(), _unique("C").upper().replace("-", "")
        letters.put(LetterRecord(candidate_id=cid, secret_hash=_h("old")))
        letters.put(LetterRecord(candidate_id=cid, secret_hash=_h("new")))
        found = letters.find_letter(cid)
        assert found is not None
        assert found.secret_hash == _h("new")


class LoginPortsConformance(
    LockoutCounterConformance,
    ResetTokenStoreConformance,
    AccountsConformance,
    AttemptLogConformance,
    IdentitiesConformance,
    LettersConformance,
):
    """Every login port's contract; override every ``make_*`` factory."""


class StoredLoginPortsConformance(LoginPortsConformance):
    """The stored login ports on the store at ``login_store_url`` (a fixture to override)."""

    @pytest.fixture
    def login_store_url(self) -> str:
        """The URL of the store to test (opened and migrated by the suite)."""
        raise NotImplementedError

    @pytest.fixture(autouse=True)
    def _stored_logins(self, login_store_url: str) -> Iterator[None]:
        store = open_store(login_store_url, migrations=SCHEMA)
        self.logins = StoredLogins(store)
        try:
            yield
        finally:
            store.close()

    def make_counter(self) -> LockoutCounter:
        """The stored lockout counter."""
        return self.logins.lockout

    def make_tokens(self) -> ResetTokenStore:
        """The stored reset tokens."""
        return self.logins.reset_tokens

    def make_accounts(self) -> AccountStore:
        """The stored accounts."""
        return self.logins.accounts

    def make_attempt_log(self) -> ReadableAttemptLog:
        """The stored attempt log."""
        return self.logins.attempts

    def make_identities(self) -> IdentityStore:
        """The stored identities."""
        return self.logins.identities

    def make_letters(self) -> LetterStore:
        """The stored letters."""
        return self.logins.letters


# -- races with real processes ---------------------------------------------------------


@attrs.frozen(kw_only=True)
class LoginRace:
    """What a race of wrong logins did: hasher calls (all processes) and outcomes."""

    verifies: int
    outcomes: tuple[AttemptOutcome, ...]


def wrong_logins_in_threads(
    logins: StoredLogins,
    *,
    username: str,
    password: str,
    attempts: int,
    threshold: int = 3,
    start: Any = None,
) -> LoginRace:
    """``attempts`` threads each try ``password`` for ``username`` at once, at ``T0``.

    The service uses a fresh :class:`CountingHasher` over the cheap test
    hasher; ``start`` (a barrier shared with other processes) releases
    everyone together.
    """
    hasher = CountingHasher(hasher_for(CHEAP, "test-cheap"))
    service = LoginService(
        accounts=logins.accounts,
        lockout=logins.lockout,
        attempts=logins.attempts,
        passwords=logins.accounts,
        hasher=hasher,
        policy=LoginPolicy(lockout_threshold=threshold),
        clock=FixedClock(T0),
    )
    outcomes: list[AttemptOutcome] = []
    lock = threading.Lock()

    def work() -> None:
        outcome = service.log_in(username, password).attempt.outcome
        with lock:
            outcomes.append(outcome)

    if start is not None:
        start.wait(BARRIER_TIMEOUT)
    _together(attempts, work)
    return LoginRace(verifies=hasher.verifies, outcomes=tuple(outcomes))


def _race_worker(
    url: str, username: str, password: str, attempts: int, threshold: int, start: Any, out: Any
) -> None:
    store = open_store(url, migrate=False, migrations=SCHEMA)
    try:
        race = wrong_logins_in_threads(
            StoredLogins(store),
            username=username,
            password=password,
            attempts=attempts,
            threshold=threshold,
            start=start,
        )
        out.put(("ok", race.verifies, [o.value for o in race.outcomes]))
    except BaseException as exc:  # reported to the parent, which fails the test
        out.put(("error", type(exc).__name__, []))
    finally:
        store.close()


def _spread(total: int, processes: int) -> list[int]:
    return [total // processes + (1 if i < total % processes else 0) for i in range(processes)]


def _collect(target: Callable[..., None], args: Sequence[tuple[Any, ...]], out: Any) -> list[Any]:
    ctx = multiprocessing.get_context("spawn")
    workers = [ctx.Process(target=target, args=a) for a in args]
    for w in workers:
        w.start()
    results = []
    for _ in workers:
        try:
            results.append(out.get(timeout=300))
        except queue_module.Empty:  # pragma: no cover - only when a worker died
            break
    for w in workers:
        w.join()
    codes = [w.exitcode for w in workers]
    assert codes == [0] * len(workers), f"worker processes failed: exit codes {codes}"
    errors = [r for r in results if r[0] == "error"]
    assert not errors, f"workers raised {[e[1] for e in errors]}"
    assert len(results) == len(workers), "a worker reported nothing"
    return results


def race_wrong_logins(
    url: str,
    *,
    username: str,
    password: str,
    attempts: int = 50,
    processes: int = 8,
    threshold: int = 3,
) -> LoginRace:
    """``attempts`` simultaneous logins spread over ``processes`` spawned processes (LOG-02).

    Each process opens ``url`` itself, runs its share in threads released
    together with every other process's, and reports its own hasher count;
    the result adds them up.
    """
    ctx = multiprocessing.get_context("spawn")
    start = ctx.Barrier(processes)
    out = ctx.Queue()
    args = [
        (url, username, password, n, threshold, start, out) for n in _spread(attempts, processes)
    ]
    results = _collect(_race_worker, args, out)
    return LoginRace(
        verifies=sum(r[1] for r in results),
        outcomes=tuple(AttemptOutcome(o) for r in results for o in r[2]),
    )


def _redeem_worker(
    url: str, digest: str, at: pendulum.DateTime, times: int, start: Any, out: Any
) -> None:
    store = open_store(url, migrate=False, migrations=SCHEMA)
    try:
        tokens = StoredLogins(store).reset_tokens
        codes: list[str] = []
        lock = threading.Lock()

        def work() -> None:
            decision = tokens.redeem(digest, at)
            with lock:
                codes.append("allowed" if decision.allowed else ",".join(decision.codes))

        start.wait(BARRIER_TIMEOUT)
        _together(times, work)
        out.put(("ok", codes))
    except BaseException as exc:  # reported to the parent, which fails the test
        out.put(("error", type(exc).__name__))
    finally:
        store.close()


def race_redemptions(
    url: str, *, digest: str, at: pendulum.DateTime, redemptions: int = 20, processes: int = 4
) -> list[str]:
    """``redemptions`` simultaneous redemptions of one token over ``processes`` processes (LOG-05).

    ``digest`` is the token's (:func:`~cambridge_results.logins.tokens.token_digest`):
    the token itself never leaves the test.  Returns every answer:
    ``"allowed"`` or the refusal's codes.
    """
    ctx = multiprocessing.get_context("spawn")
    start = ctx.Barrier(processes)
    out = ctx.Queue()
    args = [(url, digest, at, n, start, out) for n in _spread(redemptions, processes)]
    return [code for r in _collect(_redeem_worker, args, out) for code in r[1]]
