"""The login repositories over one unit of work (LOG-01 to LOG-06).

``LoginRepositories(uow)`` hangs one repository per table on a unit of work,
as the other features do; the :class:`~cambridge_results.logins.Logins`
use cases open the unit of work with ``context.write`` / ``context.read``.
Everything is written with the unit-of-work primitives, so the same code
runs on ``memory://``, ``sqlite:///`` and PostgreSQL.  The atomic steps
rest on three primitives whose atomicity every backend guarantees:

* ``get(..., for_update=True)`` locks the row for the rest of the unit of
  work (SQLite and the memory store serialise writing units of work anyway);
* ``update(..., expect=...)`` is a compare-and-set on the values read;
* a (partial) unique index refuses the second of two racing inserts.

A unit of work that loses a race (a compare-and-set that did not hold, an
insert a racing writer made first) raises
:class:`~cambridge_results.errors.ConcurrencyError`: ``store.run`` rolls it
back and runs it again on fresh data, where another writer has committed.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TypeVar

import pendulum

from cambridge_results.decisions import Decision
from cambridge_results.errors import ConcurrencyError, DuplicateError, InvalidValue
from cambridge_results.logins import tables
from cambridge_results.logins.candidates import (
    NO_CANDIDATE_CREDENTIALS,
    BoundCandidateCredentials,
    CandidateCredentials,
)
from cambridge_results.logins.records import (
    AccountRecord,
    AttemptOutcome,
    IdentityRecord,
    IdentityResult,
    LetterRecord,
    LoginAttempt,
    apply_identity_result,
)
from cambridge_results.policy import LoginPolicy
from cambridge_results.rules.logins import lockout, reset
from cambridge_results.rules.logins.lockout import LockoutState
from cambridge_results.rules.logins.login import normalise_username
from cambridge_results.rules.logins.registration import normalise_candidate_id
from cambridge_results.rules.logins.reset import ResetTokenRecord
from cambridge_results.storage.query import Delete, Insert

if TYPE_CHECKING:
    from cambridge_results.storage.schema import RowInput
    from cambridge_results.storage.transaction import Transaction

__all__ = [
    "AccountRepository",
    "AttemptRepository",
    "IdentityRepository",
    "LetterRepository",
    "LockoutRepository",
    "LoginRepositories",
    "ResetTokenRepository",
    "success_writes",
]

Row = dict[str, Any]
T = TypeVar("T")


def _lost(what: str) -> ConcurrencyError:
    return ConcurrencyError(f"{what}: a concurrent writer got there first; retry the unit of work")


def _insert_or_lose(uow: Transaction, table: str, row: Row) -> None:
    """Insert ``row``; a duplicate means a racing writer inserted first: lose the race."""
    try:
        uow.insert(table, row)
    except DuplicateError:
        raise _lost(f"insert into {table}") from None


class _Repository:
    def __init__(self, uow: Transaction) -> None:
        self._uow = uow


# -- accounts -----------------------------------------------------------------


def _account(row: Row) -> AccountRecord:
    return AccountRecord(
        account_id=row["account_id"],
        username=row["username"],
        password_hash=row["password_hash"],
        email=row["email"],
        candidate_id=row["candidate_id"],
    )


class AccountRepository(_Repository):
    """Accounts by id, normalised username (unique) and registration ID (LOG-01, LOG-05)."""

    def add(self, account: AccountRecord) -> None:
        """Keep a new account; :class:`DuplicateError` if its id, username or ID is taken."""
        if normalise_username(account.username) != account.username:
            raise InvalidValue(
                "account.username", "must be in normalised form (LOG-01)", rule="LOG-01"
            )
        cid = account.candidate_id
        self._uow.insert(
            tables.ACCOUNTS.name,
            {
                "account_id": account.account_id,
                "username": account.username,
                "password_hash": account.password_hash,
                "email": account.email,
                "candidate_id": None if cid is None else normalise_candidate_id(cid),
            },
        )

    def get(self, account_id: str) -> AccountRecord | None:
        """The account with this id, or ``None``."""
        row = self._uow.get(tables.ACCOUNTS.name, account_id)
        return None if row is None else _account(row)

    def find(self, username: str) -> AccountRecord | None:
        """The account whose normalised username is ``username``, or ``None``."""
        rows = self._uow.select(tables.ACCOUNTS.name, {"username": username}, limit=1)
        return _account(rows[0]) if rows else None

    def find_by_candidate_id(self, candidate_id: str) -> AccountRecord | None:
        """The account registered with this candidate ID (any case), or ``None``."""
        cid = normalise_candidate_id(candidate_id)
        rows = self._uow.select(tables.ACCOUNTS.name, {"candidate_id": cid}, limit=1)
        return _account(rows[0]) if rows else None

    def replace_hash(self, account_id: str, old_hash: str, new_hash: str) -> bool:
        """Compare-and-set: store ``new_hash`` only if the hash is still ``old_hash``."""
        return self._uow.update(
            tables.ACCOUNTS.name,
            account_id,
            {"password_hash": new_hash},
            expect={"password_hash": old_hash},
        )

    def set_hash(self, account_id: str, new_hash: str) -> bool:
        """Store ``new_hash`` as the account's only hash; False if there is no such account."""
        return self._uow.update(tables.ACCOUNTS.name, account_id, {"password_hash": new_hash})


# -- lockout ------------------------------------------------------------------


def _lockout_state(row: Row | None) -> LockoutState:
    if row is None:
        return LockoutState()
    return LockoutState(failures=row["failures"], locked_until=row["locked_until"])


def _first_failure(key: str, now: pendulum.DateTime, policy: LoginPolicy) -> Row:
    """The lockout row of a key's first failure."""
    first = lockout.first_failure(now, policy)
    return {"key": key, "failures": first.failures, "locked_until": first.locked_until}


class LockoutRepository(_Repository):
    """One :class:`LockoutState` per login key (LOG-02); no row is a fresh state."""

    def state(self, key: str) -> LockoutState:
        """The key's current state."""
        return _lockout_state(self._uow.get(tables.LOCKOUTS.name, key))

    def count_new(self, key: str, now: pendulum.DateTime, policy: LoginPolicy) -> bool:
        """Count the first failure of a key with no row, in one statement; False if it has one.

        A key has no row until its first failure and again after a success,
        so most logins count their attempt with this one ``insert_if_absent``,
        which stands alone: it may run in a provisional unit of work.  Of any
        number of simultaneous attempts exactly one inserts.
        """
        first = _first_failure(key, now, policy)
        return self._uow.insert_if_absent(tables.LOCKOUTS.name, first) is not None

    def count_new_and(
        self, key: str, now: pendulum.DateTime, policy: LoginPolicy, read: Callable[[], T]
    ) -> tuple[bool, T]:
        """:meth:`count_new`, then ``read()``: whether it counted, and what ``read`` gave.

        The count's insert goes with ``read``'s first statement (one round
        trip on PostgreSQL, ``insert_if_absent_later``), so ``read`` runs
        whether or not the key had a row; it must not depend on the count.
        """
        first = _first_failure(key, now, policy)
        inserted = self._uow.insert_if_absent_later(tables.LOCKOUTS.name, first)
        got = read()
        return inserted.value is not None, got

    def count_failure(
        self, key: str, now: pendulum.DateTime, policy: LoginPolicy, tz: str = "UTC"
    ) -> Decision:
        """Refuse while locked (nothing written); else count one failure in advance.

        ``tz`` is the zone the refusal gives the retry time in (the policy's).
        Run it in an ordinary unit of work.

        A key without a row is counted by :meth:`count_new`; otherwise the row
        is read for update (held until the unit of work ends, so racing
        attempts on one key queue instead of failing) and written back by
        compare-and-set on the values read, and a racing writer's change
        makes the unit of work run again, so no increment is lost and of any
        number of simultaneous attempts at most ``policy.lockout_threshold``
        are allowed (LOG-02).
        """
        if self.count_new(key, now, policy):
            return Decision.allow()
        row = self._uow.get(tables.LOCKOUTS.name, key, for_update=True)
        state = _lockout_state(row)
        decision = lockout.check(state, now, tz)
        if not decision.allowed:
            return decision
        new = lockout.after_failure(state, now, policy)
        values = {"failures": new.failures, "locked_until": new.locked_until}
        if row is None:
            _insert_or_lose(self._uow, tables.LOCKOUTS.name, {"key": key, **values})
        elif not self._uow.update(
            tables.LOCKOUTS.name,
            key,
            values,
            expect={"failures": row["failures"], "locked_until": row["locked_until"]},
        ):
            raise _lost(f"lockout of {key!r}")
        return decision

    def clear(self, key: str) -> None:
        """Forget the key's failures and lock (``rules.lockout.after_success``)."""
        self._uow.delete(tables.LOCKOUTS.name, key)


# -- attempt log ----------------------------------------------------------------


def _attempt(row: Row) -> LoginAttempt:
    return LoginAttempt(
        at=row["at"],
        username=row["username"],
        outcome=AttemptOutcome(row["outcome"]),
        flow=row["flow"],
    )


def _attempt_row(attempt: LoginAttempt) -> Row:
    return {
        "at": attempt.at,
        "username": attempt.username,
        "outcome": attempt.outcome.value,
        "flow": attempt.flow,
    }


def success_writes(attempt: LoginAttempt, key: str) -> list[Insert | Delete]:
    """What settles a successful ``attempt``: its record, and ``key``'s lockout cleared.

    Plain values, so a login makes them before its hasher runs
    (:class:`~cambridge_results.logins.guard.SuccessSettling`).
    """
    return [
        Insert(tables.ATTEMPTS.name, _attempt_row(attempt)),
        Delete(tables.LOCKOUTS.name, key),
    ]


class AttemptRepository(_Repository):
    """Every login attempt, append-only: time (UTC), username, outcome, flow; never a secret."""

    def record(self, attempt: LoginAttempt) -> None:
        """Keep ``attempt``."""
        self._uow.insert(tables.ATTEMPTS.name, _attempt_row(attempt))

    def record_success(self, attempt: LoginAttempt, key: str) -> None:
        """Keep ``attempt`` and clear ``key``'s lockout, together, not waiting for the answer.

        ``send_many`` of :func:`success_writes`: on PostgreSQL, in a provisional
        unit, the two are sent and the login goes on; the store reads their
        answer when this thread next uses it (docs/security.md).
        """
        self._uow.send_many(success_writes(attempt, key))

    def all(self) -> tuple[LoginAttempt, ...]:
        """Every attempt kept, oldest first."""
        rows = self._uow.select(tables.ATTEMPTS.name, order_by=("seq",))
        return tuple(_attempt(r) for r in rows)

    def for_username(self, username: str) -> tuple[LoginAttempt, ...]:
        """The attempts naming this normalised username, oldest first."""
        rows = self._uow.select(
            tables.ATTEMPTS.name, {"username": username}, order_by=("at", "seq")
        )
        return tuple(_attempt(r) for r in rows)


# -- reset tokens -----------------------------------------------------------------


def _token(row: Row) -> ResetTokenRecord:
    return ResetTokenRecord(
        account_id=row["account_id"],
        digest=row["digest"],
        issued_at=row["issued_at"],
        expires_at=row["expires_at"],
        used_at=row["used_at"],
        voided_at=row["voided_at"],
    )


class ResetTokenRepository(_Repository):
    """Reset-token records by digest, never the tokens (LOG-05).

    A partial unique index allows one live token per account, so two
    simultaneous requests cannot both leave a live link: the second insert
    loses, is retried, and voids the first.
    """

    def issue(self, record: ResetTokenRecord, now: pendulum.DateTime) -> None:
        """Void the account's live tokens at ``now``, then keep ``record``.

        :class:`DuplicateError` if a record with this digest exists.
        """
        if self._uow.get(tables.RESET_TOKENS.name, record.digest) is not None:
            raise DuplicateError("login_reset_tokens: duplicate value for (digest)")
        self.void_account(record.account_id, now)
        _insert_or_lose(
            self._uow,
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

    def find(self, digest: str) -> ResetTokenRecord | None:
        """The record with this digest, or ``None``."""
        row = self._uow.get(tables.RESET_TOKENS.name, digest)
        return None if row is None else _token(row)

    def redeem(self, digest: str, now: pendulum.DateTime) -> Decision:
        """Use the token once and void the account's others; of racing redemptions one wins.

        The row is read for update and marked used by compare-and-set on
        ``live``; a loser sees the winner's ``used_at`` on its retry and is
        refused with ``LOG-05.token-used``.
        """
        row = self._uow.get(tables.RESET_TOKENS.name, digest, for_update=True)
        record = None if row is None else _token(row)
        decision = reset.token_usable(record, now)
        if not decision.allowed or record is None:
            return decision
        if not self._uow.update(
            tables.RESET_TOKENS.name, digest, {"used_at": now, "live": False}, expect={"live": True}
        ):
            raise _lost("reset token redemption")
        self.void_account(record.account_id, now)
        return decision

    def void_account(self, account_id: str, now: pendulum.DateTime) -> None:
        """Void every live token of the account."""
        live = self._uow.select(tables.RESET_TOKENS.name, {"account_id": account_id, "live": True})
        for row in live:
            # A token redeemed meanwhile is no longer live: the expectation fails, which is fine.
            self._uow.update(
                tables.RESET_TOKENS.name,
                row["digest"],
                {"voided_at": now, "live": False},
                expect={"live": True},
            )

    def for_account(self, account_id: str) -> tuple[ResetTokenRecord, ...]:
        """Every record of the account, by digest."""
        rows = self._uow.select(
            tables.RESET_TOKENS.name, {"account_id": account_id}, order_by=("digest",)
        )
        return tuple(_token(r) for r in rows)

    def all(self) -> tuple[ResetTokenRecord, ...]:
        """Every record kept, by digest."""
        rows = self._uow.select(tables.RESET_TOKENS.name, order_by=("digest",))
        return tuple(_token(r) for r in rows)


# -- identities and letters -------------------------------------------------------


def _identity(row: Row) -> IdentityRecord:
    return IdentityRecord(
        email=row["email"], password_hash=row["password_hash"], sites=frozenset(row["sites"])
    )


class IdentityRepository(_Repository):
    """Identities by normalised email (LOG-04)."""

    def put(self, identity: IdentityRecord) -> None:
        """Keep ``identity``, replacing the one with the same email."""
        values = {"password_hash": identity.password_hash, "sites": sorted(identity.sites)}
        if self._uow.get(tables.IDENTITIES.name, identity.email, for_update=True) is None:
            _insert_or_lose(self._uow, tables.IDENTITIES.name, {"email": identity.email, **values})
        else:
            self._uow.update(tables.IDENTITIES.name, identity.email, values)

    def find(self, email: str) -> IdentityRecord | None:
        """The identity with this normalised email, or ``None``."""
        row = self._uow.get(tables.IDENTITIES.name, email)
        return None if row is None else _identity(row)

    def apply(self, result: IdentityResult, site: str) -> bool:
        """Store what an allowed registration decided (LOG-04).

        False when it no longer applies: someone created the identity
        meanwhile, or it went away.
        """
        email = result.email or ""
        row = self._uow.get(tables.IDENTITIES.name, email, for_update=True) if email else None
        existing = None if row is None else _identity(row)
        new = apply_identity_result(existing, result, site)
        if new is None:
            return False
        if row is None:
            _insert_or_lose(
                self._uow,
                tables.IDENTITIES.name,
                {
                    "email": new.email,
                    "password_hash": new.password_hash,
                    "sites": sorted(new.sites),
                },
            )
        elif new != existing:
            self._uow.update(tables.IDENTITIES.name, new.email, {"sites": sorted(new.sites)})
        return True


def _letter(row: Row) -> LetterRecord:
    return LetterRecord(
        candidate_id=row["candidate_id"],
        secret_hash=row["secret_hash"],
        registered=row["registered"],
    )


class LetterRepository(_Repository):
    """Letters by upper-case ID (LOG-06)."""

    def put(self, letter: LetterRecord) -> None:
        """Keep ``letter``, replacing the one with the same ID (a re-sent letter, LOG-06)."""
        cid = normalise_candidate_id(letter.candidate_id)
        values: RowInput = {"secret_hash": letter.secret_hash, "registered": letter.registered}
        if self._uow.get(tables.LETTERS.name, cid, for_update=True) is None:
            _insert_or_lose(self._uow, tables.LETTERS.name, {"candidate_id": cid, **values})
        else:
            self._uow.update(tables.LETTERS.name, cid, values)

    def find(self, candidate_id: str) -> LetterRecord | None:
        """The letter with this ID (any case), or ``None``."""
        row = self._uow.get(tables.LETTERS.name, normalise_candidate_id(candidate_id))
        return None if row is None else _letter(row)

    def mark_registered(self, candidate_id: str) -> bool:
        """Compare-and-set: mark the letter used; False if unknown or already used."""
        return self._uow.update(
            tables.LETTERS.name,
            normalise_candidate_id(candidate_id),
            {"registered": True},
            expect={"registered": False},
        )


class LoginRepositories:
    """Every login repository over one unit of work: ``LoginRepositories(uow).accounts``.

    Each is made when first used (a login uses two of the seven).
    """

    #: Accounts; lockout states by login key; the attempt log.
    accounts: AccountRepository
    lockouts: LockoutRepository
    attempts: AttemptRepository
    #: Reset-token records; identities shared by the board's sites;
    #: candidates' registration letters.
    reset_tokens: ResetTokenRepository
    identities: IdentityRepository
    letters: LetterRepository
    #: The letters' credentials candidates log in with (CRW-14), through the port.
    candidates: BoundCandidateCredentials

    def __init__(
        self, uow: Transaction, candidates: CandidateCredentials = NO_CANDIDATE_CREDENTIALS
    ) -> None:
        self._uow = uow
        self._port = candidates

    def __getattr__(self, name: str) -> Any:
        # Only for a repository not made yet: it is kept as an attribute.
        if name == "candidates":
            made: object = BoundCandidateCredentials(self._port, self._uow)
        elif (repository := _REPOSITORIES.get(name)) is not None:
            made = repository(self._uow)
        else:
            raise AttributeError(name)
        setattr(self, name, made)
        return made


_REPOSITORIES: dict[str, type[_Repository]] = {
    "accounts": AccountRepository,
    "lockouts": LockoutRepository,
    "attempts": AttemptRepository,
    "reset_tokens": ResetTokenRepository,
    "identities": IdentityRepository,
    "letters": LetterRepository,
}
