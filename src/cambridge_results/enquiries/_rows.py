"""Row helpers shared by the enquiry repositories: rows as dicts and checked arguments."""

from __future__ import annotations

import operator
from collections.abc import Mapping
from typing import Any

import attrs
import pendulum

from cambridge_results.errors import InvalidValue
from cambridge_results.serialization import converter, structure, unstructure
from cambridge_results.storage.keys import candidate_key, centre_key, series_key, syllabus_key
from cambridge_results.storage.schema import built_json
from cambridge_results.values import CandidateNumber, CentreNumber, ExamSeries, SyllabusCode
from cambridge_results.values.enquiry import Enquiry, EnquiryStatus

__all__ = [
    "StoredEnquiry",
    "as_dict",
    "changed_columns",
    "enquiry_columns",
    "enquiry_data",
    "enquiry_from_data",
    "enquiry_group",
    "group_texts",
    "last_written",
    "require",
    "single_claim",
    "stored_enquiry",
    "text_of",
]


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
#: An identifier's text (its ``value``), read in C.
_TEXT = operator.attrgetter("value")
_EMPTY_WHEN_PLAIN: dict[str, object] = {
    "documents": [],
    "amendments": [],
    "outcome": None,
    "cancellation_fee": None,
}


#: How the library's converter writes an instant (``2023-09-01T09:00:00+00:00``).
_INSTANT = converter.get_unstructure_hook(pendulum.DateTime)
#: The text of the UTC instants written lately (:func:`_instant_text`).
_INSTANT_TEXTS: dict[pendulum.DateTime, str] = {}
#: The enquiries this process last wrote, by id, beside the ``data`` written:
#: a read of the same data gives the same (frozen) value back, not a new one.
_WRITTEN: dict[str, tuple[dict[str, Any], Enquiry]] = {}
_WRITTEN_LIMIT = 256


def _instant_text(value: pendulum.DateTime) -> str:
    """:data:`_INSTANT`'s text, kept for the few instants a process writes over and over."""
    if type(value) is pendulum.DateTime and value.tzinfo is pendulum.UTC:
        # UTC only, so equal instants are the same text (the unit's "now" repeats).
        text = _INSTANT_TEXTS.get(value)
        if text is None:
            if len(_INSTANT_TEXTS) >= _WRITTEN_LIMIT:
                _INSTANT_TEXTS.clear()
            text = _INSTANT_TEXTS[value] = str(_INSTANT(value))
        return text
    return str(_INSTANT(value))


def enquiry_data(enquiry: Enquiry) -> dict[str, Any]:
    """An enquiry's row ``data``: what :func:`as_dict` gives.

    A plain enquiry (no documents, amendments, outcome or fee) is written
    out field by field, as the library's converter writes each, without
    cattrs' general path, with its keys sorted and only text, bools,
    ``None`` and lists of text: canonical JSON as built, so the row's check
    takes it without a round trip through text
    (:func:`~cambridge_results.storage.schema.built_json`;
    ``tests/enquiries/test_enquiry_rows.py`` holds every such data to the
    full check).  Anything else goes through :func:`as_dict`.  The enquiry
    is remembered beside its data, for :func:`enquiry_from_data`.
    """
    e = enquiry
    if e.documents or e.amendments or e.outcome is not None or e.cancellation_fee is not None:
        data = as_dict(e)
    else:
        # Keys in sorted order, as the stored JSON holds them.
        # Inline on purpose (the hot path of every save): identifiers' text is
        # their ``value``, an enum's its ``_value_`` (``.value`` is a property).
        data = built_json(
            {
                "acknowledged_at": None if (a := e.acknowledged_at) is None else _instant_text(a),
                "amendments": [],
                "arrived_at": None if (a := e.arrived_at) is None else _instant_text(a),
                "associate": None if e.associate is None else e.associate.value,
                "cancellation_fee": None,
                "cancelled_at": None if (a := e.cancelled_at) is None else _instant_text(a),
                "candidates": list(map(_TEXT, e.candidates)),
                "centre": e.centre.value,
                "completed_at": None if (a := e.completed_at) is None else _instant_text(a),
                "components": list(map(_TEXT, e.components)),
                "created_at": _instant_text(e.created_at),
                "documents": [],
                "head_of_centre": e.head_of_centre,
                "id": e.id,
                "note": e.note,
                "number": e.number,
                "outcome": None,
                "queued_at": None if (a := e.queued_at) is None else _instant_text(a),
                "received_at": None if (a := e.received_at) is None else _instant_text(a),
                "rejected_at": None if (a := e.rejected_at) is None else _instant_text(a),
                "rejection_reason": e.rejection_reason,
                "series": e.series.code,
                "service": e.service,
                "status": e.status._value_,
                "submitted_at": None if (a := e.submitted_at) is None else _instant_text(a),
                "syllabus": e.syllabus.value,
                "whole_group": e.whole_group,
            }
        )
    if len(_WRITTEN) >= _WRITTEN_LIMIT:
        _WRITTEN.clear()
    _WRITTEN[e.id] = (data, e)
    return data


def last_written(enquiry_id: object) -> Enquiry | None:
    """The enquiry with this id as this process last wrote it, if it still remembers it.

    A guess only (another process may have changed it since, or it may be
    another store's): a caller checks it against what it reads.
    """
    if type(enquiry_id) is not str:
        return None
    known = _WRITTEN.get(enquiry_id)
    return None if known is None else known[1]


def enquiry_from_data(data: object) -> Enquiry:
    """The enquiry a row's ``data`` holds.

    The very value this process last wrote with that data
    (:func:`enquiry_data`), when it did: equal data is an equal enquiry.

    An enquiry with no documents, amendments, outcome or fee (most of them,
    and every one a submission reads) is built by its own converters, which
    check every field: cattrs would parse each field and the converters
    parse it again.  Anything else, and anything the converters refuse, goes
    through :func:`structure`, whose errors name the field.
    """
    if isinstance(data, dict) and type(key := data.get("id")) is str:
        known = _WRITTEN.get(key)
        if known is not None and known[0] == data:
            return known[1]
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


@attrs.frozen(kw_only=True)
class StoredEnquiry:
    """An enquiry as read from the store, with the version a change must expect."""

    enquiry: Enquiry
    version: int


def stored_enquiry(row: Mapping[str, Any]) -> StoredEnquiry:
    """The enquiry an ``enquiries`` row holds, with its version."""
    return StoredEnquiry(enquiry=enquiry_from_data(row["data"]), version=row["version"])


def enquiry_columns(enquiry: Enquiry) -> dict[str, Any]:
    """The searchable columns of an enquiry's row (besides id, created_at, version, data)."""
    return {
        "centre": enquiry.centre.value,
        "associate": None if enquiry.associate is None else enquiry.associate.value,
        "series": enquiry.series.code,
        "syllabus": enquiry.syllabus.value,
        "service": enquiry.service,
        "status": enquiry.status._value_,
        "number": enquiry.number,
        "arrived_at": enquiry.arrived_at,
    }


def enquiry_group(enquiry: Enquiry) -> tuple[str, str, str]:
    """The (centre, series, syllabus) of an enquiry as its rows store them."""
    return (enquiry.centre.value, enquiry.series.code, enquiry.syllabus.value)


def group_texts(
    centre: CentreNumber | str, series: ExamSeries | str, syllabus: SyllabusCode | str
) -> tuple[str, str, str]:
    """(centre, series, syllabus) as rows store them: what the storage keys give.

    An identifier the caller already holds (an enquiry's own) gives its text
    as it is; only text is parsed (and refused) by the storage keys.
    """
    return (
        centre.value if type(centre) is CentreNumber else centre_key(centre),
        series.code if type(series) is ExamSeries else series_key(series),
        syllabus.value if type(syllabus) is SyllabusCode else syllabus_key(syllabus),
    )


def text_of(candidate: CandidateNumber | str) -> str:
    """A candidate number as rows store it (what ``storage.keys.candidate_key`` gives)."""
    if type(candidate) is CandidateNumber:
        return candidate.value
    return candidate_key(candidate)


def changed_columns(enquiry: Enquiry, previous: Enquiry) -> dict[str, Any]:
    """The columns of :func:`enquiry_columns` whose values differ from ``previous``'s.

    Compared as the columns store them (identifiers' text, a status's
    value), so the columns compared are always the ones written.
    """
    old = enquiry_columns(previous)
    return {n: v for n, v in enquiry_columns(enquiry).items() if v != old[n]}


def single_claim(enquiry: Enquiry, existing: Mapping[str, Mapping[str, Any]]) -> str | None:
    """The one candidate whose row a claim (EAR-06) flags, when that is all it writes.

    ``None`` unless the enquiry's candidates are exactly its rows as read and
    just one of those does not hold the claim yet.
    """
    wanted = {c.value for c in enquiry.candidates}
    if set(existing) != wanted:
        return None
    unclaimed = [n for n in wanted if not existing[n]["active_review"]]
    return unclaimed[0] if len(unclaimed) == 1 else None
