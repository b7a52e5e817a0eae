"""The one cattrs converter: storage rows, policy files and JSON exports all use it.

Instants are written as ISO 8601 in UTC, dates as ``YYYY-MM-DD``, identifiers
and series as their text, delays as ISO 8601 durations, amounts as decimal
strings.  Structuring is strict: a number is not text, ``"false"`` is not a
boolean.  Structuring errors come back as :class:`InvalidValue` with the
field path (``$.series[0].enquiry_deadline``, ``$.contact.phone``).
"""

from __future__ import annotations

import decimal
from typing import Any, TypeVar

import cattrs
import pendulum
from cattrs.preconf.json import make_converter

from cambridge_results.errors import CambridgeResultsError, InvalidValue, Reason
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
from cambridge_results.values.instants import parse_date, parse_instant

__all__ = ["converter", "parse_date", "parse_instant", "structure", "unstructure"]

T = TypeVar("T")


def _structure_date(value: object, _: type) -> pendulum.Date:
    return parse_date(value)


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


def _strict_int(value: object, _: type) -> int:
    # cattrs would call int(): "3" and 3.7 would pass as 3, and True as 1.
    if isinstance(value, bool) or not isinstance(value, int):
        raise InvalidValue("value", f"must be a whole number, not {type(value).__name__}")
    return value


def _strict_bool(value: object, _: type) -> bool:
    # cattrs would call bool(): the string "false" would pass as True.  SQLite
    # stores booleans as 0 and 1, so those two integers are accepted too.
    if isinstance(value, bool):
        return value
    if type(value) is int and value in (0, 1):
        return bool(value)
    raise InvalidValue("value", f"must be true or false, not {type(value).__name__}")


def _strict_str(value: object, _: type) -> str:
    # cattrs would call str(): 3 would pass as "3".
    if not isinstance(value, str):
        raise InvalidValue("value", f"must be text, not {type(value).__name__}")
    return value


def _instant_text(d: pendulum.DateTime) -> str:
    # Most instants are in UTC already (clocks, the store): no conversion to pay for.
    return (d if d.tzinfo is pendulum.UTC else d.in_timezone("UTC")).isoformat()


def _make() -> cattrs.Converter:
    conv = make_converter(forbid_extra_keys=True)
    conv.register_structure_hook(int, _strict_int)
    conv.register_structure_hook(bool, _strict_bool)
    conv.register_structure_hook(str, _strict_str)
    conv.register_unstructure_hook(pendulum.DateTime, _instant_text)
    conv.register_structure_hook(pendulum.DateTime, lambda v, _: parse_instant(v))
    conv.register_unstructure_hook(pendulum.Date, lambda d: d.to_date_string())
    conv.register_structure_hook(pendulum.Date, _structure_date)
    conv.register_unstructure_hook(decimal.Decimal, str)
    conv.register_structure_hook(decimal.Decimal, _parse_decimal)
    for ident in (CentreNumber, CandidateNumber, UCI, SyllabusCode, ComponentCode, Grade):
        conv.register_unstructure_hook(ident, str)
        conv.register_structure_hook(ident, lambda v, t: t.parse(v))
    conv.register_unstructure_hook(ExamSeries, lambda s: s.code)
    conv.register_structure_hook(ExamSeries, lambda v, _: ExamSeries.parse(v))
    conv.register_unstructure_hook(Delay, lambda d: d.iso)
    conv.register_structure_hook(Delay, lambda v, _: Delay.parse(v))
    # A reason may write its sentence lazily, so it is not an attrs class: by hand.
    conv.register_unstructure_hook(Reason, lambda r: {"code": r.code, "message": r.message})
    conv.register_structure_hook(Reason, _structure_reason)
    return conv


def _structure_reason(value: Any, _: object) -> Reason:
    if not isinstance(value, dict) or set(value) != {"code", "message"}:
        raise InvalidValue("reason", "must be an object with code and message")
    return Reason(code=value["code"], message=value["message"])


#: The library's converter.  Prefer :func:`structure`, which translates errors.
converter = _make()


def unstructure(obj: Any) -> Any:
    """Turn a value object into JSON-ready primitives."""
    return converter.unstructure(obj)


def structure(data: Any, cls: type[T]) -> T:
    """Build ``cls`` from primitives; any problem is an :class:`InvalidValue` with its path."""
    try:
        return converter.structure(data, cls)
    except InvalidValue as exc:
        # Raised outside any field, by the top-level object's own checks.
        raise InvalidValue(_full_path("$", exc), exc.reason, rule=exc.rule) from exc
    except CambridgeResultsError:
        raise
    except (cattrs.BaseValidationError, ValueError, TypeError, KeyError, AttributeError) as exc:
        raise _translate(exc) from exc


def _describe(exc: BaseException, type_: Any) -> str:
    if isinstance(exc, InvalidValue):
        return exc.reason
    if isinstance(exc, cattrs.ForbiddenExtraKeysError):
        return f"unknown fields {sorted(exc.extra_fields)}"
    if isinstance(exc, KeyError):
        return "is required"
    name = getattr(type_, "__name__", None) or str(type_)
    return f"is not a valid {name}"


def _leaves(exc: BaseException, path: str) -> list[tuple[str, BaseException, Any]]:
    """Every innermost error with the path cattrs reached, like ``cattrs.transform_error``."""
    found: list[tuple[str, BaseException, Any]] = []
    if isinstance(exc, cattrs.IterableValidationError):
        with_notes, without = exc.group_exceptions()
        for inner, note in with_notes:
            found.extend(_leaves_or_self(inner, f"{path}[{note.index!r}]", note.type))
    elif isinstance(exc, cattrs.ClassValidationError):
        with_notes_c, without = exc.group_exceptions()
        for inner, note_c in with_notes_c:
            found.extend(_leaves_or_self(inner, f"{path}.{note_c.name}", note_c.type))
    else:
        return [(path, exc, None)]
    found.extend((path, inner, None) for inner in without)
    return found


def _leaves_or_self(
    exc: BaseException, path: str, type_: Any
) -> list[tuple[str, BaseException, Any]]:
    if isinstance(exc, cattrs.ClassValidationError | cattrs.IterableValidationError):
        return _leaves(exc, path)
    return [(path, exc, type_)]


def _full_path(path: str, exc: BaseException) -> str:
    # A value object's constructor names its fields "<object>.<attribute>"
    # ("contact.phone"); cattrs only reached the object, so the attribute is
    # added.  Parsers of one value name it with one word and add nothing.
    if isinstance(exc, InvalidValue) and "." in exc.field and not exc.field.startswith("$"):
        return f"{path}.{exc.field.split('.', 1)[1]}"
    return path


def _translate(exc: BaseException) -> InvalidValue:
    leaves = _leaves(exc, "$") or [("$", exc, None)]
    path, first, type_ = leaves[0]
    extra = f" (and {len(leaves) - 1} more)" if len(leaves) > 1 else ""
    rule = _first_rule(exc)
    return InvalidValue(_full_path(path, first), f"{_describe(first, type_)}{extra}", rule=rule)


def _first_rule(exc: BaseException) -> str | None:
    if isinstance(exc, CambridgeResultsError):
        return exc.rule
    for inner in getattr(exc, "exceptions", ()):
        rule = _first_rule(inner)
        if rule is not None:
            return rule
    return None
