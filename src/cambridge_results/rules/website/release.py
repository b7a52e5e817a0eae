"""When candidates may see results: release time plus delay, half-open (CRW-05, LOG-03)."""

from __future__ import annotations

import datetime

import pendulum

from cambridge_results.decisions import Decision
from cambridge_results.policy import Policy
from cambridge_results.values import Delay, ExamSeries
from cambridge_results.values.instants import minute_text, plus

__all__ = ["results_visible", "results_visible_from"]


def results_visible_from(policy: Policy, series: ExamSeries, delay: Delay) -> pendulum.DateTime:
    """The first instant results of ``series`` may be seen: release + delay (CRW-05).

    A delay is an exact duration: ``2 days`` is 48 hours even across a
    daylight-saving change (docs/decisions.md).
    """
    release = policy.calendar(series).results_release.opens(policy.timezone)
    # A plain timedelta: building pendulum's Duration costs more than the rest of the rule.
    return plus(release, datetime.timedelta(seconds=delay.seconds))


def results_visible(
    policy: Policy, series: ExamSeries, delay: Delay, now: pendulum.DateTime
) -> Decision:
    """Allowed from :func:`results_visible_from` on (half-open); before, the answer says when."""
    opens = results_visible_from(policy, series, delay)
    if now >= opens:
        return Decision.allow()
    return Decision.refuse_lazily(
        "LOG-03.not-released-yet", _not_yet_text, series, opens, policy.timezone
    )


def _not_yet_text(series: ExamSeries, opens: pendulum.DateTime, tz: str) -> str:
    # Written only when the refusal is read (Reason.lazy): most callers look at the code.
    return f"results for {series} can be viewed from {minute_text(opens, tz)} ({tz}) [CRW-05]"
