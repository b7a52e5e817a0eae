"""Statement grades as boards print them, a star included (LOG-10)."""

from __future__ import annotations

import io

import pendulum
import pytest
from pypdf import PdfReader

from cambridge_results.errors import InvalidValue
from cambridge_results.rendering import SkillScore, StatementData
from cambridge_results.rendering.fpdf_statements import FpdfStatementRenderer

CREATED = pendulum.datetime(2026, 8, 20, 9, 0, tz="UTC")


def _statement(grade: str) -> StatementData:
    return StatementData(
        centre="GB123",
        series="2026-06",
        candidate_number="0713",
        candidate_name="Aisha Rahman",
        syllabus="0082",
        exam="B2 First",
        skills=(SkillScore(skill="Reading", score=172),),
        overall=172,
        grade=grade,
    )


@pytest.mark.parametrize("grade", ["A*", "A*A", "9-1", "Pass with Merit", "*"])
def test_a_starred_grade_is_accepted_and_printed_as_given(grade: str) -> None:
    """LOG-10: "A*" is a grade; the statement shows it, read back with pypdf."""
    pdf = FpdfStatementRenderer().render([_statement(grade)], created=CREATED)
    text = PdfReader(io.BytesIO(pdf)).pages[0].extract_text()
    assert f"Grade\n{grade}" in text or f"Grade {grade}" in text


@pytest.mark.parametrize("grade", ["", " A", "A\n", "Á", "A" * 31, "<b>"])
def test_a_grade_that_cannot_be_printed_honestly_is_refused_citing_log_10(grade: str) -> None:
    """LOG-10: blanks, control characters, non-ASCII and overlong grades are refused by name."""
    with pytest.raises(InvalidValue) as raised:
        _statement(grade)
    assert raised.value.message.startswith("grade: ")
    assert raised.value.rule == "LOG-10"
