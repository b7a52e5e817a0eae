"""Helpers for the login tests: a world of ``Logins`` over one store, with its parts at hand,
a tiny SMTP server, and the PostgreSQL URL (or a skip saying why there is none)."""

from __future__ import annotations

import re
import threading
from collections.abc import Callable
from typing import TypeVar

import attrs
import pendulum

from cambridge_results.board.candidate_credentials import WebsiteCandidateCredentials
from cambridge_results.board.schema import SCHEMA
from cambridge_results.clock import FixedClock
from cambridge_results.context import Context
from cambridge_results.decisions import Decision
from cambridge_results.hashing import PasswordHasher, hasher_for
from cambridge_results.logins import (
    AccountRecord,
    InMemoryOutbox,
    LoginAttempt,
    LoginRepositories,
    LoginRequest,
    LoginResult,
    Logins,
    OutgoingEmail,
    PasswordReset,
    PasswordResetRequest,
    ResetBy,
)
from cambridge_results.policy import LoginPolicy, Policy
from cambridge_results.principals import BoardStaff
from cambridge_results.rules.logins.lockout import LockoutState
from cambridge_results.rules.logins.login import normalise_username
from cambridge_results.storage import Store, open_store
from cambridge_results.testing.logins_kit import CountingHasher, cheap_policy

START = pendulum.datetime(2026, 8, 11, 9, 0, 0, tz="UTC")
USERNAME = "Officer@Example.org"
PASSWORD = "Tr0ub4dor&3-correct horse"
STAFF = BoardStaff(staff_id="tester")
T = TypeVar("T")


@attrs.define
class LoginWorld:
    """``Logins`` over one store, with its counting hasher, outbox and clock at hand."""

    store: Store
    logins: Logins
    hasher: CountingHasher
    outbox: InMemoryOutbox
    clock: FixedClock

    @property
    def policy(self) -> Policy:
        """The policy of the world's context."""
        return self.logins.context.policy

    def log_in(self, username: str, password: str) -> LoginResult:
        """One login attempt."""
        return self.logins.log_in(LoginRequest(username=username, password=password))

    def request_reset(self, identifier: str, by: ResetBy = ResetBy.USERNAME) -> str:
        """Ask for a reset link for ``identifier`` (LOG-05); the one answer."""
        return self.logins.request_password_reset(
            PasswordResetRequest(identifier=identifier, by=by)
        )

    def reset(self, token: str, new_password: str) -> Decision:
        """Set a new password with a reset link's token (LOG-05)."""
        return self.logins.reset_password(PasswordReset(token=token, new_password=new_password))

    def token(self, index: int = -1) -> str:
        """The token of the reset link in the outbox's message ``index``."""
        return link_token(self.outbox.messages[index])

    def add_account(self, username: str = USERNAME, password: str = PASSWORD) -> AccountRecord:
        """Store an account whose hash comes from the world's hasher (uncounted)."""
        name = normalise_username(username)
        account = AccountRecord(
            account_id=f"acct-{name}",
            username=name,
            password_hash=self.hasher.inner.hash(password),
            email=name if "@" in name else None,
        )
        self.logins.add_account(STAFF, account)
        return account

    def state(self, key: str) -> LockoutState:
        """The lockout state of a key."""
        return self.logins.lockout_state(STAFF, key)

    def read(self, work: Callable[[LoginRepositories], T]) -> T:
        """``work(repositories)`` in a read-only unit of work."""
        return self.store.run(
            lambda uow: work(LoginRepositories(uow)), actor="board:tester", read_only=True
        )

    def write(self, work: Callable[[LoginRepositories], T]) -> T:
        """``work(repositories)`` in a writing unit of work (test set-up)."""
        return self.store.run(lambda uow: work(LoginRepositories(uow)), actor="board:tester")

    def attempts(self) -> tuple[LoginAttempt, ...]:
        """Every attempt recorded, oldest first."""
        return self.read(lambda r: r.attempts.all())


def link_token(message: OutgoingEmail) -> str:
    """The token in a reset email's link."""
    match = re.search(r"token=([A-Za-z0-9_-]+)", message.body)
    assert match is not None, "the email holds a reset link"
    return match.group(1)


def make_world(
    store: Store | None = None,
    *,
    login: LoginPolicy | None = None,
    legacy_hashers: tuple[PasswordHasher, ...] = (),
) -> LoginWorld:
    """``Logins`` over ``store`` (a new memory store if none): the cheap counting hasher, a
    fixed clock at START, an in-memory outbox; ``login`` replaces the login policy."""
    store = store or open_store("memory://", migrations=SCHEMA)
    policy = cheap_policy()
    if login is not None:
        policy = attrs.evolve(policy, login=login)
    hasher = CountingHasher(hasher_for(policy.credentials, "test-cheap"))
    clock = FixedClock(START)
    outbox = InMemoryOutbox()
    logins = Logins(
        Context(store=store, policy=policy, clock=clock),
        outbox=outbox,
        hasher=hasher,
        legacy_hashers=legacy_hashers,
        reset_link=lambda t: f"https://results.example.org/reset?token={t}",
        candidate_credentials=WebsiteCandidateCredentials(),
    )
    hasher.hashes = 0  # the dummy hash is made once, at construction
    return LoginWorld(store, logins, hasher, outbox, clock)


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
