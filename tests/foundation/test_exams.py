"""Qualifications, syllabuses, components, entries, marks and grades."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cambridge_results.errors import InvalidValue
from cambridge_results.testing import strategies as crst
from cambridge_results.values import (
    GRADES,
    AssessedBy,
    Component,
    ComponentCode,
    Entry,
    EntryStatus,
    ExamSeries,
    Grade,
    Mark,
    MarkSource,
    Qualification,
    Route,
    Syllabus,
)
from cambridge_results.values.enquiry_facts import CandidateResults, SyllabusFacts


def _paper(code: str = "12", **kw: object) -> Component:
    return Component(code=code, name="Paper", assessed_by=AssessedBy.BOARD, **kw)  # type: ignore[arg-type]


def test_a_qualification_code_is_upper_cased_ascii() -> None:
    """docs/decisions.md: qualification codes like IGCSE or AS-A-LEVEL."""
    assert Qualification(code="igcse", name="Cambridge IGCSE").code == "IGCSE"
    with pytest.raises(InvalidValue, match=r"qualification\.code"):
        Qualification(code="IGCSE ", name="Cambridge IGCSE")
    with pytest.raises(InvalidValue, match=r"qualification\.group_award"):
        Qualification(code="YLE", name="Young Learners", group_award=0)  # type: ignore[arg-type]


def test_a_qualification_has_no_website_flag_the_policy_decides() -> None:
    """LOG-08: which exams are off the website is the policy's list, not a flag an app sets."""
    with pytest.raises(TypeError):
        Qualification(code="YLE", name="Young Learners", on_results_website=False)  # type: ignore[call-arg]


def test_a_component_refuses_a_string_for_who_assessed_it() -> None:
    """Bad input gets InvalidValue naming the field, not attrs' TypeError."""
    with pytest.raises(InvalidValue, match=r"component\.assessed_by: must be one of AssessedBy"):
        Component(code="12", name="Paper", assessed_by="board")  # type: ignore[arg-type]


def test_a_centre_assessed_component_is_not_multiple_choice() -> None:
    """EAR-01: multiple-choice papers are marked by the board."""
    with pytest.raises(InvalidValue, match=r"component\.multiple_choice"):
        Component(code="12", name="Coursework", assessed_by=AssessedBy.CENTRE, multiple_choice=True)


def test_a_component_needs_a_positive_maximum_and_a_tolerance_below_it() -> None:
    """EAR-23: the tolerance decides whether a review changes a mark, so it is below max_mark."""
    assert _paper(max_mark=80, tolerance=2).tolerance == 2
    with pytest.raises(InvalidValue, match=r"component\.max_mark: must be at least 1"):
        _paper(max_mark=0)
    with pytest.raises(InvalidValue, match=r"component\.tolerance: must be at least 0"):
        _paper(tolerance=-1)
    with pytest.raises(InvalidValue) as caught:
        _paper(max_mark=10, tolerance=10)
    assert caught.value.rule == "EAR-23"


def test_a_syllabus_has_components_with_unique_codes() -> None:
    """A syllabus lists its components once each, and finds them by code."""
    syllabus = Syllabus(
        code="0580",
        name="Mathematics",
        qualification="IGCSE",
        components=(_paper("12"), _paper("42")),
    )
    assert syllabus.component("42").code == ComponentCode("42")
    with pytest.raises(InvalidValue, match="has no component 99"):
        syllabus.component("99")
    with pytest.raises(InvalidValue, match="component codes must be unique"):
        Syllabus(code="0580", name="M", qualification="IGCSE", components=(_paper(), _paper()))
    with pytest.raises(InvalidValue, match="at least one component"):
        Syllabus(code="0580", name="M", qualification="IGCSE", components=())


@pytest.mark.parametrize("components", [5, None, "12", ("12",), [object()]])
def test_a_syllabus_refuses_anything_but_a_list_of_components(components: object) -> None:
    """Bad input gets InvalidValue, never a TypeError from iterating."""
    with pytest.raises(InvalidValue, match=r"syllabus\.components"):
        Syllabus(code="0580", name="M", qualification="IGCSE", components=components)  # type: ignore[arg-type]


def test_an_entry_converts_text_and_refuses_bad_components() -> None:
    """An entry takes text for its identifiers and needs distinct component codes."""
    entry = Entry(
        centre="GB123",
        series="June 2026",
        candidate="713",
        syllabus="0580",
        components=["12", "42"],
    )
    assert entry.candidate.value == "0713"
    assert entry.components == (ComponentCode("12"), ComponentCode("42"))
    assert entry.valid
    for bad, match in [
        ("12", "must be a list"),
        (7, "must be a list"),
        ((), "at least one"),
        (("12", "12"), "unique"),
    ]:
        with pytest.raises(InvalidValue, match=match):
            Entry(centre="GB123", series="2026-06", candidate="1", syllabus="0580", components=bad)  # type: ignore[arg-type]


def test_a_withdrawn_entry_is_not_valid() -> None:
    """CRW-03: credentials need a valid entry; withdrawn ones do not count."""
    entry = Entry(
        centre="GB123", series="2026-06", candidate="1", syllabus="0580", components=["12"],
        status=EntryStatus.WITHDRAWN,
    )  # fmt: skip
    assert not entry.valid
    with pytest.raises(InvalidValue, match=r"entry\.route"):
        Entry(
            centre="GB123",
            series="2026-06",
            candidate="1",
            syllabus="0580",
            components=["12"],
            route="standard",
        )  # type: ignore[arg-type]


def test_a_mark_carries_its_source_and_an_exemption_carries_none() -> None:
    """EAR-02, EAR-05: marks say whether they came from an exam, moderation or a calculation."""
    assert Mark(component="12", source=MarkSource.EXAM, value=57).value == 57
    with pytest.raises(InvalidValue) as caught:
        Mark(component="12", source=MarkSource.EXEMPTION, value=3)
    assert caught.value.rule == "EAR-02"
    with pytest.raises(InvalidValue, match="needs a value"):
        Mark(component="12", source=MarkSource.CALCULATED)
    with pytest.raises(InvalidValue, match=r"mark\.value"):
        Mark(component="12", source=MarkSource.EXAM, value=-1)
    with pytest.raises(InvalidValue, match=r"mark\.source"):
        Mark(component="12", source="exam", value=1)  # type: ignore[arg-type]


def test_grades_include_x_for_no_result_and_q_for_pending() -> None:
    """EAR-01: X is NO RESULT and Q is PENDING."""
    assert (Grade("X").is_no_result, Grade("X").is_pending) == (True, False)
    assert (Grade("Q").is_no_result, Grade("Q").is_pending) == (False, True)
    assert {"A*", "U", "a", "9", "1"} <= set(GRADES)
    for bad in ["A+", "H", "0", "x", " A", "", "A*A"]:
        with pytest.raises(InvalidValue, match="is not a grade"):
            Grade(bad)
    with pytest.raises(InvalidValue, match="grade"):
        Grade(5)  # type: ignore[arg-type]


@settings(max_examples=40)
@given(crst.syllabuses())
def test_drawn_syllabuses_find_each_of_their_components(syllabus: Syllabus) -> None:
    """The syllabuses() strategy draws components of distinct codes, each findable."""
    for component in syllabus.components:
        assert syllabus.component(component.code) is component
        assert component.tolerance < component.max_mark


@settings(max_examples=40)
@given(crst.marks())
def test_drawn_marks_have_a_value_exactly_when_not_an_exemption(mark: Mark) -> None:
    """EAR-02: only exemptions lack a mark."""
    assert (mark.value is None) == (mark.source is MarkSource.EXEMPTION)


@settings(max_examples=30)
@given(crst.syllabuses(), crst.exam_series(), st.data())
def test_entries_drawn_for_a_syllabus_use_only_its_components(
    syllabus: Syllabus, series: ExamSeries, data: st.DataObject
) -> None:
    """entries(syllabus=...) enters some of that syllabus's components, in that series."""
    entry = data.draw(crst.entries(syllabus=syllabus, series=series))
    assert entry.series == series
    assert entry.syllabus == syllabus.code
    assert set(entry.components) <= {c.code for c in syllabus.components}
    assert entry.route in Route


@settings(max_examples=40)
@given(crst.syllabuses(), crst.component_codes())
def test_a_syllabus_finds_a_component_by_code_or_says_none(
    syllabus: Syllabus, code: ComponentCode
) -> None:
    """``find_component`` is the component of that code, or ``None`` when there is none."""
    expected = next((c for c in syllabus.components if c.code == code), None)
    assert syllabus.find_component(code) is expected
    if expected is None:
        with pytest.raises(InvalidValue, match="has no component"):
            syllabus.component(code)
    else:
        assert syllabus.component(code.value) is expected


@settings(max_examples=40)
@given(st.data())
def test_facts_find_a_candidates_results_or_say_none(data: st.DataObject) -> None:
    """EAR-03: ``results_for`` is that candidate's results, or ``None`` without an entry."""
    syllabus = data.draw(crst.syllabuses())
    drawn = data.draw(st.lists(crst.entries(syllabus=syllabus), max_size=6))
    entries = list({e.candidate: e for e in drawn}.values())  # one result per candidate
    facts = SyllabusFacts(
        qualification=Qualification(code=syllabus.qualification, name="Drawn"),
        syllabus=syllabus,
        results=tuple(CandidateResults(entry=e) for e in entries),
    )
    wanted = data.draw(
        st.sampled_from([e.candidate for e in entries]) | crst.candidate_numbers()
        if entries
        else crst.candidate_numbers()
    )
    expected = next((r for r in facts.results if r.candidate == wanted), None)
    assert facts.results_for(wanted) is expected
