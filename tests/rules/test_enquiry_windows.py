"""A policy's enquiry windows, worked out once, say what its calendar says (EAR-07, EAR-21, EAR-22).

``Policy.enquiry_window`` keeps each series' and service's window so the
rules do not look the calendar up again on every call (issue 15: rules at
pure-function speed).  These tests hold it, and the rules built on it, to the
calendar itself.
"""

from __future__ import annotations

import datetime

import pendulum
from hypothesis import given
from hypothesis import strategies as st

from cambridge_results import international_2023
from cambridge_results.policy import Policy
from cambridge_results.rules.enquiries.services import (
    check_offered,
    check_window,
    submission_window,
    window_reasons,
)
from cambridge_results.testing.strategies.policies import policies
from cambridge_results.values import ExamSeries

CODES = st.sampled_from(["1", "1S", "2", "2S", "5", "9", "X/Q", "2P", "2PS", "7"])


@st.composite
def series_of(draw: st.DrawFn, policy: Policy) -> ExamSeries:
    return draw(st.sampled_from([c.series for c in policy.series]))


@given(policies(), st.data())
def test_the_window_is_the_calendars(policy: Policy, data: st.DataObject) -> None:
    """EAR-07/EAR-22: opens at the results release, closes after the service's own deadline."""
    series = data.draw(series_of(policy))
    code = data.draw(CODES)
    cal = policy.calendar(series)
    own = [d.deadline for d in cal.service_deadlines if d.service == code]
    deadline = own[0] if own else cal.enquiry_deadline
    for _ in range(2):  # worked out, then kept: the same answer both times
        window = policy.enquiry_window(series, code)
        assert window.opens == cal.results_release.opens(policy.timezone)
        assert window.closes == deadline.closes(policy.timezone)
        assert window.deadline_is_date == deadline.is_date
        assert window.withdrawn == (code in cal.services_withdrawn)  # EAR-21
        assert submission_window(policy, series, code) == (window.opens, window.closes)


@given(policies(), st.data())
def test_a_withdrawn_service_is_refused_as_withdrawn(policy: Policy, data: st.DataObject) -> None:
    """EAR-21: the kept window's flag gives the same refusal as the calendar's list."""
    series = data.draw(series_of(policy))
    code = data.draw(CODES)
    decision = check_offered(policy, series, code)
    withdrawn = code in policy.calendar(series).services_withdrawn
    assert ("EAR-21.service-withdrawn" in decision.codes) == (
        withdrawn and policy.service_in(series, code) is not None
    )


@given(policies(), st.data())
def test_the_window_is_half_open(policy: Policy, data: st.DataObject) -> None:
    """EAR-22: allowed exactly on ``[opens, closes)``; the reasons alone match the decision."""
    series = data.draw(series_of(policy))
    code = data.draw(CODES)
    window = policy.enquiry_window(series, code)
    now = data.draw(
        st.sampled_from([window.opens, window.closes])
        | st.datetimes(
            min_value=datetime.datetime(2000, 1, 1), max_value=datetime.datetime(2099, 12, 31)
        ).map(lambda d: pendulum.instance(d, tz="UTC"))
    )
    moment = data.draw(st.sampled_from([now, now.subtract(microseconds=1)]))
    decision = check_window(policy, series, code, moment)
    assert decision.allowed == (window.opens <= moment < window.closes)
    reasons = window_reasons(policy, series, code, moment)
    assert reasons == decision.reasons
    if moment < window.opens:
        assert decision.codes == ("EAR-07.results-not-released",)
    elif moment >= window.closes:
        assert decision.codes == ("EAR-07.deadline-passed",)


def test_an_unknown_service_has_the_series_deadline_and_is_not_kept() -> None:
    """A code the policy does not know gets the series' window, every time afresh."""
    policy = international_2023()
    june = ExamSeries.parse("June 2023")
    first = policy.enquiry_window(june, "7")
    again = policy.enquiry_window(june, "7")
    assert first == again
    assert first is not again  # callers may pass any code: only the policy's own are kept
    assert policy.enquiry_window(june, "2") is policy.enquiry_window(june, "2")
    assert first.closes == policy.calendar(june).enquiry_deadline.closes(policy.timezone)
