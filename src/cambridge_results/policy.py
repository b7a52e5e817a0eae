"""Policies as data: every number of SPEC lives here, loaded from a file with cattrs.

A board loads next year's rules from data without a code change.  The 2023
international policy from the guides ships with the library
(:func:`international_2023`), and so do example June and November 2026
series, marked as examples (:func:`example_2026`).
"""

from __future__ import annotations

import decimal
import enum
import json
import re
from collections.abc import Mapping
from importlib import resources
from pathlib import Path
from typing import Any

import attrs
import pendulum

from cambridge_results.errors import InvalidValue, PolicyError, UnknownSeries
from cambridge_results.serialization import converter, parse_instant, structure, unstructure
from cambridge_results.values import ExamSeries, Session
from cambridge_results.values.contact import validate_email
from cambridge_results.values.exams import AssessedBy

__all__ = [
    "CredentialPolicy",
    "DateOrInstant",
    "EnquiryPolicy",
    "LoginPolicy",
    "Money",
    "Policy",
    "ReportPolicy",
    "ReviewKind",
    "SeriesCalendar",
    "ServiceDeadline",
    "ServiceDefinition",
    "dump_policy",
    "example_2026",
    "international_2023",
    "load_policy",
]


@attrs.frozen
class DateOrInstant:
    """A policy time given as a date or as an exact instant with its zone (EAR-22).

    Serialised as ``"2023-09-20"`` or ``"2023-09-20T23:59:00+00:00"``.  A date
    *opens* at the start of that day and *closes* at the end of it, in the
    policy's time zone; windows are half-open, ``[opens, closes)``.
    """

    text: str = attrs.field()

    @text.validator
    def _check(self, _: attrs.Attribute[str], value: str) -> None:
        if not isinstance(value, str):
            raise InvalidValue("date_or_instant", "must be text")
        if len(value) == 10:
            structure(value, pendulum.Date)
        else:
            parse_instant(value, "date_or_instant")

    @property
    def is_date(self) -> bool:
        """True when given as a date, not an exact instant."""
        return len(self.text) == 10

    def _date(self) -> pendulum.Date:
        return structure(self.text, pendulum.Date)

    def opens(self, tz: str) -> pendulum.DateTime:
        """The instant this time opens a window: start of the day for a date."""
        if not self.is_date:
            return parse_instant(self.text)
        d = self._date()
        return pendulum.datetime(d.year, d.month, d.day, tz=tz).in_timezone("UTC")

    def closes(self, tz: str) -> pendulum.DateTime:
        """The first instant after a deadline: end of the day for a date (EAR-22)."""
        if not self.is_date:
            return parse_instant(self.text)
        d = self._date().add(days=1)
        return pendulum.datetime(d.year, d.month, d.day, tz=tz).in_timezone("UTC")

    def __str__(self) -> str:
        return self.text


_CURRENCY = re.compile(r"[A-Z]{3}", re.ASCII)


@attrs.frozen(kw_only=True)
class Money:
    """An amount in a currency (ISO 4217 code)."""

    amount: decimal.Decimal = attrs.field()
    currency: str = attrs.field()

    @amount.validator
    def _check_amount(self, _: attrs.Attribute[decimal.Decimal], value: decimal.Decimal) -> None:
        if not isinstance(value, decimal.Decimal) or not value.is_finite() or value < 0:
            raise InvalidValue("amount", "must be a non-negative decimal")

    @currency.validator
    def _check_currency(self, _: attrs.Attribute[str], value: str) -> None:
        if not isinstance(value, str) or _CURRENCY.fullmatch(value) is None:
            raise InvalidValue("currency", "must be an ISO 4217 code like GBP")

    def __str__(self) -> str:
        return f"{self.amount} {self.currency}"


class ReviewKind(enum.Enum):
    """Which EAR-06 family a service belongs to: only one re-check or review per syllabus."""

    RECHECK_OR_REVIEW = "recheck-or-review"
    GROUP = "group"
    NO_RESULT_OR_PENDING = "no-result-or-pending"


_SERVICE_CODE = re.compile(r"[0-9A-Z/]{1,8}", re.ASCII)


@attrs.frozen(kw_only=True)
class ServiceDefinition:
    """One enquiry service of the EAR-01 table, as data so a policy can add or withdraw it."""

    code: str = attrs.field()
    name: str
    kind: ReviewKind
    #: Who must have assessed the component; ``None`` for X/Q enquiries.
    assessed_by: AssessedBy | None
    copy_of_script: bool = False
    report: bool = False
    excludes_multiple_choice: bool = False
    excludes_art_and_design: bool = False
    excludes_portfolio_route: bool = False
    #: Group services (5, 9) are for a group of candidates, never one (EAR-01).
    group_min: int | None = None
    group_max: int | None = None
    free: bool = False
    #: Empty means every qualification; else only these (EAR-21: 2P for AS & A Level).
    qualifications: tuple[str, ...] = ()
    #: Empty means every session; else only these (EAR-21: 2P June only).
    sessions: tuple[Session, ...] = ()
    turnaround_days: int | None = None

    @code.validator
    def _check_code(self, _: attrs.Attribute[str], value: str) -> None:
        if not isinstance(value, str) or _SERVICE_CODE.fullmatch(value) is None:
            raise InvalidValue("service.code", "must be a short code like 1S or 2P")

    def __attrs_post_init__(self) -> None:
        if (self.group_min is None) != (self.group_max is None):
            raise InvalidValue("service.group_min", "group_min and group_max go together")
        if (
            self.group_min is not None
            and self.group_max is not None
            and not (0 < self.group_min <= self.group_max)
        ):
            raise InvalidValue("service.group_min", "must be positive and at most group_max")

    @property
    def is_group(self) -> bool:
        """True for services asked for a group of candidates (5 and 9)."""
        return self.kind is ReviewKind.GROUP


@attrs.frozen(kw_only=True)
class ServiceDeadline:
    """A deadline for one service in one series that differs from the series' (EAR-07).

    Priority services, for instance, close earlier than the others (EAR-21).
    """

    service: str
    deadline: DateOrInstant


@attrs.frozen(kw_only=True)
class SeriesCalendar:
    """The dates of one exam series (CRW-02, CRW-05, EAR-07, EAR-15, EAR-21)."""

    series: ExamSeries
    #: From when login details can be created (CRW-02).
    credential_window_opens: DateOrInstant
    #: The board's published results release (CRW-05).
    results_release: DateOrInstant
    #: The last moment to submit an enquiry, X/Q included (EAR-07, EAR-22).
    enquiry_deadline: DateOrInstant
    #: Invoices for the series' enquiries are issued from this date (EAR-15).
    invoices_from: DateOrInstant
    services_withdrawn: tuple[str, ...] = ()
    services_added: tuple[ServiceDefinition, ...] = ()
    #: Services whose enquiry deadline differs from ``enquiry_deadline`` (EAR-07).
    service_deadlines: tuple[ServiceDeadline, ...] = ()
    #: True for made-up series shipped to show the format, not the board's real dates.
    example: bool = False


@attrs.frozen(kw_only=True)
class LoginPolicy:
    """Lockout and password-reset numbers (LOG-02, LOG-05)."""

    lockout_threshold: int = 3
    lockout_minutes: int = 30
    reset_token_minutes: int = 60
    reset_token_bytes: int = 16
    max_password_length: int = 128


@attrs.frozen(kw_only=True)
class CredentialPolicy:
    """How generated credentials are made and stored (CRW-12)."""

    password_length: int = 12
    hasher: str = "argon2id"
    argon2_memory_kib: int = 19456
    argon2_time_cost: int = 2
    argon2_parallelism: int = 1
    #: Cheap hashers for tests are refused unless named here (CRW-12).
    allowed_test_hashers: tuple[str, ...] = ()
    #: ASVS 6.4.1 wants initial passwords to expire; the guides do not (CRW-12).
    require_change_at_first_login: bool = False


@attrs.frozen(kw_only=True)
class ReportPolicy:
    """Preparation centre reports (LOG-09)."""

    max_pdfs_per_request: int = 300


def _group_award_contact(value: object) -> str:
    return validate_email(value, "enquiries.group_award_contact", rule="EAR-19")


@attrs.frozen(kw_only=True)
class EnquiryPolicy:
    """Numbers of the enquiries workflow (EAR-08, EAR-14, EAR-16, EAR-18, EAR-20)."""

    turnaround_days: int = 30
    free_change_hours: int = 24
    number_overdue_hours: int = 24
    acknowledgement_overdue_working_days: int = 2
    acknowledgement_error_report_hours: int = 24
    appeal_stage1_decision_days: int = 28
    appeal_stage2_within_days: int = 14
    amendment_fee: Money
    cancellation_fee: Money
    #: Where group-award recalculations are asked for instead (EAR-19).
    group_award_contact: str = attrs.field(
        default="info@cambridgeinternational.org", converter=_group_award_contact
    )


@attrs.frozen(kw_only=True)
class Fee:
    """The fee of one service (EAR-15)."""

    service: str
    price: Money


@attrs.frozen(kw_only=True)
class Policy:
    """Every number the rules use, for one board and edition (e.g. international 2023)."""

    name: str
    version: str
    timezone: str = attrs.field(default="Europe/London")
    series: tuple[SeriesCalendar, ...]
    services: tuple[ServiceDefinition, ...]
    fees: tuple[Fee, ...]
    enquiries: EnquiryPolicy
    login: LoginPolicy = LoginPolicy()
    credentials: CredentialPolicy = CredentialPolicy()
    reports: ReportPolicy = ReportPolicy()
    #: Where the numbers come from, and which are examples.
    notes: str = ""

    @timezone.validator
    def _check_timezone(self, _: attrs.Attribute[str], value: str) -> None:
        try:
            pendulum.timezone(value)
        except Exception as exc:  # pendulum raises several types for bad names
            raise InvalidValue("timezone", f"{value!r} is not an IANA time zone") from exc

    def __attrs_post_init__(self) -> None:
        seen = [c.series for c in self.series]
        if len(set(seen)) != len(seen):
            raise InvalidValue("series", "each series appears once in the calendar")
        codes = [s.code for s in self.services]
        if len(set(codes)) != len(codes):
            raise InvalidValue("services", "service codes must be unique")
        priced = {f.service for f in self.fees}
        for cal in self.series:
            for s in cal.services_added:
                if s.code in codes:
                    raise InvalidValue("services_added", f"service {s.code} already exists")
            for code in cal.services_withdrawn:
                if code not in codes:
                    raise InvalidValue("services_withdrawn", f"no service {code} to withdraw")
            known = {*codes, *(a.code for a in cal.services_added)}
            overridden = [d.service for d in cal.service_deadlines]
            if len(set(overridden)) != len(overridden):
                raise InvalidValue("service_deadlines", "each service appears once")
            for code in overridden:
                if code not in known:
                    raise InvalidValue("service_deadlines", f"no service {code} in {cal.series}")
        for s in (*self.services, *(a for c in self.series for a in c.services_added)):
            if not s.free and s.code not in priced:
                raise InvalidValue("fees", f"service {s.code} has no fee")

    def calendar(self, series: ExamSeries) -> SeriesCalendar:
        """The calendar of a series; :class:`UnknownSeries` if the policy has none."""
        for cal in self.series:
            if cal.series == series:
                return cal
        known = ", ".join(str(c.series) for c in self.series) or "none"
        raise UnknownSeries(f"policy {self.name} has no calendar for {series} (it has {known})")

    def services_for(self, series: ExamSeries) -> tuple[ServiceDefinition, ...]:
        """The services offered for a series: the base table less withdrawn, plus added (EAR-21)."""
        cal = self.calendar(series)
        base = tuple(s for s in self.services if s.code not in cal.services_withdrawn)
        offered = (*base, *cal.services_added)
        return tuple(s for s in offered if not s.sessions or series.session in s.sessions)

    def enquiry_deadline(self, series: ExamSeries, service: str) -> DateOrInstant:
        """The enquiry deadline of a service in a series: its own, else the series' (EAR-07)."""
        cal = self.calendar(series)
        for d in cal.service_deadlines:
            if d.service == service:
                return d.deadline
        return cal.enquiry_deadline

    def fee(self, service: str) -> Money:
        """The fee for a service (EAR-15); X/Q and other free services cost nothing."""
        for f in self.fees:
            if f.service == service:
                return f.price
        raise PolicyError(f"policy {self.name} has no fee for service {service}", rule="EAR-15")


converter.register_unstructure_hook(DateOrInstant, str)
converter.register_structure_hook(DateOrInstant, lambda v, _: DateOrInstant(v))


def load_policy(source: Mapping[str, Any] | str | Path) -> Policy:
    """Load a policy from a mapping or a JSON file; errors name the field path."""
    if isinstance(source, Mapping):
        data: Any = source
    else:
        try:
            data = json.loads(Path(source).read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            raise PolicyError(f"cannot read policy file {source}: {exc}") from exc
    return structure(data, Policy)


def dump_policy(policy: Policy) -> dict[str, Any]:
    """The policy as JSON-ready data; :func:`load_policy` reads it back unchanged."""
    result: dict[str, Any] = unstructure(policy)
    return result


def _shipped(name: str) -> Policy:
    text = resources.files("cambridge_results.policies").joinpath(name).read_text("utf-8")
    return load_policy(json.loads(text))


def international_2023() -> Policy:
    """The 2023 international policy from the guides (seed 003), June and November 2023."""
    return _shipped("international-2023.json")


def example_2026() -> Policy:
    """The 2023 rules with example June and November 2026 series (marked ``example``)."""
    return _shipped("example-2026.json")
