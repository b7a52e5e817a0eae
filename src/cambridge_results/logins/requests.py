"""The request values the login use cases take: what a form submitted, as text.

Each field must be text (anything else is a caller's mistake:
:class:`~cambridge_results.errors.InvalidValue`).  Whether the text is
well formed is a rule with its own answer (LOG-01: malformed input gets
the generic "Incorrect Login Details" and is recorded), so it is decided
by the use case, not here.  Secrets never show in ``repr``.
"""

from __future__ import annotations

import enum
import re
from collections.abc import Callable
from typing import Any

import attrs

from cambridge_results._checks import member
from cambridge_results.errors import InvalidValue

__all__ = [
    "CandidateRegistrationRequest",
    "IdentityRegistrationRequest",
    "LoginRequest",
    "PasswordChange",
    "PasswordReset",
    "PasswordResetRequest",
    "ResetBy",
]

_SITE = re.compile(r"[a-z0-9][a-z0-9-]{0,31}", re.ASCII)


def _text(field: str) -> Callable[[Any, Any, str], None]:
    def check(_: object, __: object, value: str) -> None:
        if not isinstance(value, str):
            raise InvalidValue(field, f"must be text, not {type(value).__name__}")

    return check


def _secret(field: str) -> Any:
    return attrs.field(repr=False, validator=_text(field))


@attrs.frozen(kw_only=True)
class LoginRequest:
    """A username and password typed into a login form (LOG-01)."""

    username: str = attrs.field(validator=_text("username"))
    password: str = _secret("password")


@attrs.frozen(kw_only=True)
class PasswordChange:
    """A signed-in user's change of password: the current one proves who they are."""

    username: str = attrs.field(validator=_text("username"))
    current_password: str = _secret("current_password")
    new_password: str = _secret("new_password")


class ResetBy(enum.Enum):
    """What a reset request names the account by (LOG-05)."""

    USERNAME = "username"
    CANDIDATE_ID = "candidate-id"


@attrs.frozen(kw_only=True)
class PasswordResetRequest:
    """ "Forgotten password": a username, or the ID a candidate registered with (LOG-05)."""

    identifier: str = attrs.field(validator=_text("identifier"))
    by: ResetBy = attrs.field(default=ResetBy.USERNAME, validator=member("by", ResetBy))


@attrs.frozen(kw_only=True)
class PasswordReset:
    """The token from a reset link and the new password chosen with it (LOG-05)."""

    token: str = _secret("token")
    new_password: str = _secret("new_password")


def _site(_: object, __: object, value: str) -> None:
    if not isinstance(value, str) or _SITE.fullmatch(value) is None:
        raise InvalidValue("site", "must be a site name like 'results-online'", rule="LOG-04")


@attrs.frozen(kw_only=True)
class IdentityRegistrationRequest:
    """Registering an email address on one of the board's sites (LOG-04)."""

    email: str = attrs.field(validator=_text("email"))
    password: str = _secret("password")
    site: str = attrs.field(validator=_site)


@attrs.frozen(kw_only=True)
class CandidateRegistrationRequest:
    """A candidate registering with the ID and Secret Number on their letter (LOG-06)."""

    candidate_id: str = attrs.field(validator=_text("candidate_id"))
    secret_number: str = _secret("secret_number")
    email: str = attrs.field(validator=_text("email"))
    password: str = _secret("password")
