"""attrs validators shared by value objects and policies; each raises :class:`InvalidValue`.

Why a module of its own: ``attrs.validators`` raise ``TypeError`` and
``ValueError`` without a field path, and every constructor of this library
must refuse bad input with the library's own error naming the field and the
rule (SPEC section 5).  Field names are ``"<object>.<attribute>"`` so that
:mod:`cambridge_results.serialization` can extend the path cattrs reached.
"""

from __future__ import annotations

import enum
from collections.abc import Callable
from typing import Any, TypeVar

from cambridge_results.errors import InvalidValue

_E = TypeVar("_E", bound=enum.Enum)
_T = TypeVar("_T")

#: The shape of an attrs validator: (instance, attribute, value).
Check = Callable[[Any, Any, _T], None]


def flag(field: str) -> Check[bool]:
    """Refuse anything but ``True`` or ``False`` (``1`` and ``"yes"`` included)."""

    def check(_: object, __: object, value: object) -> None:
        if not isinstance(value, bool):
            raise InvalidValue(field, f"must be True or False, not {type(value).__name__}")

    return check


def whole(value: object, field: str, *, rule: str | None = None) -> int:
    """Return ``value`` if it is an ``int`` (a ``bool`` is not), else raise."""
    if isinstance(value, bool) or not isinstance(value, int):
        raise InvalidValue(field, f"must be a whole number, not {type(value).__name__}", rule=rule)
    return value


def at_least(field: str, minimum: int, *, rule: str | None = None) -> Check[int]:
    """Refuse anything but a whole number of at least ``minimum``."""

    def check(_: object, __: object, value: object) -> None:
        if whole(value, field, rule=rule) < minimum:
            raise InvalidValue(field, f"must be at least {minimum}", rule=rule)

    return check


def optional_at_least(field: str, minimum: int, *, rule: str | None = None) -> Check[int | None]:
    """Like :func:`at_least`, but ``None`` (not given) is accepted too."""
    inner = at_least(field, minimum, rule=rule)

    def check(instance: object, attribute: object, value: int | None) -> None:
        if value is not None:
            inner(instance, attribute, value)

    return check


def member(field: str, kind: type[_E]) -> Check[_E]:
    """Refuse anything but a member of the enum ``kind``, naming the choices."""

    def check(_: object, __: object, value: object) -> None:
        if not isinstance(value, kind):
            choices = ", ".join(f"{kind.__name__}.{m.name}" for m in kind)
            raise InvalidValue(field, f"must be one of {choices}, not {value!r:.40}")

    return check


def instance(field: str, kind: type[_T]) -> Check[_T]:
    """Refuse anything but an instance of ``kind``."""

    def check(_: object, __: object, value: object) -> None:
        if not isinstance(value, kind):
            raise InvalidValue(field, f"must be a {kind.__name__}, not {type(value).__name__}")

    return check


def tuple_of(field: str, kind: type[_T] | tuple[type, ...]) -> Check[tuple[_T, ...]]:
    """Refuse anything but a tuple whose items are all instances of ``kind``.

    A list is refused too: value objects are frozen and hashable all the way down.
    """
    names = kind.__name__ if isinstance(kind, type) else " or ".join(k.__name__ for k in kind)

    def check(_: object, __: object, value: object) -> None:
        if not isinstance(value, tuple):
            raise InvalidValue(field, f"must be a tuple, not {type(value).__name__}")
        for i, item in enumerate(value):
            if not isinstance(item, kind):
                raise InvalidValue(f"{field}[{i}]", f"must be a {names}, not {type(item).__name__}")

    return check
