"""Row helpers shared by the enquiry repositories: canonical keys and checked arguments."""

from __future__ import annotations

from typing import Any

from cambridge_results.errors import InvalidValue
from cambridge_results.serialization import unstructure
from cambridge_results.values import CandidateNumber, CentreNumber, ExamSeries, SyllabusCode

__all__ = ["as_dict", "candidate_key", "centre_key", "require", "series_key", "syllabus_key"]


def centre_key(value: CentreNumber | str) -> str:
    """A centre number as stored."""
    return str(CentreNumber.parse(value))


def series_key(value: ExamSeries | str) -> str:
    """A series as stored: its code."""
    return ExamSeries.parse(value).code


def syllabus_key(value: SyllabusCode | str) -> str:
    """A syllabus code as stored."""
    return str(SyllabusCode.parse(value))


def candidate_key(value: CandidateNumber | str) -> str:
    """A candidate number as stored (four digits)."""
    return str(CandidateNumber.parse(value))


def as_dict(value: Any) -> dict[str, Any]:
    """An attrs value unstructured to a JSON-ready dict."""
    data = unstructure(value)
    assert isinstance(data, dict)  # attrs classes unstructure to dicts
    return data


def require(value: object, cls: type, field: str) -> None:
    """:class:`InvalidValue` unless ``value`` is a ``cls``, before anything touches storage."""
    if not isinstance(value, cls):
        raise InvalidValue(field, f"must be a {cls.__name__}, not {type(value).__name__}")
