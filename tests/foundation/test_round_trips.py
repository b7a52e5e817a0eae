"""Every value object survives the one cattrs converter, and JSON, unchanged."""

from __future__ import annotations

import json
from typing import Any

import pendulum
from hypothesis import given, settings
from hypothesis import strategies as st

from cambridge_results.serialization import structure, unstructure
from cambridge_results.testing import strategies as crst

_EVERY_VALUE = st.one_of(
    crst.exam_series(),
    crst.centre_numbers(),
    crst.candidate_numbers(),
    crst.ucis(),
    crst.syllabus_codes(),
    crst.component_codes(),
    crst.contact_details(),
    crst.delays(),
    crst.grades(),
    crst.marks(),
    crst.qualifications(),
    crst.components(),
    crst.entries(),
    crst.candidates(),
    crst.centres(),
    crst.associates(),
    crst.syllabuses(max_components=3),
)


@settings(max_examples=150)
@given(_EVERY_VALUE)
def test_structure_of_unstructure_gives_every_value_object_back(value: Any) -> None:
    """The issue: cattrs round trip for every value object, through JSON text too."""
    data = unstructure(value)
    assert structure(data, type(value)) == value
    assert structure(json.loads(json.dumps(data)), type(value)) == value


@settings(max_examples=40)
@given(crst.instants())
def test_instants_round_trip_as_utc_iso_text(instant: Any) -> None:
    """Instants are written as ISO 8601 in UTC and read back equal."""
    text = unstructure(instant)
    assert text.endswith("+00:00")
    assert structure(text, pendulum.DateTime) == instant


@settings(max_examples=30)
@given(crst.exam_series(), crst.delays())
def test_series_and_delays_serialise_as_their_text_codes(series: Any, delay: Any) -> None:
    """Series are stored as '2026-06', delays as ISO 8601 durations."""
    assert unstructure(series) == series.code
    assert unstructure(delay) == delay.iso
