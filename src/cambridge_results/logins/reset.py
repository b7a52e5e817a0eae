"""Forgotten passwords: a single-use link by email, never a password (LOG-05).

:meth:`PasswordResets.request` gives the same answer whether or not the
account exists, and does the same work up to the email: it always draws a
token.  The token goes only into the email; storage keeps its SHA-256
digest.  :meth:`PasswordResets.complete` checks the new password first (a
rejected password does not burn the link), then redeems the token
atomically (single use; every other token of the account becomes void),
stores the new hash, clears the lockout and tells the account's owner that
the password changed (ASVS 6.3.6).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Container

import pendulum

from cambridge_results.clock import Clock
from cambridge_results.decisions import Decision
from cambridge_results.errors import InvalidValue
from cambridge_results.hashing import PasswordHasher
from cambridge_results.logins.outbox import Outbox, OutboxError, OutgoingEmail
from cambridge_results.logins.ports import (
    AccountLookup,
    AccountRecord,
    AccountsById,
    LockoutCounter,
    PasswordStore,
    ResetTokenStore,
)
from cambridge_results.logins.tokens import MAX_TOKEN_TEXT, new_reset_token, token_digest
from cambridge_results.policy import LoginPolicy
from cambridge_results.rules.logins.login import normalise_username, well_formed_username
from cambridge_results.rules.logins.passwords import check_chosen_password
from cambridge_results.rules.logins.reset import INVALID_LINK_MESSAGE, issue_token, token_usable

__all__ = ["RESET_REQUESTED_MESSAGE", "PasswordResets"]

_log = logging.getLogger("cambridge_results.logins")

#: The one answer to every reset request (LOG-05: no account enumeration).
RESET_REQUESTED_MESSAGE = (
    "If an account matches what you entered, an email with a link to set a new password "
    "is on its way to the address registered for it."
)


class PasswordResets:
    """Reset requests and completions over injected ports (LOG-05).

    ``link`` turns a token into the URL put in the email, e.g.
    ``lambda t: f"https://results.example.org/reset?token={t}"``.
    ``denylist`` holds common or breached passwords (lower case) refused as
    new passwords (ASVS 6.2.4).
    """

    def __init__(
        self,
        *,
        accounts: AccountLookup,
        accounts_by_id: AccountsById,
        passwords: PasswordStore,
        tokens: ResetTokenStore,
        outbox: Outbox,
        hasher: PasswordHasher,
        policy: LoginPolicy,
        clock: Clock,
        link: Callable[[str], str],
        lockout: LockoutCounter | None = None,
        denylist: Container[str] = frozenset(),
        site_name: str = "the results website",
    ) -> None:
        self._accounts = accounts
        self._by_id = accounts_by_id
        self._passwords = passwords
        self._tokens = tokens
        self._outbox = outbox
        self._hasher = hasher
        self._policy = policy
        self._clock = clock
        self._link = link
        self._lockout = lockout
        self._denylist = denylist
        self._site = site_name

    def request(self, identifier: object) -> str:
        """Email a reset link if ``identifier`` names an account; the answer never differs."""
        now = self._clock.now()
        token = new_reset_token(self._policy)  # drawn every time, account or not
        account = (
            self._accounts.find_account(normalise_username(identifier))
            if well_formed_username(identifier)
            else None
        )
        if account is None or account.email is None:
            _log.info("password reset requested at %s: nothing sent", now.isoformat())
            return RESET_REQUESTED_MESSAGE
        record, _ = issue_token(
            account_id=account.account_id, digest=token.digest, now=now, policy=self._policy
        )
        self._tokens.issue(record, now)
        self._send(
            account, self._reset_email(account, self._link(token.reveal()), record.expires_at)
        )
        _log.info(
            "password reset requested at %s: link sent for account %r",
            now.isoformat(),
            account.account_id,
        )
        return RESET_REQUESTED_MESSAGE

    def complete(self, token: object, new_password: object) -> Decision:
        """Set a new password with a reset link's token (LOG-05); every reason at once."""
        now = self._clock.now()
        if not isinstance(token, str) or not token or len(token) > MAX_TOKEN_TEXT:
            return Decision.refuse("LOG-05.token-unknown", INVALID_LINK_MESSAGE)
        try:
            digest = token_digest(token)
        except InvalidValue:
            # Not a token this library made (a lone surrogate): the same answer as any unknown one.
            return Decision.refuse("LOG-05.token-unknown", INVALID_LINK_MESSAGE)
        record = self._tokens.find(digest)
        usable = token_usable(record, now)
        account = self._by_id.get_account(record.account_id) if record is not None else None
        if not usable.allowed or account is None:
            return usable if not usable.allowed else _unknown()
        context = [account.username, *(account.email or "").split("@")[:1]]
        chosen = check_chosen_password(
            new_password,
            self._policy,
            rule="LOG-05",
            context_words=context,
            denylist=self._denylist,
        )
        if not chosen.allowed:
            return chosen
        assert isinstance(new_password, str)  # check_chosen_password allowed it, so it is text
        new_hash = self._hasher.hash(new_password)
        redeemed = self._tokens.redeem(digest, now)
        if not redeemed.allowed:
            return redeemed
        self._passwords.set_password_hash(account.account_id, new_hash)
        if self._lockout is not None:
            self._lockout.record_success(account.username)
        self._send(account, self._changed_email(account, now))
        _log.info(
            "password reset completed at %s for account %r", now.isoformat(), account.account_id
        )
        return Decision.allow()

    def _send(self, account: AccountRecord, message: OutgoingEmail | None) -> None:
        if message is None:
            return
        try:
            self._outbox.send(message)
        except OutboxError as exc:
            # The answer must not change with delivery (LOG-05); the error names no secret.
            _log.warning("email to account %r not handed over: %s", account.account_id, exc)

    def _reset_email(
        self, account: AccountRecord, url: str, expires_at: pendulum.DateTime
    ) -> OutgoingEmail | None:
        if account.email is None:
            return None
        return OutgoingEmail(
            to=account.email,
            subject=f"Set a new password for {self._site}",
            body=(
                f"Someone asked to set a new password for your account on {self._site}.\n\n"
                f"To set one, open this link: {url}\n\n"
                f"The link works once, until {expires_at.format('YYYY-MM-DD HH:mm')} UTC. "
                "If you did not ask for it, ignore this email: your password stays as it is.\n"
            ),
        )

    def _changed_email(
        self, account: AccountRecord, now: pendulum.DateTime
    ) -> OutgoingEmail | None:
        if account.email is None:
            return None
        return OutgoingEmail(
            to=account.email,
            subject=f"Your password for {self._site} was changed",
            body=(
                f"The password of your account on {self._site} was changed at "
                f"{now.format('YYYY-MM-DD HH:mm')} UTC.\n\n"
                "If you did not do this, contact your centre at once.\n"
            ),
        )

    def __repr__(self) -> str:
        return f"PasswordResets({self._site!r})"


def _unknown() -> Decision:
    return Decision.refuse("LOG-05.token-unknown", INVALID_LINK_MESSAGE)
