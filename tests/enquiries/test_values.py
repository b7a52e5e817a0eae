"""Enquiry values: validated at construction, round-tripped by the library's converter."""

from __future__ import annotations

import json
import subprocess
import sys

import attrs
import pendulum
import pytest
from ear_board import BOARD, IN_WINDOW, MATHS, PHYSICS, POLICY, acknowledged, draft, submitted
from hypothesis import given, settings
from hypothesis import strategies as st

from cambridge_results.enquiries import (
    CandidateOutcome,
    Enquiry,
    EnquiryEvent,
    EnquiryStatus,
    EventKind,
    Outcome,
)
from cambridge_results.enquiries._rows import enquiry_data, enquiry_from_data
from cambridge_results.errors import InvalidValue
from cambridge_results.policy import dump_policy, example_2026, load_policy
from cambridge_results.rules.enquiries import workflow as wf
from cambridge_results.rules.enquiries.outcomes import review_component
from cambridge_results.serialization import structure, unstructure


def test_an_enquiry_refuses_a_naive_instant():
    """SPEC section 0: instants are timezone-aware."""
    with pytest.raises(InvalidValue):
        attrs.evolve(draft(), created_at=pendulum.naive(2023, 9, 1))


def test_an_enquiry_names_each_component_and_candidate_once():
    """EAR-03: a component appears once in an enquiry."""
    with pytest.raises(InvalidValue):
        attrs.evolve(draft(), components=("12", "12"))
    with pytest.raises(InvalidValue):
        attrs.evolve(draft(), candidates=("0001", "1"))


def test_a_whole_group_draft_names_no_candidates():
    """EAR-01: service 5 is for the whole group; the sample is filled in on submission."""
    with pytest.raises(InvalidValue) as bad:
        draft("5", syllabus=PHYSICS, components=("04",), candidates=("0001",), whole_group=True)
    assert bad.value.rule == "EAR-01"


def test_notes_are_human_text_of_at_most_200_characters():
    """EAR-11: the note is validated like every text a person types."""
    assert draft(note="Søren Müller").note == "Søren Müller"
    with pytest.raises(InvalidValue):
        draft(note="x" * 201)
    with pytest.raises(InvalidValue):
        draft(note="evil\u202ename")


def test_an_event_keeps_its_details_as_text():
    """SPEC section 5: events carry who, what, when and details the store can write as they are."""
    event = EnquiryEvent(
        kind=EventKind.RECEIVED, enquiry_id="e-1", at=IN_WINDOW, actor=str(BOARD), details={"n": 1}
    )
    assert event.details_dict == {"n": "1"}
    data = unstructure(event)
    assert json.loads(json.dumps(data))["at"] == "2023-09-01T09:00:00+00:00"
    assert data["kind"] == "enquiry-received"
    assert structure(json.loads(json.dumps(data)), EnquiryEvent) == event


_DETAIL_ITEMS = st.one_of(st.text(max_size=5), st.integers(), st.none(), st.booleans())


@settings(max_examples=150, deadline=None)
@given(st.dictionaries(_DETAIL_ITEMS, _DETAIL_ITEMS, max_size=4))
def test_an_events_details_are_the_same_text_pairs_from_a_dict_or_its_items(details):
    """SPEC section 5: a step's dict of details and the same pairs give one event."""

    def made(value: object) -> EnquiryEvent:
        return EnquiryEvent(
            kind=EventKind.SAVED, enquiry_id="e-1", at=IN_WINDOW, actor="centre:X", details=value
        )

    expected = tuple((str(k), str(v)) for k, v in details.items())
    assert made(details).details == expected
    assert made(list(details.items())).details == expected
    assert made(details) == made(tuple(details.items()))


def full_life() -> Enquiry:
    enquiry = acknowledged(submitted(draft("2S", components=("12", "32"), note="Ngozi")).enquiry)
    up = review_component(MATHS.components[0], before=50, reviewed=60)
    outcome = Outcome(
        candidates=(
            CandidateOutcome(candidate="0001", components=(up,), grade_before="C", grade_after="B"),
        ),
        recorded_at=IN_WINDOW,
    )
    return wf.record_outcome(
        POLICY, enquiry, outcome=outcome, principal=BOARD, now=IN_WINDOW
    ).enquiry


def test_an_enquiry_round_trips_through_the_converter():
    """Storage: every enquiry value survives unstructure and structure unchanged."""
    for enquiry in (draft(), submitted(draft()).enquiry, full_life()):
        assert structure(json.loads(json.dumps(unstructure(enquiry))), Enquiry) == enquiry


@settings(max_examples=30, deadline=None)
@given(
    status=st.sampled_from(list(EnquiryStatus)),
    minutes=st.integers(min_value=0, max_value=60 * 24 * 90),
    note=st.one_of(
        st.none(), st.text(alphabet=st.characters(categories=("L", "N")), min_size=1, max_size=50)
    ),
)
def test_any_enquiry_round_trips_through_the_converter(status, minutes, note):
    """Storage: enquiries of every status, instant and note round-trip exactly."""
    at = IN_WINDOW.add(minutes=minutes)
    enquiry = attrs.evolve(
        full_life(),
        status=status,
        arrived_at=at,
        completed_at=at,
        note=note,
        created_at=at,
    )
    assert structure(json.loads(json.dumps(unstructure(enquiry))), Enquiry) == enquiry


def test_the_policy_with_service_deadlines_round_trips():
    """EAR-07, EAR-21: the example 2026 policy's per-service deadlines load and dump unchanged."""
    policy = example_2026()
    assert load_policy(dump_policy(policy)) == policy
    data = dump_policy(policy)
    data["series"][0]["service_deadlines"] = [{"service": "ZZ", "deadline": "2026-08-20"}]
    with pytest.raises(InvalidValue):
        load_policy(data)


def test_the_group_award_contact_must_be_an_email_address():
    """EAR-19: the address in the refusal comes from the policy and is validated."""
    data = dump_policy(POLICY)
    data["enquiries"]["group_award_contact"] = "not an address"
    with pytest.raises(InvalidValue) as bad:
        load_policy(data)
    assert bad.value.rule == "EAR-19"


def test_importing_the_enquiry_rules_loads_no_storage_or_pdf_library():
    """SPEC section 0: rules do no I/O; they load neither sqlite3, psycopg nor fpdf."""
    code = (
        "import sys\n"
        "import cambridge_results.rules.enquiries.workflow\n"
        "import cambridge_results.rules.enquiries.changes\n"
        "import cambridge_results.rules.enquiries.associates\n"
        "import cambridge_results.rules.enquiries.appeals\n"
        "import cambridge_results.rules.enquiries.fees\n"
        "import cambridge_results.rules.enquiries.extensions\n"
        "print(sorted(m for m in ('sqlite3', 'psycopg', 'fpdf') if m in sys.modules))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_the_submitted_sample_enquiry_lists_its_moderation_sample():
    """EAR-01: the list shows 'All' for service 5 and '?' for a service 9 group."""
    whole = submitted(
        draft("5", syllabus=PHYSICS, components=("04",), candidates=(), whole_group=True)
    )
    assert whole.enquiry.candidate_label == "All"
    group = draft("9", candidates=tuple(f"{n:04d}" for n in range(1, 6)))
    assert group.candidate_label == "?"
    assert draft().candidate_label == "0001"


def _life(stage: str) -> Enquiry:
    """An enquiry as the workflow leaves it at ``stage``."""
    sent = submitted(draft("2S", components=("12", "32"))).enquiry
    if stage == "draft":
        return draft()
    if stage == "submitted":
        return sent
    return acknowledged(sent) if stage == "acknowledged" else full_life()


@settings(max_examples=60, deadline=None)
@given(
    stage=st.sampled_from(["draft", "submitted", "acknowledged", "completed"]),
    minutes=st.integers(min_value=0, max_value=60 * 24 * 90),
    zone=st.sampled_from(["UTC", "Europe/London", "Asia/Kolkata"]),
    note=st.one_of(st.none(), st.sampled_from(["Ngozi", "Zoë O'Brien", "日本語"])),
)
def test_an_enquirys_row_data_is_what_the_converter_writes(stage, minutes, zone, note):
    """Storage: the stored data of an enquiry at any stage equals unstructure's, and reads
    back as the very enquiry written."""
    enquiry = attrs.evolve(
        _life(stage), created_at=IN_WINDOW.add(minutes=minutes).in_timezone(zone), note=note
    )
    data = enquiry_data(enquiry)
    assert data == unstructure(enquiry)
    read = json.loads(json.dumps(data))
    assert enquiry_from_data(read) is enquiry  # the value written, not rebuilt
    assert enquiry_from_data({**read, "note": "other"}).note == "other"
