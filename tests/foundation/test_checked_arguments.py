"""The argument check of the application objects' public methods (``_arguments``).

Its fast path (a call naming each parameter once) must refuse exactly what the
general path (``Signature.bind``, then each bound argument in order) refuses,
word for word, and let through exactly what it lets through.
"""

from __future__ import annotations

import inspect
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from cambridge_results._arguments import _classes, _names, checked_arguments
from cambridge_results.errors import InvalidValue


@checked_arguments
class Service:
    """Methods of the shapes application objects have."""

    def create(self, who: str, request: int, *, note: str | None = None) -> tuple[Any, ...]:
        """Positional and keyword-only parameters."""
        return (who, request, note)

    def submit(self, who: str, number: int, flags: tuple[bool, ...] = ()) -> tuple[Any, ...]:
        """A defaulted positional-or-keyword parameter."""
        return (who, number, flags)

    def loose(self, who: str, *rest: int, **extra: str) -> tuple[Any, ...]:
        """Variadic parameters: always the general path."""
        return (who, rest, extra)


def _general(name: str, args: tuple[Any, ...], kwargs: dict[str, Any]) -> Any:
    """The outcome of the general path: the given arguments bound and checked in order, then
    the call (a missing argument is the method's own TypeError, after the given ones)."""
    function = inspect.unwrap(getattr(Service, name))
    hints = inspect.get_annotations(function, eval_str=True)
    signature = inspect.signature(function)
    # With variadic parameters every argument must bind; otherwise a missing one is left
    # to the method.
    variadic = any(
        p.kind in (p.VAR_POSITIONAL, p.VAR_KEYWORD) for p in signature.parameters.values()
    )
    bind = signature.bind if variadic else signature.bind_partial
    try:
        bound = bind(Service(), *args, **kwargs)
    except TypeError:
        return TypeError
    for parameter, value in bound.arguments.items():
        classes = _classes(hints[parameter]) if parameter in hints else None
        if classes is not None and not isinstance(value, classes):
            return ("refused", parameter, f"must be {_names(classes)}, not {type(value).__name__}")
    try:
        return function(Service(), *args, **kwargs)
    except TypeError:
        return TypeError


def _wrapped(name: str, args: tuple[Any, ...], kwargs: dict[str, Any]) -> Any:
    """The outcome of the wrapped method."""
    try:
        return getattr(Service(), name)(*args, **kwargs)
    except InvalidValue as exc:
        return ("refused", exc.field, exc.reason)
    except TypeError:
        return TypeError


_values = st.one_of(st.text(max_size=3), st.integers(), st.none(), st.tuples(st.booleans()))
_names_used = st.sampled_from(["who", "request", "number", "note", "flags", "rest", "other"])


@given(
    name=st.sampled_from(["create", "submit", "loose"]),
    args=st.lists(_values, max_size=4).map(tuple),
    kwargs=st.dictionaries(_names_used, _values, max_size=3),
)
def test_the_fast_check_agrees_with_binding_word_for_word(
    name: str, args: tuple[Any, ...], kwargs: dict[str, Any]
) -> None:
    """Any call: the same refusal (parameter and words), TypeError or result as the bound check."""
    assert _wrapped(name, args, kwargs) == _general(name, args, kwargs)


def test_the_first_bad_argument_in_call_order_is_the_one_refused() -> None:
    """Positional arguments are checked before keywords, each named with its classes."""
    with pytest.raises(InvalidValue) as raised:
        Service().create(1, "x", note=2)  # type: ignore[arg-type]
    assert (raised.value.field, raised.value.reason) == ("who", "must be str, not int")
    with pytest.raises(InvalidValue) as raised:
        Service().create("a", 1, note=2)  # type: ignore[arg-type]
    assert (raised.value.field, raised.value.reason) == ("note", "must be str or None, not int")
