"""The login repositories' contracts, each call in its own unit of work (LOG-01..LOG-06).

Each class drives one repository of
:class:`~cambridge_results.logins.repositories.LoginRepositories` through
``store.run`` (as the use cases do), from many threads where atomicity
matters: no lost increment, one redemption of a token, one live link per
account, one registration per letter.  A backend turns them on through
:class:`~cambridge_results.testing.conformance_logins.LoginsConformance`.
"""

from __future__ import annotations

import threading

import attrs
import pendulum
import pytest

from cambridge_results.decisions import Decision
from cambridge_results.errors import DuplicateError, InvalidValue
from cambridge_results.logins import (
    AccountRecord,
    AttemptOutcome,
    IdentityRecord,
    IdentityResult,
    LetterRecord,
    LoginAttempt,
)
from cambridge_results.policy import LoginPolicy
from cambridge_results.rules.logins.lockout import LockoutState
from cambridge_results.rules.logins.login import IdentityAction
from cambridge_results.rules.logins.reset import ResetTokenRecord, issue_token
from cambridge_results.testing.logins_kit import (
    POLICY,
    T0,
    LoginsBackend,
    digest,
    together,
    unique,
)
from cambridge_results.testing.logins_kit import (
    stand_in_hash as _h,
)

__all__ = [
    "AccountRepositoryConformance",
    "AttemptRepositoryConformance",
    "IdentityRepositoryConformance",
    "LetterRepositoryConformance",
    "LockoutRepositoryConformance",
    "LoginRepositoriesConformance",
    "ResetTokenRepositoryConformance",
]


class _Lockouts:
    def __init__(self, kit: LoginsBackend) -> None:
        self._kit = kit

    def record_failure(self, key: str, now: pendulum.DateTime, policy: LoginPolicy) -> Decision:
        return self._kit.write(lambda r: r.lockouts.count_failure(key, now, policy))

    def record_success(self, key: str) -> None:
        self._kit.write(lambda r: r.lockouts.clear(key))

    def state(self, key: str) -> LockoutState:
        return self._kit.read(lambda r: r.lockouts.state(key))


class _Tokens:
    def __init__(self, kit: LoginsBackend) -> None:
        self._kit = kit

    def issue(self, record: ResetTokenRecord, now: pendulum.DateTime) -> None:
        self._kit.write(lambda r: r.reset_tokens.issue(record, now))

    def find(self, digest: str) -> ResetTokenRecord | None:
        return self._kit.read(lambda r: r.reset_tokens.find(digest))

    def redeem(self, digest: str, now: pendulum.DateTime) -> Decision:
        return self._kit.write(lambda r: r.reset_tokens.redeem(digest, now))

    def void_account(self, account_id: str, now: pendulum.DateTime) -> None:
        self._kit.write(lambda r: r.reset_tokens.void_account(account_id, now))


class _Accounts:
    def __init__(self, kit: LoginsBackend) -> None:
        self._kit = kit

    def add(self, account: AccountRecord) -> None:
        self._kit.write(lambda r: r.accounts.add(account))

    def find_account(self, username: str) -> AccountRecord | None:
        return self._kit.read(lambda r: r.accounts.find(username))

    def get_account(self, account_id: str) -> AccountRecord | None:
        return self._kit.read(lambda r: r.accounts.get(account_id))

    def set_hash(self, account_id: str, new_hash: str) -> bool:
        return self._kit.write(lambda r: r.accounts.set_hash(account_id, new_hash))

    def replace_hash(self, account_id: str, old_hash: str, new_hash: str) -> bool:
        return self._kit.write(lambda r: r.accounts.replace_hash(account_id, old_hash, new_hash))


class _Attempts:
    def __init__(self, kit: LoginsBackend) -> None:
        self._kit = kit

    def record(self, attempt: LoginAttempt) -> None:
        self._kit.write(lambda r: r.attempts.record(attempt))

    def attempts_for(self, username: str) -> tuple[LoginAttempt, ...]:
        return self._kit.read(lambda r: r.attempts.for_username(username))


class _Identities:
    def __init__(self, kit: LoginsBackend) -> None:
        self._kit = kit

    def put(self, identity: IdentityRecord) -> None:
        self._kit.write(lambda r: r.identities.put(identity))

    def find_identity(self, email: str) -> IdentityRecord | None:
        return self._kit.read(lambda r: r.identities.find(email))

    def apply(self, result: IdentityResult, site: str) -> bool:
        return self._kit.write(lambda r: r.identities.apply(result, site))


class _Letters:
    def __init__(self, kit: LoginsBackend) -> None:
        self._kit = kit

    def put(self, letter: LetterRecord) -> None:
        self._kit.write(lambda r: r.letters.put(letter))

    def find_letter(self, candidate_id: str) -> LetterRecord | None:
        return self._kit.read(lambda r: r.letters.find(candidate_id))

    def mark_registered(self, candidate_id: str) -> bool:
        return self._kit.write(lambda r: r.letters.mark_registered(candidate_id))


# -- lockout -------------------------------------------------------------------------


# -- lockout -------------------------------------------------------------------------


class LockoutRepositoryConformance(LoginsBackend):
    """The contract of ``LoginRepositories(uow).lockouts`` (LOG-02)."""

    def make_counter(self) -> _Lockouts:
        """The lockout repository, each call its own unit of work."""
        return _Lockouts(self)

    def test_an_unseen_key_has_a_fresh_state(self) -> None:
        """LOG-02: no failures and no lock for a key never seen."""
        assert self.make_counter().state(unique("nobody")) == LockoutState()

    def test_the_third_failure_locks_for_thirty_minutes(self) -> None:
        """LOG-02: failures count; the third locks until 30 minutes after it."""
        counter, k = self.make_counter(), unique("k")
        for i in range(3):
            assert counter.record_failure(k, T0.add(seconds=i), POLICY).allowed
        assert counter.state(k) == LockoutState(
            failures=3, locked_until=T0.add(seconds=2, minutes=30)
        )

    def test_a_locked_key_refuses_without_changing(self) -> None:
        """LOG-02: while locked nothing is counted and the lock is not extended."""
        counter, k = self.make_counter(), unique("k")
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
        counter, a, b = self.make_counter(), unique("a"), unique("b")
        counter.record_failure(a, T0, POLICY)
        counter.record_failure(b, T0, POLICY)
        counter.record_success(a)
        assert counter.state(a) == LockoutState()
        assert counter.state(b) == LockoutState(failures=1)
        assert counter.record_failure(a, T0, POLICY).allowed
        assert counter.state(a) == LockoutState(failures=1)

    def test_keys_differing_only_in_case_are_different_keys(self) -> None:
        """LOG-02: the counter compares keys exactly; normalising is the flow's job."""
        counter, k = self.make_counter(), unique("key")
        counter.record_failure(k, T0, POLICY)
        assert counter.state(k.upper()) == LockoutState()

    def test_simultaneous_failures_lose_no_increment(self) -> None:
        """LOG-02: 8 threads x 25 failures under a high threshold count 200."""
        counter, k = self.make_counter(), unique("k")
        policy = LoginPolicy(lockout_threshold=10_000)

        def work() -> None:
            for _ in range(25):
                assert counter.record_failure(k, T0, policy).allowed

        together(8, work)
        assert counter.state(k).failures == 200

    def test_of_many_simultaneous_attempts_exactly_three_are_let_through(self) -> None:
        """LOG-02: 30 racing attempts at a fresh key: 3 allowed, 27 refused as locked."""
        counter, k = self.make_counter(), unique("k")
        allowed: list[bool] = []
        lock = threading.Lock()

        def work() -> None:
            result = counter.record_failure(k, T0, POLICY).allowed
            with lock:
                allowed.append(result)

        together(30, work)
        assert allowed.count(True) == 3
        assert counter.state(k) == LockoutState(failures=3, locked_until=T0.add(minutes=30))


# -- reset tokens --------------------------------------------------------------------


def _record(account: str, digest: str, at: pendulum.DateTime = T0) -> ResetTokenRecord:
    record, _ = issue_token(account_id=account, digest=digest, now=at, policy=POLICY)
    return record


class ResetTokenRepositoryConformance(LoginsBackend):
    """The contract of ``LoginRepositories(uow).reset_tokens`` (LOG-05)."""

    def make_tokens(self) -> _Tokens:
        """The reset-token repository, each call its own unit of work."""
        return _Tokens(self)

    def test_an_issued_record_is_found_by_its_digest(self) -> None:
        """LOG-05: find returns the record issued, and None for other digests."""
        tokens, d = self.make_tokens(), digest()
        record = _record(unique("a"), d)
        tokens.issue(record, T0)
        assert tokens.find(d) == record
        assert tokens.find(digest()) is None

    def test_a_digest_is_issued_once(self) -> None:
        """LOG-05: a second record under the same digest is a DuplicateError."""
        tokens, d = self.make_tokens(), digest()
        tokens.issue(_record(unique("a"), d), T0)
        with pytest.raises(DuplicateError):
            tokens.issue(_record(unique("b"), d), T0)

    def test_issuing_voids_the_accounts_earlier_tokens_only(self) -> None:
        """LOG-05: a new token voids the same account's live tokens, not others'."""
        tokens, a, b = self.make_tokens(), unique("a"), unique("b")
        d1, d2, d3 = digest(), digest(), digest()
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
        tokens, d1, d2 = self.make_tokens(), digest(), digest()
        tokens.issue(_record(unique("a"), d1), T0)
        tokens.issue(_record(unique("b"), d2), T0)
        at = T0.add(minutes=59, seconds=59)
        assert tokens.redeem(d1, at).allowed
        assert tokens.redeem(d1, at).codes == ("LOG-05.token-used",)
        used = tokens.find(d1)
        assert used is not None
        assert used.used_at == at
        assert tokens.redeem(d2, T0.add(minutes=60)).codes == ("LOG-05.token-expired",)
        assert tokens.redeem(digest(), T0).codes == ("LOG-05.token-unknown",)

    def test_a_redeemed_token_voids_the_accounts_other_tokens(self) -> None:
        """LOG-05: after a reset no other link of the account works."""
        tokens, a, d1, d2 = self.make_tokens(), unique("a"), digest(), digest()
        tokens.issue(_record(a, d1), T0)
        tokens.issue(_record(a, d2), T0)
        assert tokens.redeem(d2, T0.add(minutes=1)).allowed
        assert tokens.redeem(d1, T0.add(minutes=2)).codes == ("LOG-05.token-void",)

    def test_void_account_kills_every_live_token(self) -> None:
        """LOG-05: a password changed elsewhere voids the account's links."""
        tokens, a, d = self.make_tokens(), unique("a"), digest()
        tokens.issue(_record(a, d), T0)
        tokens.void_account(a, T0.add(minutes=1))
        assert tokens.redeem(d, T0.add(minutes=2)).codes == ("LOG-05.token-void",)

    def test_simultaneous_redemptions_let_exactly_one_through(self) -> None:
        """LOG-05: of 20 racing redemptions of one token exactly one is allowed."""
        tokens, d = self.make_tokens(), digest()
        tokens.issue(_record(unique("a"), d), T0)
        allowed: list[Decision] = []
        lock = threading.Lock()

        def work() -> None:
            result = tokens.redeem(d, T0.add(minutes=1))
            with lock:
                allowed.append(result)

        together(20, work)
        assert [r.allowed for r in allowed].count(True) == 1
        assert {c for r in allowed for c in r.codes} == {"LOG-05.token-used"}

    def test_simultaneous_requests_leave_exactly_one_live_token(self) -> None:
        """LOG-05: 10 racing issues for one account: one link works, the others are void."""
        tokens, a = self.make_tokens(), unique("a")
        digests = [digest() for _ in range(10)]
        pending = list(digests)
        lock = threading.Lock()

        def work() -> None:
            with lock:
                digest = pending.pop()
            tokens.issue(_record(a, digest), T0)

        together(10, work)
        later = T0.add(minutes=1)
        outcomes = [tokens.redeem(d, later) for d in digests]
        assert [o.allowed for o in outcomes].count(True) == 1


# -- accounts ------------------------------------------------------------------------


def _account(username: str | None = None) -> AccountRecord:
    name = username or f"{unique('kim')}@school.example"
    return AccountRecord(
        account_id=unique("acct"), username=name, password_hash=_h("hash-1"), email=name
    )


class AccountRepositoryConformance(LoginsBackend):
    """The contract of ``LoginRepositories(uow).accounts`` (LOG-01)."""

    def make_accounts(self) -> _Accounts:
        """The account repository, each call its own unit of work."""
        return _Accounts(self)

    def test_an_account_is_found_by_username_and_by_id(self) -> None:
        """LOG-01: lookups by the normalised username and by id return the account kept."""
        accounts, account = self.make_accounts(), _account()
        accounts.add(account)
        assert accounts.find_account(account.username) == account
        assert accounts.get_account(account.account_id) == account
        assert accounts.find_account(unique("nobody")) is None
        assert accounts.get_account(unique("nobody")) is None

    def test_a_username_or_id_is_taken_once(self) -> None:
        """LOG-01: a second account with the same username or id is a DuplicateError."""
        accounts, account = self.make_accounts(), _account()
        accounts.add(account)
        with pytest.raises(DuplicateError):
            accounts.add(attrs.evolve(account, account_id=unique("other")))
        with pytest.raises(DuplicateError):
            accounts.add(attrs.evolve(account, username=f"{unique('x')}@school.example"))
        assert accounts.find_account(account.username) == account

    def test_set_hash_replaces_the_hash(self) -> None:
        """LOG-05: the new hash is the only hash; an unknown account changes nothing."""
        accounts, account = self.make_accounts(), _account()
        accounts.add(account)
        assert accounts.set_hash(account.account_id, _h("hash-2"))
        found = accounts.get_account(account.account_id)
        assert found is not None
        assert found.password_hash == _h("hash-2")
        assert not accounts.set_hash(unique("nobody"), _h("hash-3"))

    def test_an_upgrade_is_a_compare_and_set(self) -> None:
        """CRW-12: an upgrade lands only over the hash it replaces, never over a newer one."""
        accounts, account = self.make_accounts(), _account()
        accounts.add(account)
        assert accounts.replace_hash(account.account_id, _h("hash-1"), _h("up"))
        assert not accounts.replace_hash(account.account_id, _h("hash-1"), _h("x"))
        found = accounts.get_account(account.account_id)
        assert found is not None
        assert found.password_hash == _h("up")
        assert not accounts.replace_hash(unique("nobody"), "a", "b")


# -- attempt log ---------------------------------------------------------------------


class AttemptRepositoryConformance(LoginsBackend):
    """The contract of ``LoginRepositories(uow).attempts`` (SPEC section 5)."""

    def make_attempt_log(self) -> _Attempts:
        """The attempt repository, each call its own unit of work."""
        return _Attempts(self)

    def test_attempts_read_back_in_order_with_utc_times(self) -> None:
        """LOG-02: every attempt is kept with its UTC time, outcome and flow."""
        log, who = self.make_attempt_log(), f"{unique('kim')}@school.example"
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
        log, who = self.make_attempt_log(), unique("racer")

        def work() -> None:
            log.record(LoginAttempt(at=T0, username=who, outcome=AttemptOutcome.WRONG_PASSWORD))

        together(40, work)
        assert len(log.attempts_for(who)) == 40


# -- identities and letters ----------------------------------------------------------


class IdentityRepositoryConformance(LoginsBackend):
    """Identities shared by the board's sites (LOG-04)."""

    def make_identities(self) -> _Identities:
        """The identity repository, each call its own unit of work."""
        return _Identities(self)

    def test_a_created_identity_then_gains_sites(self) -> None:
        """LOG-04: CREATE keeps email, hash and site; ADD_SITE adds a site; NOTHING keeps."""
        identities, email = self.make_identities(), f"{unique('t')}@school.example"
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
            email=email,
            password_hash=_h("h"),
            sites=frozenset({"prep", "results-online"}),
        )

    def test_a_second_create_for_one_email_does_not_apply(self) -> None:
        """LOG-04: one identity per email; a racing CREATE loses and changes nothing."""
        identities, email = self.make_identities(), f"{unique('t')}@school.example"
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
        identities, email = self.make_identities(), f"{unique('t')}@school.example"
        identities.put(IdentityRecord(email=email, password_hash=_h("1")))
        identities.put(IdentityRecord(email=email, password_hash=_h("2"), sites=frozenset({"a"})))
        assert identities.find_identity(email) == IdentityRecord(
            email=email, password_hash=_h("2"), sites=frozenset({"a"})
        )


class LetterRepositoryConformance(LoginsBackend):
    """Letters candidates register with (LOG-06)."""

    def make_letters(self) -> _Letters:
        """The letter repository, each call its own unit of work."""
        return _Letters(self)

    def test_a_letter_registers_once_even_under_a_race(self) -> None:
        """LOG-06: of 10 racing registrations of one letter exactly one marks it."""
        letters, cid = self.make_letters(), unique("C").upper().replace("-", "")
        letters.put(LetterRecord(candidate_id=cid, secret_hash=_h("s")))
        won: list[bool] = []
        lock = threading.Lock()

        def work() -> None:
            result = letters.mark_registered(cid)
            with lock:
                won.append(result)

        together(10, work)
        assert won.count(True) == 1
        assert letters.find_letter(cid) == LetterRecord(
            candidate_id=cid, secret_hash=_h("s"), registered=True
        )
        assert not letters.mark_registered(unique("NOBODY").upper())

    def test_a_resent_letter_replaces_the_old_one(self) -> None:
        """LOG-06: a lost letter re-sent by the centre has a new Secret Number."""
        letters, cid = self.make_letters(), unique("C").upper().replace("-", "")
        letters.put(LetterRecord(candidate_id=cid, secret_hash=_h("old")))
        letters.put(LetterRecord(candidate_id=cid, secret_hash=_h("new")))
        found = letters.find_letter(cid)
        assert found is not None
        assert found.secret_hash == _h("new")


class LoginRepositoriesConformance(
    LockoutRepositoryConformance,
    ResetTokenRepositoryConformance,
    AccountRepositoryConformance,
    AttemptRepositoryConformance,
    IdentityRepositoryConformance,
    LetterRepositoryConformance,
):
    """Every login repository's contract on the store at ``login_store_url``."""
