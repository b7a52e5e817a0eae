"""The reports feature's table: candidates' results, with the skill scores of the profile.

Results are kept per centre, series, candidate and syllabus: the grade and,
for the graphical profile (LOG-10), the overall score and the score per
skill.  Reports read them by candidate-number range and by name (LOG-07).
The migration is listed by the composition root
(:mod:`cambridge_results.board.schema`); once shipped it is never edited.
"""

from __future__ import annotations

from cambridge_results.storage.migrations import CreateTable, Migration
from cambridge_results.storage.schema import Column, Table, text_columns

__all__ = ["REPORTS_MIGRATION", "RESULTS"]

#: One row per centre, series, candidate and syllabus (LOG-07, LOG-10).
RESULTS = Table(
    "report_results",
    (
        *text_columns("centre", "series", "candidate", "syllabus", "grade"),
        Column("overall", "int", nullable=True),
        Column("skills", "json"),
    ),
    primary_key=("centre", "series", "candidate", "syllabus"),
)

#: Migration 6: candidates' results for reports and statements (issue 12).
REPORTS_MIGRATION = Migration(version=6, name="reports", steps=(CreateTable(RESULTS),))
