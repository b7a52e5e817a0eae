"""Row helpers shared by the enquiry repositories: rows as dicts and checked arguments."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import attrs

from cambridge_results.errors import InvalidValue
from cambridge_results.serialization import structure, unstructure
from cambridge_results.values.enquiry import Enquiry, EnquiryStatus

__all__ = ["as_dict", "enquiry_columns", "enquiry_from_data", "require", "single_claim"]


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


def enquiry_columns(enquiry: Enquiry) -> dict[str, Any]:
    """The searchable columns of an enquiry's row (besides id, created_at, version, data)."""
    return {
        "centre": str(enquiry.centre),
        "associate": None if enquiry.associate is None else str(enquiry.associate),
        "series": enquiry.series.code,
        "syllabus": str(enquiry.syllabus),
        "service": enquiry.service,
        "status": enquiry.status.value,
        "number": enquiry.number,
        "arrived_at": enquiry.arrived_at,
    }


def single_claim(enquiry: Enquiry, existing: Mapping[str, Mapping[str, Any]]) -> str | None:
    """The one candidate whose row a claim (EAR-06) flags, when that is all it writes.

    ``None`` unless the enquiry's candidates are exactly its rows as read and
    just one of those does not hold the claim yet.
    """
    wanted = {str(c) for c in enquiry.candidates}
    if set(existing) != wanted:
        return None
    unclaimed = [n for n in wanted if not existing[n]["active_review"]]
    return unclaimed[0] if len(unclaimed) == 1 else None
