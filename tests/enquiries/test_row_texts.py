"""The texts enquiry rows are keyed by are the storage keys', for identifiers and text alike."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from cambridge_results.enquiries._rows import group_texts, text_of
from cambridge_results.errors import InvalidValue
from cambridge_results.storage.keys import candidate_key, centre_key, series_key, syllabus_key
from cambridge_results.values import CandidateNumber, CentreNumber, ExamSeries, SyllabusCode

CENTRES = st.sampled_from(["GB123", "gb123", "GB12", "", "GB1234"])
SERIES = st.sampled_from(["2026-06", "June 2026", "Nov 2026", "2026-13", "June"])
SYLLABUSES = st.sampled_from(["9709", "0580", "97O9", ""])
CANDIDATES = st.sampled_from(["713", "0713", "0001", "12345", "", "७१३"])


def _parsed(parse: object, text: str) -> object:
    """The identifier parsed from ``text``, or the text itself when it does not parse."""
    try:
        return parse(text)  # type: ignore[operator]
    except InvalidValue:
        return text


def _outcome(make: object, *args: object) -> tuple[str, object]:
    try:
        return ("ok", make(*args))  # type: ignore[operator]
    except InvalidValue as exc:
        return ("refused", str(exc))


@given(CENTRES, SERIES, SYLLABUSES, st.booleans())
def test_a_group_is_keyed_as_the_storage_keys_key_it(
    centre: str, series: str, syllabus: str, as_values: bool
) -> None:
    """EAR-06, EAR-13: the group an enquiry's rows are read by, given as values or text."""
    args: tuple[object, ...] = (centre, series, syllabus)
    if as_values:
        args = (
            _parsed(CentreNumber.parse, centre),
            _parsed(ExamSeries.parse, series),
            _parsed(SyllabusCode.parse, syllabus),
        )

    def keys(c: object, s: object, y: object) -> tuple[str, str, str]:
        return (centre_key(c), series_key(s), syllabus_key(y))  # type: ignore[arg-type]

    assert _outcome(group_texts, *args) == _outcome(keys, *args)


@given(CANDIDATES, st.booleans())
def test_a_candidate_is_keyed_as_the_storage_key_keys_it(number: str, as_value: bool) -> None:
    """EAR-12: 713 is 0713 either way; a number that does not parse is refused alike."""
    value = _parsed(CandidateNumber.parse, number) if as_value else number
    assert _outcome(text_of, value) == _outcome(candidate_key, value)
