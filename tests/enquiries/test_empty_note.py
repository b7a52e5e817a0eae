"""EAR-11: a note left empty, or only white space, gets the series, syllabus and number."""

from __future__ import annotations

import pendulum
from hypothesis import given
from hypothesis import strategies as st

from cambridge_results.policy import international_2023
from cambridge_results.principals import CentreOfficer
from cambridge_results.rules.enquiries import workflow as wf
from cambridge_results.values import Centre
from cambridge_results.values.enquiry import Enquiry

POLICY = international_2023()
SEPT = pendulum.datetime(2023, 9, 1, 9, tz="UTC")


def _draft(note: str | None) -> Enquiry:
    return wf.create(
        POLICY,
        enquiry_id="e-1",
        centre=Centre(number="GB123", name="Riverside School"),
        series="June 2023",
        service="2",
        syllabus="0610",
        components=("42",),
        candidates=("714",),
        note=note,
        principal=CentreOfficer(centre="GB123"),
        now=SEPT,
    ).enquiry


@given(st.text(alphabet=" \t\n\u00a0\u2003", max_size=12))
def test_a_blank_note_from_a_form_counts_as_left_empty(blank: str) -> None:
    """SPEC's decision on EAR-11: "" or only white space is no note, so the default shows."""
    enquiry = _draft(blank)
    assert enquiry.note is None
    assert enquiry.display_note == _draft(None).display_note
    assert enquiry.display_note.startswith("June 2023 0610")


def test_a_note_with_words_is_kept_as_written() -> None:
    """A note the centre wrote is its own reference, shown as it is (EAR-11)."""
    assert _draft("Resit query").display_note == "Resit query"
