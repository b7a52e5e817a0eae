"""Any input given to a parser either parses or raises the library's own error (SPEC section 5)."""

# Look-alike characters (full-width and Arabic-Indic digits, accents, bidi
# controls) are what these tests are about.
# ruff: noqa: RUF001

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pendulum
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cambridge_results.board.schema import SCHEMA
from cambridge_results.context import Context
from cambridge_results.entries_import import import_entries
from cambridge_results.errors import CambridgeResultsError, InvalidValue, PolicyError
from cambridge_results.logins.tokens import token_digest
from cambridge_results.policy import DateOrInstant, example_2026, load_policy
from cambridge_results.principals import BoardStaff
from cambridge_results.rules.logins.passwords import check_chosen_password
from cambridge_results.serialization import parse_date, parse_instant
from cambridge_results.storage import open_store
from cambridge_results.values import (
    UCI,
    Candidate,
    CandidateNumber,
    CentreNumber,
    ComponentCode,
    Delay,
    ExamSeries,
    Grade,
    SyllabusCode,
    validate_email,
    validate_phone,
)


def _name(text: Any) -> Any:
    return Candidate(centre="GB123", number="1", given_name=text, family_name="X")


PARSERS: dict[str, Callable[[Any], Any]] = {
    "ExamSeries.parse": ExamSeries.parse,
    "CentreNumber.parse": CentreNumber.parse,
    "CandidateNumber.parse": CandidateNumber.parse,
    "UCI.parse": UCI.parse,
    "SyllabusCode.parse": SyllabusCode.parse,
    "ComponentCode.parse": ComponentCode.parse,
    "Grade.parse": Grade.parse,
    "Delay.parse": Delay.parse,
    "validate_email": validate_email,
    "validate_phone": validate_phone,
    "parse_instant": parse_instant,
    "parse_date": parse_date,
    "DateOrInstant": DateOrInstant,
    "person name": _name,
    "token_digest": token_digest,
}

# Text near the valid forms finds more edge cases than arbitrary Unicode alone.
_NEAR = "0123456789 -+:.,@()PTWDHMSZJuneNovdayshourminutesweekGBAXQ*\u0301\u202e\n１٢"
INPUTS = st.one_of(
    st.text(max_size=40),
    st.text(alphabet=_NEAR, max_size=30),
    st.from_regex(
        r"[0-9]{4}-[0-9]{2}-[0-9]{2}(T[0-9]{2}:[0-9]{2}(:[0-9]{2})?([+-][0-9]{2}:?[0-9]{2}|Z)?)?",
        fullmatch=True,
    ),
    st.none(),
    st.integers(),
    st.floats(allow_nan=True),
    st.binary(max_size=8),
    st.lists(st.text(max_size=3), max_size=2),
    # Lone surrogates: what a form or URL decoded with surrogateescape can hand over.
    st.text(st.characters(exclude_categories=()), max_size=12),
)


@pytest.mark.parametrize("name", sorted(PARSERS))
@settings(max_examples=50)
@given(value=INPUTS)
def test_a_parser_either_parses_or_raises_the_librarys_own_error(name: str, value: Any) -> None:
    """The issue: never another exception, and every refusal is an InvalidValue with a field."""
    try:
        PARSERS[name](value)
    except InvalidValue as exc:
        refused: InvalidValue | None = exc
    except CambridgeResultsError as exc:
        pytest.fail(f"{name} raised {type(exc).__name__}, not InvalidValue: {exc}")
    else:
        refused = None
    if refused is not None:
        assert refused.field
        assert refused.reason


@settings(max_examples=60)
@given(st.text(alphabet="0123456789-TZ:+", min_size=10, max_size=25))
def test_parsed_instants_are_always_aware_and_in_utc(text: str) -> None:
    """parse_instant never returns a naive or non-UTC time."""
    try:
        instant = parse_instant(text)
    except InvalidValue:
        return
    assert isinstance(instant, pendulum.DateTime)
    assert instant.tzinfo is not None
    assert instant.utcoffset() == pendulum.duration(0)


#: Any text at all, lone surrogates (category Cs) included.
ANY_TEXT = st.text(st.characters(exclude_categories=()), max_size=80)


@settings(max_examples=200)
@given(ANY_TEXT)
def test_any_text_gives_a_token_digest_or_invalid_value(text: str) -> None:
    """Issue 14: a lone surrogate in a reset token is InvalidValue, never UnicodeEncodeError."""
    try:
        digest: str | None = token_digest(text)
    except InvalidValue as exc:
        digest, refused = None, exc
    if digest is None:
        assert refused.field == "token"
        # Only text that UTF-8 cannot encode is refused: a lone surrogate.
        assert any("\ud800" <= c <= "\udfff" for c in text)
    else:
        assert len(digest) == 64
        assert set(digest) <= set("0123456789abcdef")


@settings(max_examples=200)
@given(
    st.one_of(
        ANY_TEXT,
        st.from_regex(
            r"[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}[+-][0-9]{2}:?[0-9]{2}",
            fullmatch=True,
        ),
    )
)
def test_any_text_gives_an_instant_or_invalid_value(text: str) -> None:
    """Issue 14: offsets of a day or more, or ones that leave years 1-9999, are InvalidValue."""
    try:
        instant = parse_instant(text)
    except InvalidValue:
        return
    assert instant.utcoffset() == pendulum.duration(0)


@pytest.mark.parametrize(
    "text",
    ["0001-01-01T00:00:00-3000", "0001-01-01T00:00:00+23:00", "9999-12-31T23:00:00-23:00"],
)
def test_an_instant_that_cannot_be_put_in_utc_is_invalid_value(text: str) -> None:
    """Issue 14: parse_instant('0001-01-01T00:00:00-3000') raised a bare ValueError."""
    with pytest.raises(InvalidValue, match="not an ISO 8601 instant"):
        parse_instant(text)


def _nested(depth: int) -> Any:
    value: Any = {}
    for _ in range(depth):
        value = {"a": [value]}
    return value


def test_deeply_nested_policy_json_is_a_policy_error(tmp_path: Path) -> None:
    """Issue 14: a policy file nested past the interpreter's stack is PolicyError, not
    RecursionError."""
    path = tmp_path / "deep.json"
    path.write_text("[" * 200_000 + "]" * 200_000, encoding="utf-8")
    with pytest.raises(PolicyError, match="nested too deeply"):
        load_policy(path)
    with pytest.raises(PolicyError, match="nested too deeply"):
        load_policy(str(path))


def test_deeply_nested_policy_data_is_refused_with_the_librarys_error() -> None:
    """The same nesting handed over as a mapping is refused without a RecursionError."""
    with pytest.raises((InvalidValue, PolicyError)):
        load_policy({"name": "deep", "extra": _nested(50_000)})


def test_a_url_with_a_lone_surrogate_is_invalid_value() -> None:
    """Issue 14: open_store('postgresql://\\ud800') raised UnicodeEncodeError from psycopg."""
    for url in ("postgresql://\ud800", "sqlite:///\ud800.db", "postgresql://u@h/d?x=\udcff"):
        with pytest.raises(InvalidValue) as caught:
            open_store(url, migrations=SCHEMA)
        assert caught.value.field == "url"


WRONG_TYPES: dict[str, Callable[[], object]] = {
    "load_policy(None)": lambda: load_policy(None),  # type: ignore[arg-type]
    "load_policy(3)": lambda: load_policy(3),  # type: ignore[arg-type]
    "import_entries(context, False)": lambda: import_entries(
        Context(store=open_store("memory://", migrations=SCHEMA), policy=example_2026()),
        False,  # type: ignore[arg-type]
        principal=BoardStaff(staff_id="s1"),
    ),
    "import_entries(context, b'...')": lambda: import_entries(
        Context(store=open_store("memory://", migrations=SCHEMA), policy=example_2026()),
        b"centre\n",  # type: ignore[arg-type]
        principal=BoardStaff(staff_id="s1"),
    ),
    "check_chosen_password(context_words=[None])": lambda: check_chosen_password(
        "a-long-enough-passphrase",
        example_2026().login,
        context_words=[None],  # type: ignore[list-item]
    ),
    "check_chosen_password(context_words=None)": lambda: check_chosen_password(
        "a-long-enough-passphrase",
        example_2026().login,
        context_words=None,  # type: ignore[arg-type]
    ),
    "check_chosen_password(context_words='word')": lambda: check_chosen_password(
        "a-long-enough-passphrase", example_2026().login, context_words="word"
    ),
    "token_digest(None)": lambda: token_digest(None),  # type: ignore[arg-type]
}


@pytest.mark.parametrize("name", sorted(WRONG_TYPES))
def test_a_wrong_typed_argument_is_the_librarys_error_not_type_error(name: str) -> None:
    """Issue 14: these raised TypeError; now InvalidValue, or PolicyError for load_policy."""
    expected = PolicyError if name.startswith("load_policy") else InvalidValue
    with pytest.raises(expected):
        WRONG_TYPES[name]()


def test_a_policy_file_still_loads_after_the_type_checks(tmp_path: Path) -> None:
    """A path, as str or Path, still reads the JSON file (the shipped example round-trips)."""
    from cambridge_results.policy import dump_policy

    path = tmp_path / "policy.json"
    path.write_text(json.dumps(dump_policy(example_2026())), encoding="utf-8")
    assert load_policy(path) == load_policy(str(path)) == example_2026()
