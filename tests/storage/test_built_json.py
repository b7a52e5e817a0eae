"""JSON data the library builds canonical itself (``schema.built_json``): trusted once, by id.

A row builder gives its JSON data to the store with its text written once;
the row's check takes that very value as it is, once.  Every builder's
output is held to the full check here or beside its builder
(``tests/enquiries/test_enquiry_rows.py`` for the enquiry's data).
"""

from __future__ import annotations

import copy
import json

import pendulum
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cambridge_results.errors import InvalidValue
from cambridge_results.storage import Store, schema
from cambridge_results.storage.events import _details

T0 = pendulum.datetime(2026, 6, 1, 9, tz="UTC")
_text = st.text(st.characters(codec="utf-8", exclude_characters="\x00"), max_size=30)


def test_a_built_value_is_trusted_once_only() -> None:
    """Storage: a second check of a built value checks it in full (it may have changed)."""
    value = schema.built_json({"a": [1], "b": None})
    assert schema.canonical_json(value, "x") is value
    value["c"] = (2,)
    again = schema.canonical_json(value, "x")
    assert again is not value
    assert again == {"a": [1], "b": None, "c": [2]}


def test_built_data_holding_a_nul_is_refused_by_its_check() -> None:
    """Storage: built data is not taken when its text holds a NUL; the check refuses it."""
    value = schema.built_json({"note": "a\x00b"})
    with pytest.raises(InvalidValue, match="must not contain NUL characters"):
        schema.canonical_json(value, "x")


@settings(max_examples=200, deadline=None)
@given(st.dictionaries(_text, _text, max_size=6))
def test_every_text_events_details_pass_the_full_check_unchanged(details: dict[str, str]) -> None:
    """Storage: an event's text-to-text details, as built, are what the full check makes."""
    built = _details(details)
    checked = schema.canonical_json(copy.deepcopy(built), "events.details")
    assert checked == built == details
    assert list(checked) == list(built)  # type: ignore[call-overload]
    assert schema.json_text(checked) == json.dumps(details, sort_keys=True, separators=(",", ":"))
    assert schema.canonical_json(built, "events.details") is built
    assert schema.json_text(built) == schema.json_text(checked)


def test_an_events_details_holding_a_nul_are_refused_and_nothing_is_written(
    store: Store,
) -> None:
    """Storage: a NUL in an event's details is refused with the column's name, as before."""
    with store.unit_of_work(actor="test") as uow:
        with pytest.raises(InvalidValue, match=r"events\.details.*NUL"):
            uow.events.record(at=T0, kind="k", subject="s", details={"a": "b\x00"})
        with pytest.raises(InvalidValue, match=r"events\.details.*NUL"):
            uow.events.append(at=T0, kind="k", subject="s", details={"a\x00": "b"})
        assert uow.events.history() == []


def test_an_events_other_details_are_checked_in_full(store: Store) -> None:
    """Storage: details that are not all text are checked as any JSON value is."""
    with store.unit_of_work(actor="test") as uow:
        event = uow.events.append(
            at=T0, kind="k", subject="s", details={"n": 1, "l": ("x", None), "b": "c"}
        )
        assert event.details == {"b": "c", "l": ["x", None], "n": 1}
        with pytest.raises(InvalidValue, match=r"events\.details"):
            uow.events.append(at=T0, kind="k", subject="s", details={"f": float("nan")})
    with store.unit_of_work(actor="test", read_only=True) as uow:
        assert [e.details for e in uow.events.history()] == [{"b": "c", "l": ["x", None], "n": 1}]
