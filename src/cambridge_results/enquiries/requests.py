"""The request values of the enquiry use cases that take more than one or two arguments.

Each is frozen, keyword-only and checked when made: identifiers are parsed
(``"713"`` becomes candidate 0713), so a bad one raises the library's
:class:`~cambridge_results.errors.InvalidValue` before any unit of work
opens.  The rules check the rest (services offered, windows, eligibility).
Fields a change leaves alone default to :data:`KEEP`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

import attrs

from cambridge_results.errors import InvalidValue
from cambridge_results.rules.enquiries.workflow import KEEP, Keep
from cambridge_results.values import (
    CandidateNumber,
    CentreNumber,
    ComponentCode,
    ExamSeries,
    SyllabusCode,
)
from cambridge_results.values.enquiry import DocumentKind, as_enquiry_id
from cambridge_results.values.enquiry_facts import ModerationSample
from cambridge_results.values.identifiers import (
    as_candidate_number,
    as_centre_number,
    as_syllabus_code,
)
from cambridge_results.values.outcome import Outcome
from cambridge_results.values.series import as_series

__all__ = [
    "KEEP",
    "AppealRequest",
    "DraftChanges",
    "EnquiryAmendment",
    "ExtensionRequest",
    "Keep",
    "NewEnquiry",
    "OutcomeRequest",
    "ResultsKey",
    "SampleRequest",
    "StageTwoAppeal",
    "UploadRequest",
]


_Check = Callable[[object, "attrs.Attribute[Any]", Any], None]


def _flag(field: str) -> _Check:
    def check(_: object, __: object, value: object) -> None:
        if not isinstance(value, bool) and not isinstance(value, Keep):
            raise InvalidValue(field, "must be True or False")

    return check


def _text(field: str) -> _Check:
    def check(_: object, __: object, value: object) -> None:
        if not isinstance(value, str | Keep) or (isinstance(value, str) and not value.strip()):
            raise InvalidValue(field, "must be non-empty text")

    return check


def _listed(values: Iterable[object], field: str, what: str) -> Iterable[object]:
    """``values`` as given; refused when it is one string, or not a collection at all."""
    # A tuple or list is iterable: the ABC's check is for anything else.
    if (
        type(values) is not tuple
        and type(values) is not list
        and (isinstance(values, str) or not isinstance(values, Iterable))
    ):
        raise InvalidValue(field, f"give a list of {what}, not one string")
    return values


def _components(values: Iterable[ComponentCode | str]) -> tuple[ComponentCode, ...]:
    return tuple(map(ComponentCode.parse, _listed(values, "components", "component codes")))


def _candidates(values: Iterable[CandidateNumber | str]) -> tuple[CandidateNumber, ...]:
    return tuple(map(CandidateNumber.parse, _listed(values, "candidates", "candidate numbers")))


def _document_kind(value: object) -> DocumentKind:
    try:
        return DocumentKind(value)
    except ValueError:
        kinds = ", ".join(k.value for k in DocumentKind)
        raise InvalidValue("kind", f"{value!r:.40} is not one of {kinds}") from None


def _components_or_keep(
    values: Iterable[ComponentCode | str] | Keep,
) -> tuple[ComponentCode, ...] | Keep:
    return values if isinstance(values, Keep) else _components(values)


def _candidates_or_keep(
    values: Iterable[CandidateNumber | str] | Keep,
) -> tuple[CandidateNumber, ...] | Keep:
    return values if isinstance(values, Keep) else _candidates(values)


def _note_or_keep(value: object) -> str | Keep | None:
    return value if isinstance(value, Keep) else _optional_note(value)


def _optional_centre(value: object) -> CentreNumber | None:
    return None if value is None else as_centre_number(value)


def _optional_id(value: object) -> str | None:
    return None if value is None else as_enquiry_id(value)


def _optional_note(value: object) -> str | None:
    if value is not None and not isinstance(value, str):
        raise InvalidValue("note", "must be text or None")
    return value


def _optional_pdf(value: object) -> bytes | None:
    return None if value is None else _pdf(value)


def _pdf(value: object) -> bytes:
    if not isinstance(value, bytes | bytearray | memoryview):
        raise InvalidValue("pdf", f"must be the PDF's bytes, not {type(value).__name__}")
    return bytes(value)


def _instance(kind: type, field: str) -> _Check:
    def check(_: object, __: object, value: object) -> None:
        if not isinstance(value, kind):
            raise InvalidValue(field, f"must be a {kind.__name__}, not {type(value).__name__}")

    return check


@attrs.frozen(kw_only=True)
class NewEnquiry:
    """A new draft (EAR-09): the service, the syllabus, its components and candidates.

    ``centre`` is needed when an Associate makes it for an Associate Centre
    (an exams officer's drafts are for its own centre); without
    ``enquiry_id`` the store numbers it (``enq-000000001``, in the order made).
    """

    series: ExamSeries = attrs.field(converter=as_series)
    service: str = attrs.field(validator=_text("service"))
    syllabus: SyllabusCode = attrs.field(converter=as_syllabus_code)
    components: tuple[ComponentCode, ...] = attrs.field(default=(), converter=_components)
    candidates: tuple[CandidateNumber, ...] = attrs.field(default=(), converter=_candidates)
    whole_group: bool = attrs.field(default=False, validator=_flag("whole_group"))
    head_of_centre: bool = attrs.field(default=False, validator=_flag("head_of_centre"))
    note: str | None = attrs.field(default=None, converter=_optional_note)
    centre: CentreNumber | None = attrs.field(default=None, converter=_optional_centre)
    enquiry_id: str | None = attrs.field(default=None, converter=_optional_id)


@attrs.frozen(kw_only=True)
class DraftChanges:
    """Changes to a draft (EAR-09); every field left as :data:`KEEP` stays as it is."""

    enquiry_id: str = attrs.field(converter=as_enquiry_id)
    service: str | Keep = attrs.field(default=KEEP, validator=_text("service"))
    components: tuple[ComponentCode, ...] | Keep = attrs.field(
        default=KEEP, converter=_components_or_keep
    )
    candidates: tuple[CandidateNumber, ...] | Keep = attrs.field(
        default=KEEP, converter=_candidates_or_keep
    )
    whole_group: bool | Keep = attrs.field(default=KEEP, validator=_flag("whole_group"))
    head_of_centre: bool | Keep = attrs.field(default=KEEP, validator=_flag("head_of_centre"))
    note: str | Keep | None = attrs.field(default=KEEP, converter=_note_or_keep)


@attrs.frozen(kw_only=True)
class EnquiryAmendment:
    """An amendment of a submitted enquiry's service or components (EAR-14)."""

    enquiry_id: str = attrs.field(converter=as_enquiry_id)
    service: str | Keep = attrs.field(default=KEEP, validator=_text("service"))
    components: tuple[ComponentCode, ...] | Keep = attrs.field(
        default=KEEP, converter=_components_or_keep
    )


@attrs.frozen(kw_only=True)
class OutcomeRequest:
    """The board's outcome of an enquiry (EAR-23), with its own letter PDF or ``None`` to render."""

    enquiry_id: str = attrs.field(converter=as_enquiry_id)
    outcome: Outcome = attrs.field(validator=_instance(Outcome, "outcome"))
    letter: bytes | None = attrs.field(default=None, converter=_optional_pdf)


@attrs.frozen(kw_only=True)
class UploadRequest:
    """A report (Rpt) or copy of the script (Cos) the board uploads as a PDF (EAR-10)."""

    enquiry_id: str = attrs.field(converter=as_enquiry_id)
    kind: DocumentKind = attrs.field(converter=_document_kind)
    pdf: bytes = attrs.field(converter=_pdf, repr=False)


@attrs.frozen(kw_only=True)
class ExtensionRequest:
    """The board extends an enquiry to other candidates, saying why (EAR-17)."""

    enquiry_id: str = attrs.field(converter=as_enquiry_id)
    candidates: tuple[CandidateNumber, ...] = attrs.field(converter=_candidates)
    reason: str = attrs.field(validator=_text("reason"))


@attrs.frozen(kw_only=True)
class AppealRequest:
    """A stage 1 appeal against an enquiry's outcome (EAR-20)."""

    enquiry_id: str = attrs.field(converter=as_enquiry_id)
    signed_by_head_of_centre: bool = attrs.field(validator=_flag("signed_by_head_of_centre"))
    appeal_id: str | None = attrs.field(default=None, converter=_optional_id)


@attrs.frozen(kw_only=True)
class StageTwoAppeal:
    """A stage 2 appeal following the stage 1 decision letter (EAR-20)."""

    stage_one_id: str = attrs.field(converter=as_enquiry_id)
    signed_by_head_of_centre: bool = attrs.field(validator=_flag("signed_by_head_of_centre"))
    appeal_id: str | None = attrs.field(default=None, converter=_optional_id)


@attrs.frozen(kw_only=True)
class SampleRequest:
    """The original moderation sample of a component at a centre (EAR-01)."""

    centre: CentreNumber = attrs.field(converter=as_centre_number)
    series: ExamSeries = attrs.field(converter=as_series)
    syllabus: SyllabusCode = attrs.field(converter=as_syllabus_code)
    sample: ModerationSample = attrs.field(validator=_instance(ModerationSample, "sample"))


@attrs.frozen(kw_only=True)
class ResultsKey:
    """Whose results: a candidate's entry for a syllabus at a centre in a series."""

    centre: CentreNumber = attrs.field(converter=as_centre_number)
    series: ExamSeries = attrs.field(converter=as_series)
    candidate: CandidateNumber = attrs.field(converter=as_candidate_number)
    syllabus: SyllabusCode = attrs.field(converter=as_syllabus_code)
