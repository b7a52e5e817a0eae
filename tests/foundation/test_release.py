"""When candidates may see results: release time plus delay, half-open (CRW-05, LOG-03)."""

from __future__ import annotations

import pendulum
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cambridge_results.errors import UnknownSeries
from cambridge_results.policy import (
    Policy,
    dump_policy,
    example_2026,
    international_2023,
    load_policy,
)
from cambridge_results.rules.website.release import results_visible, results_visible_from
from cambridge_results.testing import strategies as crst
from cambridge_results.values import Delay, ExamSeries

JUNE_2023 = ExamSeries.parse("June 2023")
JUNE_2026 = ExamSeries.parse("June 2026")
NOVEMBER_2025 = ExamSeries.parse("November 2025")


def _policy_with_release_before_the_clock_change() -> Policy:
    """The 2023 policy plus a November 2025 series released on Saturday 28 March 2026.

    London moves from GMT to BST at 01:00 UTC on Sunday 29 March 2026.
    """
    data = dump_policy(international_2023())
    data["series"].append(
        {
            "series": "2025-11",
            "credential_window_opens": "2025-10-01",
            "results_release": "2026-03-28",
            "enquiry_deadline": "2026-04-30",
            "invoices_from": "2026-05-01",
        }
    )
    return load_policy(data)


def test_a_date_release_opens_at_the_start_of_that_day_in_london() -> None:
    """CRW-05, docs/decisions.md: 10 August 2023 opens at 00:00 BST, 23:00 UTC the day before."""
    assert results_visible_from(international_2023(), JUNE_2023, Delay()) == pendulum.datetime(
        2023, 8, 9, 23, tz="UTC"
    )


def test_a_delay_is_added_to_the_release_time() -> None:
    """CRW-05: with a delay, candidates see results at release time + delay."""
    policy = example_2026()
    release = pendulum.datetime(2026, 8, 11, 6, tz="UTC")
    assert results_visible_from(policy, JUNE_2026, Delay()) == release
    assert results_visible_from(policy, JUNE_2026, Delay.parse("48 hours")) == release.add(hours=48)


def test_results_are_visible_from_the_exact_instant_and_not_a_microsecond_before() -> None:
    """CRW-05, LOG-03: the window is half-open, [release + delay, ...)."""
    policy = example_2026()
    delay = Delay.parse("PT36H")
    opens = results_visible_from(policy, JUNE_2026, delay)
    assert results_visible(policy, JUNE_2026, delay, opens).allowed
    before = results_visible(policy, JUNE_2026, delay, opens.subtract(microseconds=1))
    assert before.codes == ("LOG-03.not-released-yet",)
    assert "12 August 2026, 19:00 (Europe/London)" in before.reasons[0].message


def test_a_delay_across_the_clock_change_is_exact_elapsed_time() -> None:
    """docs/decisions.md: '2 days' is 48 hours even across the Europe/London DST change."""
    policy = _policy_with_release_before_the_clock_change()
    release = results_visible_from(policy, NOVEMBER_2025, Delay())
    assert release == pendulum.datetime(2026, 3, 28, tz="UTC")
    visible = results_visible_from(policy, NOVEMBER_2025, Delay.parse("2 days"))
    assert (visible - release).in_hours() == 48
    local = visible.in_timezone("Europe/London")
    assert (local.day, local.hour) == (30, 1)
    refused = results_visible(
        policy, NOVEMBER_2025, Delay.parse("2 days"), visible.subtract(seconds=1)
    )
    assert "30 March 2026, 01:00 (Europe/London)" in refused.reasons[0].message


def test_a_series_the_policy_does_not_know_is_an_unknown_series() -> None:
    """UnknownSeries rather than a guess."""
    with pytest.raises(UnknownSeries):
        results_visible(international_2023(), JUNE_2026, Delay(), pendulum.now("UTC"))


@settings(max_examples=80)
@given(crst.delays(), st.integers(-40 * 86400, 40 * 86400))
def test_results_are_visible_exactly_from_release_plus_delay(delay: Delay, offset: int) -> None:
    """CRW-05: allowed if and only if now >= release + delay."""
    policy = example_2026()
    release = results_visible_from(policy, JUNE_2026, Delay())
    now = release.add(seconds=offset)
    decision = results_visible(policy, JUNE_2026, delay, now)
    assert decision.allowed == (offset >= delay.seconds)
