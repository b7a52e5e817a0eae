"""Which services a series offers and until when (EAR-01, EAR-07, EAR-21, EAR-22).

Services are data in the policy: the base table, less those a series
withdraws, plus those it adds (EAR-21).  The submission window of a service
is half-open, ``[results release, deadline)`` (EAR-22).
"""

from __future__ import annotations

import pendulum

from cambridge_results.decisions import Decision, Reason
from cambridge_results.errors import PolicyError
from cambridge_results.policy import Policy, ServiceDefinition
from cambridge_results.rules.enquiries.time import day_end_text, local_text
from cambridge_results.values import ExamSeries

__all__ = [
    "check_offered",
    "check_window",
    "offered_in",
    "offered_services",
    "service_definition",
    "submission_window",
    "window_reasons",
]


def offered_services(policy: Policy, series: ExamSeries) -> tuple[ServiceDefinition, ...]:
    """The services centres may choose for a series: the EAR-01 table as EAR-21 adjusts it."""
    return policy.services_for(series)


def service_definition(policy: Policy, series: ExamSeries, code: str) -> ServiceDefinition:
    """A service's definition in a series, offered or since withdrawn.

    Enquiries already made keep their service when a policy withdraws it, so
    this finds withdrawn services too; :class:`PolicyError` if the code is
    unknown altogether.
    """
    found = _find(policy, series, code)
    if found is None:
        raise PolicyError(f"policy {policy.name} has no service {code} in {series}", rule="EAR-21")
    return found


def _find(policy: Policy, series: ExamSeries, code: str) -> ServiceDefinition | None:
    return policy.service_in(series, code)


def check_offered(
    policy: Policy, series: ExamSeries, code: str, qualification: str | None = None
) -> Decision:
    """Whether service ``code`` may be asked for in ``series`` (for ``qualification``) (EAR-21)."""
    return offered_in(policy, series, code, qualification, _find(policy, series, code))


def offered_in(
    policy: Policy,
    series: ExamSeries,
    code: str,
    qualification: str | None,
    definition: ServiceDefinition | None,
) -> Decision:
    """:func:`check_offered` for a caller that has looked ``definition`` up already.

    ``definition`` is ``policy.service_in(series, code)``; ``None`` refuses
    with ``EAR-21.unknown-service``.
    """
    if definition is None:
        return Decision.refuse("EAR-21.unknown-service", f"there is no service {code} in {series}")
    if policy.enquiry_window(series, code).withdrawn:
        return Decision.refuse(
            "EAR-21.service-withdrawn", f"service {code} is withdrawn for {series}"
        )
    reasons = []
    if definition.sessions and series.session not in definition.sessions:
        sessions = ", ".join(s.label for s in definition.sessions)
        reasons.append(
            Reason(
                code="EAR-21.not-offered-in-series",
                message=f"service {code} is offered only in the {sessions} series, not {series}",
            )
        )
    if (
        qualification is not None
        and definition.qualifications
        and qualification not in definition.qualifications
    ):
        allowed = ", ".join(definition.qualifications)
        reasons.append(
            Reason(
                code="EAR-21.not-for-qualification",
                message=f"service {code} is only for {allowed}, not {qualification}",
            )
        )
    return Decision.of(reasons)


def submission_window(
    policy: Policy, series: ExamSeries, code: str
) -> tuple[pendulum.DateTime, pendulum.DateTime]:
    """``(opens, closes)`` for enquiries with service ``code``: half-open (EAR-07, EAR-22).

    It opens when the series' results are released and closes at the
    service's deadline (its own, else the series'), the end of that day in
    the policy's time zone when the deadline is a date.
    """
    window = policy.enquiry_window(series, code)
    return window.opens, window.closes


def check_window(policy: Policy, series: ExamSeries, code: str, now: pendulum.DateTime) -> Decision:
    """Whether ``now`` is inside the service's submission window (EAR-07, EAR-22)."""
    reasons = window_reasons(policy, series, code, now)
    return Decision(reasons=reasons) if reasons else Decision.allow()


def window_reasons(
    policy: Policy, series: ExamSeries, code: str, now: pendulum.DateTime
) -> tuple[Reason, ...]:
    """:func:`check_window`'s reasons alone, for rules that add them to their own."""
    window = policy.enquiry_window(series, code)
    if now < window.opens:
        return (
            Reason.lazy(
                "EAR-07.results-not-released", _not_open_text, series, window.opens, policy.timezone
            ),
        )
    if now >= window.closes:
        return (
            Reason.lazy(
                "EAR-07.deadline-passed",
                _closed_text,
                series,
                code,
                window.closes,
                window.deadline_is_date,
                policy.timezone,
            ),
        )
    return ()


# The refusals' sentences are written only when read (Reason.lazy): formatting an
# instant in a zone costs more than the rest of the check.


def _not_open_text(series: ExamSeries, opens: pendulum.DateTime, tz: str) -> str:
    when = local_text(opens, tz)
    return f"enquiries for {series} open when results are released, {when} [EAR-22]"


def _closed_text(
    series: ExamSeries, code: str, closes: pendulum.DateTime, is_date: bool, tz: str
) -> str:
    when = day_end_text(closes, tz) if is_date else local_text(closes, tz)
    return f"the deadline for service {code} enquiries in {series} was {when} [EAR-22]"
