"""Identifiers as the tables store them: the one text form of each key, for every feature.

A centre number, a candidate number (four digits), a syllabus code and a
series (its ``YYYY-MM`` code) are parsed from a value or its text, so a
malformed one is the library's ``InvalidValue`` before anything is read.
"""

from __future__ import annotations

from cambridge_results.values import CandidateNumber, CentreNumber, ExamSeries, SyllabusCode

__all__ = ["candidate_key", "centre_key", "series_key", "syllabus_key"]


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
