"""The facts' entries built from rows: an equal row gives the same entry, a changed one a new one.

EAR-02 and EAR-05 read the entry's components and status: a withdrawn entry
read after a valid one must be seen as withdrawn.
"""

from __future__ import annotations

import pytest

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
