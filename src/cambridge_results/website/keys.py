"""Candidate numbers as the website queries them, in chunks for ``In`` queries."""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from cambridge_results.storage.keys import candidate_key
from cambridge_results.values import CandidateNumber, CentreNumber, ExamSeries

__all__ = [
    "CHUNK",
    "as_centre",
    "as_series",
    "chunks",
    "numbers",
]


def numbers(values: Iterable[CandidateNumber | str]) -> tuple[str, ...]:
    """Candidate numbers as stored, once each, ascending."""
    return tuple(sorted({candidate_key(v) for v in values}))


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
