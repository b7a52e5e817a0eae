"""Shortcuts on the write and read paths give exactly what the general paths give."""

from __future__ import annotations

import datetime
import json
from collections.abc import Callable

import pendulum
import pytest
from hypothesis import given
from hypothesis import strategies as st

from cambridge_results.errors import InvalidValue
from cambridge_results.serialization import structure
from cambridge_results.storage.query import In, _condition, check_where
from cambridge_results.storage.repositories import reference_value
from cambridge_results.storage.schema import (
    Column,
    Table,
    canonical_json,
    canonical_value,
    json_text,
)
from cambridge_results.values import Centre, Syllabus

SCALARS = st.one_of(st.none(), st.booleans(), st.integers(), st.text())
FLAT = st.one_of(
    st.dictionaries(st.text(), SCALARS),
    st.lists(SCALARS),
    st.lists(SCALARS).map(tuple),
)
NESTED = st.recursive(
    SCALARS | st.floats(allow_nan=False, allow_infinity=False),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(), inner, max_size=3),
    max_leaves=10,
)


def _round_trip(value: object) -> object:
    return json.loads(json.dumps(value, sort_keys=True, separators=(",", ":")))


@given(FLAT | NESTED)
def test_canonical_json_is_the_round_trip_through_text(value: object) -> None:
    """A JSON value reads back as its round trip, key order included, whichever path checks it."""
    if "\\u0000" in json.dumps(value):
        with pytest.raises(InvalidValue):
            canonical_json(value, "data")
        return
    data = canonical_json(value, "data")
    expected = _round_trip(value)
    assert data == expected
    assert json.dumps(data) == json.dumps(expected)  # the same key order, the same types


@given(FLAT | NESTED)
def test_json_text_is_the_sorted_compact_text_of_the_value(value: object) -> None:
    """The text a statement sends is the value's own, whether canonical_json wrote it or not."""
    if "\\u0000" in json.dumps(value):
        return
    data = canonical_json(value, "data")
    expected = json.dumps(data, sort_keys=True, separators=(",", ":"))
    assert json_text(data) == expected
    assert json_text(data) == expected  # taken once; written out again after


def test_json_text_of_a_changed_value_is_the_new_text() -> None:
    """A value changed after its check is written as it now is, never as it was."""
    data = canonical_json({"a": [1, 2], "b": {"c": 1}}, "data")
    assert isinstance(data, dict)
    fresh = canonical_json({"a": [3], "b": {"c": 2}}, "data")
    assert json_text(fresh) == '{"a":[3],"b":{"c":2}}'
    assert json_text(data) == '{"a":[1,2],"b":{"c":1}}'


@pytest.mark.parametrize("value", [{"a\x00": 1}, {"a": "b\x00"}, ["\x00"], ("x", "\x00")])
def test_a_flat_value_with_nul_is_refused(value: object) -> None:
    """NUL in a flat mapping's key or text is refused, as in nested data."""
    with pytest.raises(InvalidValue, match="NUL"):
        canonical_json(value, "data")


SYLLABUS_ROW = {
    "code": "0580",
    "name": "Mathematics",
    "qualification": "IGCSE",
    "art_and_design": False,
    "components": [
        {
            "code": "12",
            "name": "Paper 1",
            "assessed_by": "board",
            "multiple_choice": False,
            "max_mark": 56,
            "tolerance": 0,
        }
    ],
}


def test_reference_value_is_what_structure_builds_and_follows_a_changed_row() -> None:
    """Built once per distinct row: equal to structure's value, and a changed row is new."""
    first = reference_value(dict(SYLLABUS_ROW), Syllabus)
    assert first == structure(dict(SYLLABUS_ROW), Syllabus)
    assert reference_value(dict(SYLLABUS_ROW), Syllabus) is first
    renamed = reference_value({**SYLLABUS_ROW, "name": "Maths"}, Syllabus)
    assert renamed.name == "Maths"
    assert str(reference_value({"number": "GB123", "name": "A"}, Centre).number) == "GB123"


def test_reference_value_refuses_a_bad_row_every_time() -> None:
    """A row that does not build is refused, and nothing is kept for it."""
    for _ in range(2):
        with pytest.raises(InvalidValue):
            reference_value({**SYLLABUS_ROW, "components": []}, Syllabus)


@pytest.mark.parametrize(("field", "equal"), [("max_mark", 56.0), ("tolerance", False)])
def test_reference_value_tells_apart_equal_values_of_other_types(field: str, equal: object) -> None:
    """A JSON column's 56.0 or False is not the 56 or 0 built before: refused, as structure does."""
    good = reference_value(dict(SYLLABUS_ROW), Syllabus)
    component = {**SYLLABUS_ROW["components"][0], field: equal}  # type: ignore[index]
    assert component == SYLLABUS_ROW["components"][0]  # type: ignore[index]
    with pytest.raises(InvalidValue):
        structure({**SYLLABUS_ROW, "components": [component]}, Syllabus)
    with pytest.raises(InvalidValue):
        reference_value({**SYLLABUS_ROW, "components": [component]}, Syllabus)
    assert reference_value(dict(SYLLABUS_ROW), Syllabus) is good


def test_reference_value_builds_with_the_builder_given_once_per_distinct_row() -> None:
    """``build=`` makes the value of a new row, once; a row it refuses is refused every time."""
    calls: list[object] = []

    def build(row: dict[str, object], cls: type[Centre]) -> Centre:
        calls.append(row["name"])
        if row["name"] == "refused":
            raise InvalidValue("centre.name", "refused by the builder")
        return structure(row, cls)

    row = {"number": "GB124", "name": "Built"}
    first = reference_value(dict(row), Centre, build=build)
    assert first == structure(dict(row), Centre)
    assert reference_value(dict(row), Centre, build=build) is first
    for _ in range(2):
        with pytest.raises(InvalidValue):
            reference_value({**row, "name": "refused"}, Centre, build=build)
    assert calls == ["Built", "refused", "refused"]


def test_reference_value_keeps_each_builders_values_apart() -> None:
    """Two builders of one class for one row each get their own value, never the other's."""

    def plain(row: dict[str, object], cls: type[Centre]) -> Centre:
        return structure(row, cls)

    def renamed(row: dict[str, object], cls: type[Centre]) -> Centre:
        return structure({**row, "name": "Renamed"}, cls)

    row = {"number": "GB126", "name": "Kept"}
    assert reference_value(dict(row), Centre, build=plain).name == "Kept"
    assert reference_value(dict(row), Centre, build=renamed).name == "Renamed"
    assert reference_value(dict(row), Centre, build=plain).name == "Kept"
    # A row keyed by repr (a value no store's row holds) is kept apart by builder too.
    odd = {"number": "GB127", "name": "Kept", "contact": {"a", "b"}}
    assert reference_value(dict(odd), Centre, build=lambda r, c: plain({**r, "contact": None}, c))
    swapped = reference_value(
        dict(odd), Centre, build=lambda r, c: renamed({**r, "contact": None}, c)
    )
    assert swapped.name == "Renamed"


def test_reference_value_of_a_row_no_store_gives_is_refused_as_structure_refuses_it() -> None:
    """A value no row holds (a tuple of lists) is refused by the build, not a TypeError."""
    row = {"number": "GB125", "name": ("A", ["b"])}
    with pytest.raises(InvalidValue):
        structure(dict(row), Centre)
    with pytest.raises(InvalidValue):
        reference_value(dict(row), Centre)


TEXT_KEYED = Table("things", (Column("id", "text"), Column("n", "int")), primary_key="id")
INT_KEYED = Table("counted", (Column("seq", "int"), Column("note", "text")), primary_key="seq")


def _outcome(check: Callable[[], object]) -> tuple[str, object]:
    """``("ok", result)``, or ``("refused", where, why)`` for an :class:`InvalidValue`."""
    try:
        return ("ok", check())
    except InvalidValue as exc:
        return ("refused", f"{exc.field}: {exc.reason}")


def _general(table: Table, name: str, value: object) -> tuple[str, object]:
    """What the general path makes of ``value`` in column ``name``, as check_* words it."""
    outcome = _outcome(lambda: canonical_value(table.column(name), value))
    if outcome[0] == "ok":
        return ("ok", {name: outcome[1]})
    reason = str(outcome[1]).split(": ", 1)[1]
    return ("refused", f"{table.name}.{name}: {reason}")


@given(st.text() | st.integers() | st.none())
def test_a_key_checks_as_the_general_path_does(value: object) -> None:
    """check_key of one key column gives what checking the value in its column gives."""
    for table, name in ((TEXT_KEYED, "id"), (INT_KEYED, "seq")):
        got = _outcome(lambda t=table: t.check_key(value))  # type: ignore[arg-type]
        assert got == _general(table, name, value)


@given(st.text() | st.integers() | st.booleans() | st.none())
def test_changes_check_as_the_general_path_does(value: object) -> None:
    """check_changes of a value gives what checking it in its column gives."""
    assert _outcome(lambda: INT_KEYED.check_changes({"note": value})) == _general(
        INT_KEYED, "note", value
    )
    assert _outcome(lambda: TEXT_KEYED.check_changes({"n": value})) == _general(
        TEXT_KEYED, "n", value
    )
    assert _outcome(lambda: TEXT_KEYED.check_changes({"id": value})) == (
        "refused",
        "things.id: a primary-key column cannot change",
    )


#: One column of every type, nullable or not, one text column with a default.
EVERY_TYPE = Table(
    "every",
    (
        Column("seq", "int", auto=True),
        *(Column(kind, kind) for kind in ("text", "int", "bool", "bytes", "json", "instant")),
        *(
            Column(f"maybe_{kind}", kind, nullable=True)
            for kind in ("text", "int", "bool", "bytes", "json", "instant")
        ),
        Column("kept", "text", default="as given"),
    ),
    primary_key="seq",
)
_ANY_ZONE = st.sampled_from(
    [datetime.UTC, datetime.timezone(datetime.timedelta(hours=-5)), pendulum.UTC, None]
)
#: Values of every kind a caller may pass, canonical or not, good or bad.
ANY_VALUE = st.one_of(
    st.none(),
    st.booleans(),
    st.integers() | st.sampled_from([2**63 - 1, 2**63, -(2**63), -(2**63) - 1]),
    st.text() | st.sampled_from(["", "a\x00b"]),
    st.binary() | st.binary().map(bytearray),
    st.datetimes(timezones=_ANY_ZONE),
    st.datetimes(timezones=st.just(datetime.UTC)).map(
        lambda d: pendulum.instance(d).in_timezone("UTC")
    ),
    st.floats(),
    NESTED,
)


def _typed(outcome: tuple[str, object]) -> tuple[str, object]:
    """An outcome with each checked value's type beside it (equal is not enough)."""
    if outcome[0] != "ok" or not isinstance(outcome[1], dict):
        return outcome
    return ("ok", {n: (type(v), v) for n, v in outcome[1].items()})


@given(st.sampled_from([c.name for c in EVERY_TYPE.columns if not c.auto]), ANY_VALUE)
def test_a_row_checks_as_the_general_path_does_word_for_word(name: str, value: object) -> None:
    """check_row and check_changes of a value give what canonical_value gives, refusals too."""
    expected = _general(EVERY_TYPE, name, value)
    changed = _outcome(lambda: EVERY_TYPE.check_changes({name: value}))
    assert _typed(changed) == _typed(expected)
    good = {"text": "t", "int": 1, "bool": True, "bytes": b"", "json": {}}
    good["instant"] = pendulum.datetime(2026, 6, 1)
    row = {**good, name: value}
    got = _outcome(lambda: EVERY_TYPE.check_row(row))
    if expected[0] == "refused":
        assert got == expected
    else:
        assert got[0] == "ok"
        assert isinstance(got[1], dict)
        assert list(got[1]) == [c.name for c in EVERY_TYPE.columns if not c.auto]
        assert _typed(("ok", {name: got[1][name]})) == _typed(expected)
        assert got[1]["kept"] == (value if name == "kept" else "as given")


@given(st.sampled_from([c.name for c in EVERY_TYPE.columns]), ANY_VALUE)
def test_expected_values_check_as_the_general_path_does_word_for_word(
    name: str, value: object
) -> None:
    """check_values (an update's ``expect``) gives what canonical_value gives, refusals too;
    None stays None (it tests for NULL) whatever the column."""
    got = _outcome(lambda: EVERY_TYPE.check_values({name: value}))
    if value is None:
        assert got == ("ok", {name: None})
    else:
        assert _typed(got) == _typed(_general(EVERY_TYPE, name, value))


class _Text(str):
    """Text of another type than ``str``: the general path's to check."""


@given(
    st.sampled_from(["text", "maybe_text", "int", "json"]),
    st.lists(st.text() | st.sampled_from(["a\x00"]) | st.integers() | st.none(), max_size=3)
    | st.lists(st.text().map(_Text), max_size=2),
)
def test_a_where_in_checks_as_the_general_path_does_word_for_word(
    name: str, values: list[object]
) -> None:
    """check_where of an In gives what the general condition check gives, refusals too."""
    condition = In(values)
    got = _outcome(lambda: check_where(EVERY_TYPE, {name: condition}))
    expected = _outcome(lambda: {name: _condition(EVERY_TYPE, EVERY_TYPE.column(name), condition)})
    assert got == expected
    if got[0] == "ok":
        assert isinstance(got[1], dict)
        assert [type(v) for v in got[1][name].values] == [type(v) for v in values]
