"""Delays added to the results release time (CRW-05).

A delay is a whole number of seconds from 0 to 30 days.  Text input accepts
ISO 8601 durations of days, weeks, hours, minutes and seconds (``P2D``,
``PT48H``, ``P1DT12H``) and plain forms like ``48 hours``, ``2 days`` or
``1 day 12 hours``.  Months and years are refused: their length varies.
"""

from __future__ import annotations

import datetime
import re
from typing import Any

import attrs
import pendulum

from cambridge_results.errors import InvalidValue
from cambridge_results.values._text import require_str

__all__ = ["MAX_DELAY", "Delay"]

MAX_DELAY = pendulum.duration(days=30)
_MAX_SECONDS = int(MAX_DELAY.total_seconds())
_MAX_TEXT = 64
_ISO = re.compile(
    r"P(?:(?P<w>[0-9]{1,6})W|(?:(?P<d>[0-9]{1,6})D)?"
    r"(?:T(?=[0-9])(?:(?P<h>[0-9]{1,6})H)?(?:(?P<m>[0-9]{1,6})M)?(?:(?P<s>[0-9]{1,8})S)?)?)",
    re.ASCII,
)
_WORD = re.compile(r"([0-9]{1,6}) ?(weeks?|days?|hours?|minutes?|mins?|seconds?|secs?)", re.ASCII)
_UNIT_SECONDS = {"w": 604800, "d": 86400, "h": 3600, "m": 60, "s": 1}
_NO_DELAY = "no delay"
_SEPARATOR = re.compile(r"(?:, ?| and | )", re.ASCII)


def _seconds(value: object) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise InvalidValue(
            "delay", f"must be a whole number of seconds, not {type(value).__name__}", rule="CRW-05"
        )
    if value < 0:
        raise InvalidValue("delay", "must not be negative", rule="CRW-05")
    if value > _MAX_SECONDS:
        raise InvalidValue("delay", "must be at most 30 days", rule="CRW-05")
    return value


@attrs.frozen(kw_only=True, order=True)
class Delay:
    """A non-negative delay of at most 30 days before candidates see results (CRW-05)."""

    seconds: int = attrs.field(default=0, converter=_seconds)

    @classmethod
    def parse(cls, text: Any) -> Delay:
        """Parse ``"PT48H"``, ``"2 days"``, ``"1 day 12 hours"``; anything else is an error.

        ``"no delay"``, what ``str(Delay())`` prints, is read back as zero.
        """
        if isinstance(text, Delay):
            return text
        raw = require_str(text, "delay")
        if len(raw) > _MAX_TEXT:
            raise InvalidValue("delay", f"must be at most {_MAX_TEXT} characters", rule="CRW-05")
        if raw.startswith("-"):
            raise InvalidValue("delay", "must not be negative", rule="CRW-05")
        if raw.lower() == _NO_DELAY:
            return cls(seconds=0)
        total = _parse_iso(raw) if raw.startswith("P") else _parse_words(raw)
        if total is None:
            shown = raw if len(raw) <= 40 else raw[:37] + "..."
            raise InvalidValue(
                "delay",
                f"{shown!r} is not a delay like 'PT48H', '48 hours' or '2 days'",
                rule="CRW-05",
            )
        return cls(seconds=total)

    @classmethod
    def of(cls, duration: datetime.timedelta) -> Delay:
        """A delay from a duration; sub-second parts, months and years are refused."""
        if not isinstance(duration, datetime.timedelta):
            raise InvalidValue(
                "delay", f"must be a duration, not {type(duration).__name__}", rule="CRW-05"
            )
        if isinstance(duration, pendulum.Duration) and (duration.years or duration.months):
            # pendulum counts a month as 30 days; a delay is exact, so none is guessed.
            raise InvalidValue(
                "delay", "must be given in weeks, days, hours, minutes or seconds", rule="CRW-05"
            )
        seconds = duration.total_seconds()
        if seconds != int(seconds):
            raise InvalidValue("delay", "must be a whole number of seconds", rule="CRW-05")
        return cls(seconds=int(seconds))

    @property
    def duration(self) -> pendulum.Duration:
        """The delay as a pendulum duration."""
        return pendulum.duration(seconds=self.seconds)

    @property
    def iso(self) -> str:
        """The delay as an ISO 8601 duration, e.g. ``"P1DT12H"`` (``"PT0S"`` for none)."""
        days, rest = divmod(self.seconds, 86400)
        hours, rest = divmod(rest, 3600)
        minutes, seconds = divmod(rest, 60)
        time = "".join(f"{n}{u}" for n, u in ((hours, "H"), (minutes, "M"), (seconds, "S")) if n)
        text = "P" + (f"{days}D" if days else "") + (f"T{time}" if time else "")
        return "PT0S" if text == "P" else text

    def __str__(self) -> str:
        parts = []
        rest = self.seconds
        for name, size in (("day", 86400), ("hour", 3600), ("minute", 60), ("second", 1)):
            n, rest = divmod(rest, size)
            if n:
                parts.append(f"{n} {name}{'' if n == 1 else 's'}")
        return " ".join(parts) if parts else _NO_DELAY


def _parse_iso(raw: str) -> int | None:
    m = _ISO.fullmatch(raw)
    if m is None or raw in {"P", "PT"}:
        return None
    return sum(int(m.group(u)) * size for u, size in _UNIT_SECONDS.items() if m.group(u))


def _parse_words(raw: str) -> int | None:
    lowered = raw.lower()
    position = 0
    total = 0
    while True:
        m = _WORD.match(lowered, position)
        if m is None:
            return None
        total += int(m.group(1)) * _UNIT_SECONDS[m.group(2)[0]]
        position = m.end()
        if position == len(lowered):
            return total
        sep = _SEPARATOR.match(lowered, position)
        if sep is None:
            return None
        position = sep.end()
