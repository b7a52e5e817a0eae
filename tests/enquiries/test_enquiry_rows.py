"""The enquiry rows the library builds itself: canonical as built, so their check trusts them.

``enquiry_data`` gives its data to the store as canonical JSON
(``storage.schema.built_json``), and the row's check takes it without a
round trip through text.  These tests hold every such data to the full
check it skips: the same value, key order and text as a check of a copy.
"""

from __future__ import annotations

import copy
import json

import attrs
from ear_board import IN_WINDOW, draft
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from cambridge_results.board.schema import SCHEMA
from cambridge_results.enquiries import tables as t
from cambridge_results.enquiries._rows import changed_columns, enquiry_columns, enquiry_data
from cambridge_results.enquiries.repositories import EnquiryRepository
from cambridge_results.errors import InvalidValue
from cambridge_results.serialization import unstructure
from cambridge_results.storage import schema
from cambridge_results.storage.migrations import build_catalog
from cambridge_results.values.enquiry import Enquiry, EnquiryStatus

_ZONES = ("UTC", "Europe/London", "Asia/Kolkata", "America/St_Johns")

_instants = st.builds(
    lambda minutes, micro, zone: IN_WINDOW.add(minutes=minutes, microseconds=micro).in_timezone(
        zone
    ),
    st.integers(min_value=-60 * 24 * 400, max_value=60 * 24 * 400),
    st.sampled_from([0, 1, 999_999]),
    st.sampled_from(_ZONES),
)
_optional_instants = st.one_of(st.none(), _instants)
_text = st.text(st.characters(codec="utf-8", exclude_characters="\x00"), min_size=1, max_size=60)


@st.composite
def plain_enquiries(draw: st.DrawFn) -> Enquiry:
    """Any enquiry with no documents, amendments, outcome or fee: what ``enquiry_data`` builds."""
    fields = {
        "status": draw(st.sampled_from(list(EnquiryStatus))),
        "service": draw(st.sampled_from(["1", "1S", "2", "2S", "3", "5", "9", "X", "Q"])),
        "components": draw(st.lists(st.sampled_from(["11", "12", "32"]), unique=True)),
        "candidates": draw(
            st.lists(st.integers(0, 9999).map(lambda n: f"{n:04d}"), unique=True, max_size=4)
        ),
        "whole_group": draw(st.booleans()),
        "head_of_centre": draw(st.booleans()),
        "note": draw(st.one_of(st.none(), _text)),
        "associate": draw(st.sampled_from([None, "NG900"])),
        "created_at": draw(_instants),
        "number": draw(st.sampled_from([None, "E23-000001"])),
        "rejection_reason": draw(st.one_of(st.none(), _text)),
    }
    for name in (
        "submitted_at",
        "arrived_at",
        "queued_at",
        "received_at",
        "acknowledged_at",
        "completed_at",
        "cancelled_at",
        "rejected_at",
    ):
        fields[name] = draw(_optional_instants)
    try:
        return attrs.evolve(draft(), **fields)
    except InvalidValue:
        assume(False)
        raise


def _full_check(data: object) -> object:
    """What the store's check makes of ``data`` when it trusts nothing (a copy is not built)."""
    return schema.canonical_json(copy.deepcopy(data), "enquiries.data")


@settings(max_examples=300, deadline=None)
@given(plain_enquiries())
def test_every_plain_enquirys_data_passes_the_full_check_unchanged(enquiry: Enquiry) -> None:
    """Storage: built data equals its full check, key for key in order, and its text too."""
    data = enquiry_data(enquiry)
    checked = _full_check(data)
    assert checked == data
    assert list(checked) == list(data)  # type: ignore[call-overload]
    assert json.dumps(data, sort_keys=True, separators=(",", ":")) == schema.json_text(checked)
    assert data == unstructure(enquiry)
    # The check trusts it (the very value) and sends the text built for it.
    assert schema.canonical_json(data, "enquiries.data") is data
    assert schema.json_text(data) == schema.json_text(checked)


@settings(max_examples=100, deadline=None)
@given(plain_enquiries(), st.integers(min_value=1, max_value=10**6))
def test_every_plain_enquirys_row_passes_the_tables_full_check_unchanged(
    enquiry: Enquiry, version: int
) -> None:
    """Storage: the whole row the repository builds checks to the row a copy checks to."""
    table = build_catalog(SCHEMA)[t.ENQUIRIES]
    repository = EnquiryRepository.__new__(EnquiryRepository)
    row = repository._row(enquiry, version=version)
    assert table.check_row(row) == table.check_row(copy.deepcopy(row)) == row


# Two drafts drawn, each refused now and then by the Enquiry's own checks (assume):
# the filtering is expected, not a slow strategy.
@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.filter_too_much])
@given(plain_enquiries(), plain_enquiries())
def test_a_save_writes_exactly_the_columns_that_differ(enquiry: Enquiry, previous: Enquiry) -> None:
    """Storage: the columns a save writes are those whose stored values differ, as written."""
    before, after = enquiry_columns(previous), enquiry_columns(enquiry)
    expected = {name: value for name, value in after.items() if before[name] != value}
    assert changed_columns(enquiry, previous) == expected
    assert changed_columns(enquiry, enquiry) == {}
