"""Identifiers: ASCII-only patterns, EAR-12 short candidate numbers, SPEC section 5."""

# Look-alike characters (full-width and Arabic-Indic digits, accents, bidi
# controls) are what these tests are about.
# ruff: noqa: RUF001

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cambridge_results.errors import InvalidValue
from cambridge_results.testing import strategies as crst
from cambridge_results.values import (
    UCI,
    CandidateNumber,
    CentreNumber,
    ComponentCode,
    SyllabusCode,
)


def test_a_short_candidate_number_is_padded_to_four_digits() -> None:
    """EAR-12: 713 is the candidate 0713."""
    assert CandidateNumber("713") == CandidateNumber("0713")
    assert str(CandidateNumber("713")) == "0713"
    assert CandidateNumber("7").value == "0007"


@pytest.mark.parametrize(
    "text",
    ["１２３４", "١٢٣٤", "१२३४", " 1234", "1234 ", "1234\n", "12345", "", "12a4", "+123", "-123"],
)
def test_a_candidate_number_refuses_anything_but_one_to_four_ascii_digits(text: str) -> None:
    """SPEC section 5: full-width, Arabic-Indic and padded digits are not candidate numbers."""
    with pytest.raises(InvalidValue) as caught:
        CandidateNumber(text)
    assert caught.value.field == "candidate_number"
    assert caught.value.rule == "EAR-12"


def test_a_candidate_number_refuses_a_number_that_is_not_text() -> None:
    """Wrong types get the library's error, naming the field."""
    with pytest.raises(InvalidValue, match="candidate_number: must be text, not int"):
        CandidateNumber(713)  # type: ignore[arg-type]


@settings(max_examples=60)
@given(crst.candidate_number_texts())
def test_every_short_form_of_a_candidate_number_finds_the_same_candidate(text: str) -> None:
    """EAR-12: a number typed without leading zeros equals the zero-padded one."""
    number = CandidateNumber(text)
    assert number.value == text.zfill(4)
    assert CandidateNumber(text.lstrip("0") or "0") == number


@settings(max_examples=60)
@given(crst.invalid_candidate_number_texts())
def test_no_invalid_candidate_number_text_is_accepted(text: str) -> None:
    """SPEC section 5: the invalid-text strategy only draws text the parser refuses."""
    with pytest.raises(InvalidValue):
        CandidateNumber(text)


def test_candidate_numbers_sort_in_ascending_number_order() -> None:
    """CRW-07: the SELECTED list shows candidates in ascending candidate-number order."""
    numbers = [CandidateNumber(t) for t in ["1001", "713", "0002", "99"]]
    assert [n.value for n in sorted(numbers)] == ["0002", "0099", "0713", "1001"]


def test_a_centre_number_is_two_letters_and_three_digits_upper_cased() -> None:
    """docs/decisions.md: centre numbers look like GB123; lower case is upper-cased."""
    assert CentreNumber("gb123") == CentreNumber("GB123")
    for bad in ["GB12", "G1234", "GB1234", "ＧＢ123", "GB 123", " GB123", "GB123\n"]:
        with pytest.raises(InvalidValue, match="centre_number"):
            CentreNumber(bad)


def test_a_uci_is_thirteen_ascii_characters_upper_cased() -> None:
    """docs/decisions.md: a UCI like GB1232600713A; lower case is upper-cased."""
    assert UCI("gb1232600713a").value == "GB1232600713A"
    for bad in ["GB1232600713", "GB12326007131", "GB1232600713AB", "GB123260071３A", ""]:
        with pytest.raises(InvalidValue, match="uci"):
            UCI(bad)


def test_syllabus_and_component_codes_are_four_and_two_ascii_digits() -> None:
    """Syllabus 0580, component 12; nothing else."""
    assert str(SyllabusCode("0580")) == "0580"
    assert str(ComponentCode("12")) == "12"
    for bad in ["580", "05800", "０５８０"]:
        with pytest.raises(InvalidValue, match="syllabus_code"):
            SyllabusCode(bad)
    for bad in ["1", "123", "１２"]:
        with pytest.raises(InvalidValue, match="component_code"):
            ComponentCode(bad)


@settings(max_examples=40)
@given(
    st.one_of(
        crst.centre_numbers(),
        crst.candidate_numbers(),
        crst.ucis(),
        crst.syllabus_codes(),
        crst.component_codes(),
    )
)
def test_an_identifier_parses_back_from_its_text(identifier: object) -> None:
    """str() of an identifier is its canonical text, and parse() reads it back."""
    kind = type(identifier)
    assert kind.parse(str(identifier)) == identifier  # type: ignore[attr-defined]
    assert kind.parse(identifier) is identifier  # type: ignore[attr-defined]
    assert str(identifier).isascii()


@settings(max_examples=30)
@given(crst.centre_numbers(), crst.candidate_numbers(), st.data())
def test_a_uci_drawn_for_a_candidate_embeds_its_centre_and_number(
    centre: CentreNumber, number: CandidateNumber, data: st.DataObject
) -> None:
    """The ucis() strategy can draw UCIs that carry a given centre and candidate number."""
    uci = data.draw(crst.ucis(centre=centre, number=number))
    assert uci.value.startswith(centre.value)
    assert uci.value[8:12] == number.value
