"""The policy as a whole, and loading it from data."""

from __future__ import annotations

import json
from collections.abc import Mapping
from importlib import resources
from pathlib import Path
from typing import Any

import attrs
import pendulum

from cambridge_results._checks import (
    instance,
    tuple_of,
)
from cambridge_results.errors import InvalidValue, PolicyError, UnknownSeries
from cambridge_results.policy.calendar import DateOrInstant, EnquiryWindow, SeriesCalendar
from cambridge_results.policy.sections import (
    CredentialPolicy,
    EnquiryPolicy,
    Fee,
    LoginPolicy,
    ReportPolicy,
)
from cambridge_results.policy.services import ServiceDefinition
from cambridge_results.serialization import (
    converter,
    structure,
    unstructure,
)
from cambridge_results.values import ExamSeries
from cambridge_results.values._text import human_text
from cambridge_results.values.money import Money

__all__ = ["Policy", "dump_policy", "example_2026", "international_2023", "load_policy"]


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
    # An index of ``series``, built once: rules look a calendar up on every call.
    _calendars: dict[ExamSeries, SeriesCalendar] = attrs.field(
        init=False, eq=False, repr=False, hash=False
    )
    # What a series' calendar derives (its services, by code and as offered), once per series.
    _offered: dict[ExamSeries, tuple[ServiceDefinition, ...]] = attrs.field(
        init=False, eq=False, repr=False, hash=False, factory=dict
    )
    _by_code: dict[ExamSeries, dict[str, ServiceDefinition]] = attrs.field(
        init=False, eq=False, repr=False, hash=False, factory=dict
    )
    _windows: dict[ExamSeries, dict[str, EnquiryWindow]] = attrs.field(
        init=False, eq=False, repr=False, hash=False, factory=dict
    )

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
        object.__setattr__(self, "_calendars", {c.series: c for c in self.series})
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
        cal = self._calendars.get(series)
        if cal is not None:
            return cal
        known = ", ".join(str(c.series) for c in self.series) or "none"
        raise UnknownSeries(f"policy {self.name} has no calendar for {series} (it has {known})")

    def services_for(self, series: ExamSeries) -> tuple[ServiceDefinition, ...]:
        """The services offered for a series: the base table less withdrawn, plus added (EAR-21)."""
        offered = self._offered.get(series)
        if offered is None:
            cal = self.calendar(series)
            base = tuple(s for s in self.services if s.code not in cal.services_withdrawn)
            offered = tuple(
                s
                for s in (*base, *cal.services_added)
                if not s.sessions or series.session in s.sessions
            )
            self._offered[series] = offered
        return offered

    def service_in(self, series: ExamSeries, code: str) -> ServiceDefinition | None:
        """Service ``code`` as a series knows it, offered or since withdrawn, or ``None``."""
        known = self._by_code.get(series)
        if known is None:
            known = {}
            for s in (*self.services, *self.calendar(series).services_added):
                known.setdefault(s.code, s)
            self._by_code[series] = known
        return known.get(code)

    def enquiry_deadline(self, series: ExamSeries, service: str) -> DateOrInstant:
        """The enquiry deadline of a service in a series: its own, else the series' (EAR-07)."""
        cal = self.calendar(series)
        for d in cal.service_deadlines:
            if d.service == service:
                return d.deadline
        return cal.enquiry_deadline

    def enquiry_window(self, series: ExamSeries, service: str) -> EnquiryWindow:
        """When ``service``'s enquiries may be submitted in ``series`` (EAR-07, EAR-21, EAR-22).

        Worked out once per series and service: the submission window rule
        asks on every call.  :class:`UnknownSeries` if the policy has no
        calendar for ``series``.
        """
        by_service = self._windows.get(series)
        if by_service is None:
            by_service = self._windows[series] = {}
        window = by_service.get(service)
        if window is None:
            cal = self.calendar(series)
            deadline = self.enquiry_deadline(series, service)
            window = EnquiryWindow(
                opens=cal.results_release.opens(self.timezone),
                closes=deadline.closes(self.timezone),
                deadline_is_date=deadline.is_date,
                withdrawn=service in cal.services_withdrawn,
            )
            if self.service_in(series, service) is not None:
                # Only the policy's own services: callers may pass any code.
                by_service[service] = window
        return window

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
