"""The tables of stored enquiries: one migration, ``enquiries`` (EAR-06, EAR-08..EAR-20).

The uniqueness the rules need is enforced by the store's own indexes, so two
processes submitting at once can never both win (SPEC section 5):

* ``enquiry_candidates`` has one row per enquiry and candidate.  Its partial
  unique index ``uq_enquiry_one_active_review`` allows at most one row with
  ``active_review`` true per centre, series, syllabus and candidate: one
  active re-check or review (services 1, 1S, 2, 2S and their kind) per
  candidate and syllabus.  Drafts, cancelled and rejected enquiries have
  ``active_review`` false, so they do not count (EAR-06 decision).
* ``enquiries.number`` is unique: the board's enquiry numbers (EAR-09).
* ``enquiry_appeals`` has one appeal per enquiry and stage (EAR-20);
  documents and releases one per enquiry and kind (EAR-10, EAR-16).

This module only declares; :mod:`cambridge_results.board.schema` lists the
migration.
"""

from __future__ import annotations

import functools

from cambridge_results.storage.migrations import CreateTable, Migration, Step
from cambridge_results.storage.schema import Column, Index, Table, UniqueIndex, text_columns

__all__ = [
    "APPEALS",
    "CANDIDATES",
    "DOCUMENTS",
    "ENQUIRIES",
    "ENQUIRY_MIGRATION",
    "EXTENSIONS",
    "MARKS",
    "ONE_ACTIVE_REVIEW",
    "QUALIFICATIONS",
    "RELEASES",
    "SAMPLES",
    "STATEMENTS",
    "enquiry_steps",
]

#: One row per enquiry: a few columns to search by, the whole value as JSON.
ENQUIRIES = "enquiries"
#: One row per enquiry and candidate: the EAR-06 claim and the EAR-12 filter.
CANDIDATES = "enquiry_candidates"
#: The PDF of each document of an enquiry (Ack, Out, Rpt, Cos; EAR-10).
DOCUMENTS = "enquiry_documents"
#: Documents an Associate released to its Associate Centre (EAR-16).
RELEASES = "enquiry_releases"
#: The board's extensions of enquiries to other candidates (EAR-17).
EXTENSIONS = "enquiry_extensions"
#: Appeals, one per enquiry and stage (EAR-20).
APPEALS = "enquiry_appeals"
#: Updated statements of results due after a grade change (EAR-15).
STATEMENTS = "enquiry_statements"
#: The board's marks and syllabus grade per entry, read by the eligibility rules.
MARKS = "enquiry_marks"
#: Original moderation samples per centre, series, syllabus and component (EAR-01).
SAMPLES = "enquiry_moderation_samples"
#: Qualifications, for EAR-19 (group awards).
QUALIFICATIONS = "enquiry_qualifications"

#: The name of the partial unique index behind EAR-06.
ONE_ACTIVE_REVIEW = "uq_enquiry_one_active_review"


@functools.cache
def enquiry_steps() -> tuple[Step, ...]:
    """The ``CreateTable`` steps of the ``enquiries`` migration."""
    enquiries = Table(
        ENQUIRIES,
        (
            Column("id", "text"),
            Column("centre", "text"),
            Column("associate", "text", nullable=True),
            *text_columns("series", "syllabus", "service", "status"),
            Column("number", "text", nullable=True),
            Column("arrived_at", "instant", nullable=True),
            Column("created_at", "instant"),
            # Compare-and-set: every change expects the version it read.
            Column("version", "int"),
            Column("data", "json"),
        ),
        primary_key="id",
        # NULLs are distinct: drafts have no number yet (EAR-09).
        unique=(UniqueIndex(("number",)),),
        indexes=(
            Index(("centre", "series", "syllabus")),
            Index(("associate",)),
            Index(("status", "arrived_at")),
        ),
    )
    candidates = Table(
        CANDIDATES,
        (
            *text_columns("enquiry_id", "candidate", "centre", "series", "syllabus"),
            Column("active_review", "bool"),
        ),
        primary_key=("enquiry_id", "candidate"),
        unique=(
            UniqueIndex(
                ("centre", "series", "syllabus", "candidate"),
                where={"active_review": True},
                name=ONE_ACTIVE_REVIEW,
            ),
        ),
        indexes=(Index(("centre", "candidate")),),
    )
    documents = Table(
        DOCUMENTS,
        (
            Column("enquiry_id", "text"),
            Column("kind", "text"),
            Column("content", "bytes"),
            Column("sha256", "text"),
            Column("size", "int"),
            Column("pages", "int"),
            Column("source", "text"),
            Column("uploaded_at", "instant"),
            Column("uploaded_by", "text"),
        ),
        primary_key=("enquiry_id", "kind"),
    )
    releases = Table(
        RELEASES,
        (
            Column("enquiry_id", "text"),
            Column("kind", "text"),
            Column("released_at", "instant"),
            Column("by", "text"),
        ),
        primary_key=("enquiry_id", "kind"),
    )
    extensions = Table(
        EXTENSIONS,
        (
            Column("seq", "int", auto=True),
            Column("enquiry_id", "text"),
            Column("candidates", "json"),
            Column("reason", "text"),
            Column("extended_at", "instant"),
            Column("by", "text"),
        ),
        primary_key="seq",
        indexes=(Index(("enquiry_id",)),),
    )
    appeals = Table(
        APPEALS,
        (
            *text_columns("id", "enquiry_id", "centre"),
            Column("stage", "int"),
            Column("lodged_at", "instant"),
            Column("lodged_by", "text"),
            Column("decision_due", "instant", nullable=True),
            Column("follows", "text", nullable=True),
            Column("letter_issued_at", "instant", nullable=True),
        ),
        primary_key="id",
        unique=(UniqueIndex(("enquiry_id", "stage")),),
    )
    statements = Table(
        STATEMENTS,
        (
            *text_columns(
                "enquiry_id",
                "candidate",
                "centre",
                "series",
                "syllabus",
                "grade_before",
                "grade_after",
            ),
            Column("flagged_at", "instant"),
            Column("issued_at", "instant", nullable=True),
        ),
        primary_key=("enquiry_id", "candidate"),
        indexes=(Index(("series", "issued_at")),),
    )
    marks = Table(
        MARKS,
        (
            *text_columns("centre", "series", "candidate", "syllabus"),
            Column("marks", "json"),
            Column("grade", "text", nullable=True),
        ),
        primary_key=("centre", "series", "candidate", "syllabus"),
    )
    samples = Table(
        SAMPLES,
        (
            *text_columns("centre", "series", "syllabus", "component"),
            Column("candidates", "json"),
        ),
        primary_key=("centre", "series", "syllabus", "component"),
    )
    qualifications = Table(
        QUALIFICATIONS,
        (
            Column("code", "text"),
            Column("name", "text"),
            Column("on_results_website", "bool"),
            Column("group_award", "bool"),
        ),
        primary_key="code",
    )
    return tuple(
        CreateTable(t)
        for t in (
            enquiries,
            candidates,
            documents,
            releases,
            extensions,
            appeals,
            statements,
            marks,
            samples,
            qualifications,
        )
    )


#: Migration 4: enquiries about results (issue 5).
ENQUIRY_MIGRATION = Migration(version=4, name="enquiries", steps=enquiry_steps())
