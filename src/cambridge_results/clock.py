"""Clocks: the only place the library asks what time it is.

Rules never read a clock (SPEC section 0); use cases take a :class:`Clock`
and pass ``clock.now()`` into rules.  Tests use :class:`FixedClock`.
"""

from __future__ import annotations

import threading
from typing import Protocol, runtime_checkable

import pendulum

__all__ = ["Clock", "FixedClock", "SystemClock"]


@runtime_checkable
class Clock(Protocol):
    """Something that tells the current instant, always timezone-aware, in UTC."""

    def now(self) -> pendulum.DateTime:
        """The current instant in UTC."""
        ...


class SystemClock:
    """The machine's clock."""

    def now(self) -> pendulum.DateTime:
        """The current instant in UTC."""
        return pendulum.now("UTC")

    def __repr__(self) -> str:
        return "SystemClock()"


class FixedClock:
    """A clock that stays where it is put: ``advance`` and ``set`` move it.

    Thread-safe, so concurrency tests can share one.
    """

    def __init__(self, at: pendulum.DateTime) -> None:
        self._lock = threading.Lock()
        self._now = _aware_utc(at)

    def now(self) -> pendulum.DateTime:
        """The instant this clock is set to."""
        with self._lock:
            return self._now

    def set(self, at: pendulum.DateTime) -> None:
        """Move the clock to ``at`` (which may be earlier, unlike real time)."""
        with self._lock:
            self._now = _aware_utc(at)

    def advance(
        self,
        *,
        days: int = 0,
        hours: int = 0,
        minutes: int = 0,
        seconds: float = 0,
    ) -> pendulum.DateTime:
        """Step the clock forward and return the new instant."""
        with self._lock:
            self._now = self._now + pendulum.duration(
                days=days, hours=hours, minutes=minutes, seconds=seconds
            )
            return self._now

    def __repr__(self) -> str:
        return f"FixedClock({self._now.isoformat()})"


def _aware_utc(at: pendulum.DateTime) -> pendulum.DateTime:
    if at.tzinfo is None:
        raise ValueError("clocks need a timezone-aware instant")
    return at.in_timezone("UTC")
