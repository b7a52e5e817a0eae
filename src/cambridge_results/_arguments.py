"""Arguments of the application objects' methods checked against their annotations.

An application method receives whatever an app hands it; a request of the
wrong type (``None`` for a ``GenerationRequest``) would otherwise fail deep
inside with an ``AttributeError``.  :func:`checked_arguments` wraps each
public method of a class so that an argument whose annotation is a class, a
union of classes or a generic collection (checked by its origin, ``Sequence``
say) and whose value is not an instance is refused with
:class:`~cambridge_results.errors.InvalidValue` naming the parameter, before
the method runs.  Annotations that cannot be checked at run time (``Any``,
type variables, literals) are left to the method.
"""

from __future__ import annotations

import functools
import inspect
import types
import typing
from collections.abc import Callable
from typing import Any, TypeVar

from cambridge_results.errors import InvalidValue

__all__ = ["checked_arguments"]

_C = TypeVar("_C", bound=type)
_Checks = dict[str, tuple[type, ...]]


def _classes(hint: Any) -> tuple[type, ...] | None:
    """The classes an argument must be an instance of, or None if not checkable."""
    if hint is Any or hint is object:
        return None
    if hint is None or hint is type(None):
        return (type(None),)
    if hint is float:
        return (float, int)
    if isinstance(hint, type) and not isinstance(hint, types.GenericAlias):
        return (hint,)
    origin = typing.get_origin(hint)
    if origin is typing.Union or origin is types.UnionType:
        found: list[type] = []
        for arg in typing.get_args(hint):
            classes = _classes(arg)
            if classes is None:
                return None
            found.extend(classes)
        return tuple(found)
    if isinstance(origin, type):
        return (origin,)
    return None


def _checks_for(function: Callable[..., Any]) -> _Checks:
    try:
        hints = typing.get_type_hints(function)
    except Exception:
        return {}
    checks: _Checks = {}
    for name in inspect.signature(function).parameters:
        if name in hints and (classes := _classes(hints[name])) is not None:
            checks[name] = classes
    return checks


def _names(classes: tuple[type, ...]) -> str:
    return " or ".join(dict.fromkeys("None" if c is type(None) else c.__name__ for c in classes))


def _checked(function: Callable[..., Any]) -> Callable[..., Any]:
    signature = inspect.signature(function)
    checks: _Checks | None = None
    #: The checked positional parameters, in order: (position, name, classes).
    by_position: tuple[tuple[int, str, tuple[type, ...]], ...] = ()
    # Without *args, **kwargs or positional-only parameters, a call that names each
    # parameter once, by position or keyword, is checked without Signature.bind (a fifth
    # of the wrapper's time); any other call is bound, so a bad one is a TypeError first.
    parameters = signature.parameters.values()
    simple = all(p.kind in (p.POSITIONAL_OR_KEYWORD, p.KEYWORD_ONLY) for p in parameters)
    positional = tuple(p.name for p in parameters if p.kind is p.POSITIONAL_OR_KEYWORD)
    #: The names a call with that many positional arguments may pass by keyword.
    by_keyword = [
        frozenset(p.name for p in parameters) - set(positional[:n])
        for n in range(len(positional) + 1)
    ]

    @functools.wraps(function)
    def method(*args: Any, **kwargs: Any) -> Any:
        nonlocal checks, by_position
        if checks is None:
            checks = _checks_for(function)
            by_position = tuple(
                (i, name, checks[name]) for i, name in enumerate(positional) if name in checks
            )
        if checks:
            count = len(args)
            if (
                simple
                and count <= len(positional)
                and (not kwargs or kwargs.keys() <= by_keyword[count])
            ):
                # Positional arguments first, then keywords in the call's order, as bound.
                for i, name, classes in by_position:
                    if i >= count:
                        break
                    if not isinstance(args[i], classes):
                        raise _refused(name, classes, args[i])
                passed: Any = kwargs.items()
            else:
                passed = signature.bind(*args, **kwargs).arguments.items()
            for key, value in passed:
                wanted = checks.get(key)
                if wanted is not None and not isinstance(value, wanted):
                    raise _refused(key, wanted, value)
        return function(*args, **kwargs)

    return method


def _refused(name: str, classes: tuple[type, ...], value: object) -> InvalidValue:
    return InvalidValue(name, f"must be {_names(classes)}, not {type(value).__name__}")


def checked_arguments(cls: _C) -> _C:
    """Wrap every public method of ``cls`` (inherited ones too) with the argument check."""
    for name, function in inspect.getmembers(cls, inspect.isfunction):
        if not name.startswith("_"):
            setattr(cls, name, _checked(function))
    return cls
