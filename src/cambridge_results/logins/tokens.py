"""Reset tokens: random, shown once, stored only as a digest (LOG-05).

This module draws randomness, so it lives outside ``rules/``.  A
:class:`ResetToken` hides its text from ``repr``, ``str``, pickling and
equality by identity; only :meth:`ResetToken.reveal` gives it, for the one
email that carries the link.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from typing import NoReturn

from cambridge_results.errors import InvalidValue
from cambridge_results.policy import LoginPolicy

__all__ = ["ResetToken", "new_reset_token", "token_digest"]

#: At least 128 random bits (LOG-05).
#: Longer than any token this library makes; longer input is not even hashed.
MAX_TOKEN_TEXT = 256


def token_digest(text: str) -> str:
    """The SHA-256 hex digest under which a token is stored (LOG-05).

    A fast hash is enough for a token of 128 random bits or more: nobody can
    search that space, so a slow, salted hash would add cost and no safety
    (ASVS 5.0 6.5.2; docs/security.md).  Anything that is not text, or text
    that UTF-8 cannot encode (a lone surrogate), is an :class:`InvalidValue`.
    """
    if not isinstance(text, str):
        raise InvalidValue("token", f"must be text, not {type(text).__name__}", rule="LOG-05")
    try:
        encoded = text.encode("utf-8")
    except UnicodeEncodeError:
        # The message leaves the text out: it may be a real token with one bad character.
        raise InvalidValue("token", "is not valid Unicode text", rule="LOG-05") from None
    return hashlib.sha256(encoded).hexdigest()


class ResetToken:
    """A reset token's text, kept out of logs, ``repr``, exceptions and pickles."""

    __slots__ = ("_text",)

    def __init__(self, text: str) -> None:
        self._text = text

    def reveal(self) -> str:
        """The token's text: only for the link in the email to the account's owner."""
        return self._text

    @property
    def digest(self) -> str:
        """The SHA-256 hex digest that is stored instead of the token."""
        return token_digest(self._text)

    def __repr__(self) -> str:
        return "ResetToken(<hidden>)"

    __str__ = __repr__

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, ResetToken):
            return NotImplemented
        return hmac.compare_digest(self._text.encode("utf-8"), other._text.encode("utf-8"))

    __hash__ = None  # type: ignore[assignment]  # equal tokens must not be usable as set keys

    def __reduce__(self) -> NoReturn:
        raise TypeError("reset tokens cannot be pickled or copied into storage (LOG-05)")


def new_reset_token(policy: LoginPolicy) -> ResetToken:
    """A fresh URL-safe token of ``policy.reset_token_bytes`` random bytes (the policy
    refuses fewer than 16: 128 bits, LOG-05)."""
    return ResetToken(secrets.token_urlsafe(policy.reset_token_bytes))
