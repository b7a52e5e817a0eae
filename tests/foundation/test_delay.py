"""Delays before candidates see results (CRW-05): parsing and limits."""

# Look-alike characters (full-width and Arabic-Indic digits, accents, bidi
# controls) are what these tests are about.
# ruff: noqa: RUF001

from __future__ import annotations

import datetime

import pendulum
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cambridge_results.errors import InvalidValue
from cambridge_results.testing import strategies as crst
from cambridge_results.values import MAX_DELAY, Delay


@pytest.mark.parametrize(
    ("text", "hours"),
    [
        ("PT48H", 48),
        ("P2D", 48),
        ("P1DT12H", 36),
        ("P1W", 168),
        ("PT0S", 0),
        ("48 hours", 48),
        ("48hours", 48),
        ("2 days", 48),
        ("1 day", 24),
        ("1 day 12 hours", 36),
        ("1 day, 12 hours", 36),
        ("1 day and 12 hours", 36),
        ("2 DAYS", 48),
        ("1 week", 168),
        ("90 minutes", 1.5),
        ("no delay", 0),
        ("30 days", 720),
    ],
)
def test_iso_durations_and_plain_forms_parse_to_exact_hours(text: str, hours: float) -> None:
    """CRW-05: ISO 8601 durations and forms like '48 hours' or '2 days' are accepted."""
    assert Delay.parse(text).seconds == hours * 3600


@pytest.mark.parametrize(
    "text",
    [
        "P1M",
        "P1Y",
        "PT",
        "P",
        "P1DT",
        "pt48h",
        "-PT1H",
        "-1 day",
        "31 days",
        "P5W",
        "PT721H",
        "1.5 days",
        "2 fortnights",
        " 2 days",
        "2 days ",
        "2  days",
        "two days",
        "２ days",
        "",
        "2 days" * 20,
    ],
)
def test_anything_else_is_a_clear_crw05_error(text: str) -> None:
    """CRW-05: months, years, negatives, over 30 days and loose text are refused."""
    with pytest.raises(InvalidValue) as caught:
        Delay.parse(text)
    assert caught.value.field == "delay"
    assert caught.value.rule == "CRW-05"


def test_a_delay_is_between_zero_and_thirty_days_in_whole_seconds() -> None:
    """CRW-05: a non-negative duration of at most 30 days."""
    assert Delay(seconds=int(MAX_DELAY.total_seconds())).duration == pendulum.duration(days=30)
    for bad in (-1, int(MAX_DELAY.total_seconds()) + 1):
        with pytest.raises(InvalidValue, match="delay"):
            Delay(seconds=bad)
    for wrong in (1.5, "60", True):
        with pytest.raises(InvalidValue, match="whole number of seconds"):
            Delay(seconds=wrong)  # type: ignore[arg-type]


def test_a_delay_from_a_duration_refuses_months_fractions_and_other_types() -> None:
    """docs/decisions.md: delays are exact durations; a month has no fixed length."""
    assert Delay.of(pendulum.duration(days=2)) == Delay(seconds=172800)
    assert Delay.of(datetime.timedelta(hours=3)) == Delay(seconds=10800)
    with pytest.raises(InvalidValue, match="weeks, days, hours"):
        Delay.of(pendulum.duration(months=1))
    with pytest.raises(InvalidValue, match="whole number of seconds"):
        Delay.of(pendulum.duration(seconds=1.5))
    with pytest.raises(InvalidValue, match="must be a duration"):
        Delay.of(5)  # type: ignore[arg-type]


def test_a_delay_prints_in_words_and_in_iso() -> None:
    """str() is for letters (CRW-09); iso is for storage."""
    delay = Delay.parse("P1DT12H30M")
    assert str(delay) == "1 day 12 hours 30 minutes"
    assert delay.iso == "P1DT12H30M"
    assert str(Delay()) == "no delay"
    assert Delay().iso == "PT0S"


@settings(max_examples=80)
@given(crst.delays())
def test_a_delay_parses_back_from_its_iso_and_its_words(delay: Delay) -> None:
    """parse(iso) and parse(str) both give the same delay back."""
    assert Delay.parse(delay.iso) == delay
    assert Delay.parse(str(delay)) == delay
    assert Delay.of(delay.duration) == delay


@settings(max_examples=80)
@given(
    st.integers(0, 30),
    st.integers(0, 23),
    st.integers(0, 59),
    st.sampled_from([" ", ", ", " and "]),
)
def test_plain_forms_add_up_their_units(days: int, hours: int, minutes: int, sep: str) -> None:
    """CRW-05: '1 day 12 hours' is the sum of its parts, up to the 30-day cap."""
    text = sep.join([f"{days} days", f"{hours} hours", f"{minutes} minutes"])
    total = days * 86400 + hours * 3600 + minutes * 60
    if total <= MAX_DELAY.total_seconds():
        assert Delay.parse(text).seconds == total
    else:
        with pytest.raises(InvalidValue, match="at most 30 days"):
            Delay.parse(text)


@settings(max_examples=60)
@given(crst.delay_texts())
def test_every_drawn_delay_text_parses(text: str) -> None:
    """The delay_texts() strategy only draws text Delay.parse accepts."""
    assert 0 <= Delay.parse(text).seconds <= MAX_DELAY.total_seconds()
