"""Exam series: a year and a session (June or November)."""

from __future__ import annotations

import enum
import functools
import re
from typing import Any

import attrs

from cambridge_results.errors import InvalidValue
from cambridge_results.values._text import require_str

__all__ = ["ExamSeries", "Session", "as_series"]


class Session(enum.Enum):
    """The sessions the guides describe; the value is the month number."""

    JUNE = 6
    NOVEMBER = 11

    @property
    def label(self) -> str:
        """``"June"`` or ``"November"``."""
        return self.name.capitalize()


_NAMES = {
    "june": Session.JUNE,
    "jun": Session.JUNE,
    "november": Session.NOVEMBER,
    "nov": Session.NOVEMBER,
}
_BY_MONTH = {s.value: s for s in Session}
_WORDS = re.compile(r"([A-Za-z]+) ([0-9]{4})", re.ASCII)
_ISO = re.compile(r"([0-9]{4})-([0-9]{2})", re.ASCII)
MIN_YEAR = 2000
MAX_YEAR = 2099


def _year(value: object) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise InvalidValue("series.year", f"must be a whole number, not {type(value).__name__}")
    if not MIN_YEAR <= value <= MAX_YEAR:
        raise InvalidValue("series.year", f"must be between {MIN_YEAR} and {MAX_YEAR}")
    return value


def _session(value: object) -> Session:
    if isinstance(value, Session):
        return value
    raise InvalidValue("series.session", "must be Session.JUNE or Session.NOVEMBER")


#: Series parsed from text, by text (bounded).
_PARSED: dict[str, ExamSeries] = {}
_PARSED_LIMIT = 1024


@attrs.frozen(kw_only=True, order=True, cache_hash=True)
class ExamSeries:
    """An exam series such as June 2026.  ``str()`` gives ``"June 2026"``."""

    year: int = attrs.field(converter=_year)
    session: Session = attrs.field(converter=_session, order=lambda s: s.value)

    @classmethod
    def parse(cls, text: Any) -> ExamSeries:
        """Parse ``"June 2026"``, ``"Nov 2026"`` or ``"2026-06"`` (no surrounding spaces)."""
        if isinstance(text, ExamSeries):
            return text
        found = _PARSED.get(text) if type(text) is str and cls is ExamSeries else None
        if found is not None:
            return found  # series are frozen: the same text is the same series
        raw = require_str(text, "series")
        shown = raw if len(raw) <= 40 else raw[:37] + "..."
        year: str | None = None
        session: Session | None = None
        if (m := _WORDS.fullmatch(raw)) is not None:
            year, session = m.group(2), _NAMES.get(m.group(1).lower())
        elif (m := _ISO.fullmatch(raw)) is not None:
            year, session = m.group(1), _BY_MONTH.get(int(m.group(2)))
        if year is None or session is None:
            raise InvalidValue("series", f"{shown!r} is not a series like 'June 2026' or '2026-11'")
        if not MIN_YEAR <= int(year) <= MAX_YEAR:
            # Named after the text parsed, not the attribute: the caller gave "series".
            raise InvalidValue(
                "series", f"{shown!r}: the year must be between {MIN_YEAR} and {MAX_YEAR}"
            )
        made = cls(year=int(year), session=session)
        if cls is ExamSeries:
            if len(_PARSED) >= _PARSED_LIMIT:
                _PARSED.clear()
            _PARSED[raw] = made
        return made

    @functools.cached_property
    def code(self) -> str:
        """The series as ``YYYY-MM``, e.g. ``"2026-06"``: the form stored and serialised."""
        # Every key and row of an enquiry names its series: formatted once per value
        # and kept in a slot of its own (attrs: not a field, so not compared or hashed).
        return f"{self.year:04d}-{self.session.value:02d}"

    def __str__(self) -> str:
        return f"{self.session.label} {self.year}"


def as_series(value: object) -> ExamSeries:
    """Converter for attrs fields: an :class:`ExamSeries` from text or itself."""
    return ExamSeries.parse(value)
