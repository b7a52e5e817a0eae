"""The one cattrs converter: storage rows, policy files and JSON exports all use it.

Instants are written as ISO 8601 in UTC, dates as ``YYYY-MM-DD``, identifiers
and series as their text, delays as ISO 8601 durations, amounts as decimal
strings.  Structuring errors come back as :class:`InvalidValue` with the
field path (``$.series[0].enquiry_deadline``).
"""

from __future__ import annotations

import decimal
from typing import Any, TypeVar

import cattrs
import pendulum
from cattrs.preconf.json import make_converter

from cambridge_results.errors import CambridgeResultsError, InvalidValue
from cambridge_results.values import (
    UCI,
    CandidateNumber,
    CentreNumber,
    ComponentCode,
    Delay,
    ExamSeries,
    Grade,
    SyllabusCode,
)

__all__ = ["converter", "parse_instant", "structure", "unstructure"]

T = TypeVar("T")


def parse_instant(value: object, field: str = "instant") -> pendulum.DateTime:
    """Parse an ISO 8601 instant that names its offset; naive times are refused."""
    if isinstance(value, pendulum.DateTime):
        if value.tzinfo is None:
            raise InvalidValue(field, "must be timezone-aware")
        return value.in_timezone("UTC")
    if not isinstance(value, str):
        raise InvalidValue(field, f"must be an ISO 8601 instant, not {type(value).__name__}")
    if "T" not in value or not (value.endswith("Z") or "+" in value[10:] or "-" in value[10:]):
        raise InvalidValue(field, f"{value[:40]!r} is not an ISO 8601 instant with an offset")
    try:
        parsed = pendulum.parse(value, exact=True)
    except (ValueError, pendulum.parsing.exceptions.ParserError) as exc:
        raise InvalidValue(field, f"{value[:40]!r} is not an ISO 8601 instant") from exc
    if not isinstance(parsed, pendulum.DateTime):
        raise InvalidValue(field, f"{value[:40]!r} is not an ISO 8601 instant")
    return parsed.in_timezone("UTC")


def _parse_date(value: object, _: type) -> pendulum.Date:
    if isinstance(value, pendulum.Date) and not isinstance(value, pendulum.DateTime):
        return value
    if not isinstance(value, str) or len(value) != 10:
        raise InvalidValue("date", f"{str(value)[:40]!r} is not a date like 2023-09-20")
    try:
        parsed = pendulum.parse(value, exact=True)
    except (ValueError, pendulum.parsing.exceptions.ParserError) as exc:
        raise InvalidValue("date", f"{value!r} is not a date like 2023-09-20") from exc
    if not isinstance(parsed, pendulum.Date) or isinstance(parsed, pendulum.DateTime):
        raise InvalidValue("date", f"{value!r} is not a date like 2023-09-20")
    return parsed


def _parse_decimal(value: object, _: type) -> decimal.Decimal:
    if isinstance(value, decimal.Decimal):
        return value
    if not isinstance(value, str):
        raise InvalidValue("amount", "must be a decimal string like '45.50'")
    try:
        result = decimal.Decimal(value)
    except decimal.InvalidOperation as exc:
        raise InvalidValue("amount", f"{value[:40]!r} is not a decimal number") from exc
    if not result.is_finite():
        raise InvalidValue("amount", "must be a finite number")
    return result


def _make() -> cattrs.Converter:
    conv = make_converter(forbid_extra_keys=True)
    conv.register_unstructure_hook(pendulum.DateTime, lambda d: d.in_timezone("UTC").isoformat())
    conv.register_structure_hook(pendulum.DateTime, lambda v, _: parse_instant(v))
    conv.register_unstructure_hook(pendulum.Date, lambda d: d.to_date_string())
    conv.register_structure_hook(pendulum.Date, _parse_date)
    conv.register_unstructure_hook(decimal.Decimal, str)
    conv.register_structure_hook(decimal.Decimal, _parse_decimal)
    for ident in (CentreNumber, CandidateNumber, UCI, SyllabusCode, ComponentCode, Grade):
        conv.register_unstructure_hook(ident, str)
        conv.register_structure_hook(ident, lambda v, t: t.parse(v))
    conv.register_unstructure_hook(ExamSeries, lambda s: s.code)
    conv.register_structure_hook(ExamSeries, lambda v, _: ExamSeries.parse(v))
    conv.register_unstructure_hook(Delay, lambda d: d.iso)
    conv.register_structure_hook(Delay, lambda v, _: Delay.parse(v))
    return conv


#: The library's converter.  Prefer :func:`structure`, which translates errors.
converter = _make()


def unstructure(obj: Any) -> Any:
    """Turn a value object into JSON-ready primitives."""
    return converter.unstructure(obj)


def structure(data: Any, cls: type[T]) -> T:
    """Build ``cls`` from primitives; any problem is an :class:`InvalidValue` with its path."""
    try:
        return converter.structure(data, cls)
    except CambridgeResultsError:
        raise
    except (cattrs.BaseValidationError, ValueError, TypeError, KeyError, AttributeError) as exc:
        raise _translate(exc) from exc


def _describe(exc: BaseException, type_: type | None) -> str:
    if isinstance(exc, InvalidValue):
        return exc.reason
    if isinstance(exc, cattrs.ForbiddenExtraKeysError):
        return f"unknown fields {sorted(exc.extra_fields)}"
    if isinstance(exc, KeyError):
        return "is required"
    name = getattr(type_, "__name__", None) or str(type_)
    return f"is not a valid {name}"


def _translate(exc: BaseException) -> InvalidValue:
    if isinstance(exc, cattrs.BaseValidationError):
        messages = cattrs.transform_error(exc, format_exception=_describe)
    else:
        messages = [f"{_describe(exc, None)} @ $"]
    first = messages[0] if messages else "is not valid @ $"
    reason, _, path = first.rpartition(" @ ")
    rule = _first_rule(exc)
    extra = f" (and {len(messages) - 1} more)" if len(messages) > 1 else ""
    return InvalidValue(path or "$", f"{reason}{extra}", rule=rule)


def _first_rule(exc: BaseException) -> str | None:
    if isinstance(exc, CambridgeResultsError):
        return exc.rule
    for inner in getattr(exc, "exceptions", ()):
        rule = _first_rule(inner)
        if rule is not None:
            return rule
    return None
