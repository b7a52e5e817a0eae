"""Row helpers shared by the enquiry repositories: rows as dicts and checked arguments."""

from __future__ import annotations

from typing import Any

from cambridge_results.errors import InvalidValue
from cambridge_results.serialization import unstructure

__all__ = ["as_dict", "require"]


def as_dict(value: Any) -> dict[str, Any]:
    """An attrs value unstructured to a JSON-ready dict."""
    data = unstructure(value)
    assert isinstance(data, dict)  # attrs classes unstructure to dicts
    return data


def require(value: object, cls: type, field: str) -> None:
    """:class:`InvalidValue` unless ``value`` is a ``cls``, before anything touches storage."""
    if not isinstance(value, cls):
        raise InvalidValue(field, f"must be a {cls.__name__}, not {type(value).__name__}")
