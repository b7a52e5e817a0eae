"""How the enquiry rules count time: exact hours, calendar days, working days.

* Hour periods (EAR-14's 24 hours, EAR-16, EAR-18) are exact durations:
  24 hours is 24 hours even across a daylight-saving change.
* Day periods (EAR-08's 30 days, EAR-20's 28 and 14 days) are calendar days
  in the policy's time zone: the same wall-clock time that many days later.
* A working day is Monday to Friday in the policy's time zone (EAR-18);
  public holidays are not known to the policy, so they count as working days
  and a centre is told to chase a little early rather than late.

Every function returns an instant in UTC.
"""

from __future__ import annotations

import pendulum

from cambridge_results.values.instants import minute_text, zone

UTC = pendulum.UTC

__all__ = ["add_days", "add_hours", "add_working_days", "local_text"]

_SATURDAY = 5


def add_hours(start: pendulum.DateTime, hours: int) -> pendulum.DateTime:
    """``start`` plus an exact number of hours."""
    return start.in_timezone(UTC).add(hours=hours)


def add_days(start: pendulum.DateTime, days: int, tz: str) -> pendulum.DateTime:
    """``start`` plus calendar days in ``tz``: the same local time ``days`` days later."""
    return start.in_timezone(zone(tz)).add(days=days).in_timezone(UTC)


def add_working_days(start: pendulum.DateTime, days: int, tz: str) -> pendulum.DateTime:
    """``start`` plus ``days`` working days (Monday to Friday in ``tz``).

    A start at a weekend counts from the following Monday at 00:00, so the
    result is always ``days`` whole working days of waiting: Friday 15:00
    plus 2 is Tuesday 15:00; Saturday 10:00 plus 2 is Wednesday 00:00.
    """
    if days < 0:
        raise ValueError("days must not be negative")
    local = start.in_timezone(zone(tz))
    day = local.date()
    clock = (local.hour, local.minute, local.second, local.microsecond)
    if day.weekday() >= _SATURDAY:
        day = day.add(days=7 - day.weekday())
        clock = (0, 0, 0, 0)
    remaining = days
    while remaining:
        day = day.add(days=1)
        if day.weekday() < _SATURDAY:
            remaining -= 1
    # Built from the date and the wall-clock time, so a daylight-saving change
    # on a weekend in between does not shift the time.
    return pendulum.datetime(day.year, day.month, day.day, *clock, tz=zone(tz)).in_timezone(UTC)


def local_text(at: pendulum.DateTime, tz: str) -> str:
    """An instant as people read it in ``tz``: ``20 September 2023, 23:59 (Europe/London)``."""
    return f"{minute_text(at, tz)} ({tz})"
