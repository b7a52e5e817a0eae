"""Where emails go: a pluggable outbox (LOG-05).

:class:`InMemoryOutbox` keeps messages for tests; :class:`SmtpOutbox` sends
them with the standard library's :mod:`smtplib`.  A message's body may hold
a reset link, so neither ``repr`` nor the library's serializer
(:func:`cambridge_results.serialization.unstructure`) shows it; an app that
sends the message itself reads ``.body``.  Nothing this library sends ever
holds a password (LOG-05).
"""

from __future__ import annotations

import email.message
import smtplib
import ssl
import threading
from collections.abc import Callable
from typing import Any, Protocol, runtime_checkable

import attrs

from cambridge_results.errors import CambridgeResultsError
from cambridge_results.serialization import converter
from cambridge_results.values import validate_email

__all__ = ["InMemoryOutbox", "Outbox", "OutboxError", "OutgoingEmail", "SmtpOutbox"]


class OutboxError(CambridgeResultsError):
    """An email could not be handed over; the message names no secret."""

    rule = "LOG-05"


def _recipient(value: object) -> str:
    return validate_email(value, "email.to", rule="LOG-05")


def _line(field: str, limit: int) -> Callable[[Any, Any, str], None]:
    def check(_: object, __: object, value: str) -> None:
        if not isinstance(value, str) or len(value) > limit or "\n" in value or "\r" in value:
            raise CambridgeResultsError(f"{field} must be one line of at most {limit} characters")

    return check


@attrs.frozen(kw_only=True)
class OutgoingEmail:
    """One plain-text email.  ``repr`` and ``unstructure`` show the recipient and subject,
    never the body (it may hold a reset link's token)."""

    to: str = attrs.field(converter=_recipient)
    subject: str = attrs.field(validator=_line("email.subject", 200))
    body: str = attrs.field(repr=False)


def _unstructure_email(message: OutgoingEmail) -> dict[str, str]:
    # The body is left out, not masked: data read back can never pass for a sendable email.
    return {"to": message.to, "subject": message.subject}


converter.register_unstructure_hook(OutgoingEmail, _unstructure_email)


@runtime_checkable
class Outbox(Protocol):
    """Takes emails to send."""

    def send(self, message: OutgoingEmail) -> None:
        """Hand ``message`` over for delivery; :class:`OutboxError` if that fails."""
        ...


class InMemoryOutbox:
    """Keeps every message, for tests (thread-safe)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._messages: list[OutgoingEmail] = []

    def send(self, message: OutgoingEmail) -> None:
        """Keep ``message``."""
        with self._lock:
            self._messages.append(message)

    @property
    def messages(self) -> tuple[OutgoingEmail, ...]:
        """Every message sent so far, oldest first."""
        with self._lock:
            return tuple(self._messages)

    def to(self, address: str) -> tuple[OutgoingEmail, ...]:
        """The messages sent to ``address`` (compared ignoring case)."""
        wanted = address.lower()
        return tuple(m for m in self.messages if m.to.lower() == wanted)

    def __repr__(self) -> str:
        return f"InMemoryOutbox({len(self.messages)} messages)"


class SmtpOutbox:
    """Sends through an SMTP server with :mod:`smtplib`, one connection per message.

    ``starttls`` (default on) upgrades the connection with the system's
    trusted certificates before anything is sent; ``username`` and
    ``password`` log in after that.  Use a queueing relay so that a reset
    request answers as fast for unknown accounts as for known ones.
    """

    def __init__(
        self,
        *,
        host: str,
        sender: str,
        port: int = 587,
        starttls: bool = True,
        username: str | None = None,
        password: str | None = None,
        timeout: float = 30.0,
    ) -> None:
        self._host = host
        self._port = port
        self._sender = validate_email(sender, "outbox.sender", rule="LOG-05")
        self._starttls = starttls
        self._login = (username, password) if username is not None else None
        self._timeout = timeout

    def send(self, message: OutgoingEmail) -> None:
        """Deliver ``message`` to the server; :class:`OutboxError` on any failure."""
        mail = email.message.EmailMessage()
        mail["From"] = self._sender
        mail["To"] = message.to
        mail["Subject"] = message.subject
        mail.set_content(message.body)
        try:
            with smtplib.SMTP(self._host, self._port, timeout=self._timeout) as smtp:
                if self._starttls:
                    smtp.starttls(context=ssl.create_default_context())
                if self._login is not None:
                    smtp.login(self._login[0] or "", self._login[1] or "")
                smtp.send_message(mail)
        except (OSError, smtplib.SMTPException) as exc:
            # The exception's text comes from the server or the socket, not the body.
            raise OutboxError(
                f"could not hand an email to {self._host}:{self._port}: {type(exc).__name__}"
            ) from None

    def __repr__(self) -> str:
        return f"SmtpOutbox({self._host}:{self._port}, starttls={self._starttls})"
