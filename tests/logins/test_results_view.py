"""The candidate's results view: access, release time, provisional notice (LOG-03, CRW-05/06/11)."""

from __future__ import annotations

import attrs
import pendulum
import pytest

from cambridge_results.errors import InvalidValue
from cambridge_results.policy import DateOrInstant, Policy, example_2026
from cambridge_results.rules.website.results_view import (
    PROVISIONAL_NOTICE,
    ResultsAnswer,
    ResultsView,
    SyllabusResult,
    results_view,
)
from cambridge_results.values import Candidate, Delay, ExamSeries

NO_DELAY = Delay()
JUNE = ExamSeries.parse("June 2026")
NOVEMBER = ExamSeries.parse("November 2026")
RELEASE = pendulum.datetime(2026, 8, 11, 6, 0, tz="UTC")
KIM = Candidate(centre="GB123", number="0713", given_name="Kim", family_name="Lee")
RESULTS = (
    SyllabusResult(syllabus="0580", title="Mathematics", grade="A"),
    SyllabusResult(syllabus="0500", title="First Language English", grade="B"),
)


def view_at(
    now: pendulum.DateTime,
    *,
    has_access: bool = True,
    delay: Delay = NO_DELAY,
    policy: Policy | None = None,
    series: ExamSeries = JUNE,
) -> ResultsAnswer:
    """The view of Kim's results at ``now``."""
    return results_view(
        policy=policy or example_2026(),
        series=series,
        delay=delay,
        has_access=has_access,
        candidate=KIM,
        results=RESULTS,
        now=now,
    )


def test_no_access_means_no_view_and_no_release_time() -> None:
    """CRW-06: NONE or revoked access: no view at all, even long after release."""
    answer = view_at(RELEASE.add(days=60), has_access=False)
    assert answer.view is None
    assert answer.decision.codes == ("CRW-06.no-access",)
    assert "2026" not in answer.decision.reasons[0].message.replace(str(JUNE), "")


def test_before_release_the_answer_says_when() -> None:
    """LOG-03: refused before release; the answer names the local release time."""
    answer = view_at(RELEASE.subtract(seconds=1))
    assert answer.view is None
    assert answer.decision.codes == ("LOG-03.not-released-yet",)
    assert "11 August 2026, 07:00" in answer.decision.reasons[0].message


def test_from_release_the_view_is_shown_and_says_provisional() -> None:
    """CRW-11: every view says the results are provisional, first."""
    answer = view_at(RELEASE)
    assert answer.view is not None
    assert answer.view.provisional is True
    lines = answer.view.lines("Europe/London")
    assert lines[0] == PROVISIONAL_NOTICE
    assert "provisional" in lines[0]
    assert "0580 Mathematics: A" in lines


def test_a_view_cannot_claim_to_be_final() -> None:
    """CRW-11: a ResultsView with provisional=False cannot exist."""
    with pytest.raises(InvalidValue, match="provisional"):
        ResultsView(
            candidate=KIM, series=JUNE, results=RESULTS, visible_from=RELEASE, provisional=False
        )


def test_a_delay_moves_the_view_later() -> None:
    """CRW-05: with a 48-hour delay, nothing before release + 48 h."""
    delay = Delay.parse("48 hours")
    assert view_at(RELEASE.add(hours=47, minutes=59, seconds=59), delay=delay).view is None
    assert view_at(RELEASE.add(hours=48), delay=delay).view is not None


def autumn_policy(release: str, series_released: ExamSeries = NOVEMBER) -> Policy:
    """The example policy with ``series_released`` results released on ``release`` (a date)."""
    policy = example_2026()
    series = tuple(
        attrs.evolve(c, results_release=DateOrInstant(release))
        if c.series == series_released
        else c
        for c in policy.series
    )
    return attrs.evolve(policy, series=series)


def test_a_delay_across_the_autumn_clock_change_is_exact_and_shown_in_local_time() -> None:
    """CRW-05, LOG-03: release 24 Oct 2026 (BST) + 2 days ends 23:00 GMT on 25 Oct."""
    policy = autumn_policy("2026-10-24")
    delay = Delay.parse("2 days")
    opens = pendulum.datetime(2026, 10, 25, 23, 0, tz="UTC")
    before = view_at(opens.subtract(seconds=1), delay=delay, policy=policy, series=NOVEMBER)
    assert before.decision.codes == ("LOG-03.not-released-yet",)
    assert "25 October 2026, 23:00" in before.decision.reasons[0].message
    after = view_at(opens, delay=delay, policy=policy, series=NOVEMBER)
    assert after.view is not None
    assert after.view.visible_from == opens
    assert "Results available from 25 October 2026, 23:00 (Europe/London)" in after.view.lines(
        "Europe/London"
    )


def test_a_delay_across_the_spring_clock_change_shows_summer_time() -> None:
    """CRW-05: release 28 Mar 2026 (GMT) + 48 h is 01:00 BST on 30 Mar, 00:00 UTC."""
    policy = autumn_policy("2026-03-28", JUNE)
    delay = Delay.parse("P2D")
    opens = pendulum.datetime(2026, 3, 30, 0, 0, tz="UTC")
    assert view_at(opens.subtract(seconds=1), delay=delay, policy=policy, series=JUNE).view is None
    after = view_at(opens, delay=delay, policy=policy, series=JUNE)
    assert after.view is not None
    assert "Results available from 30 March 2026, 01:00 (Europe/London)" in after.view.lines(
        "Europe/London"
    )
