"""Clocks: the only place that asks what time it is; always aware, always UTC."""

from __future__ import annotations

import pendulum
import pytest

from cambridge_results.clock import Clock, FixedClock, SystemClock
from cambridge_results.testing import FixedClock as ExportedFixedClock


def test_a_fixed_clock_reports_its_instant_in_utc() -> None:
    """A test clock converts what it is given to UTC."""
    clock = FixedClock(pendulum.datetime(2026, 8, 11, 7, tz="Europe/London"))
    assert clock.now() == pendulum.datetime(2026, 8, 11, 6, tz="UTC")
    assert clock.now().timezone_name == "UTC"


def test_a_fixed_clock_moves_only_when_told() -> None:
    """advance and set move it; time never moves by itself."""
    clock = FixedClock(pendulum.datetime(2026, 3, 28, 12, tz="UTC"))
    first = clock.now()
    assert clock.now() == first
    assert clock.advance(days=1, hours=2, minutes=3, seconds=4) == first.add(
        days=1, hours=2, minutes=3, seconds=4
    )
    clock.set(pendulum.datetime(2020, 1, 1, tz="UTC"))
    assert clock.now().year == 2020


def test_a_fixed_clock_refuses_a_naive_time() -> None:
    """SPEC section 0: time is always timezone-aware."""
    with pytest.raises(ValueError, match="timezone-aware"):
        FixedClock(pendulum.naive(2026, 1, 1))
    clock = FixedClock(pendulum.datetime(2026, 1, 1, tz="UTC"))
    with pytest.raises(ValueError, match="timezone-aware"):
        clock.set(pendulum.naive(2026, 1, 1))


def test_a_day_across_the_london_clock_change_is_24_hours_on_a_fixed_clock() -> None:
    """Clocks count exact time in UTC: advancing a day over the DST change is 24 hours."""
    clock = FixedClock(pendulum.datetime(2026, 3, 28, 12, tz="Europe/London"))
    before = clock.now()
    after = clock.advance(days=1)
    assert (after - before).in_hours() == 24
    assert after.in_timezone("Europe/London").hour == 13


def test_both_clocks_are_clocks_and_the_system_clock_is_aware_utc() -> None:
    """Use cases take any Clock; the testing kit re-exports FixedClock."""
    assert isinstance(SystemClock(), Clock)
    assert isinstance(FixedClock(pendulum.now("UTC")), Clock)
    assert SystemClock().now().utcoffset() == pendulum.duration(0)
    assert ExportedFixedClock is FixedClock
    assert (
        repr(FixedClock(pendulum.datetime(2026, 1, 1, tz="UTC")))
        == "FixedClock(2026-01-01T00:00:00+00:00)"
    )
