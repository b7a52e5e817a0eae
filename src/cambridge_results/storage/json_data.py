"""JSON data in a json column: its canonical form, and its text written once.

A json column stores what :func:`json.loads` gives back for the canonical
text (keys sorted, no spaces, no NaN, no NUL): :func:`canonical_json`
checks a value and brings it to that form, :func:`json_text` gives the
text a statement sends, and :func:`built_json` lets the library's own row
builders hand over data they made canonical, written out once.
:mod:`cambridge_results.storage.schema` re-exports all of them.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any, TypeAlias, TypeVar, cast

from cambridge_results.errors import InvalidValue

__all__ = ["JSON", "JSONInput", "built_json", "canonical_json", "json_text"]

#: JSON data as a json column gives it back: what :func:`json.loads` returns.
JSON: TypeAlias = "dict[str, JSON] | list[JSON] | str | int | float | bool | None"
#: JSON data as a json column takes it (any mapping or sequence; tuples read back as lists).
JSONInput: TypeAlias = (
    "Mapping[str, JSONInput] | Sequence[JSONInput] | str | int | float | bool | None"
)

#: Scalars a flat JSON mapping or list may hold and keep as they are through a round
#: trip (a float is left to the general path: ``nan`` is refused there).
_FLAT = frozenset({str, int, bool, type(None)})
#: The text of the JSON containers :func:`canonical_json` made most recently, by id,
#: each beside its value (kept alive, so its id is not reused while it is here):
#: :func:`json_text` sends that text instead of writing the value out again.
_TEXTS: dict[int, tuple[object, str]] = {}
_TEXTS_LIMIT = 64
#: JSON data the library's own row builders made canonical (:func:`built_json`), by
#: id, beside its value and text, until its row is checked.
_BUILT: dict[int, tuple[object, str]] = {}
_Built = TypeVar("_Built", dict[str, Any], list[Any])


#: What ``json.dumps(value, allow_nan=False, sort_keys=True, separators=(",", ":"))``
#: would build on every call, built once.
_dumps = json.JSONEncoder(allow_nan=False, sort_keys=True, separators=(",", ":")).encode


def _flat(value: object, field: str) -> JSON | None:
    """A flat dict of text keys or a flat list, of text, ints, bools and None, made
    canonical without a round trip through text; ``None`` for anything else."""
    if type(value) is dict:
        items = value.items()
        if all(type(k) is str and type(v) in _FLAT for k, v in items):
            if any("\x00" in k or (type(v) is str and "\x00" in v) for k, v in items):
                raise InvalidValue(field, "must not contain NUL characters")
            return dict(sorted(items))
        return None
    if (type(value) is list or type(value) is tuple) and all(type(v) in _FLAT for v in value):
        if any(type(v) is str and "\x00" in v for v in value):
            raise InvalidValue(field, "must not contain NUL characters")
        return list(value)
    return None


def built_json(value: _Built) -> _Built:
    """Give the store JSON data the library's own code built canonical; return it.

    For a row builder whose output is canonical by construction (keys
    sorted, lists not tuples, only text, whole numbers, bools, ``None``
    and such lists and mappings): its text is written now, once, and the
    next :func:`canonical_json` of this very value (the row's check) takes
    it as it is, without writing it out and reading it back; the statement
    sends that text (:func:`json_text`).  Trusted once only: a second check
    of the value checks it in full.  Data whose text holds a NUL is not
    taken (its check refuses it as ever).  The caller gives the value up: it
    must not change it afterwards.  Each builder proves its output passes
    :func:`canonical_json` unchanged (a hypothesis test).
    """
    text = _dumps(value)
    if "\\u0000" not in text:
        if len(_BUILT) >= _TEXTS_LIMIT:
            _BUILT.clear()
        _BUILT[id(value)] = (value, text)
    return value


def canonical_json(value: object, field: str) -> JSON:
    """JSON data as it reads back after a round trip (tuples become lists, keys sorted)."""
    built = _BUILT.pop(id(value), None)
    if built is not None and built[0] is value:
        _keep_text(built)
        return cast(JSON, value)  # built_json's own value, canonical as built
    flat = _flat(value, field)
    if flat is not None:
        return flat
    try:
        text = _dumps(value)
    except (TypeError, ValueError) as exc:
        raise InvalidValue(field, f"is not JSON data ({exc})") from None
    if "\\u0000" in text:
        # PostgreSQL's jsonb refuses NUL; refusing it everywhere keeps backends (and any
        # later jsonb column) alike.
        raise InvalidValue(field, "must not contain NUL characters")
    data: JSON = json.loads(text)
    if isinstance(data, dict | list):
        _keep_text((data, text))
    return data


def _keep_text(found: tuple[object, str]) -> None:
    """Keep a checked JSON container's text for :func:`json_text`."""
    if len(_TEXTS) >= _TEXTS_LIMIT:
        _TEXTS.clear()
    _TEXTS[id(found[0])] = found


def json_text(value: JSON) -> str:
    """Canonical JSON data as the SQL backends store it: sorted keys, no spaces.

    The text :func:`canonical_json` wrote for this very value, when it made it
    and no statement has taken it yet: a checked row goes straight into its
    statement, so a value is not written out twice.
    """
    found = _TEXTS.pop(id(value), None)
    if found is not None and found[0] is value:
        return found[1]
    return _dumps(value)
