"""Any input given to a parser either parses or raises the library's own error (SPEC section 5)."""

# Look-alike characters (full-width and Arabic-Indic digits, accents, bidi
# controls) are what these tests are about.
# ruff: noqa: RUF001

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pendulum
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cambridge_results.errors import CambridgeResultsError, InvalidValue
from cambridge_results.policy import DateOrInstant
from cambridge_results.serialization import parse_date, parse_instant
from cambridge_results.values import (
    UCI,
    Candidate,
    CandidateNumber,
    CentreNumber,
    ComponentCode,
    Delay,
    ExamSeries,
    Grade,
    SyllabusCode,
    validate_email,
    validate_phone,
)


def _name(text: Any) -> Any:
    return Candidate(centre="GB123", number="1", given_name=text, family_name="X")


PARSERS: dict[str, Callable[[Any], Any]] = {
    "ExamSeries.parse": ExamSeries.parse,
    "CentreNumber.parse": CentreNumber.parse,
    "CandidateNumber.parse": CandidateNumber.parse,
    "UCI.parse": UCI.parse,
    "SyllabusCode.parse": SyllabusCode.parse,
    "ComponentCode.parse": ComponentCode.parse,
    "Grade.parse": Grade.parse,
    "Delay.parse": Delay.parse,
    "validate_email": validate_email,
    "validate_phone": validate_phone,
    "parse_instant": parse_instant,
    "parse_date": parse_date,
    "DateOrInstant": DateOrInstant,
    "person name": _name,
}

# Text near the valid forms finds more edge cases than arbitrary Unicode alone.
_NEAR = "0123456789 -+:.,@()PTWDHMSZJuneNovdayshourminutesweekGBAXQ*\u0301\u202e\n１٢"
INPUTS = st.one_of(
    st.text(max_size=40),
    st.text(alphabet=_NEAR, max_size=30),
    st.from_regex(
        r"[0-9]{4}-[0-9]{2}-[0-9]{2}(T[0-9]{2}:[0-9]{2}(:[0-9]{2})?([+-][0-9]{2}:?[0-9]{2}|Z)?)?",
        fullmatch=True,
    ),
    st.none(),
    st.integers(),
    st.floats(allow_nan=True),
    st.binary(max_size=8),
    st.lists(st.text(max_size=3), max_size=2),
)


@pytest.mark.parametrize("name", sorted(PARSERS))
@settings(max_examples=50)
@given(value=INPUTS)
def test_a_parser_either_parses_or_raises_the_librarys_own_error(name: str, value: Any) -> None:
    """The issue: never another exception, and every refusal is an InvalidValue with a field."""
    try:
        PARSERS[name](value)
    except InvalidValue as exc:
        refused: InvalidValue | None = exc
    except CambridgeResultsError as exc:
        pytest.fail(f"{name} raised {type(exc).__name__}, not InvalidValue: {exc}")
    else:
        refused = None
    if refused is not None:
        assert refused.field
        assert refused.reason


@settings(max_examples=60)
@given(st.text(alphabet="0123456789-TZ:+", min_size=10, max_size=25))
def test_parsed_instants_are_always_aware_and_in_utc(text: str) -> None:
    """parse_instant never returns a naive or non-UTC time."""
    try:
        instant = parse_instant(text)
    except InvalidValue:
        return
    assert isinstance(instant, pendulum.DateTime)
    assert instant.tzinfo is not None
    assert instant.utcoffset() == pendulum.duration(0)
