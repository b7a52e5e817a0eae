"""Forgotten passwords: a single-use link by email, never a password (LOG-05).

:meth:`request_password_reset` gives the same answer whether or not the
account exists, and does the same work up to the email: it always draws a
token.  The token goes only into the email; storage keeps its SHA-256
digest.  :meth:`reset_password` checks the new password first (a rejected
password does not burn the link) and hashes it outside any transaction;
then one write redeems the token (single use; every other token of the
account becomes void), stores the new hash and clears the lockout; then
the owner is told that the password changed (ASVS 6.3.6).
"""

from __future__ import annotations

import logging

from cambridge_results.decisions import Decision
from cambridge_results.errors import InvalidValue
from cambridge_results.logins import mail
from cambridge_results.logins.base import LoginsBase
from cambridge_results.logins.guard import SYSTEM_ACTOR
from cambridge_results.logins.records import AccountRecord
from cambridge_results.logins.repositories import LoginRepositories
from cambridge_results.logins.requests import PasswordReset, PasswordResetRequest, ResetBy
from cambridge_results.logins.tokens import MAX_TOKEN_TEXT, new_reset_token, token_digest
from cambridge_results.rules.logins.login import normalise_username, well_formed_username
from cambridge_results.rules.logins.passwords import check_chosen_password
from cambridge_results.rules.logins.reset import (
    INVALID_LINK_MESSAGE,
    ResetTokenRecord,
    issue_token,
    token_usable,
)
from cambridge_results.storage.port import UnitOfWork

__all__ = ["RESET_REQUESTED_MESSAGE", "ResetFlows"]

_log = logging.getLogger("cambridge_results.logins")

#: The one answer to every reset request (LOG-05: no account enumeration).
RESET_REQUESTED_MESSAGE = (
    "If an account matches what you entered, an email with a link to set a new password "
    "is on its way to the address registered for it."
)


def _unknown() -> Decision:
    return Decision.refuse("LOG-05.token-unknown", INVALID_LINK_MESSAGE)


class ResetFlows(LoginsBase):
    """The reset use cases of :class:`~cambridge_results.logins.Logins` (LOG-05)."""

    def request_password_reset(self, request: PasswordResetRequest) -> str:
        """Email a reset link if the request names an account; the answer never differs."""
        if self._reset_link is None:
            raise InvalidValue("reset_link", "Logins needs reset_link= to send reset links")
        now = self._context.now()
        policy = self._context.policy.login
        token = new_reset_token(policy)  # drawn every time, account or not
        identifier = request.identifier

        def find(uow: UnitOfWork) -> AccountRecord | None:
            if not well_formed_username(identifier):
                return None
            accounts = LoginRepositories(uow).accounts
            if request.by is ResetBy.CANDIDATE_ID:
                return accounts.find_by_candidate_id(identifier)
            return accounts.find(normalise_username(identifier))

        account = self._context.read(find, actor=SYSTEM_ACTOR)
        if account is None or account.email is None:
            _log.info("password reset requested at %s: nothing sent", now.isoformat())
            return RESET_REQUESTED_MESSAGE
        record, _ = issue_token(
            account_id=account.account_id, digest=token.digest, now=now, policy=policy
        )
        self._context.write(
            lambda uow: LoginRepositories(uow).reset_tokens.issue(record, now), actor=SYSTEM_ACTOR
        )
        url = self._reset_link(token.reveal())
        message = mail.reset_email(account, site=self._site, url=url, expires_at=record.expires_at)
        mail.send(self._outbox, account, message)
        _log.info(
            "password reset requested at %s: link sent for account %r",
            now.isoformat(),
            account.account_id,
        )
        return RESET_REQUESTED_MESSAGE

    def reset_password(self, request: PasswordReset) -> Decision:
        """Set a new password with a reset link's token (LOG-05); every reason at once."""
        now = self._context.now()
        token = request.token
        if not token or len(token) > MAX_TOKEN_TEXT:
            return _unknown()
        digest = token_digest(token)

        def find(uow: UnitOfWork) -> tuple[ResetTokenRecord | None, AccountRecord | None]:
            repos = LoginRepositories(uow)
            record = repos.reset_tokens.find(digest)
            return record, None if record is None else repos.accounts.get(record.account_id)

        record, account = self._context.read(find, actor=SYSTEM_ACTOR)
        usable = token_usable(record, now)
        if not usable.allowed:
            return usable
        if account is None:
            return _unknown()
        chosen = check_chosen_password(
            request.new_password,
            self._context.policy.login,
            rule="LOG-05",
            context_words=[account.username, *(account.email or "").split("@")[:1]],
            denylist=self._denylist,
        )
        if not chosen.allowed:
            return chosen
        new_hash = self._verifier.hasher.hash(request.new_password)

        def redeem(uow: UnitOfWork) -> Decision:
            repos = LoginRepositories(uow)
            redeemed = repos.reset_tokens.redeem(digest, now)
            if redeemed.allowed:
                repos.accounts.set_hash(account.account_id, new_hash)
                repos.lockouts.clear(account.username)
            return redeemed

        redeemed = self._context.write(redeem, actor=SYSTEM_ACTOR)
        if not redeemed.allowed:
            return redeemed
        mail.send(self._outbox, account, mail.changed_email(account, site=self._site, now=now))
        _log.info(
            "password reset completed at %s for account %r", now.isoformat(), account.account_id
        )
        return Decision.allow()
