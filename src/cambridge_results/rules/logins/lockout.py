"""The login lockout as a pure rule (LOG-02).

After ``policy.lockout_threshold`` (3) consecutive failures the login is
locked until exactly ``policy.lockout_minutes`` (30) minutes after the failure
that reached the threshold.  While locked, attempts are refused before the
password hasher is reached, even with the right password, and they neither
count nor extend the lock.  A success resets everything.

The state is keyed by the normalised submitted username, for unknown
usernames too (LOG-02), so a lock says nothing about whether an account
exists.  Storage keeps one :class:`LockoutState` per key and applies
:func:`check` then :func:`after_failure` in one atomic step (see
:class:`cambridge_results.logins.repositories.LockoutRepository`).
"""

from __future__ import annotations

import datetime

import attrs
import pendulum

from cambridge_results.decisions import Decision
from cambridge_results.errors import InvalidValue
from cambridge_results.policy import LoginPolicy
from cambridge_results.values.instants import minute_text, plus, utc

__all__ = [
    "LockoutState",
    "after_failure",
    "after_success",
    "check",
    "first_failure",
    "is_locked",
]


def _failures(_: object, __: object, value: object) -> None:
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise InvalidValue("lockout.failures", "must be a non-negative whole number", rule="LOG-02")


def _instant(_: object, __: object, value: pendulum.DateTime | None) -> None:
    if value is None:
        return
    if not isinstance(value, pendulum.DateTime) or value.tzinfo is None:
        raise InvalidValue(
            "lockout.locked_until", "must be a timezone-aware instant", rule="LOG-02"
        )


def _utc(value: pendulum.DateTime | None) -> pendulum.DateTime | None:
    if isinstance(value, pendulum.DateTime) and value.tzinfo is not None:
        return utc(value)
    return value


@attrs.frozen(kw_only=True)
class LockoutState:
    """Consecutive failures of one login key, and until when it is locked (LOG-02).

    ``failures`` counts the failures since the last success or the end of
    the last lock; ``locked_until`` is the first instant at which attempts
    are heard again, or ``None``.
    """

    failures: int = attrs.field(default=0, validator=_failures)
    locked_until: pendulum.DateTime | None = attrs.field(
        default=None, converter=_utc, validator=_instant
    )


def _retry_text(locked_until: pendulum.DateTime, tz: str) -> str:
    # The lock ends at locked_until (half-open), shown to the minute as the rest of the site
    # shows times: rounded up, so the minute named is one at which attempts are heard again.
    shown = locked_until
    if shown.second or shown.microsecond:
        shown = plus(shown.replace(second=0, microsecond=0), datetime.timedelta(minutes=1))
    return f"too many incorrect attempts in a row: try again from {minute_text(shown, tz)} ({tz})"


def is_locked(state: LockoutState, now: pendulum.DateTime) -> bool:
    """True while ``now`` is before ``locked_until`` (half-open: open again at it)."""
    return state.locked_until is not None and now < state.locked_until


def check(state: LockoutState, now: pendulum.DateTime, tz: str = "UTC") -> Decision:
    """May an attempt reach the password hasher now?  Refused while locked (LOG-02).

    The refusal says from when to try again in ``tz``, the policy's time zone
    (``Policy.timezone``), to the minute; its sentence is written only when
    read, since a login storm's refusals are mostly counted, not shown.
    """
    if state.locked_until is not None and now < state.locked_until:
        return Decision.refuse_lazily("LOG-02.locked", _retry_text, state.locked_until, tz)
    return Decision.allow()


def after_failure(state: LockoutState, now: pendulum.DateTime, policy: LoginPolicy) -> LockoutState:
    """The state after one failed attempt at ``now`` (LOG-02).

    A failure while still locked changes nothing (attempts during the lock
    neither count nor extend it).  The first failure after a lock has run out
    starts a new count.  The failure that reaches the threshold locks until
    exactly ``lockout_minutes`` after ``now``.
    """
    if is_locked(state, now):
        return state
    previous = 0 if state.locked_until is not None else state.failures
    failures = previous + 1
    if failures >= policy.lockout_threshold:
        return LockoutState(
            failures=failures,
            locked_until=plus(now, datetime.timedelta(minutes=policy.lockout_minutes)),
        )
    return LockoutState(failures=failures)


#: A key's first failure under a policy that does not lock at once; frozen, so shared.
_ONE_FAILURE = LockoutState(failures=1)


def first_failure(now: pendulum.DateTime, policy: LoginPolicy) -> LockoutState:
    """The state after the first failure of a key with none: ``after_failure`` of a fresh state.

    What a login counts in advance for a key with no failures (LOG-02), on
    every login: made once, unless the policy locks at the first failure.
    """
    if policy.lockout_threshold > 1:
        return _ONE_FAILURE
    return after_failure(LockoutState(), now, policy)


def after_success(state: LockoutState) -> LockoutState:
    """The state after a successful attempt: no failures, no lock (LOG-02)."""
    return attrs.evolve(state, failures=0, locked_until=None)
