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
from collections.abc import Callable, Mapping
from importlib import resources
from pathlib import Path
from typing import Any

import attrs
import pendulum

from cambridge_results._checks import (
    Check,
    at_least,
    flag,
    instance,
    member,
    optional_at_least,
    tuple_of,
    whole,
)
from cambridge_results.errors import InvalidValue, PolicyError, UnknownSeries
from cambridge_results.serialization import (
    converter,
    parse_date,
    parse_instant,
    structure,
    unstructure,
)
from cambridge_results.values import ExamSeries, Session
from cambridge_results.values._text import ascii_pattern, human_text
from cambridge_results.values.contact import validate_email
from cambridge_results.values.exams import AssessedBy, qualification_code

__all__ = [
    "ARGON2ID_FLOORS",
    "CredentialPolicy",
    "DateOrInstant",
    "EnquiryPolicy",
    "Fee",
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
            parse_date(value, "date_or_instant")
        else:
            parse_instant(value, "date_or_instant")

    @property
    def is_date(self) -> bool:
        """True when given as a date, not an exact instant."""
        return len(self.text) == 10

    def _date(self) -> pendulum.Date:
        return parse_date(self.text, "date_or_instant")

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


def _check_amount(_: Any, __: Any, value: Any) -> None:
    if not isinstance(value, decimal.Decimal) or not value.is_finite() or value < 0:
        raise InvalidValue("money.amount", "must be a non-negative decimal", rule="EAR-15")


def _check_currency(_: Any, __: Any, value: Any) -> None:
    if not isinstance(value, str) or _CURRENCY.fullmatch(value) is None:
        raise InvalidValue("money.currency", "must be an ISO 4217 code like GBP", rule="EAR-15")


@attrs.frozen(kw_only=True)
class Money:
    """An amount in a currency (ISO 4217 code)."""

    amount: decimal.Decimal = attrs.field(validator=_check_amount)
    currency: str = attrs.field(validator=_check_currency)

    def __str__(self) -> str:
        return f"{self.amount} {self.currency}"


class ReviewKind(enum.Enum):
    """Which EAR-06 family a service belongs to: only one re-check or review per syllabus."""

    RECHECK_OR_REVIEW = "recheck-or-review"
    GROUP = "group"
    NO_RESULT_OR_PENDING = "no-result-or-pending"


_SERVICE_CODE = re.compile(r"[0-9A-Z/]{1,8}", re.ASCII)
_MAX_NAME = 200


def _service_code(value: object, field: str) -> str:
    return ascii_pattern(value, field, _SERVICE_CODE, "a short service code like 1S or 2P")


def _check_service_code(_: Any, __: Any, value: Any) -> None:
    _service_code(value, "service.code")


def _service_name(value: object) -> str:
    return human_text(value, "service.name", max_length=_MAX_NAME)


def _codes(field: str, check_one: Callable[[str, str], object]) -> Check[tuple[str, ...]]:
    """A validator for a tuple of codes, each checked by ``check_one(code, field)``."""
    is_tuple = tuple_of(field, str)

    def check(instance: Any, attribute: Any, value: Any) -> None:
        is_tuple(instance, attribute, value)
        for i, code in enumerate(value):
            check_one(code, f"{field}[{i}]")

    return check


def _upper_qualification(code: str, field: str) -> None:
    if qualification_code(code, field) != code:
        raise InvalidValue(field, "must be in upper case, like AS-A-LEVEL")


def _check_optional_assessed_by(_: Any, __: Any, value: Any) -> None:
    if value is not None:
        member("service.assessed_by", AssessedBy)(_, __, value)


@attrs.frozen(kw_only=True)
class ServiceDefinition:
    """One enquiry service of the EAR-01 table, as data so a policy can add or withdraw it."""

    code: str = attrs.field(validator=_check_service_code)
    name: str = attrs.field(converter=_service_name)
    kind: ReviewKind = attrs.field(validator=member("service.kind", ReviewKind))
    #: Who must have assessed the component; ``None`` for X/Q enquiries.
    assessed_by: AssessedBy | None = attrs.field(validator=_check_optional_assessed_by)
    copy_of_script: bool = attrs.field(default=False, validator=flag("service.copy_of_script"))
    report: bool = attrs.field(default=False, validator=flag("service.report"))
    excludes_multiple_choice: bool = attrs.field(
        default=False, validator=flag("service.excludes_multiple_choice")
    )
    excludes_art_and_design: bool = attrs.field(
        default=False, validator=flag("service.excludes_art_and_design")
    )
    excludes_portfolio_route: bool = attrs.field(
        default=False, validator=flag("service.excludes_portfolio_route")
    )
    #: Group services (5, 9) are for a group of candidates, never one (EAR-01).
    group_min: int | None = attrs.field(
        default=None, validator=optional_at_least("service.group_min", 1, rule="EAR-01")
    )
    group_max: int | None = attrs.field(
        default=None, validator=optional_at_least("service.group_max", 1, rule="EAR-01")
    )
    free: bool = attrs.field(default=False, validator=flag("service.free"))
    #: Empty means every qualification; else only these (EAR-21: 2P for AS & A Level).
    qualifications: tuple[str, ...] = attrs.field(
        default=(), validator=_codes("service.qualifications", _upper_qualification)
    )
    #: Empty means every session; else only these (EAR-21: 2P June only).
    sessions: tuple[Session, ...] = attrs.field(
        default=(), validator=tuple_of("service.sessions", Session)
    )
    turnaround_days: int | None = attrs.field(
        default=None, validator=optional_at_least("service.turnaround_days", 1, rule="EAR-21")
    )

    def __attrs_post_init__(self) -> None:
        if (self.group_min is None) != (self.group_max is None):
            raise InvalidValue(
                "service.group_max", "group_min and group_max go together", rule="EAR-01"
            )
        if self.group_min is not None and self.kind is not ReviewKind.GROUP:
            raise InvalidValue(
                "service.group_min", "only group services have a group size", rule="EAR-01"
            )
        if (
            self.group_min is not None
            and self.group_max is not None
            and self.group_min > self.group_max
        ):
            raise InvalidValue("service.group_max", "must be at least group_min", rule="EAR-01")

    @property
    def is_group(self) -> bool:
        """True for services asked for a group of candidates (5 and 9)."""
        return self.kind is ReviewKind.GROUP


def _check_deadline_service(_: Any, __: Any, value: Any) -> None:
    _service_code(value, "service_deadline.service")


@attrs.frozen(kw_only=True)
class ServiceDeadline:
    """A deadline for one service in one series that differs from the series' (EAR-07).

    Priority services, for instance, close earlier than the others (EAR-21).
    """

    service: str = attrs.field(validator=_check_deadline_service)
    deadline: DateOrInstant = attrs.field(
        validator=instance("service_deadline.deadline", DateOrInstant)
    )


@attrs.frozen(kw_only=True)
class SeriesCalendar:
    """The dates of one exam series (CRW-02, CRW-05, EAR-07, EAR-15, EAR-21)."""

    series: ExamSeries = attrs.field(validator=instance("calendar.series", ExamSeries))
    #: From when login details can be created (CRW-02).
    credential_window_opens: DateOrInstant = attrs.field(
        validator=instance("calendar.credential_window_opens", DateOrInstant)
    )
    #: The board's published results release (CRW-05).
    results_release: DateOrInstant = attrs.field(
        validator=instance("calendar.results_release", DateOrInstant)
    )
    #: The last moment to submit an enquiry, X/Q included (EAR-07, EAR-22).
    enquiry_deadline: DateOrInstant = attrs.field(
        validator=instance("calendar.enquiry_deadline", DateOrInstant)
    )
    #: Invoices for the series' enquiries are issued from this date (EAR-15).
    invoices_from: DateOrInstant = attrs.field(
        validator=instance("calendar.invoices_from", DateOrInstant)
    )
    services_withdrawn: tuple[str, ...] = attrs.field(
        default=(), validator=_codes("calendar.services_withdrawn", _service_code)
    )
    services_added: tuple[ServiceDefinition, ...] = attrs.field(
        default=(), validator=tuple_of("calendar.services_added", ServiceDefinition)
    )
    #: Services whose enquiry deadline differs from ``enquiry_deadline`` (EAR-07).
    service_deadlines: tuple[ServiceDeadline, ...] = attrs.field(
        default=(), validator=tuple_of("calendar.service_deadlines", ServiceDeadline)
    )
    #: True for made-up series shipped to show the format, not the board's real dates.
    example: bool = attrs.field(default=False, validator=flag("calendar.example"))


#: OWASP's equivalent argon2id settings (memory in KiB, iterations), p=1:
#: a policy must reach at least one of them (CRW-12, ASVS 5.0).
ARGON2ID_FLOORS: tuple[tuple[int, int], ...] = (
    (47104, 1),
    (19456, 2),
    (12288, 3),
    (9216, 4),
    (7168, 5),
)
_HASHER_NAME = re.compile(r"[a-z0-9][a-z0-9-]{0,31}", re.ASCII)


def _hasher_name(value: object, field: str) -> str:
    return ascii_pattern(value, field, _HASHER_NAME, "a hasher name like argon2id", rule="CRW-12")


def _check_hasher(_: Any, __: Any, value: Any) -> None:
    _hasher_name(value, "credentials.hasher")


def _check_password_cap(_: Any, __: Any, value: Any) -> None:
    # SPEC section 5: the cap accepts at least 64 and at most 128 characters.
    if not 64 <= whole(value, "login.max_password_length", rule="LOG-01") <= 128:
        raise InvalidValue("login.max_password_length", "must be between 64 and 128", rule="LOG-01")


#: ASVS 5.0 6.2.1: no policy may accept chosen passwords shorter than this.
CHOSEN_PASSWORD_FLOOR = 8


@attrs.frozen(kw_only=True)
class LoginPolicy:
    """Lockout and password-reset numbers (LOG-02, LOG-05)."""

    lockout_threshold: int = attrs.field(
        default=3, validator=at_least("login.lockout_threshold", 1, rule="LOG-02")
    )
    lockout_minutes: int = attrs.field(
        default=30, validator=at_least("login.lockout_minutes", 1, rule="LOG-02")
    )
    reset_token_minutes: int = attrs.field(
        default=60, validator=at_least("login.reset_token_minutes", 1, rule="LOG-05")
    )
    #: At least 16 bytes: reset tokens carry at least 128 bits (LOG-05).
    reset_token_bytes: int = attrs.field(
        default=16, validator=at_least("login.reset_token_bytes", 16, rule="LOG-05")
    )
    max_password_length: int = attrs.field(default=128, validator=_check_password_cap)
    #: Passwords people choose (registration, reset): ASVS 5.0 6.2.1 floor is 8,
    #: 15 strongly recommended for a single factor (docs/security.md).
    min_chosen_password_length: int = attrs.field(
        default=15,
        validator=at_least(
            "login.min_chosen_password_length", CHOSEN_PASSWORD_FLOOR, rule="LOG-06"
        ),
    )
    #: Context-specific words refused inside chosen passwords (ASVS 5.0 6.1.2, 6.2.11).
    context_words: tuple[str, ...] = ("cambridge", "results", "candidate", "password")


@attrs.frozen(kw_only=True)
class CredentialPolicy:
    """How generated credentials are made and stored (CRW-12)."""

    #: At least 12 characters (CRW-12).
    password_length: int = attrs.field(
        default=12, validator=at_least("credentials.password_length", 12, rule="CRW-12")
    )
    hasher: str = attrs.field(default="argon2id", validator=_check_hasher)
    argon2_memory_kib: int = attrs.field(
        default=19456, validator=at_least("credentials.argon2_memory_kib", 1, rule="CRW-12")
    )
    argon2_time_cost: int = attrs.field(
        default=2, validator=at_least("credentials.argon2_time_cost", 1, rule="CRW-12")
    )
    argon2_parallelism: int = attrs.field(
        default=1, validator=at_least("credentials.argon2_parallelism", 1, rule="CRW-12")
    )
    #: Cheap hashers for tests are refused unless named here (CRW-12).
    allowed_test_hashers: tuple[str, ...] = attrs.field(
        default=(), validator=_codes("credentials.allowed_test_hashers", _hasher_name)
    )
    #: ASVS 6.4.1 wants initial passwords to expire; the guides do not (CRW-12).
    require_change_at_first_login: bool = attrs.field(
        default=False, validator=flag("credentials.require_change_at_first_login")
    )

    def __attrs_post_init__(self) -> None:
        m, t = self.argon2_memory_kib, self.argon2_time_cost
        if not any(m >= floor_m and t >= floor_t for floor_m, floor_t in ARGON2ID_FLOORS):
            raise InvalidValue(
                "credentials.argon2_memory_kib",
                f"argon2id at m={m} KiB, t={t} is below the OWASP ASVS floor "
                "(e.g. m=19456 KiB with t=2); use a test hasher for fast tests",
                rule="CRW-12",
            )
        if m < 8 * self.argon2_parallelism:
            raise InvalidValue(
                "credentials.argon2_parallelism",
                "argon2 needs at least 8 KiB of memory per lane",
                rule="CRW-12",
            )


@attrs.frozen(kw_only=True)
class ReportPolicy:
    """Preparation centre reports (LOG-09)."""

    max_pdfs_per_request: int = attrs.field(
        default=300, validator=at_least("reports.max_pdfs_per_request", 1, rule="LOG-09")
    )


def _group_award_contact(value: object) -> str:
    return validate_email(value, "enquiries.group_award_contact", rule="EAR-19")


@attrs.frozen(kw_only=True)
class EnquiryPolicy:
    """Numbers of the enquiries workflow (EAR-08, EAR-14, EAR-16, EAR-18, EAR-20)."""

    turnaround_days: int = attrs.field(
        default=30, validator=at_least("enquiries.turnaround_days", 1, rule="EAR-08")
    )
    #: 0 means every amendment or cancellation is charged (EAR-14).
    free_change_hours: int = attrs.field(
        default=24, validator=at_least("enquiries.free_change_hours", 0, rule="EAR-14")
    )
    number_overdue_hours: int = attrs.field(
        default=24, validator=at_least("enquiries.number_overdue_hours", 1, rule="EAR-18")
    )
    acknowledgement_overdue_working_days: int = attrs.field(
        default=2,
        validator=at_least("enquiries.acknowledgement_overdue_working_days", 1, rule="EAR-18"),
    )
    acknowledgement_error_report_hours: int = attrs.field(
        default=24,
        validator=at_least("enquiries.acknowledgement_error_report_hours", 1, rule="EAR-16"),
    )
    appeal_stage1_decision_days: int = attrs.field(
        default=28, validator=at_least("enquiries.appeal_stage1_decision_days", 1, rule="EAR-20")
    )
    appeal_stage2_within_days: int = attrs.field(
        default=14, validator=at_least("enquiries.appeal_stage2_within_days", 1, rule="EAR-20")
    )
    amendment_fee: Money = attrs.field(validator=instance("enquiries.amendment_fee", Money))
    cancellation_fee: Money = attrs.field(validator=instance("enquiries.cancellation_fee", Money))
    #: Where group-award recalculations are asked for instead (EAR-19).
    group_award_contact: str = attrs.field(
        default="info@cambridgeinternational.org", converter=_group_award_contact
    )


def _check_fee_service(_: Any, __: Any, value: Any) -> None:
    _service_code(value, "fee.service")


@attrs.frozen(kw_only=True)
class Fee:
    """The fee of one service (EAR-15)."""

    service: str = attrs.field(validator=_check_fee_service)
    price: Money = attrs.field(validator=instance("fee.price", Money))


def _policy_text(value: object, field: str) -> str:
    return human_text(value, field, max_length=100)


def _policy_name(value: object) -> str:
    return _policy_text(value, "policy.name")


def _policy_version(value: object) -> str:
    return _policy_text(value, "policy.version")


def _check_notes(_: Any, __: Any, value: Any) -> None:
    if not isinstance(value, str):
        raise InvalidValue("policy.notes", f"must be text, not {type(value).__name__}")


@attrs.frozen(kw_only=True)
class Policy:
    """Every number the rules use, for one board and edition (e.g. international 2023).

    Construction checks the numbers and how they fit together: every series
    once, its dates in order, every paid service priced exactly once, no
    service added twice or withdrawn without existing.  A problem is an
    :class:`~cambridge_results.errors.InvalidValue` naming the field path.
    """

    name: str = attrs.field(converter=_policy_name)
    version: str = attrs.field(converter=_policy_version)
    timezone: str = attrs.field(default="Europe/London")
    series: tuple[SeriesCalendar, ...] = attrs.field(
        validator=tuple_of("policy.series", SeriesCalendar)
    )
    services: tuple[ServiceDefinition, ...] = attrs.field(
        validator=tuple_of("policy.services", ServiceDefinition)
    )
    fees: tuple[Fee, ...] = attrs.field(validator=tuple_of("policy.fees", Fee))
    enquiries: EnquiryPolicy = attrs.field(validator=instance("policy.enquiries", EnquiryPolicy))
    login: LoginPolicy = attrs.field(
        default=LoginPolicy(), validator=instance("policy.login", LoginPolicy)
    )
    credentials: CredentialPolicy = attrs.field(
        default=CredentialPolicy(), validator=instance("policy.credentials", CredentialPolicy)
    )
    reports: ReportPolicy = attrs.field(
        default=ReportPolicy(), validator=instance("policy.reports", ReportPolicy)
    )
    #: Where the numbers come from, and which are examples.
    notes: str = attrs.field(default="", validator=_check_notes)

    @timezone.validator
    def _check_timezone(self, _: attrs.Attribute[str], value: str) -> None:
        if not isinstance(value, str) or not value.isascii() or value != value.strip():
            raise InvalidValue("policy.timezone", f"{value!r:.40} is not an IANA time zone")
        try:
            pendulum.timezone(value)
        except Exception as exc:  # pendulum raises several types for bad names
            raise InvalidValue(
                "policy.timezone", f"{value!r:.40} is not an IANA time zone"
            ) from exc

    def __attrs_post_init__(self) -> None:
        self._check_calendars()
        self._check_services_and_fees()
        if self.credentials.password_length > self.login.max_password_length:
            raise InvalidValue(
                "policy.credentials.password_length",
                "must not exceed login.max_password_length",
                rule="CRW-12",
            )

    def _check_calendars(self) -> None:
        seen: set[ExamSeries] = set()
        tz = self.timezone
        for i, cal in enumerate(self.series):
            if cal.series in seen:
                raise InvalidValue(
                    f"policy.series[{i}].series", f"{cal.series} appears twice in the calendar"
                )
            seen.add(cal.series)
            # The credential window opens before results are out (CRW-02, CRW-05),
            # and enquiries can only be made once there are results (EAR-07).
            if not cal.credential_window_opens.opens(tz) < cal.results_release.opens(tz):
                raise InvalidValue(
                    f"policy.series[{i}].results_release",
                    "must come after credential_window_opens",
                    rule="CRW-02",
                )
            if not cal.results_release.opens(tz) < cal.enquiry_deadline.closes(tz):
                raise InvalidValue(
                    f"policy.series[{i}].enquiry_deadline",
                    "must come after results_release",
                    rule="EAR-07",
                )

    def _check_services_and_fees(self) -> None:
        codes: list[str] = []
        for i, s in enumerate(self.services):
            if s.code in codes:
                raise InvalidValue(f"policy.services[{i}].code", f"service {s.code} appears twice")
            codes.append(s.code)
        every = {s.code: s for s in self.services}
        for i, cal in enumerate(self.series):
            added: set[str] = set()
            for j, s in enumerate(cal.services_added):
                if s.code in codes or s.code in added:
                    raise InvalidValue(
                        f"policy.series[{i}].services_added[{j}].code",
                        f"service {s.code} already exists",
                        rule="EAR-21",
                    )
                added.add(s.code)
                every.setdefault(s.code, s)
            for j, code in enumerate(cal.services_withdrawn):
                if code not in codes:
                    raise InvalidValue(
                        f"policy.series[{i}].services_withdrawn[{j}]",
                        f"no service {code} to withdraw",
                        rule="EAR-21",
                    )
            known = {*codes, *added}
            overridden = [d.service for d in cal.service_deadlines]
            if len(set(overridden)) != len(overridden):
                raise InvalidValue(
                    f"policy.series[{i}].service_deadlines",
                    "each service appears once",
                    rule="EAR-07",
                )
            for code in overridden:
                if code not in known:
                    raise InvalidValue(
                        f"policy.series[{i}].service_deadlines",
                        f"no service {code} in {cal.series}",
                        rule="EAR-07",
                    )
        priced: set[str] = set()
        for k, f in enumerate(self.fees):
            if f.service in priced:
                raise InvalidValue(
                    f"policy.fees[{k}].service",
                    f"service {f.service} is priced twice",
                    rule="EAR-15",
                )
            if f.service not in every:
                raise InvalidValue(
                    f"policy.fees[{k}].service",
                    f"no service {f.service} in the policy to price",
                    rule="EAR-15",
                )
            priced.add(f.service)
        for code, s in every.items():
            if not s.free and code not in priced:
                raise InvalidValue("policy.fees", f"service {code} has no fee", rule="EAR-15")

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
        """The fee for a paid service (EAR-15).

        Free services (X/Q) have no fee entry: check
        :attr:`ServiceDefinition.free` first; asking for their fee, or for an
        unknown service, raises :class:`PolicyError`.
        """
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
    elif isinstance(source, str | Path):
        try:
            data = json.loads(Path(source).read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            raise PolicyError(f"cannot read policy file {source}: {exc}") from exc
        except RecursionError:
            raise PolicyError(f"cannot read policy file {source}: nested too deeply") from None
    else:
        raise PolicyError(
            f"a policy is loaded from a mapping or a JSON file's path, not {type(source).__name__}"
        )
    try:
        return structure(data, Policy)
    except RecursionError:
        raise PolicyError("the policy data is nested too deeply") from None


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
