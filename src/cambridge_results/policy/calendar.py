"""Series calendars: enquiry windows and deadlines as dates or instants (EAR-21, EAR-22)."""

from __future__ import annotations

from typing import Any

import attrs
import pendulum

from cambridge_results._checks import (
    flag,
    instance,
    tuple_of,
)
from cambridge_results.errors import InvalidValue
from cambridge_results.policy.services import ServiceDefinition, codes, service_code
from cambridge_results.serialization import (
    parse_date,
    parse_instant,
)
from cambridge_results.values import ExamSeries
from cambridge_results.values.instants import zone

__all__ = ["DateOrInstant", "EnquiryWindow", "SeriesCalendar", "ServiceDeadline"]


@attrs.frozen
class DateOrInstant:
    """A policy time given as a date or as an exact instant with its zone (EAR-22).

    Serialised as ``"2023-09-20"`` or ``"2023-09-20T23:59:00+00:00"``.  A date
    *opens* at the start of that day and *closes* at the end of it, in the
    policy's time zone; windows are half-open, ``[opens, closes)``.
    """

    text: str = attrs.field()
    # Parsed once at load, and the window bounds once per zone: rules ask on every call.
    _value: pendulum.Date | pendulum.DateTime = attrs.field(
        init=False, eq=False, repr=False, hash=False
    )
    _bounds: dict[str, tuple[pendulum.DateTime, pendulum.DateTime]] = attrs.field(
        init=False, eq=False, repr=False, hash=False, factory=dict
    )

    @text.validator
    def _check(self, _: attrs.Attribute[str], value: str) -> None:
        if not isinstance(value, str):
            raise InvalidValue("date_or_instant", "must be text")
        parsed: pendulum.Date | pendulum.DateTime = (
            parse_date(value, "date_or_instant")
            if len(value) == 10
            else parse_instant(value, "date_or_instant")
        )
        object.__setattr__(self, "_value", parsed)

    @property
    def is_date(self) -> bool:
        """True when given as a date, not an exact instant."""
        return len(self.text) == 10

    def _window(self, tz: str) -> tuple[pendulum.DateTime, pendulum.DateTime]:
        bounds = self._bounds.get(tz)
        if bounds is None:
            value = self._value
            if isinstance(value, pendulum.DateTime):
                bounds = (value, value)
            else:
                zone_ = zone(tz)
                start = pendulum.datetime(value.year, value.month, value.day, tz=zone_)
                end = value.add(days=1)
                stop = pendulum.datetime(end.year, end.month, end.day, tz=zone_)
                bounds = (start.in_timezone(pendulum.UTC), stop.in_timezone(pendulum.UTC))
            self._bounds[tz] = bounds
        return bounds

    def opens(self, tz: str) -> pendulum.DateTime:
        """The instant this time opens a window: start of the day for a date."""
        return self._window(tz)[0]

    def closes(self, tz: str) -> pendulum.DateTime:
        """The first instant after a deadline: end of the day for a date (EAR-22)."""
        return self._window(tz)[1]

    def __str__(self) -> str:
        return self.text


def _check_deadline_service(_: Any, __: Any, value: Any) -> None:
    service_code(value, "service_deadline.service")


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
        default=(), validator=codes("calendar.services_withdrawn", service_code)
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


@attrs.frozen(kw_only=True)
class EnquiryWindow:
    """When one service's enquiries may be submitted in one series: ``[opens, closes)``.

    Derived from a :class:`SeriesCalendar` by :meth:`Policy.enquiry_window
    <cambridge_results.policy.Policy.enquiry_window>` (EAR-07, EAR-21, EAR-22),
    once per series and service, since the rules ask on every call.
    """

    #: The series' results release: enquiries open with the results (EAR-07).
    opens: pendulum.DateTime
    #: The first instant after the service's deadline (its own, else the series').
    closes: pendulum.DateTime
    #: True when the deadline was given as a date, so it closes at the end of that day.
    deadline_is_date: bool
    #: True when the series withdraws the service (EAR-21).
    withdrawn: bool


#: OWASP's equivalent argon2id settings (memory in KiB, iterations), p=1:
#: a policy must reach at least one of them (CRW-12, ASVS 5.0).
