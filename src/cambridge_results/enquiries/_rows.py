"""Row helpers shared by the enquiry repositories: rows as dicts and checked arguments."""

from __future__ import annotations

from typing import Any

import attrs

from cambridge_results.errors import InvalidValue
from cambridge_results.serialization import structure, unstructure
from cambridge_results.values.enquiry import Enquiry, EnquiryStatus

__all__ = ["as_dict", "enquiry_from_data", "require"]


def as_dict(value: Any) -> dict[str, Any]:
    """An attrs value unstructured to a JSON-ready dict."""
    data = unstructure(value)
    assert isinstance(data, dict)  # attrs classes unstructure to dicts
    return data


def require(value: object, cls: type, field: str) -> None:
    """:class:`InvalidValue` unless ``value`` is a ``cls``, before anything touches storage."""
    if not isinstance(value, cls):
        raise InvalidValue(field, f"must be a {cls.__name__}, not {type(value).__name__}")


_FIELDS = frozenset(f.name for f in attrs.fields(Enquiry))
_EMPTY_WHEN_PLAIN: dict[str, object] = {
    "documents": [],
    "amendments": [],
    "outcome": None,
    "cancellation_fee": None,
}


def enquiry_from_data(data: object) -> Enquiry:
    """The enquiry a row's ``data`` holds.

    An enquiry with no documents, amendments, outcome or fee (most of them,
    and every one a submission reads) is built by its own converters, which
    check every field: cattrs would parse each field and the converters
    parse it again.  Anything else, and anything the converters refuse, goes
    through :func:`structure`, whose errors name the field.
    """
    if (
        isinstance(data, dict)
        and data.keys() == _FIELDS
        and all(data[k] == v for k, v in _EMPTY_WHEN_PLAIN.items())
        and isinstance(data["status"], str)
        and isinstance(data["components"], list)
        and isinstance(data["candidates"], list)
    ):
        try:
            return Enquiry(
                **{
                    **data,
                    "status": EnquiryStatus(data["status"]),
                    "documents": (),
                    "amendments": (),
                }
            )
        except (InvalidValue, ValueError, TypeError):
            pass
    return structure(data, Enquiry)
