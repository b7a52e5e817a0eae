"""How the enquiry rules count time: exact hours, calendar days, working days.

* Hour periods (EAR-14's 24 hours, EAR-16, EAR-18) are exact durations:
  24 hours is 24 hours even across a daylight-saving change.
* Day periods (EAR-08's 30 days, EAR-20's 28 and 14 days) are calendar days
  in the policy's time zone, and "within N days of" an event runs to the end
  of the Nth calendar day after the day of the event (SPEC's decision on
  EAR-20, as EAR-22 closes a date): :func:`within_days` gives the first
  instant after it.
* A working day is Monday to Friday in the policy's time zone (EAR-18);
  public holidays are not known to the policy, so they count as working days
  and a centre is told to chase a little early rather than late.

Every function returns an instant in UTC.
"""

from __future__ import annotations

import datetime

import pendulum

from cambridge_results.values.instants import day_text, minute_text, plus, zone

UTC = pendulum.UTC

__all__ = ["add_hours", "add_working_days", "day_end_text", "local_text", "within_days"]

_SATURDAY = 5


def add_hours(start: pendulum.DateTime, hours: int) -> pendulum.DateTime:
    """``start`` plus an exact number of hours."""
    return start.in_timezone(UTC).add(hours=hours)


def within_days(start: pendulum.DateTime, days: int, tz: str) -> pendulum.DateTime:
    """The first instant after "within ``days`` days of ``start``", in ``tz``.

    The end of the ``days``-th calendar day after the day of ``start``: a
    letter at 16:00 on 1 March leaves until the end of 15 March for 14 days
    (the half-open window closes at 00:00 on 16 March, local time).
    """
    place = zone(tz)
    day = start.in_timezone(place).date().add(days=days + 1)
    return pendulum.datetime(day.year, day.month, day.day, tz=place).in_timezone(UTC)


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


#: The smallest step back in time: ``closes`` less this is the last instant of the day before.
_INSTANT = datetime.timedelta(microseconds=1)


def day_end_text(closes: pendulum.DateTime, tz: str) -> str:
    """A window that closes at a day's end, as people read it: the day, not midnight after it.

    ``1 October 2023 (end of the day, Europe/London)`` for a ``closes`` of
    00:00 on 2 October in London (EAR-22, and "within N days", EAR-20).
    """
    return f"{day_text(plus(closes, -_INSTANT), tz)} (end of the day, {tz})"
