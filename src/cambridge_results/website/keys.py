"""Keys as the website tables store them, and chunks of numbers for ``In`` queries."""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from cambridge_results.values import CandidateNumber, CentreNumber, ExamSeries

__all__ = [
    "CHUNK",
    "as_centre",
    "as_series",
    "centre_key",
    "chunks",
    "number_key",
    "numbers",
    "series_key",
]


def centre_key(value: CentreNumber | str) -> str:
    """A centre number as stored."""
    return str(CentreNumber.parse(value))


def series_key(value: ExamSeries | str) -> str:
    """A series as stored (its code)."""
    return ExamSeries.parse(value).code


def number_key(value: CandidateNumber | str) -> str:
    """A candidate number as stored."""
    return str(CandidateNumber.parse(value))


def numbers(values: Iterable[CandidateNumber | str]) -> tuple[str, ...]:
    """Candidate numbers as stored, once each, ascending."""
    return tuple(sorted({number_key(v) for v in values}))


#: Values per ``In`` query: well under every backend's parameter limit.
CHUNK = 500


def chunks(values: tuple[str, ...]) -> Iterator[tuple[str, ...]]:
    """``values`` in pieces of at most :data:`CHUNK`."""
    for start in range(0, len(values), CHUNK):
        yield values[start : start + CHUNK]


def as_centre(value: CentreNumber | str) -> CentreNumber:
    """A centre number from a request (``InvalidValue`` when malformed)."""
    return CentreNumber.parse(value)


def as_series(value: ExamSeries | str) -> ExamSeries:
    """A series from a request (``InvalidValue`` when malformed)."""
    return ExamSeries.parse(value)
