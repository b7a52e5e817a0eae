"""Names people type: NFC, every script, no control or bidi characters (SPEC section 5)."""

# Look-alike characters (full-width and Arabic-Indic digits, accents, bidi
# controls) are what these tests are about.
# ruff: noqa: RUF001

from __future__ import annotations

import unicodedata

import pytest
from hypothesis import given, settings

from cambridge_results.errors import InvalidValue
from cambridge_results.testing import strategies as crst
from cambridge_results.values import Candidate


def _candidate(given_name: str, family_name: str = "Okafor") -> Candidate:
    return Candidate(centre="GB123", number="713", given_name=given_name, family_name=family_name)


@pytest.mark.parametrize(
    "name",
    ["Zoë", "Ngozi", "محمد", "देवनागरी", "王小明", "김민준", "Ἀλέξανδρος", "Олена", "O'Brien-Smith"],
)
def test_names_in_every_script_are_accepted(name: str) -> None:
    """SPEC section 5: letters of every script are accepted."""
    assert _candidate(name).given_name == name


def test_a_name_is_stored_in_nfc() -> None:
    """SPEC section 5: 'e' plus a combining acute accent is stored as one character."""
    candidate = _candidate("Rene\u0301e")
    assert candidate.given_name == "Ren\u00e9e"
    assert unicodedata.is_normalized("NFC", candidate.given_name)


def test_zero_width_joiners_that_shape_arabic_and_indic_names_are_accepted() -> None:
    """docs/decisions.md: ZWNJ and ZWJ are the only format characters a name may hold."""
    assert _candidate("क्\u200dष").given_name == "क्\u200dष"
    assert _candidate("می\u200cخواهم").given_name == "می\u200cخواهم"


@pytest.mark.parametrize(
    ("name", "code_point"),
    [
        ("Ann\u202eeL", "U+202E"),
        ("Ann\u2066Lee", "U+2066"),
        ("A\u200bnn", "U+200B"),
        ("Ann\x00", "U+0000"),
        ("Ann\tLee", "U+0009"),
        ("Ann\u00a0Lee", "U+00A0"),
        ("Ann\u2028Lee", "U+2028"),
    ],
)
def test_control_bidi_and_invisible_characters_are_refused_by_code_point(
    name: str, code_point: str
) -> None:
    """SPEC section 5: the error names the field and the character refused."""
    with pytest.raises(InvalidValue) as caught:
        _candidate(name)
    assert caught.value.field == "candidate.given_name"
    assert code_point in str(caught.value)


@pytest.mark.parametrize("name", ["", "   ", " Ann", "Ann ", "\u3000Ann"])
def test_blank_names_and_surrounding_white_space_are_refused(name: str) -> None:
    """docs/decisions.md: names are not trimmed silently; surrounding spaces are an error."""
    with pytest.raises(InvalidValue, match=r"candidate\.given_name"):
        _candidate(name)


def test_over_long_names_are_refused() -> None:
    """SPEC section 5: over-long text gets a typed error; names hold up to 100 characters."""
    assert len(_candidate("A" * 100).given_name) == 100
    with pytest.raises(InvalidValue, match="at most 100 characters"):
        _candidate("A" * 101)


@settings(max_examples=80)
@given(crst.person_names(), crst.person_names())
def test_any_drawn_name_is_accepted_and_stored_in_nfc(given_name: str, family_name: str) -> None:
    """Every name the person_names() strategy draws is valid and comes back NFC-normalised."""
    candidate = _candidate(given_name, family_name)
    assert candidate.given_name == unicodedata.normalize("NFC", given_name)
    assert candidate.full_name == f"{candidate.given_name} {candidate.family_name}"


@settings(max_examples=80)
@given(crst.names_with_refused_characters())
def test_a_name_with_any_refused_character_is_refused(name: str) -> None:
    """SPEC section 5: one control, bidi, invisible or odd-space character spoils a name."""
    with pytest.raises(InvalidValue, match=r"candidate\.given_name"):
        _candidate(name)
