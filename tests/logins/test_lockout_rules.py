"""The lockout as a pure rule (LOG-02): counting, locking for exactly 30 minutes, resetting."""

from __future__ import annotations

import pendulum
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cambridge_results.errors import InvalidValue
from cambridge_results.policy import LoginPolicy
from cambridge_results.rules.logins.lockout import (
    LockoutState,
    after_failure,
    after_success,
    check,
    first_failure,
    is_locked,
)

POLICY = LoginPolicy()
T0 = pendulum.datetime(2026, 8, 11, 9, 0, 0, tz="UTC")


def fail(state: LockoutState, at: pendulum.DateTime) -> LockoutState:
    """Check, then count a failure, as the counter does in one step."""
    assert check(state, at).allowed
    return after_failure(state, at, POLICY)


def test_two_failures_then_a_success_resets_the_count() -> None:
    """LOG-02: fail, fail, succeed leaves no failures and no lock."""
    state = fail(fail(LockoutState(), T0), T0.add(seconds=5))
    assert state.failures == 2
    state = after_success(state)
    assert state == LockoutState()
    state = fail(fail(state, T0.add(seconds=10)), T0.add(seconds=15))
    assert not is_locked(state, T0.add(seconds=16))


def test_the_third_consecutive_failure_locks_until_exactly_thirty_minutes_after_it() -> None:
    """LOG-02: the lock ends 30 minutes after the third failure, not the first."""
    third = T0.add(minutes=7, seconds=13)
    state = fail(fail(fail(LockoutState(), T0), T0.add(minutes=2)), third)
    assert state.locked_until == third.add(minutes=30)


def test_still_locked_at_29_59_and_open_at_30_00() -> None:
    """LOG-02: the lock is half-open: refused one second before, heard at the instant."""
    state = fail(fail(fail(LockoutState(), T0), T0), T0)
    refused = check(state, T0.add(minutes=29, seconds=59))
    assert refused.codes == ("LOG-02.locked",)
    assert check(state, T0.add(minutes=30)).allowed


def test_a_failure_during_the_lock_neither_counts_nor_extends_it() -> None:
    """LOG-02: after_failure while locked returns the state unchanged."""
    state = fail(fail(fail(LockoutState(), T0), T0), T0)
    assert after_failure(state, T0.add(minutes=10), POLICY) == state


def test_the_first_failure_after_a_lock_runs_out_starts_a_new_count() -> None:
    """LOG-02: after the 30 minutes the correct details work and a new count starts."""
    state = fail(fail(fail(LockoutState(), T0), T0), T0)
    later = T0.add(minutes=30)
    state = fail(state, later)
    assert state == LockoutState(failures=1)


def test_a_lock_message_says_when_to_try_again_in_the_policys_zone() -> None:
    """LOG-02: the refusal names the minute the lock ends in the zone given (the policy's)."""
    state = LockoutState(failures=3, locked_until=T0)
    message = check(state, T0.subtract(seconds=1), "Europe/London").reasons[0].message
    assert message.endswith("try again from 11 August 2026, 10:00 (Europe/London)")
    assert "UTC" not in message


def test_a_lock_ending_within_a_minute_is_shown_as_the_next_whole_minute() -> None:
    """LOG-02: a lock ending at 09:00:17 says 09:01, when attempts are certainly heard again."""
    state = LockoutState(failures=3, locked_until=T0.add(seconds=17))
    message = check(state, T0.add(seconds=16), "UTC").reasons[0].message
    assert message.endswith("try again from 11 August 2026, 09:01 (UTC)")


def test_a_lock_refusal_has_its_code_before_its_sentence_is_written() -> None:
    """LOG-02: the refusal's code is there at once; its sentence, written when read, is stable."""
    state = LockoutState(failures=3, locked_until=T0)
    before = T0.subtract(minutes=1)
    decision = check(state, before, "Asia/Kolkata")
    assert decision.codes == ("LOG-02.locked",)
    assert decision == check(state, before, "Asia/Kolkata")
    assert "11 August 2026, 14:30 (Asia/Kolkata)" in decision.reasons[0].message


def test_lockout_states_refuse_negative_counts_and_naive_times() -> None:
    """LOG-02: a LockoutState is validated at construction."""
    with pytest.raises(InvalidValue, match="failures"):
        LockoutState(failures=-1)
    with pytest.raises(InvalidValue, match="locked_until"):
        LockoutState(locked_until=pendulum.naive(2026, 1, 1))  # type: ignore[arg-type]


def test_locked_until_is_kept_in_utc() -> None:
    """Instants are stored in UTC (SPEC section 0)."""
    london = pendulum.datetime(2026, 8, 11, 10, 0, tz="Europe/London")
    assert LockoutState(failures=3, locked_until=london).locked_until == T0


steps = st.lists(st.tuples(st.booleans(), st.integers(min_value=0, max_value=40 * 60)), max_size=30)


@settings(max_examples=200)
@given(steps=steps, threshold=st.integers(1, 5), minutes=st.integers(1, 60))
def test_a_lock_never_ends_before_its_time_and_always_ends_at_it(
    steps: list[tuple[bool, int]], threshold: int, minutes: int
) -> None:
    """LOG-02: for any attempts and clock steps, locks last exactly ``lockout_minutes``."""
    policy = LoginPolicy(lockout_threshold=threshold, lockout_minutes=minutes)
    state = LockoutState()
    now = T0
    for success, wait in steps:
        now = now.add(seconds=wait)
        if not check(state, now).allowed:
            assert state.locked_until is not None
            assert now < state.locked_until
            continue
        before = state
        state = after_success(state) if success else after_failure(state, now, policy)
        if success:
            assert state == LockoutState()
        elif state.locked_until is not None and is_locked(state, now):
            assert state.locked_until == now.add(minutes=minutes)
            assert state.failures == threshold
            assert not is_locked(before, now)
        else:
            assert state.failures < threshold


@settings(max_examples=100)
@given(threshold=st.integers(1, 5), minutes=st.integers(1, 60), seconds=st.integers(0, 10**6))
def test_a_keys_first_failure_is_a_failure_counted_on_a_fresh_state(
    threshold: int, minutes: int, seconds: int
) -> None:
    """LOG-02: the count in advance of a key with no row is after_failure of a fresh state."""
    policy = LoginPolicy(lockout_threshold=threshold, lockout_minutes=minutes)
    now = T0.add(seconds=seconds)
    first = first_failure(now, policy)
    assert first == after_failure(LockoutState(), now, policy)
    assert first.failures == 1
    assert (first.locked_until is not None) is (threshold == 1)
