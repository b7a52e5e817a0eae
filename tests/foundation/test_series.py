"""Exam series: June and November, parsed from 'June 2026' and '2026-06'."""

from __future__ import annotations

import pytest
from hypothesis import given, settings

from cambridge_results.errors import InvalidValue
from cambridge_results.testing import strategies as crst
from cambridge_results.values import ExamSeries, Session


@pytest.mark.parametrize("text", ["June 2026", "june 2026", "JUNE 2026", "Jun 2026", "2026-06"])
def test_june_2026_parses_from_words_and_from_its_code(text: str) -> None:
    """The issue: ExamSeries parses 'June 2026' and '2026-06'."""
    assert ExamSeries.parse(text) == ExamSeries(year=2026, session=Session.JUNE)


def test_a_series_prints_as_words_and_stores_as_its_code() -> None:
    """str() is 'November 2026'; code is '2026-11'."""
    series = ExamSeries.parse("Nov 2026")
    assert str(series) == "November 2026"
    assert series.code == "2026-11"


@pytest.mark.parametrize(
    "text",
    ["March 2026", "2026-03", "2026-6", "June  2026", " June 2026", "June 2026 ", "June 26", ""],
)
def test_other_months_and_loose_spellings_are_refused(text: str) -> None:
    """docs/decisions.md: only June and November sessions; no surrounding spaces."""
    with pytest.raises(InvalidValue) as caught:
        ExamSeries.parse(text)
    assert caught.value.field == "series"


def test_a_year_out_of_range_is_refused_naming_the_text_parsed() -> None:
    """docs/decisions.md: series years run from 2000 to 2099."""
    with pytest.raises(InvalidValue, match="series: 'June 1999': the year must be between"):
        ExamSeries.parse("June 1999")
    with pytest.raises(InvalidValue, match=r"series\.year"):
        ExamSeries(year=2100, session=Session.JUNE)


def test_the_constructor_refuses_a_month_number_for_a_session() -> None:
    """Keyword-only, validated: session must be a Session member."""
    with pytest.raises(InvalidValue, match=r"series\.session"):
        ExamSeries(year=2026, session=6)  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        ExamSeries(2026, Session.JUNE)  # type: ignore[misc]


@settings(max_examples=60)
@given(crst.exam_series())
def test_a_series_parses_back_from_its_code_and_from_its_words(series: ExamSeries) -> None:
    """parse(code) and parse(str) both give the series back."""
    assert ExamSeries.parse(series.code) == series
    assert ExamSeries.parse(str(series)) == series


@settings(max_examples=60)
@given(crst.exam_series(), crst.exam_series())
def test_series_order_by_year_then_june_before_november(a: ExamSeries, b: ExamSeries) -> None:
    """Series sort in calendar order, like their codes."""
    assert (a < b) == (a.code < b.code)


@settings(max_examples=60)
@given(crst.exam_series())
def test_a_series_code_is_its_year_and_month_kept_outside_its_fields(series: ExamSeries) -> None:
    """The code is YYYY-MM, the same however often read; it is no field (eq, hash, asdict)."""
    import attrs

    expected = f"{series.year:04d}-{series.session.value:02d}"
    fresh = ExamSeries(year=series.year, session=series.session)
    assert series.code == expected
    assert series.code is series.code
    assert fresh == series
    assert hash(fresh) == hash(series)
    assert attrs.asdict(series, recurse=False) == {"year": series.year, "session": series.session}
