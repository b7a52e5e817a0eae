"""Immutable, validated value objects: an invalid one can never exist."""

from cambridge_results.values.contact import (
    ContactDetails,
    normalise_email,
    validate_email,
    validate_phone,
)
from cambridge_results.values.delay import MAX_DELAY, Delay
from cambridge_results.values.exams import (
    GRADES,
    AssessedBy,
    Component,
    Entry,
    EntryStatus,
    Grade,
    Mark,
    MarkSource,
    Qualification,
    Route,
    Syllabus,
)
from cambridge_results.values.identifiers import (
    UCI,
    CandidateNumber,
    CentreNumber,
    ComponentCode,
    SyllabusCode,
)
from cambridge_results.values.people import Associate, Candidate, Centre
from cambridge_results.values.series import ExamSeries, Session

__all__ = [
    "GRADES",
    "MAX_DELAY",
    "UCI",
    "AssessedBy",
    "Associate",
    "Candidate",
    "CandidateNumber",
    "Centre",
    "CentreNumber",
    "Component",
    "ComponentCode",
    "ContactDetails",
    "Delay",
    "Entry",
    "EntryStatus",
    "ExamSeries",
    "Grade",
    "Mark",
    "MarkSource",
    "Qualification",
    "Route",
    "Session",
    "Syllabus",
    "SyllabusCode",
    "normalise_email",
    "validate_email",
    "validate_phone",
]
