"""A syllabus row's cache key (EAR-01, EAR-03 read the syllabus): equal keys build alike."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from cambridge_results.enquiries.results import _syllabus_key
from cambridge_results.errors import InvalidValue
from cambridge_results.serialization import structure
from cambridge_results.storage.repositories import reference_value
from cambridge_results.values import Syllabus

#: Scalars a JSON column gives back, with equal values of other types (True, 1, 1.0; 0.0, -0.0).
SCALARS = st.sampled_from([None, True, False, 0, 1, 56, 0.0, -0.0, 1.0, 56.0, "", "1", "12"])
COMPONENT = st.fixed_dictionaries(
    {
        "code": st.sampled_from(["12", "13", 12]),
        "name": st.sampled_from(["Paper 1", 1]),
        "assessed_by": st.sampled_from(["board", "centre", True]),
        "multiple_choice": SCALARS,
        "max_mark": SCALARS,
        "tolerance": SCALARS,
    }
)
ROW = st.fixed_dictionaries(
    {
        "code": st.sampled_from(["0580", 580]),
        "name": st.just("Mathematics"),
        "qualification": st.just("IGCSE"),
        "art_and_design": SCALARS,
        "components": st.lists(COMPONENT, min_size=1, max_size=2),
    }
)


def _built(row: dict[str, Any]) -> tuple[str, str]:
    """What ``structure`` makes of the row: its value's repr, or why it refuses it."""
    try:
        return ("ok", repr(structure(row, Syllabus)))
    except InvalidValue as exc:
        return ("refused", str(exc))


#: Each scalar's equal values of other types: a twin row swaps some in.
EQUALS: list[list[Any]] = [[0, False, 0.0, -0.0], [1, True, 1.0], [56, 56.0]]


def _twin(draw: st.DrawFn, value: Any) -> Any:
    """``value`` with some scalars swapped for equal ones of other types (the key's hard case)."""
    if isinstance(value, dict):
        return {k: _twin(draw, v) for k, v in value.items()}
    if isinstance(value, list):
        return [_twin(draw, v) for v in value]
    for group in EQUALS:
        if any(value == v and type(value) is type(v) for v in group):
            return draw(st.sampled_from(group))
    return value


@st.composite
def twins(draw: st.DrawFn) -> tuple[dict[str, Any], dict[str, Any]]:
    """A row and a row equal to it, some of whose scalars are of other types."""
    row = draw(ROW)
    return row, _twin(draw, row)


@given(twins() | st.tuples(ROW, ROW))
def test_rows_with_equal_keys_build_the_same_syllabus_or_the_same_refusal(
    pair: tuple[dict[str, Any], dict[str, Any]],
) -> None:
    """The key is only ever shared by rows that build alike (reference_value's promise)."""
    a, b = pair
    if _syllabus_key(a) == _syllabus_key(b):
        assert _built(a) == _built(b)


@given(ROW)
def test_a_syllabus_read_by_key_is_what_structure_builds(row: dict[str, Any]) -> None:
    """Through reference_value with the key, a row gives structure's value or its refusal."""
    expected = _built(row)
    for _ in range(2):  # the second time from what the first kept, if anything
        try:
            got = ("ok", repr(reference_value(row, Syllabus, key=_syllabus_key)))
        except InvalidValue as exc:
            got = ("refused", str(exc))
        assert got == expected


def test_rows_that_cannot_be_keyed_so_are_keyed_by_their_repr() -> None:
    """No key for components that are not a list of mappings; nested values are unhashable."""
    assert _syllabus_key({"code": "0580", "components": None}) is None
    assert _syllabus_key({"code": "0580", "components": ["12"]}) is None
    nested = _syllabus_key({"code": "0580", "components": [{"code": ["12"]}]})
    assert nested is not None
    with pytest.raises(TypeError):
        hash(nested)
