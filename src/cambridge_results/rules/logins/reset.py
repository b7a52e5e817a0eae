"""Password-reset tokens as pure rules over a token record (LOG-05).

A token is issued for one account, is stored only as its SHA-256 digest
(the token itself is 128 random bits or more, so a fast hash is enough:
docs/security.md), is valid for ``policy.reset_token_minutes`` (60) from
issue, half-open, and can be used once.  Issuing a new token voids every
earlier one of the account, and so does a completed reset.

Generating tokens needs randomness, so it lives outside ``rules/``
(:mod:`cambridge_results.logins.tokens`).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

import attrs
import pendulum

from cambridge_results.decisions import Decision
from cambridge_results.errors import InvalidValue
from cambridge_results.policy import LoginPolicy

__all__ = [
    "INVALID_LINK_MESSAGE",
    "ResetTokenRecord",
    "issue_token",
    "redeem",
    "token_usable",
    "void_all",
]

#: What the holder of an unusable link is told, whatever the reason.
INVALID_LINK_MESSAGE = (
    "this link to set a new password is not valid: it has expired or was already used; "
    "ask for a new one"
)
_DIGEST = re.compile(r"[0-9a-f]{64}", re.ASCII)
MAX_ACCOUNT_ID = 200


def _digest(_: object, __: object, value: str) -> None:
    if not isinstance(value, str) or _DIGEST.fullmatch(value) is None:
        raise InvalidValue("reset_token.digest", "must be a SHA-256 hex digest", rule="LOG-05")


def _account_id(_: object, __: object, value: str) -> None:
    if not isinstance(value, str) or not value or len(value) > MAX_ACCOUNT_ID:
        raise InvalidValue(
            "reset_token.account_id", f"must be text of 1 to {MAX_ACCOUNT_ID} characters"
        )


def _utc(value: Any) -> Any:
    if isinstance(value, pendulum.DateTime) and value.tzinfo is not None:
        return value.in_timezone("UTC")
    return value


def _instant(_: object, attribute: attrs.Attribute[Any], value: Any) -> None:
    if value is None and attribute.name in {"used_at", "voided_at"}:
        return
    if not isinstance(value, pendulum.DateTime) or value.tzinfo is None:
        raise InvalidValue(f"reset_token.{attribute.name}", "must be a timezone-aware instant")


@attrs.frozen(kw_only=True)
class ResetTokenRecord:
    """What is stored about one reset token: never the token, only its digest (LOG-05)."""

    account_id: str = attrs.field(validator=_account_id)
    digest: str = attrs.field(validator=_digest, repr=False)
    issued_at: pendulum.DateTime = attrs.field(converter=_utc, validator=_instant)
    expires_at: pendulum.DateTime = attrs.field(converter=_utc, validator=_instant)
    used_at: pendulum.DateTime | None = attrs.field(
        default=None, converter=_utc, validator=_instant
    )
    voided_at: pendulum.DateTime | None = attrs.field(
        default=None, converter=_utc, validator=_instant
    )

    def __attrs_post_init__(self) -> None:
        if self.expires_at <= self.issued_at:
            raise InvalidValue("reset_token.expires_at", "must be after issued_at", rule="LOG-05")

    @property
    def live(self) -> bool:
        """Neither used nor voided (it may still have expired)."""
        return self.used_at is None and self.voided_at is None


def issue_token(
    *,
    account_id: str,
    digest: str,
    now: pendulum.DateTime,
    policy: LoginPolicy,
    earlier: Iterable[ResetTokenRecord] = (),
) -> tuple[ResetTokenRecord, tuple[ResetTokenRecord, ...]]:
    """A new token record, and the account's ``earlier`` records voided at ``now`` (LOG-05)."""
    record = ResetTokenRecord(
        account_id=account_id,
        digest=digest,
        issued_at=now,
        expires_at=now + pendulum.duration(minutes=policy.reset_token_minutes),
    )
    return record, void_all(earlier, now)


def token_usable(record: ResetTokenRecord | None, now: pendulum.DateTime) -> Decision:
    """May this token set a new password now?  Each refusal has its own code (LOG-05)."""
    if record is None:
        return Decision.refuse("LOG-05.token-unknown", INVALID_LINK_MESSAGE)
    if record.used_at is not None:
        return Decision.refuse("LOG-05.token-used", INVALID_LINK_MESSAGE)
    if record.voided_at is not None:
        return Decision.refuse("LOG-05.token-void", INVALID_LINK_MESSAGE)
    if now >= record.expires_at:
        return Decision.refuse("LOG-05.token-expired", INVALID_LINK_MESSAGE)
    return Decision.allow()


def redeem(record: ResetTokenRecord, now: pendulum.DateTime) -> ResetTokenRecord:
    """The record marked used at ``now``; refused tokens raise :class:`LoginRefused`."""
    token_usable(record, now).raise_if_refused()
    return attrs.evolve(record, used_at=now)


def void_all(
    records: Iterable[ResetTokenRecord], now: pendulum.DateTime
) -> tuple[ResetTokenRecord, ...]:
    """Every live record voided at ``now``; used and voided ones stay as they are (LOG-05)."""
    return tuple(attrs.evolve(r, voided_at=now) if r.live else r for r in records)
