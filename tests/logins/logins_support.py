"""Helpers for the login tests: a policy that allows the cheap test hasher, a fixed clock,
a hasher that counts its calls, and the in-memory ports wired into the flows."""

from __future__ import annotations

import pkgutil
import threading

import attrs
import pendulum
import pytest

from cambridge_results.clock import FixedClock
from cambridge_results.hashing import PasswordHasher, hasher_for
from cambridge_results.logins.identity import IdentityRegistration
from cambridge_results.logins.login import LoginService
from cambridge_results.logins.memory import (
    InMemoryAccounts,
    InMemoryAttemptLog,
    InMemoryLockoutCounter,
)
from cambridge_results.logins.outbox import InMemoryOutbox
from cambridge_results.logins.ports import AccountLookup, AccountRecord
from cambridge_results.logins.registration import CandidateRegistration
from cambridge_results.logins.reset import PasswordResets
from cambridge_results.logins.stored import StoredLogins
from cambridge_results.policy import Policy, example_2026
from cambridge_results.storage import BUILTIN_BACKENDS, Store

START = pendulum.datetime(2026, 8, 11, 9, 0, 0, tz="UTC")
USERNAME = "Officer@Example.org"
PASSWORD = "Tr0ub4dor&3-correct horse"


def cheap_policy() -> Policy:
    """The 2026 example policy, allowing the cheap test hasher."""
    policy = example_2026()
    return attrs.evolve(
        policy, credentials=attrs.evolve(policy.credentials, allowed_test_hashers=("test-cheap",))
    )


class CountingHasher:
    """A real hasher that counts how often it is asked to hash and to verify."""

    def __init__(self, inner: PasswordHasher) -> None:
        self.inner = inner
        self.name = inner.name
        self._lock = threading.Lock()
        self.verifies = 0
        self.hashes = 0

    def hash(self, password: str) -> str:
        with self._lock:
            self.hashes += 1
        return self.inner.hash(password)

    def verify(self, encoded: str, password: str) -> bool:
        with self._lock:
            self.verifies += 1
        return self.inner.verify(encoded, password)

    def handles(self, encoded: str) -> bool:
        return self.inner.handles(encoded)

    def needs_rehash(self, encoded: str) -> bool:
        return self.inner.needs_rehash(encoded)


@attrs.define
class LoginWorld:
    """A login service over in-memory ports, with its parts at hand."""

    policy: Policy
    clock: FixedClock
    hasher: CountingHasher
    accounts: InMemoryAccounts
    lockout: InMemoryLockoutCounter
    attempts: InMemoryAttemptLog
    service: LoginService

    def add_account(self, username: str = USERNAME, password: str = PASSWORD) -> AccountRecord:
        """Register an account whose hash comes from the world's hasher (uncounted)."""
        from cambridge_results.rules.logins.login import normalise_username

        account = AccountRecord(
            account_id=f"acct-{len(repr(self.accounts))}-{username}",
            username=normalise_username(username),
            password_hash=self.hasher.inner.hash(password),
            email=username if "@" in username else None,
        )
        self.accounts.add(account)
        return account


def make_world() -> LoginWorld:
    """A fresh login world (also usable outside fixtures, e.g. in hypothesis tests)."""
    policy = cheap_policy()
    clock = FixedClock(START)
    hasher = CountingHasher(hasher_for(policy.credentials, "test-cheap"))
    accounts = InMemoryAccounts()
    lockout = InMemoryLockoutCounter()
    attempts = InMemoryAttemptLog()
    service = LoginService(
        accounts=accounts,
        lockout=lockout,
        hasher=hasher,
        policy=policy.login,
        clock=clock,
        attempts=attempts,
    )
    # The dummy hash is made once, at construction: start counting after it.
    hasher.hashes = 0
    return LoginWorld(policy, clock, hasher, accounts, lockout, attempts, service)


class TinySmtpServer:
    """A real SMTP server on 127.0.0.1 that keeps what it receives (no TLS, no auth).

    Enough of RFC 5321 for smtplib: EHLO/HELO, MAIL, RCPT, DATA, RSET, NOOP, QUIT.
    """

    def __init__(self) -> None:
        import socketserver

        received: list[bytes] = []
        self.received = received

        class Handler(socketserver.StreamRequestHandler):
            def reply(self, line: str) -> None:
                self.wfile.write(line.encode("ascii") + b"\r\n")

            def handle(self) -> None:
                self.reply("220 localhost tiny SMTP")
                while True:
                    line = self.rfile.readline()
                    if not line:
                        return
                    verb = line[:4].upper()
                    if verb == b"EHLO":
                        self.reply("250-localhost")
                        self.reply("250 8BITMIME")
                    elif verb == b"DATA":
                        self.reply("354 end with <CRLF>.<CRLF>")
                        data = b""
                        while not data.endswith(b"\r\n.\r\n"):
                            chunk = self.rfile.readline()
                            if not chunk:
                                return
                            data += chunk
                        received.append(data[: -len(b".\r\n")])
                        self.reply("250 queued")
                    elif verb == b"QUIT":
                        self.reply("221 bye")
                        return
                    else:  # HELO, MAIL, RCPT, RSET, NOOP
                        self.reply("250 OK")

        class Server(socketserver.ThreadingTCPServer):
            allow_reuse_address = True
            daemon_threads = True

        self._server = Server(("127.0.0.1", 0), Handler)
        self.port = self._server.server_address[1]
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    def __enter__(self) -> TinySmtpServer:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join()


def postgres_store_url(request: pytest.FixtureRequest) -> str:
    """The session's PostgreSQL URL, or a skip saying why PostgreSQL cannot be tested here.

    The backend is imported first (what ``open_store`` does for
    ``postgresql://``), so no server is started while there is no backend.
    """
    try:
        pkgutil.resolve_name(BUILTIN_BACKENDS["postgresql"])
    except ImportError as exc:
        pytest.skip(f"no PostgreSQL storage backend in this build yet ({exc}); BackendNotFound")
    url: str = request.getfixturevalue("postgres_test_url")
    return url


@attrs.define
class StoredWorld:
    """Every login flow wired to the stored ports of one store, with its parts at hand."""

    policy: Policy
    clock: FixedClock
    hasher: CountingHasher
    logins: StoredLogins
    outbox: InMemoryOutbox
    service: LoginService
    resets: PasswordResets
    candidate_resets: PasswordResets
    identities: IdentityRegistration
    registration: CandidateRegistration

    def add_account(self, username: str = USERNAME, password: str = PASSWORD) -> AccountRecord:
        """Store an account whose hash comes from the world's hasher (uncounted)."""
        from cambridge_results.rules.logins.login import normalise_username

        name = normalise_username(username)
        account = AccountRecord(
            account_id=f"acct-{name}",
            username=name,
            password_hash=self.hasher.inner.hash(password),
            email=name if "@" in name else None,
        )
        self.logins.accounts.add(account)
        return account


def make_stored_world(store: Store) -> StoredWorld:
    """The flows over ``StoredLogins(store)``, a fixed clock and the counting cheap hasher."""
    policy = cheap_policy()
    clock = FixedClock(START)
    hasher = CountingHasher(hasher_for(policy.credentials, "test-cheap"))
    logins = StoredLogins(store)
    outbox = InMemoryOutbox()

    def resets(accounts: AccountLookup) -> PasswordResets:
        return PasswordResets(
            accounts=accounts,
            accounts_by_id=logins.accounts,
            passwords=logins.accounts,
            tokens=logins.reset_tokens,
            outbox=outbox,
            link=lambda t: f"https://results.example.org/reset?token={t}",
            lockout=logins.lockout,
            hasher=hasher,
            policy=policy.login,
            clock=clock,
        )

    world = StoredWorld(
        policy=policy,
        clock=clock,
        hasher=hasher,
        logins=logins,
        outbox=outbox,
        service=LoginService(
            accounts=logins.accounts,
            lockout=logins.lockout,
            attempts=logins.attempts,
            passwords=logins.accounts,
            hasher=hasher,
            policy=policy.login,
            clock=clock,
        ),
        resets=resets(logins.accounts),
        candidate_resets=resets(logins.candidate_accounts),
        identities=IdentityRegistration(
            identities=logins.identities,
            lockout=logins.lockout,
            attempts=logins.attempts,
            hasher=hasher,
            policy=policy.login,
            clock=clock,
        ),
        registration=CandidateRegistration(
            letters=logins.letters,
            lockout=logins.lockout,
            attempts=logins.attempts,
            hasher=hasher,
            policy=policy.login,
            clock=clock,
        ),
    )
    # The dummy hashes are made once, at construction: start counting after them.
    hasher.hashes = 0
    return world
