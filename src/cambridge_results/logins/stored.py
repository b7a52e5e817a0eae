"""The login ports over any storage backend (LOG-01 to LOG-06).

Every operation is one unit of work on a :class:`~cambridge_results.storage.Store`
and uses only the unit-of-work primitives, so the same code runs on
``memory://``, ``sqlite:///`` and PostgreSQL.  The atomic operations the
ports promise are built from three primitives whose atomicity every backend
guarantees (the storage conformance suite checks it):

* ``get(..., for_update=True)`` locks the row for the rest of the unit of work
  (SQLite and the memory store serialise every writing unit of work anyway);
* ``update(..., expect=...)`` is a compare-and-set on the values read;
* a (partial) unique index refuses the second of two racing inserts with
  :class:`DuplicateError`.

A unit of work that loses a race (its compare-and-set did not hold, or its
insert was a duplicate) is rolled back and run again on fresh data; another
writer committed in between, so the retries always make progress.  See
docs/security.md, "Stored logins".

Only hashes and digests are stored, never a password, a Secret Number or a
reset token.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

import pendulum

from cambridge_results.decisions import Decision
from cambridge_results.errors import ConcurrencyError, DuplicateError, InvalidValue, NotFound
from cambridge_results.logins import tables
from cambridge_results.logins.identity import IdentityRecord, IdentityResult, apply_identity_result
from cambridge_results.logins.ports import AccountRecord, AttemptOutcome, LoginAttempt
from cambridge_results.logins.registration import (
    CandidateRegistrationResult,
    LetterRecord,
)
from cambridge_results.policy import LoginPolicy
from cambridge_results.rules.logins import lockout, reset
from cambridge_results.rules.logins.lockout import LockoutState
from cambridge_results.rules.logins.login import normalise_username
from cambridge_results.rules.logins.registration import normalise_candidate_id
from cambridge_results.rules.logins.reset import ResetTokenRecord
from cambridge_results.storage.port import Store, UnitOfWork
from cambridge_results.storage.schema import Row

__all__ = [
    "DEFAULT_ACTOR",
    "CandidateAccounts",
    "StoredAccounts",
    "StoredAttemptLog",
    "StoredIdentities",
    "StoredLetters",
    "StoredLockoutCounter",
    "StoredLogins",
    "StoredResetTokens",
]

T = TypeVar("T")

#: The actor of the units of work these ports open (SPEC section 5: who acted).
DEFAULT_ACTOR = "system:logins"
#: Lost races retried before giving up; each loss means another writer committed.
MAX_RETRIES = 200
#: ``ConcurrencyError`` (a busy database, a serialisation failure) retried this often.
MAX_BUSY_RETRIES = 3


class _Lost(Exception):
    """This unit of work lost a race: roll it back and run it again."""


class _Stored:
    """One store, one actor, and the retry loop every writing operation shares."""

    def __init__(self, store: Store, *, actor: str = DEFAULT_ACTOR) -> None:
        self._store = store
        self._actor = actor

    def _write(self, work: Callable[[UnitOfWork], T]) -> T:
        busy = 0
        for _ in range(MAX_RETRIES):
            try:
                with self._store.unit_of_work(actor=self._actor) as uow:
                    return work(uow)
            except _Lost:
                continue
            except ConcurrencyError:
                busy += 1
                if busy > MAX_BUSY_RETRIES:
                    raise
        raise ConcurrencyError(f"gave up after {MAX_RETRIES} lost races on {self._store.url}")

    def _read(self, work: Callable[[UnitOfWork], T]) -> T:
        with self._store.unit_of_work(actor=self._actor, read_only=True) as uow:
            return work(uow)

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self._store.url!r})"


def _insert_or_lose(uow: UnitOfWork, table: str, row: dict[str, Any]) -> None:
    """Insert ``row``; a duplicate means a racing writer inserted first: lose."""
    try:
        uow.insert(table, row)
    except DuplicateError:
        raise _Lost from None


# -- accounts -----------------------------------------------------------------


def _account(row: dict[str, Any]) -> AccountRecord:
    return AccountRecord(
        account_id=row["account_id"],
        username=row["username"],
        password_hash=row["password_hash"],
        email=row["email"],
    )


class StoredAccounts(_Stored):
    """Accounts: ``AccountLookup``, ``AccountsById``, ``PasswordStore`` and
    ``PasswordHashUpgrades`` (LOG-01, LOG-05).

    Usernames are stored in normalised form under a unique index, so two
    accounts can never differ only in the case of an email address.
    """

    def add(self, account: AccountRecord, *, candidate_id: str | None = None) -> None:
        """Keep a new account; :class:`DuplicateError` if its id, username or ID is taken.

        ``account.username`` must already be normalised
        (:func:`~cambridge_results.rules.logins.login.normalise_username`).
        """
        self._write(lambda uow: _add_account(uow, account, candidate_id))

    def find_account(self, username: str) -> AccountRecord | None:
        """The account whose normalised username is ``username``, or ``None``."""
        rows = self._read(
            lambda uow: uow.select(tables.ACCOUNTS.name, {"username": username}, limit=1)
        )
        return _account(rows[0]) if rows else None

    def get_account(self, account_id: str) -> AccountRecord | None:
        """The account with this id, or ``None``."""
        row = self._read(lambda uow: uow.get(tables.ACCOUNTS.name, account_id))
        return None if row is None else _account(row)

    def set_password_hash(self, account_id: str, password_hash: str) -> None:
        """Store ``password_hash`` as the account's only hash; :class:`NotFound` if unknown."""

        def work(uow: UnitOfWork) -> bool:
            return uow.update(tables.ACCOUNTS.name, account_id, {"password_hash": password_hash})

        if not self._write(work):
            raise NotFound(f"no account {account_id}")

    def replace_password_hash(self, account_id: str, old_hash: str, new_hash: str) -> bool:
        """Compare-and-set: store ``new_hash`` only if the hash is still ``old_hash``."""
        return self._write(
            lambda uow: uow.update(
                tables.ACCOUNTS.name,
                account_id,
                {"password_hash": new_hash},
                expect={"password_hash": old_hash},
            )
        )

    def by_candidate_id(self) -> CandidateAccounts:
        """An ``AccountLookup`` by registration ID, for candidates' reset requests (LOG-05)."""
        return CandidateAccounts(self._store, actor=self._actor)


def _add_account(uow: UnitOfWork, account: AccountRecord, candidate_id: str | None) -> None:
    if normalise_username(account.username) != account.username:
        raise InvalidValue("account.username", "must be in normalised form (LOG-01)", rule="LOG-01")
    uow.insert(
        tables.ACCOUNTS.name,
        {
            "account_id": account.account_id,
            "username": account.username,
            "password_hash": account.password_hash,
            "email": account.email,
            "candidate_id": None if candidate_id is None else normalise_candidate_id(candidate_id),
        },
    )


class CandidateAccounts(_Stored):
    """Finds candidates' accounts by the ID they registered with (LOG-05, LOG-06).

    Pass it as ``accounts`` to a :class:`~cambridge_results.logins.reset.PasswordResets`
    for candidates: "enter your candidate ID, a link goes to your email".
    """

    def find_account(self, username: str) -> AccountRecord | None:
        """The account registered with this candidate ID (any case), or ``None``."""
        cid = normalise_candidate_id(username)
        rows = self._read(
            lambda uow: uow.select(tables.ACCOUNTS.name, {"candidate_id": cid}, limit=1)
        )
        return _account(rows[0]) if rows else None


# -- lockout ------------------------------------------------------------------


def _lockout_state(row: dict[str, Any] | None) -> LockoutState:
    if row is None:
        return LockoutState()
    return LockoutState(failures=row["failures"], locked_until=row["locked_until"])


class StoredLockoutCounter(_Stored):
    """One :class:`LockoutState` row per key; ``record_failure`` is atomic (LOG-02)."""

    def record_failure(self, key: str, now: pendulum.DateTime, policy: LoginPolicy) -> Decision:
        """Refuse while locked (nothing written); else count one failure, in one step.

        The row is read for update and written back by compare-and-set on the
        values read; a first failure inserts, and a racing first failure
        loses on the primary key and retries.  So no increment is lost and of
        any number of simultaneous attempts at most ``lockout_threshold`` are
        allowed.
        """

        def work(uow: UnitOfWork) -> Decision:
            row = uow.get(tables.LOCKOUTS.name, key, for_update=True)
            state = _lockout_state(row)
            decision = lockout.check(state, now)
            if not decision.allowed:
                return decision
            new = lockout.after_failure(state, now, policy)
            values = {"failures": new.failures, "locked_until": new.locked_until}
            if row is None:
                _insert_or_lose(uow, tables.LOCKOUTS.name, {"key": key, **values})
            elif not uow.update(
                tables.LOCKOUTS.name,
                key,
                values,
                expect={"failures": row["failures"], "locked_until": row["locked_until"]},
            ):
                raise _Lost
            return decision

        return self._write(work)

    def record_success(self, key: str) -> None:
        """Forget the key's failures and lock (its row goes)."""
        self._write(lambda uow: uow.delete(tables.LOCKOUTS.name, key))

    def state(self, key: str) -> LockoutState:
        """The key's current state (fresh if it has no row)."""
        return _lockout_state(self._read(lambda uow: uow.get(tables.LOCKOUTS.name, key)))


# -- attempt log ----------------------------------------------------------------


class StoredAttemptLog(_Stored):
    """Every login attempt, in an append-only table: time (UTC), username, outcome, flow."""

    def record(self, attempt: LoginAttempt) -> None:
        """Keep ``attempt`` (never a password: the record has no field for one)."""
        self._write(
            lambda uow: uow.insert(
                tables.ATTEMPTS.name,
                {
                    "at": attempt.at,
                    "username": attempt.username,
                    "outcome": attempt.outcome.value,
                    "flow": attempt.flow,
                },
            )
        )

    @property
    def attempts(self) -> tuple[LoginAttempt, ...]:
        """Every attempt kept, oldest first."""
        rows = self._read(lambda uow: uow.select(tables.ATTEMPTS.name, order_by=("seq",)))
        return tuple(_attempt(r) for r in rows)

    def attempts_for(self, username: str) -> tuple[LoginAttempt, ...]:
        """The attempts naming this normalised username, oldest first."""
        rows = self._read(
            lambda uow: uow.select(
                tables.ATTEMPTS.name, {"username": username}, order_by=("at", "seq")
            )
        )
        return tuple(_attempt(r) for r in rows)


def _attempt(row: dict[str, Any]) -> LoginAttempt:
    return LoginAttempt(
        at=row["at"],
        username=row["username"],
        outcome=AttemptOutcome(row["outcome"]),
        flow=row["flow"],
    )


# -- reset tokens -----------------------------------------------------------------


def _token(row: dict[str, Any]) -> ResetTokenRecord:
    return ResetTokenRecord(
        account_id=row["account_id"],
        digest=row["digest"],
        issued_at=row["issued_at"],
        expires_at=row["expires_at"],
        used_at=row["used_at"],
        voided_at=row["voided_at"],
    )


def _void_live(uow: UnitOfWork, account_id: str, now: pendulum.DateTime) -> None:
    live = uow.select(tables.RESET_TOKENS.name, {"account_id": account_id, "live": True})
    for row in live:
        # A token redeemed meanwhile is no longer live: the expectation fails, which is fine.
        uow.update(
            tables.RESET_TOKENS.name,
            row["digest"],
            {"voided_at": now, "live": False},
            expect={"live": True},
        )


class StoredResetTokens(_Stored):
    """Reset-token records by digest; ``issue`` and ``redeem`` are atomic (LOG-05).

    A partial unique index allows one live token per account, so two
    simultaneous requests cannot both leave a live link: the second insert
    is a duplicate, is rolled back and runs again, voiding the first.
    """

    def issue(self, record: ResetTokenRecord, now: pendulum.DateTime) -> None:
        """Void the account's live tokens at ``now``, then keep ``record``.

        :class:`DuplicateError` if a record with this digest exists.
        """

        def work(uow: UnitOfWork) -> None:
            if uow.get(tables.RESET_TOKENS.name, record.digest) is not None:
                raise DuplicateError("login_reset_tokens: duplicate value for (digest)")
            _void_live(uow, record.account_id, now)
            _insert_or_lose(
                uow,
                tables.RESET_TOKENS.name,
                {
                    "digest": record.digest,
                    "account_id": record.account_id,
                    "issued_at": record.issued_at,
                    "expires_at": record.expires_at,
                    "used_at": record.used_at,
                    "voided_at": record.voided_at,
                    "live": record.live,
                },
            )

        self._write(work)

    def find(self, digest: str) -> ResetTokenRecord | None:
        """The record with this digest, or ``None``."""
        row = self._read(lambda uow: uow.get(tables.RESET_TOKENS.name, digest))
        return None if row is None else _token(row)

    def redeem(self, digest: str, now: pendulum.DateTime) -> Decision:
        """Use the token once: of simultaneous redemptions exactly one is allowed.

        The row is read for update and marked used by compare-and-set on
        ``live``; a loser sees the winner's ``used_at`` on its retry and is
        refused with ``LOG-05.token-used``.
        """

        def work(uow: UnitOfWork) -> Decision:
            row = uow.get(tables.RESET_TOKENS.name, digest, for_update=True)
            record = None if row is None else _token(row)
            decision = reset.token_usable(record, now)
            if not decision.allowed or record is None:
                return decision
            if not uow.update(
                tables.RESET_TOKENS.name,
                digest,
                {"used_at": now, "live": False},
                expect={"live": True},
            ):
                raise _Lost
            _void_live(uow, record.account_id, now)
            return decision

        return self._write(work)

    def void_account(self, account_id: str, now: pendulum.DateTime) -> None:
        """Void every live token of the account."""
        self._write(lambda uow: _void_live(uow, account_id, now))

    def records(self) -> tuple[ResetTokenRecord, ...]:
        """Every record kept, for inspection."""
        rows = self._read(lambda uow: uow.select(tables.RESET_TOKENS.name, order_by=("digest",)))
        return tuple(_token(r) for r in rows)


# -- identities and letters -------------------------------------------------------


def _identity(row: dict[str, Any]) -> IdentityRecord:
    return IdentityRecord(
        email=row["email"], password_hash=row["password_hash"], sites=frozenset(row["sites"])
    )


def _identity_row(identity: IdentityRecord) -> dict[str, Any]:
    return {
        "email": identity.email,
        "password_hash": identity.password_hash,
        "sites": sorted(identity.sites),
    }


class StoredIdentities(_Stored):
    """Identities by normalised email (LOG-04); implements ``IdentityLookup``."""

    def put(self, identity: IdentityRecord) -> None:
        """Keep ``identity``, replacing the one with the same email."""

        def work(uow: UnitOfWork) -> None:
            row = _identity_row(identity)
            if uow.get(tables.IDENTITIES.name, identity.email, for_update=True) is None:
                _insert_or_lose(uow, tables.IDENTITIES.name, row)
            else:
                del row["email"]
                uow.update(tables.IDENTITIES.name, identity.email, row)

        self._write(work)

    def find_identity(self, email: str) -> IdentityRecord | None:
        """The identity with this normalised email, or ``None``."""
        row = self._read(lambda uow: uow.get(tables.IDENTITIES.name, email))
        return None if row is None else _identity(row)

    def apply(self, result: IdentityResult, site: str) -> bool:
        """Store what an allowed registration decided (LOG-04), atomically.

        False when it no longer applies: someone created the identity
        meanwhile (the user registers again, and must then know its password).
        """

        def work(uow: UnitOfWork) -> bool:
            email = result.email or ""
            row = uow.get(tables.IDENTITIES.name, email, for_update=True) if email else None
            existing = None if row is None else _identity(row)
            new = apply_identity_result(existing, result, site)
            if new is None:
                return False
            if row is None:
                _insert_or_lose(uow, tables.IDENTITIES.name, _identity_row(new))
            elif new != existing:
                uow.update(tables.IDENTITIES.name, new.email, {"sites": sorted(new.sites)})
            return True

        return self._write(work)


def _letter(row: dict[str, Any]) -> LetterRecord:
    return LetterRecord(
        candidate_id=row["candidate_id"],
        secret_hash=row["secret_hash"],
        registered=row["registered"],
    )


class StoredLetters(_Stored):
    """Letters by upper-case ID (LOG-06); implements ``LetterLookup``."""

    def put(self, letter: LetterRecord) -> None:
        """Keep ``letter``, replacing the one with the same ID (a re-sent letter, LOG-06)."""

        def work(uow: UnitOfWork) -> None:
            cid = normalise_candidate_id(letter.candidate_id)
            values: Row = {"secret_hash": letter.secret_hash, "registered": letter.registered}
            if uow.get(tables.LETTERS.name, cid, for_update=True) is None:
                _insert_or_lose(uow, tables.LETTERS.name, {"candidate_id": cid, **values})
            else:
                uow.update(tables.LETTERS.name, cid, values)

        self._write(work)

    def find_letter(self, candidate_id: str) -> LetterRecord | None:
        """The letter with this ID (upper case), or ``None``."""
        row = self._read(lambda uow: uow.get(tables.LETTERS.name, candidate_id))
        return None if row is None else _letter(row)

    def mark_registered(self, candidate_id: str) -> bool:
        """Compare-and-set: mark the letter used; False if unknown or already used."""
        return self._write(lambda uow: _mark_registered(uow, candidate_id))


def _mark_registered(uow: UnitOfWork, candidate_id: str) -> bool:
    return uow.update(
        tables.LETTERS.name, candidate_id, {"registered": True}, expect={"registered": False}
    )


# -- everything together ----------------------------------------------------------


class _Refused(Exception):
    """A refusal found inside a unit of work: roll it back and answer ``decision``."""

    def __init__(self, decision: Decision) -> None:
        super().__init__(decision.codes)
        self.decision = decision


class StoredLogins:
    """Every stored login port over one store, and the one step that needs two tables.

    ::

        logins = StoredLogins(open_store("sqlite:///results.db", migrations=SCHEMA))
        service = LoginService(accounts=logins.accounts, lockout=logins.lockout,
                               attempts=logins.attempts, passwords=logins.accounts, ...)
    """

    def __init__(self, store: Store, *, actor: str = DEFAULT_ACTOR) -> None:
        self.store = store
        self.accounts = StoredAccounts(store, actor=actor)
        self.candidate_accounts = CandidateAccounts(store, actor=actor)
        self.lockout = StoredLockoutCounter(store, actor=actor)
        self.attempts = StoredAttemptLog(store, actor=actor)
        self.reset_tokens = StoredResetTokens(store, actor=actor)
        self.identities = StoredIdentities(store, actor=actor)
        self.letters = StoredLetters(store, actor=actor)
        self._actor = actor

    def complete_candidate_registration(
        self, result: CandidateRegistrationResult, *, account_id: str
    ) -> Decision:
        """Create the account an allowed registration asked for, and use up its letter (LOG-06).

        One unit of work: the letter is marked registered by compare-and-set
        and the account inserted, or neither.  The account's username is the
        normalised email.  Refused with ``LOG-06.already-registered`` when a
        simultaneous registration of the same letter won, and with
        ``LOG-06.email-taken`` when the email already names an account.
        """
        if (
            not result.decision.allowed
            or result.candidate_id is None
            or result.email is None
            or result.password_hash is None
        ):
            raise InvalidValue(
                "result", "a refused registration has nothing to store", rule="LOG-06"
            )
        account = AccountRecord(
            account_id=account_id,
            username=result.email,
            password_hash=result.password_hash,
            email=result.email,
        )
        cid = result.candidate_id

        def work(uow: UnitOfWork) -> None:
            if uow.get(tables.ACCOUNTS.name, account_id) is not None:
                raise DuplicateError("login_accounts: duplicate value for (account_id)")
            if not _mark_registered(uow, cid):
                raise _Refused(
                    Decision.refuse(
                        "LOG-06.already-registered",
                        "this ID is already registered: log in, or use Forgotten password",
                    )
                )
            try:
                _add_account(uow, account, cid)
            except DuplicateError:
                raise _Refused(
                    Decision.refuse(
                        "LOG-06.email-taken",
                        "an account with this email address exists: log in with it, "
                        "or use another email address",
                    )
                ) from None

        try:
            self.accounts._write(work)
        except _Refused as refused:
            return refused.decision
        return Decision.allow()

    def __repr__(self) -> str:
        return f"StoredLogins({self.store.url!r})"
