"""Strategies for policies: calendars, services, fees and limits that load like the shipped one."""

from __future__ import annotations

import decimal

import pendulum
from hypothesis import strategies as st

from cambridge_results.policy import (
    CredentialPolicy,
    DateOrInstant,
    EnquiryPolicy,
    Fee,
    LoginPolicy,
    Money,
    Policy,
    ReportPolicy,
    ReviewKind,
    SeriesCalendar,
    ServiceDefinition,
)
from cambridge_results.testing.strategies.values import exam_series
from cambridge_results.values import (
    AssessedBy,
    ExamSeries,
    Session,
)

_TIMEZONES = ["Europe/London", "UTC", "Asia/Singapore", "America/New_York", "Asia/Kolkata"]


@st.composite
def _date_or_instant(draw: st.DrawFn, day: pendulum.Date) -> DateOrInstant:
    if draw(st.booleans()):
        return DateOrInstant(day.to_date_string())
    hour = draw(st.integers(0, 23))
    offset = draw(st.sampled_from(["+00:00", "Z", "+01:00", "-05:00", "+08:00"]))
    # An instant on that day (in its own offset): dates stay weeks apart, so order holds.
    return DateOrInstant(
        f"{day.to_date_string()}T{hour:02d}:{draw(st.integers(0, 59)):02d}:00{offset}"
    )


@st.composite
def _calendar(
    draw: st.DrawFn, series: ExamSeries, base: tuple[str, ...], added: tuple[ServiceDefinition, ...]
) -> SeriesCalendar:
    if series.session is Session.JUNE:
        opens = pendulum.date(series.year, 3, 1)
        release = pendulum.date(series.year, 8, 1)
    else:
        opens = pendulum.date(series.year, 10, 1)
        release = pendulum.date(series.year + 1, 1, 5)
    opens = opens.add(days=draw(st.integers(0, 40)))
    release = release.add(days=draw(st.integers(0, 20)))
    deadline = release.add(days=draw(st.integers(14, 60)))
    invoices = deadline.add(days=draw(st.integers(1, 30)))
    return SeriesCalendar(
        series=series,
        credential_window_opens=draw(_date_or_instant(opens)),
        results_release=draw(_date_or_instant(release)),
        enquiry_deadline=draw(_date_or_instant(deadline)),
        invoices_from=draw(_date_or_instant(invoices)),
        services_withdrawn=tuple(draw(st.lists(st.sampled_from(base), unique=True, max_size=2))),
        services_added=added,
        example=draw(st.booleans()),
    )


def _money(currency: str) -> st.SearchStrategy[Money]:
    return st.integers(0, 50000).map(
        lambda cents: Money(amount=decimal.Decimal(cents).scaleb(-2), currency=currency)
    )


@st.composite
def _services(draw: st.DrawFn) -> tuple[ServiceDefinition, ...]:
    board = AssessedBy.BOARD
    group_min = draw(st.integers(1, 10))
    table: list[ServiceDefinition] = [
        ServiceDefinition(code="1", name="Clerical re-check", kind=ReviewKind.RECHECK_OR_REVIEW,
                          assessed_by=board),
        ServiceDefinition(code="1S", name="Clerical re-check with copy of script",
                          kind=ReviewKind.RECHECK_OR_REVIEW, assessed_by=board,
                          copy_of_script=True, excludes_art_and_design=True),
        ServiceDefinition(code="2", name="Review of marking", kind=ReviewKind.RECHECK_OR_REVIEW,
                          assessed_by=board, excludes_multiple_choice=True,
                          turnaround_days=draw(st.none() | st.integers(1, 60))),
        ServiceDefinition(code="5", name="Review of moderation", kind=ReviewKind.GROUP,
                          assessed_by=AssessedBy.CENTRE, report=True),
        ServiceDefinition(code="9", name="Report on the work of a group", kind=ReviewKind.GROUP,
                          assessed_by=board, report=True, excludes_multiple_choice=True,
                          excludes_portfolio_route=True, group_min=group_min,
                          group_max=draw(st.integers(group_min, 40))),
        ServiceDefinition(code="X/Q", name="Explain a NO RESULT or PENDING",
                          kind=ReviewKind.NO_RESULT_OR_PENDING, assessed_by=None, free=True),
    ]  # fmt: skip
    return tuple(draw(st.permutations(table)))


def _priority_service(code: str, days: int) -> ServiceDefinition:
    return ServiceDefinition(
        code=code,
        name="Priority review of marking",
        kind=ReviewKind.RECHECK_OR_REVIEW,
        assessed_by=AssessedBy.BOARD,
        excludes_multiple_choice=True,
        qualifications=("AS-A-LEVEL",),
        sessions=(Session.JUNE,),
        turnaround_days=days,
    )


@st.composite
def policies(draw: st.DrawFn, *, max_series: int = 3) -> Policy:
    """Valid policies with varying numbers: time zone, calendars (dates or instants,
    services withdrawn or added), group sizes, fees, lockout, tokens, caps and
    credential settings.  ``load_policy(dump_policy(p)) == p`` holds for each."""
    currency = draw(st.sampled_from(["GBP", "USD", "EUR"]))
    services = draw(_services())
    codes = tuple(s.code for s in services)
    series = draw(st.lists(exam_series(), min_size=1, max_size=max_series, unique=True))
    calendars = []
    for i, one in enumerate(series):
        added: tuple[ServiceDefinition, ...] = ()
        if one.session is Session.JUNE and draw(st.booleans()):
            added = (_priority_service(f"2P{i}" if i else "2P", draw(st.integers(1, 30))),)
        calendars.append(draw(_calendar(one, codes, added)))
    paid = [s.code for s in services if not s.free]
    paid += [a.code for cal in calendars for a in cal.services_added]
    fees = tuple(Fee(service=code, price=draw(_money(currency))) for code in paid)
    floor_m, floor_t = draw(st.sampled_from([(19456, 2), (12288, 3), (47104, 1)]))
    max_password = draw(st.integers(64, 128))
    return Policy(
        name=draw(st.sampled_from(["international", "example", "board"]))
        + f"-{draw(st.integers(2000, 2099))}",
        version=f"{draw(st.integers(1, 99))}.{draw(st.integers(0, 9))}",
        timezone=draw(st.sampled_from(_TIMEZONES)),
        series=tuple(calendars),
        services=services,
        fees=fees,
        enquiries=EnquiryPolicy(
            turnaround_days=draw(st.integers(1, 60)),
            free_change_hours=draw(st.integers(0, 72)),
            number_overdue_hours=draw(st.integers(1, 72)),
            acknowledgement_overdue_working_days=draw(st.integers(1, 10)),
            acknowledgement_error_report_hours=draw(st.integers(1, 72)),
            appeal_stage1_decision_days=draw(st.integers(1, 60)),
            appeal_stage2_within_days=draw(st.integers(1, 60)),
            amendment_fee=draw(_money(currency)),
            cancellation_fee=draw(_money(currency)),
        ),
        login=LoginPolicy(
            lockout_threshold=draw(st.integers(1, 10)),
            lockout_minutes=draw(st.integers(1, 24 * 60)),
            reset_token_minutes=draw(st.integers(1, 24 * 60)),
            reset_token_bytes=draw(st.integers(16, 64)),
            max_password_length=max_password,
        ),
        credentials=CredentialPolicy(
            password_length=draw(st.integers(12, max_password)),
            hasher=draw(st.sampled_from(["argon2id", "scrypt"])),
            argon2_memory_kib=floor_m + draw(st.integers(0, 4096)),
            argon2_time_cost=floor_t + draw(st.integers(0, 2)),
            argon2_parallelism=draw(st.integers(1, 4)),
            allowed_test_hashers=draw(st.sampled_from([(), ("test-cheap",)])),
            require_change_at_first_login=draw(st.booleans()),
        ),
        reports=ReportPolicy(max_pdfs_per_request=draw(st.integers(1, 1000))),
        notes=draw(st.sampled_from(["", "Drawn by hypothesis: every number is made up."])),
    )
