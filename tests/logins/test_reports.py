"""Preparation centre reports: criteria, exams not on the website, the 300-PDF cap (LOG-07..09)."""

from __future__ import annotations

import unicodedata

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cambridge_results import example_2026, international_2023
from cambridge_results.errors import InvalidValue, LoginRefused
from cambridge_results.policy import ReportPolicy
from cambridge_results.rules.reports.criteria import (
    CandidateNumberRange,
    ReportCriteria,
    check_pdf_request,
    check_report_exam,
    pdf_batches,
    report_criteria,
    select_candidates,
)
from cambridge_results.values import Candidate, CandidateNumber, Qualification

NAMES = [
    ("Ann", "Smith"),
    ("Joanna", "Brown"),
    ("HANNAH", "Straße"),
    ("Éloïse", "Martin"),
    ("Kim", "Annan"),
    ("Ravi", "Patel"),
]


def candidates() -> list[Candidate]:
    """Six candidates of centre GB123, numbers 0001 to 0006, in shuffled order."""
    people = [
        Candidate(centre="GB123", number=str(i + 1), given_name=g, family_name=f)
        for i, (g, f) in enumerate(NAMES)
    ]
    return people[3:] + people[:3]


def numbers(selected: tuple[Candidate, ...]) -> list[str]:
    """The candidate numbers of a selection, as text."""
    return [str(c.number) for c in selected]


def test_a_number_range_is_inclusive_and_sorted() -> None:
    """LOG-07: From 0002 To 0004 selects 0002, 0003 and 0004, in order."""
    criteria = report_criteria(number_from="0002", number_to="0004")
    assert numbers(select_candidates(candidates(), criteria)) == ["0002", "0003", "0004"]


def test_one_candidate_is_from_equal_to() -> None:
    """LOG-07: the same number in From and To finds one candidate."""
    criteria = report_criteria(number_from="0005", number_to="0005")
    assert numbers(select_candidates(candidates(), criteria)) == ["0005"]
    assert CandidateNumberRange.one("0005") == criteria.numbers


def test_a_partial_first_name_matches_ignoring_case() -> None:
    """LOG-07: 'ann' finds Ann, Joanna and HANNAH by first name, not Kim Annan."""
    selected = select_candidates(candidates(), report_criteria(first_name="ann"))
    assert [c.given_name for c in selected] == ["Ann", "Joanna", "HANNAH"]


def test_a_partial_last_name_matches_ignoring_case() -> None:
    """LOG-07: 'ANN' as last name finds Kim Annan only."""
    selected = select_candidates(candidates(), report_criteria(last_name="ANN"))
    assert [c.family_name for c in selected] == ["Annan"]


def test_names_match_by_unicode_case_folding_and_nfc() -> None:
    """LOG-07: 'STRASSE' finds Straße; a decomposed 'éloïse' finds Éloïse."""
    assert numbers(select_candidates(candidates(), report_criteria(last_name="STRASSE"))) == [
        "0003"
    ]
    decomposed = unicodedata.normalize("NFD", "éloïse")
    assert numbers(select_candidates(candidates(), report_criteria(first_name=decomposed))) == [
        "0004"
    ]


def test_criteria_combine_and_blank_fields_are_not_criteria() -> None:
    """LOG-07: every criterion given must match; empty fields select everyone."""
    both = report_criteria(number_from="1", number_to="3", first_name="ann", last_name="")
    assert numbers(select_candidates(candidates(), both)) == ["0001", "0002", "0003"]
    assert len(select_candidates(candidates(), report_criteria())) == 6


def test_a_form_with_several_problems_reports_them_all() -> None:
    """LOG-07: full-width digits, a missing To and a bad name are all reported at once."""
    with pytest.raises(LoginRefused) as info:
        report_criteria(number_from="\uff11\uff12\uff13\uff14", first_name="a\u202eb")
    assert info.value.codes == (
        "LOG-07.number-from-invalid",
        "LOG-07.range-incomplete",
        "LOG-07.first-name-invalid",
    )


def test_a_reversed_range_is_refused() -> None:
    """LOG-07: To before From is an error, in the form and in the value object."""
    with pytest.raises(LoginRefused) as info:
        report_criteria(number_from="0009", number_to="0002")
    assert info.value.codes == ("LOG-07.range-reversed",)
    with pytest.raises(InvalidValue, match="candidate_number_to"):
        CandidateNumberRange(first="0009", last="0002")


@settings(max_examples=100)
@given(
    a=st.integers(0, 9999),
    b=st.integers(0, 9999),
    present=st.sets(st.integers(0, 9999), max_size=30),
)
def test_a_range_selects_exactly_the_numbers_between_its_ends(
    a: int, b: int, present: set[int]
) -> None:
    """LOG-07: membership is numeric order, ends included; the result is sorted."""
    low, high = sorted((a, b))
    people = [
        Candidate(centre="GB123", number=f"{n:04d}", given_name="A", family_name="B")
        for n in present
    ]
    criteria = ReportCriteria(numbers=CandidateNumberRange(first=f"{low:04d}", last=f"{high:04d}"))
    selected = select_candidates(people, criteria)
    assert [int(str(c.number)) for c in selected] == sorted(n for n in present if low <= n <= high)


@pytest.mark.parametrize(
    ("code", "name"),
    [
        ("SFL", "Skills for Life"),
        ("TKT", "Teaching Knowledge Test"),
        ("YLE", "Young Learners English"),
    ],
)
def test_exams_the_shipped_policies_list_say_they_are_not_on_the_website(
    code: str, name: str
) -> None:
    """LOG-08: the shipped policies list these exams; asking for one says so, by name."""
    for policy in (international_2023(), example_2026()):
        decision = check_report_exam(Qualification(code=code, name=name), policy.reports)
        assert decision.codes == ("LOG-08.not-on-results-website",)
        assert name in decision.reasons[0].message
        assert not check_report_exam(code.lower(), policy.reports).allowed


def test_exams_on_the_website_are_allowed() -> None:
    """LOG-08: an ordinary qualification can be reported on."""
    policy = ReportPolicy()
    assert check_report_exam(Qualification(code="IGCSE", name="Cambridge IGCSE"), policy).allowed


def test_a_policy_decides_which_exams_are_off_the_website() -> None:
    """LOG-08: the policy is the only source: a board's list replaces the default one."""
    policy = ReportPolicy(not_on_results_website=["IGCSE"])
    assert not check_report_exam("IGCSE", policy).allowed
    assert check_report_exam("YLE", policy).allowed


@pytest.mark.parametrize("bad", ["YLE", ["YLE", "yle"], ["no spaces"]])
def test_a_bad_list_of_exams_off_the_website_is_refused_citing_log_08(bad: object) -> None:
    """LOG-08: a bare string, a duplicate or a malformed code is an InvalidValue."""
    with pytest.raises(InvalidValue) as info:
        ReportPolicy(not_on_results_website=bad)  # type: ignore[arg-type]
    assert "reports.not_on_results_website" in str(info.value)


def test_three_hundred_pdfs_are_allowed_and_three_hundred_and_one_are_not() -> None:
    """LOG-09: 301 is a typed error telling the user to work in batches of at most 300."""
    policy = ReportPolicy()
    assert check_pdf_request(300, policy).allowed
    with pytest.raises(LoginRefused) as info:
        check_pdf_request(301, policy).raise_if_refused()
    assert info.value.codes == ("LOG-09.too-many-pdfs",)
    assert "batches of at most 300" in str(info.value)


def test_an_empty_or_negative_request_is_refused() -> None:
    """LOG-09: nothing selected is refused; a negative count is bad input."""
    assert check_pdf_request(0, ReportPolicy()).codes == ("LOG-09.nothing-selected",)
    with pytest.raises(InvalidValue):
        check_pdf_request(-1, ReportPolicy())


def test_the_cap_is_policy_data() -> None:
    """LOG-09: a policy with a cap of 50 refuses 51."""
    assert check_pdf_request(51, ReportPolicy(max_pdfs_per_request=50)).codes == (
        "LOG-09.too-many-pdfs",
    )


@settings(max_examples=100)
@given(count=st.integers(0, 1300), cap=st.integers(1, 400))
def test_batches_cover_the_selection_in_order_and_each_fits_the_cap(count: int, cap: int) -> None:
    """LOG-09: batches are stable, in order, every item once, all but the last full."""
    policy = ReportPolicy(max_pdfs_per_request=cap)
    items = [CandidateNumber(f"{i % 10000:04d}") for i in range(count)]
    batches = pdf_batches(items, policy)
    assert [x for batch in batches for x in batch] == items
    assert all(check_pdf_request(len(b), policy).allowed for b in batches)
    assert all(len(b) == cap for b in batches[:-1])
    assert pdf_batches(items, policy) == batches


def test_seven_hundred_pdfs_make_batches_of_300_300_and_100() -> None:
    """LOG-09: the default cap splits 700 into 300, 300, 100."""
    assert [len(b) for b in pdf_batches(list(range(700)), ReportPolicy())] == [300, 300, 100]
