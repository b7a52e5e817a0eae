"""Statements of results with a graphical profile (LOG-10), always provisional (CRW-11).

Real PDFs, read back with pypdf: the text against a committed golden file,
and the bars' rectangles out of the page's drawing operators, so the chart
is checked as drawn.
"""

from __future__ import annotations

import difflib
import io
import os
import re
from pathlib import Path

import pendulum
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pypdf import PdfReader

from cambridge_results.errors import InvalidValue, RenderError
from cambridge_results.rendering import (
    CAMBRIDGE_ENGLISH_SCALE,
    ScaleBand,
    ScoreScale,
    SkillScore,
    StatementData,
    StatementRenderer,
    UnrenderableText,
)
from cambridge_results.rendering.fpdf_statements import (
    BAR,
    CHART_HEIGHT,
    STATEMENT_TITLE,
    FpdfStatementRenderer,
)
from cambridge_results.rendering.statement import SKILLS
from cambridge_results.rules.website.results_view import PROVISIONAL_NOTICE

GOLDEN = Path(__file__).parent / "golden"
CREATED = pendulum.datetime(2026, 8, 20, 9, 0, tz="UTC")
MM = 72 / 25.4
RENDERER = FpdfStatementRenderer()


def statement(**changes: object) -> StatementData:
    """A B2 First statement with all five skills; ``changes`` override fields."""
    fields: dict[str, object] = {
        "centre": "GB123",
        "series": "2026-06",
        "candidate_number": "0713",
        "candidate_name": "Aisha Rahman",
        "syllabus": "0082",
        "exam": "B2 First",
        "skills": [
            SkillScore(skill=k, score=v)
            for k, v in zip(SKILLS, (172, 165, 181, 176, 169), strict=True)
        ],
        "overall": 173,
        "grade": "B",
        "centre_name": "Example School",
    }
    fields.update(changes)
    return StatementData(**fields)  # type: ignore[arg-type]  # the test passes loose values


def page_texts(pdf: bytes) -> list[str]:
    """The text of every page, as pypdf reads it back."""
    return [page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages]


def flat(text: str) -> str:
    """Text with every run of white space made one space."""
    return " ".join(text.split())


def bar_heights(pdf: bytes, page: int = 0) -> list[float]:
    """Heights in mm of the rectangles filled in the bar colour, left to right."""
    content = PdfReader(io.BytesIO(pdf)).pages[page].get_contents()
    assert content is not None
    ops = content.get_data().decode("latin-1")
    colour = " ".join(f"{c / 255:.3f}".rstrip("0").rstrip(".") for c in BAR)
    bars: list[tuple[float, float]] = []
    current = ""
    pattern = r"([\d. ]+) rg|(-?[\d.]+) (-?[\d.]+) (-?[\d.]+) (-?[\d.]+) re f"
    for match in re.finditer(pattern, ops):
        if match.group(1) is not None:
            current = " ".join(
                f"{float(v):.3f}".rstrip("0").rstrip(".") for v in match.group(1).split()
            )
        elif current == colour:
            x, h = float(match.group(2)), float(match.group(5))
            bars.append((x, abs(h) / MM))
    return [h for _, h in sorted(bars)]


def test_statements_match_the_golden_text() -> None:
    """LOG-10: two pinned statements read back exactly as the committed golden text."""
    second = statement(
        candidate_number="0714",
        candidate_name="Tomás Ó Briain",
        skills=[SkillScore(skill="Reading", score=80), SkillScore(skill="Writing", score=230)],
        overall=None,
        grade=None,
        centre_name=None,
    )
    pages = page_texts(RENDERER.render([statement(), second], created=CREATED))
    actual = "".join(f"=== page {i} ===\n{page}\n" for i, page in enumerate(pages, start=1))
    path = GOLDEN / "statements.txt"
    if os.environ.get("UPDATE_GOLDEN") == "1":
        path.parent.mkdir(exist_ok=True)
        path.write_text(actual, encoding="utf-8")
    expected = path.read_text(encoding="utf-8")
    diff = "\n".join(difflib.unified_diff(expected.splitlines(), actual.splitlines(), lineterm=""))
    assert actual == expected, f"statement text differs from golden/statements.txt:\n{diff}"


def test_every_statement_says_its_results_are_provisional() -> None:
    """CRW-11: every page carries the provisional notice, in full, and again in the footer."""
    batch = [statement(candidate_number=f"{n:04d}") for n in range(1, 4)]
    for text in page_texts(RENDERER.render(batch, created=CREATED)):
        assert flat(PROVISIONAL_NOTICE) in flat(text)
        assert "Provisional results, for information only." in text


def test_a_statement_shows_who_what_and_every_score() -> None:
    """LOG-10: name, numbers, exam, overall score with its CEFR level, grade and every score."""
    (text,) = page_texts(RENDERER.render([statement()], created=CREATED))
    for expected in (
        STATEMENT_TITLE,
        "Aisha Rahman",
        "0713",
        "GB123",
        "Example School",
        "B2 First",
        "0082",
        "173 (CEFR B2)",
        "Overall score 173",
        "Cambridge English Scale (80 to 230)",
        *SKILLS,
        *("172", "165", "181", "176", "169"),
        *(b.label for b in CAMBRIDGE_ENGLISH_SCALE.bands),
        "Reference GB123_2026-06_0713_0082",
        "Printed 20 August 2026",
    ):
        assert expected in text, expected


@settings(max_examples=12, deadline=None)
@given(
    st.lists(
        st.integers(CAMBRIDGE_ENGLISH_SCALE.minimum, CAMBRIDGE_ENGLISH_SCALE.maximum),
        min_size=1,
        max_size=len(SKILLS),
    )
)
def test_each_bar_is_as_tall_as_its_score_on_the_scale(scores: list[int]) -> None:
    """LOG-10: bar height = (score - 80) / (230 - 80) of the chart, one bar per skill, in order."""
    skills = [SkillScore(skill=k, score=v) for k, v in zip(SKILLS, scores, strict=False)]
    pdf = RENDERER.render([statement(skills=skills, overall=None)], created=CREATED)
    scale = CAMBRIDGE_ENGLISH_SCALE
    expected = [
        (v - scale.minimum) / (scale.maximum - scale.minimum) * CHART_HEIGHT
        for v in scores
        if v > scale.minimum
    ]
    assert bar_heights(pdf) == pytest.approx(expected, abs=0.02)


def test_a_scale_of_ones_own_is_drawn_with_its_bands() -> None:
    """LOG-10: another scale (0 to 100, pass band from 60) sets the bars and the band labels."""
    scale = ScoreScale(
        name="Percentage",
        minimum=0,
        maximum=100,
        step=10,
        bands=(ScaleBand(label="Fail", start=0), ScaleBand(label="Pass", start=60)),
    )
    skills = [SkillScore(skill="Theory", score=50), SkillScore(skill="Practice", score=100)]
    pdf = RENDERER.render([statement(scale=scale, skills=skills, overall=75)], created=CREATED)
    assert bar_heights(pdf) == pytest.approx([CHART_HEIGHT / 2, CHART_HEIGHT], abs=0.02)
    (text,) = page_texts(pdf)
    assert "Percentage (0 to 100)" in text
    assert "75 (CEFR Pass)" in text


def test_rendering_is_reproducible_and_metadata_names_nobody() -> None:
    """LOG-10: pinned dates give identical bytes; the metadata carries no name."""
    first = RENDERER.render([statement()], created=CREATED)
    assert RENDERER.render([statement()], created=CREATED) == first
    meta = PdfReader(io.BytesIO(first)).metadata
    assert meta is not None
    assert meta.title == STATEMENT_TITLE
    assert "Aisha" not in repr(dict(meta))
    assert isinstance(RENDERER, StatementRenderer)


def test_names_in_other_scripts_are_shaped_and_unrenderable_ones_refused() -> None:
    """LOG-10: an Arabic name is drawn; a name no font has is refused before any output."""
    (text,) = page_texts(
        RENDERER.render([statement(candidate_name="عائشة الرحمن")], created=CREATED)
    )
    assert "Candidate number" in text
    with pytest.raises(UnrenderableText) as raised:
        RENDERER.render([statement(), statement(candidate_name="王小明")], created=CREATED)
    assert "王" not in str(raised.value)


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"skills": []}, "skills"),
        ({"skills": [SkillScore(skill="Reading", score=79)]}, "skills[0].score"),
        ({"skills": [SkillScore(skill="Reading", score=231)]}, "skills[0].score"),
        (
            {
                "skills": [
                    SkillScore(skill="Reading", score=150),
                    SkillScore(skill="reading", score=160),
                ]
            },
            "skills",
        ),
        ({"overall": 300}, "overall"),
        ({"overall": True}, "overall"),
        ({"grade": "B\n"}, "grade"),
        ({"candidate_name": " Aisha"}, "candidate_name"),
        ({"timezone": "Mars/Olympus"}, "timezone"),
    ],
)
def test_bad_statement_fields_are_refused_by_name(changes: dict[str, object], field: str) -> None:
    """LOG-10: a statement that cannot be drawn honestly is refused, naming the field."""
    with pytest.raises(InvalidValue) as raised:
        statement(**changes)
    assert raised.value.message.startswith(f"{field}: ")


def test_bad_scales_are_refused() -> None:
    """LOG-10: an empty range, bands outside it or out of order, too fine a grid."""
    with pytest.raises(InvalidValue):
        ScoreScale(name="S", minimum=10, maximum=10, step=1)
    with pytest.raises(InvalidValue):
        ScoreScale(name="S", minimum=0, maximum=10, step=1, bands=(ScaleBand(label="X", start=10),))
    with pytest.raises(InvalidValue):
        ScoreScale(
            name="S",
            minimum=0,
            maximum=10,
            step=1,
            bands=(ScaleBand(label="B", start=5), ScaleBand(label="A", start=2)),
        )
    with pytest.raises(InvalidValue):
        ScoreScale(name="S", minimum=0, maximum=1000, step=1)
    with pytest.raises(InvalidValue):
        SkillScore(skill="Reading\u202e", score=100)


def test_an_empty_batch_or_a_naive_date_is_an_error() -> None:
    """LOG-10: nothing to draw, or a creation date without a zone, is a RenderError."""
    with pytest.raises(RenderError):
        RENDERER.render([], created=CREATED)
    with pytest.raises(RenderError):
        RENDERER.render([statement()], created=pendulum.naive(2026, 8, 20))  # type: ignore[arg-type]
