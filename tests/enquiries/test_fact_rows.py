"""The facts' entries built from rows: an equal row gives the same entry, a changed one a new one.

EAR-02 and EAR-05 read the entry's components and status: a withdrawn entry
read after a valid one must be seen as withdrawn.
"""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from cambridge_results.enquiries.results import _entry
from cambridge_results.errors import InvalidValue
from cambridge_results.serialization import structure
from cambridge_results.values import Entry, EntryStatus

ROW = {
    "centre": "GB100",
    "series": "2023-06",
    "candidate": "0001",
    "syllabus": "0580",
    "components": ["12", "32"],
    "route": "standard",
    "status": "valid",
}


def test_an_equal_row_gives_the_entry_structure_builds_once():
    """EAR-02: the entry is what the general path builds, and built once per distinct row."""
    first = _entry(dict(ROW))
    assert first == structure(dict(ROW), Entry)
    assert _entry({**ROW, "components": ["12", "32"]}) is first


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("status", "withdrawn"),
        ("components", ["12"]),
        ("candidate", "0002"),
        ("route", "portfolio-of-evidence"),
    ],
)
def test_a_changed_row_gives_a_new_entry(field, value):
    """EAR-05: a change to any field of the row is seen, never the entry built before."""
    before = _entry(dict(ROW))
    try:
        expected = structure({**ROW, field: value}, Entry)
    except InvalidValue:
        with pytest.raises(InvalidValue):
            _entry({**ROW, field: value})
        return
    after = _entry({**ROW, field: value})
    assert after == expected
    assert after != before


def test_a_row_of_other_types_is_built_by_the_general_path_every_time():
    """A row the cache cannot key (a number for text) is refused as structure refuses it."""
    for _ in range(2):
        with pytest.raises(InvalidValue):
            _entry({**ROW, "candidate": 1.5})
    assert _entry(dict(ROW)).status is EntryStatus.VALID


FIELD_VALUES = {
    "centre": st.sampled_from(["GB100", "GB101", "gb100", "", 100, None]),
    "series": st.sampled_from(["2023-06", "2023-11", "2023-13", 2023, None]),
    "candidate": st.sampled_from(["0001", "0002", "1", "12345", 1, 1.0, True, None]),
    "syllabus": st.sampled_from(["0580", "9709", "58", 580, None]),
    "components": st.lists(st.sampled_from(["12", "32", "1", "", 12, 12.0, None]), max_size=3)
    | st.sampled_from(["12", None, ("12",)]),
    "route": st.sampled_from(["standard", "portfolio-of-evidence", "STANDARD", "", 1, None, []]),
    "status": st.sampled_from(["valid", "withdrawn", "Valid", True, None, {}]),
}


def _built_or_refused(build, row):
    """The entry ``build`` gives for ``row``, or ``"refused"`` for an :class:`InvalidValue`."""
    try:
        return build(row)
    except InvalidValue:
        return "refused"


@given(changes=st.fixed_dictionaries({}, optional=FIELD_VALUES), again=st.booleans())
def test_any_row_gives_what_structure_gives_every_time(changes, again):
    """EAR-02: a stored row of any values builds the entry structure builds, or is refused alike."""
    rows = {**ROW, **changes}
    expected = _built_or_refused(lambda r: structure(r, Entry), dict(rows))
    first = _built_or_refused(_entry, dict(rows))
    assert first == expected
    if again:  # read again: the entry kept for the row, or refused again
        assert _built_or_refused(_entry, dict(rows)) == expected
