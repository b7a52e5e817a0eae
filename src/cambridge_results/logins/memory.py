"""In-memory implementations of the login ports: honest, thread-safe, for tests and demos.

Each class guards its state with one lock, so the operations the ports
call atomic are atomic here too (LOG-02, LOG-05).  They keep what storage
would keep: hashes and digests, never a password or a token.
"""

from __future__ import annotations

import threading

import attrs
import pendulum

from cambridge_results.decisions import Decision
from cambridge_results.errors import DuplicateError, NotFound
from cambridge_results.logins.identity import (
    IdentityRecord,
    IdentityResult,
    apply_identity_result,
)
from cambridge_results.logins.ports import AccountRecord, LoginAttempt
from cambridge_results.logins.registration import LetterRecord
from cambridge_results.policy import LoginPolicy
from cambridge_results.rules.logins import lockout, reset
from cambridge_results.rules.logins.lockout import LockoutState
from cambridge_results.rules.logins.reset import ResetTokenRecord

__all__ = [
    "InMemoryAccounts",
    "InMemoryAttemptLog",
    "InMemoryIdentities",
    "InMemoryLetters",
    "InMemoryLockoutCounter",
    "InMemoryResetTokens",
]


class InMemoryAccounts:
    """Accounts by username and id: ``AccountLookup``, ``AccountsById`` and ``PasswordStore``."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._by_username: dict[str, AccountRecord] = {}

    def add(self, account: AccountRecord) -> None:
        """Keep a new account; :class:`DuplicateError` if its username or id is taken."""
        with self._lock:
            if account.username in self._by_username or any(
                a.account_id == account.account_id for a in self._by_username.values()
            ):
                raise DuplicateError(f"account {account.account_id} or its username exists")
            self._by_username[account.username] = account

    def find_account(self, username: str) -> AccountRecord | None:
        """The account with this normalised username, or ``None``."""
        with self._lock:
            return self._by_username.get(username)

    def get_account(self, account_id: str) -> AccountRecord | None:
        """The account with this id, or ``None``."""
        with self._lock:
            for account in self._by_username.values():
                if account.account_id == account_id:
                    return account
        return None

    def set_password_hash(self, account_id: str, password_hash: str) -> None:
        """Replace the account's password hash; :class:`NotFound` for an unknown account."""
        with self._lock:
            for username, account in self._by_username.items():
                if account.account_id == account_id:
                    self._by_username[username] = attrs.evolve(account, password_hash=password_hash)
                    return
        raise NotFound(f"no account {account_id}")

    def replace_password_hash(self, account_id: str, old_hash: str, new_hash: str) -> bool:
        """Store ``new_hash`` only if the account's hash is still ``old_hash`` (atomic)."""
        with self._lock:
            for username, account in self._by_username.items():
                if account.account_id == account_id and account.password_hash == old_hash:
                    self._by_username[username] = attrs.evolve(account, password_hash=new_hash)
                    return True
        return False

    def __repr__(self) -> str:
        return f"InMemoryAccounts({len(self._by_username)} accounts)"


class InMemoryLockoutCounter:
    """One :class:`LockoutState` per key; ``record_failure`` is atomic (LOG-02)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._states: dict[str, LockoutState] = {}

    def record_failure(self, key: str, now: pendulum.DateTime, policy: LoginPolicy) -> Decision:
        """Refuse while locked (no change); else count one failure, in one step."""
        with self._lock:
            state = self._states.get(key, LockoutState())
            decision = lockout.check(state, now)
            if decision.allowed:
                self._states[key] = lockout.after_failure(state, now, policy)
            return decision

    def record_success(self, key: str) -> None:
        """Forget the key's failures and lock."""
        with self._lock:
            self._states.pop(key, None)

    def state(self, key: str) -> LockoutState:
        """The key's current state."""
        with self._lock:
            return self._states.get(key, LockoutState())

    def __repr__(self) -> str:
        return f"InMemoryLockoutCounter({len(self._states)} keys)"


class InMemoryAttemptLog:
    """Every login attempt, oldest first."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._attempts: list[LoginAttempt] = []

    def record(self, attempt: LoginAttempt) -> None:
        """Keep ``attempt``."""
        with self._lock:
            self._attempts.append(attempt)

    @property
    def attempts(self) -> tuple[LoginAttempt, ...]:
        """Every attempt kept so far."""
        with self._lock:
            return tuple(self._attempts)

    def attempts_for(self, username: str) -> tuple[LoginAttempt, ...]:
        """The attempts naming this normalised username, oldest first."""
        with self._lock:
            return tuple(a for a in self._attempts if a.username == username)

    def __repr__(self) -> str:
        return f"InMemoryAttemptLog({len(self._attempts)} attempts)"


class InMemoryResetTokens:
    """Reset-token records by digest; ``issue`` and ``redeem`` are atomic (LOG-05)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._records: dict[str, ResetTokenRecord] = {}

    def _void_account(self, account_id: str, now: pendulum.DateTime) -> None:
        mine = [r for r in self._records.values() if r.account_id == account_id]
        for record in reset.void_all(mine, now):
            self._records[record.digest] = record

    def issue(self, record: ResetTokenRecord, now: pendulum.DateTime) -> None:
        """Void the account's live tokens, then keep ``record``."""
        with self._lock:
            if record.digest in self._records:
                raise DuplicateError("a reset token with this digest exists")
            self._void_account(record.account_id, now)
            self._records[record.digest] = record

    def find(self, digest: str) -> ResetTokenRecord | None:
        """The record with this digest, or ``None``."""
        with self._lock:
            return self._records.get(digest)

    def redeem(self, digest: str, now: pendulum.DateTime) -> Decision:
        """Use the token once: allowed at most once, then every other token is void too."""
        with self._lock:
            record = self._records.get(digest)
            decision = reset.token_usable(record, now)
            if decision.allowed and record is not None:
                self._records[digest] = reset.redeem(record, now)
                self._void_account(record.account_id, now)
            return decision

    def void_account(self, account_id: str, now: pendulum.DateTime) -> None:
        """Void every live token of the account."""
        with self._lock:
            self._void_account(account_id, now)

    def records(self) -> tuple[ResetTokenRecord, ...]:
        """Every record kept, for inspection."""
        with self._lock:
            return tuple(self._records.values())

    def __repr__(self) -> str:
        return f"InMemoryResetTokens({len(self._records)} records)"


class InMemoryIdentities:
    """Identities by normalised email (LOG-04); implements ``IdentityLookup``."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._by_email: dict[str, IdentityRecord] = {}

    def put(self, identity: IdentityRecord) -> None:
        """Keep ``identity``, replacing the one with the same email."""
        with self._lock:
            self._by_email[identity.email] = identity

    def find_identity(self, email: str) -> IdentityRecord | None:
        """The identity with this normalised email, or ``None``."""
        with self._lock:
            return self._by_email.get(email)

    def apply(self, result: IdentityResult, site: str) -> bool:
        """Store what an allowed registration decided (LOG-04); atomic.

        False when it can no longer be applied: the identity was created by
        someone else meanwhile (ask again), or it is gone.
        """
        with self._lock:
            plan = apply_identity_result(self._by_email.get(result.email or ""), result, site)
            if plan is None:
                return False
            self._by_email[plan.email] = plan
            return True

    def __repr__(self) -> str:
        return f"InMemoryIdentities({len(self._by_email)} identities)"


class InMemoryLetters:
    """Letters by upper-case ID (LOG-06); implements ``LetterLookup``."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._by_id: dict[str, LetterRecord] = {}

    def put(self, letter: LetterRecord) -> None:
        """Keep ``letter``, replacing the one with the same ID."""
        with self._lock:
            self._by_id[letter.candidate_id] = letter

    def find_letter(self, candidate_id: str) -> LetterRecord | None:
        """The letter with this ID, or ``None``."""
        with self._lock:
            return self._by_id.get(candidate_id)

    def mark_registered(self, candidate_id: str) -> bool:
        """Atomic: mark the letter used; False if unknown or already used (LOG-06)."""
        with self._lock:
            letter = self._by_id.get(candidate_id)
            if letter is None or letter.registered:
                return False
            self._by_id[candidate_id] = attrs.evolve(letter, registered=True)
            return True

    def __repr__(self) -> str:
        return f"InMemoryLetters({len(self._by_id)} letters)"
