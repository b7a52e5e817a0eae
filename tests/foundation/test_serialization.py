"""The one cattrs converter: strict, and every error is an InvalidValue with its field path."""

# Look-alike characters (full-width and Arabic-Indic digits, accents, bidi
# controls) are what these tests are about.
# ruff: noqa: RUF001

from __future__ import annotations

import decimal
from typing import Any

import attrs
import pendulum
import pytest

from cambridge_results.errors import InvalidValue
from cambridge_results.serialization import parse_date, parse_instant, structure, unstructure
from cambridge_results.values import Candidate, Centre, ContactDetails, Entry


@attrs.frozen(kw_only=True)
class _Scalars:
    count: int
    flag: bool
    text: str
    amount: decimal.Decimal
    day: pendulum.Date
    at: pendulum.DateTime


_GOOD: dict[str, Any] = {
    "count": 3,
    "flag": False,
    "text": "x",
    "amount": "45.50",
    "day": "2023-09-20",
    "at": "2023-09-20T23:59:00+01:00",
}


def test_scalars_structure_and_unstructure_to_json_ready_text() -> None:
    """Decimals are strings, dates YYYY-MM-DD, instants ISO 8601 in UTC."""
    value = structure(_GOOD, _Scalars)
    assert value.at == pendulum.datetime(2023, 9, 20, 22, 59, tz="UTC")
    assert unstructure(value) == {**_GOOD, "at": "2023-09-20T22:59:00+00:00"}


@pytest.mark.parametrize(
    ("field", "bad", "reason"),
    [
        ("count", "3", "must be a whole number, not str"),
        ("count", 3.7, "must be a whole number, not float"),
        ("count", True, "must be a whole number, not bool"),
        ("flag", "false", "must be true or false, not str"),
        ("flag", 2, "must be true or false, not int"),
        ("text", 3, "must be text, not int"),
        ("amount", 45.5, "must be a decimal string"),
        ("amount", "NaN", "must be a finite number"),
        ("day", "2023-9-20", "is not a date"),
        ("day", "2023-W38-3", "is not a date"),
        ("day", "2023-02-30", "is not a date"),
        ("at", "2023-09-20T23:59:00", "with an offset"),
        ("at", "2023-09-20", "with an offset"),
    ],
)
def test_structuring_is_strict_and_names_the_field_path(
    field: str, bad: object, reason: str
) -> None:
    """cattrs would coerce '3' to 3 and 'false' to True; this converter refuses them."""
    with pytest.raises(InvalidValue) as caught:
        structure({**_GOOD, field: bad}, _Scalars)
    assert caught.value.field == f"$.{field}"
    assert reason in caught.value.reason


def test_sqlite_style_zero_and_one_are_booleans() -> None:
    """SQLite stores booleans as 0 and 1; those two integers are read as False and True."""
    assert structure({**_GOOD, "flag": 1}, _Scalars).flag is True
    assert structure({**_GOOD, "flag": 0}, _Scalars).flag is False


def test_a_constructor_error_gets_the_attribute_added_to_the_path() -> None:
    """A bad phone inside a centre's contact is reported at $.contact.phone, with its rule."""
    data = {"number": "GB123", "name": "School", "contact": {"name": "Office", "phone": "12"}}
    with pytest.raises(InvalidValue) as caught:
        structure(data, Centre)
    assert caught.value.field == "$.contact.phone"
    assert caught.value.rule == "CRW-04"


def test_paths_reach_into_lists() -> None:
    """Errors inside lists carry the index: $[1].number."""
    good = {"centre": "GB123", "number": "1", "given_name": "A", "family_name": "B"}
    with pytest.raises(InvalidValue) as caught:
        structure([good, {**good, "number": "１"}], list[Candidate])
    assert caught.value.field == "$[1].number"
    assert caught.value.rule == "EAR-12"


def test_unknown_and_missing_fields_are_named() -> None:
    """Extra keys are refused (a typo in a policy is not ignored); missing ones are required."""
    with pytest.raises(InvalidValue, match=r"\$: unknown fields \['nmae'\]"):
        structure({"number": "GB123", "name": "School", "nmae": "x"}, Centre)
    with pytest.raises(InvalidValue, match=r"\$\.name: is required"):
        structure({"number": "GB123"}, Centre)


def test_an_object_level_rule_is_reported_at_the_object() -> None:
    """A contact without phone or email is refused at $ with rule CRW-04."""
    with pytest.raises(InvalidValue) as caught:
        structure({"name": "Office"}, ContactDetails)
    assert (caught.value.field, caught.value.rule) == ("$", "CRW-04")


def test_several_problems_are_counted_in_the_message() -> None:
    """The first problem is named, and the message says how many more there are."""
    data = {
        "centre": "GB1",
        "series": "June 1999",
        "candidate": "1",
        "syllabus": "0580",
        "components": ["12"],
    }
    with pytest.raises(InvalidValue, match=r"\(and 1 more\)") as caught:
        structure(data, Entry)
    assert caught.value.field == "$.centre"


def test_parse_instant_refuses_naive_times_and_converts_to_utc() -> None:
    """SPEC section 0: time is always timezone-aware; instants are in UTC."""
    assert parse_instant("2026-06-01T12:00:00Z") == pendulum.datetime(2026, 6, 1, 12, tz="UTC")
    assert parse_instant(pendulum.datetime(2026, 6, 1, 13, tz="Europe/London")).hour == 12
    with pytest.raises(InvalidValue, match="must be timezone-aware"):
        parse_instant(pendulum.naive(2026, 6, 1))
    with pytest.raises(InvalidValue, match="not int"):
        parse_instant(5)


def test_parse_date_reads_only_year_month_day() -> None:
    """docs/decisions.md: dates are written 2023-09-20; week and ordinal dates are refused."""
    assert parse_date("2024-02-29") == pendulum.date(2024, 2, 29)
    for bad in ["2023-02-29", "2023-001", "20230920", "２０２３-09-20", "2023-09-20T00:00:00Z"]:
        with pytest.raises(InvalidValue, match="is not a date"):
            parse_date(bad)
