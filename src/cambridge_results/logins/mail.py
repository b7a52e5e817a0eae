"""The emails the login flows send: reset links and change notices (LOG-05, ASVS 6.3.6).

Sent only after the unit of work that decided them has committed; a failed
hand-over is logged and never changes the answer (no account enumeration).
"""

from __future__ import annotations

import logging

import pendulum

from cambridge_results.logins.outbox import Outbox, OutboxError, OutgoingEmail
from cambridge_results.logins.records import AccountRecord

__all__ = ["changed_email", "reset_email", "send"]

_log = logging.getLogger("cambridge_results.logins")


def send(outbox: Outbox, account: AccountRecord, message: OutgoingEmail | None) -> None:
    """Hand ``message`` to ``outbox``; a failure is logged, naming no secret."""
    if message is None:
        return
    try:
        outbox.send(message)
    except OutboxError as exc:
        _log.warning("email to account %r not handed over: %s", account.account_id, exc)


def reset_email(
    account: AccountRecord, *, site: str, url: str, expires_at: pendulum.DateTime
) -> OutgoingEmail | None:
    """The email carrying a reset link, or ``None`` for an account without an email."""
    if account.email is None:
        return None
    return OutgoingEmail(
        to=account.email,
        subject=f"Set a new password for {site}",
        body=(
            f"Someone asked to set a new password for your account on {site}.\n\n"
            f"To set one, open this link: {url}\n\n"
            f"The link works once, until {expires_at.format('YYYY-MM-DD HH:mm')} UTC. "
            "If you did not ask for it, ignore this email: your password stays as it is.\n"
        ),
    )


def changed_email(
    account: AccountRecord, *, site: str, now: pendulum.DateTime
) -> OutgoingEmail | None:
    """The notice that the password changed, or ``None`` for an account without an email."""
    if account.email is None:
        return None
    return OutgoingEmail(
        to=account.email,
        subject=f"Your password for {site} was changed",
        body=(
            f"The password of your account on {site} was changed at "
            f"{now.format('YYYY-MM-DD HH:mm')} UTC.\n\n"
            "If you did not do this, contact your centre at once.\n"
        ),
    )
