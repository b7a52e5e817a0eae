"""The frozen :class:`Enquiry` and the small values it is made of (EAR-01..EAR-14).

An enquiry is a value: every workflow step in
:mod:`cambridge_results.rules.enquiries.workflow` returns a new one together
with the events the store records.  Instants are kept in UTC.
"""

from __future__ import annotations

import enum
import operator
import re
from collections.abc import Callable, Iterable
from itertools import repeat

import attrs
import pendulum

from cambridge_results._checks import member
from cambridge_results.errors import InvalidValue
from cambridge_results.values import (
    CandidateNumber,
    CentreNumber,
    ComponentCode,
    ExamSeries,
    SyllabusCode,
)
from cambridge_results.values._text import ascii_pattern, human_text
from cambridge_results.values.identifiers import as_centre_number, as_syllabus_code
from cambridge_results.values.instants import parse_instant
from cambridge_results.values.money import Money
from cambridge_results.values.outcome import Outcome
from cambridge_results.values.series import as_series

__all__ = [
    "Amendment",
    "Document",
    "DocumentKind",
    "Enquiry",
    "EnquiryStatus",
    "as_enquiry_id",
    "as_enquiry_number",
    "default_note",
    "evolved",
    "instant",
    "optional_instant",
]

MAX_NOTE = 200
MAX_REASON = 500
_ENQUIRY_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9_-]{0,63}", re.ASCII)
_ENQUIRY_NUMBER = re.compile(r"[A-Z0-9][A-Z0-9/-]{0,23}", re.ASCII)
_SERVICE_CODE = re.compile(r"[0-9A-Z/]{1,8}", re.ASCII)


class EnquiryStatus(enum.Enum):
    """Where an enquiry is in its life (EAR-09, EAR-13, EAR-14, EAR-16).

    The guide's statuses are Saved, Submitted, Received, Acknowledged,
    Pending and Completed; ``AWAITING_APPROVAL`` (an Associate Centre's
    enquiry waiting for its Associate), ``REJECTED`` (by that Associate),
    ``CANCELLED`` and ``DELETED`` (a draft thrown away) complete the picture.
    """

    SAVED = "saved"
    AWAITING_APPROVAL = "awaiting-approval"
    PENDING = "pending"
    SUBMITTED = "submitted"
    RECEIVED = "received"
    ACKNOWLEDGED = "acknowledged"
    COMPLETED = "completed"
    CANCELLED = "cancelled"
    REJECTED = "rejected"
    DELETED = "deleted"

    @property
    def label(self) -> str:
        """The status as the guide shows it, e.g. ``"Acknowledged"``."""
        return self.value.replace("-", " ").capitalize()

    @property
    def is_final(self) -> bool:
        """True when nothing can change the enquiry any more."""
        return self in _FINAL

    @property
    def at_board(self) -> bool:
        """True once the board has it and before it is finished (EAR-08, EAR-13)."""
        return self in _AT_BOARD

    @property
    def is_open(self) -> bool:
        """Submitted (to the board or to an Associate) and not yet finished (EAR-13)."""
        return self in _AT_BOARD or self is EnquiryStatus.AWAITING_APPROVAL

    @property
    def was_submitted(self) -> bool:
        """True when it counts for EAR-06: submitted, and neither cancelled nor rejected."""
        return self.is_open or self is EnquiryStatus.COMPLETED


_FINAL = frozenset(
    {
        EnquiryStatus.COMPLETED,
        EnquiryStatus.CANCELLED,
        EnquiryStatus.REJECTED,
        EnquiryStatus.DELETED,
    }
)
_AT_BOARD = frozenset(
    {
        EnquiryStatus.PENDING,
        EnquiryStatus.SUBMITTED,
        EnquiryStatus.RECEIVED,
        EnquiryStatus.ACKNOWLEDGED,
    }
)


class DocumentKind(enum.Enum):
    """The documents of an enquiry as Direct labels them (EAR-10)."""

    ACKNOWLEDGEMENT = "Ack"
    OUTCOME = "Out"
    REPORT = "Rpt"
    COPY_OF_SCRIPT = "Cos"


def instant(value: object) -> pendulum.DateTime:
    """Converter for attrs fields: an aware instant in UTC (naive times are refused)."""
    return parse_instant(value)


def optional_instant(value: object) -> pendulum.DateTime | None:
    """Like :func:`instant`, but ``None`` stays ``None``."""
    return None if value is None else parse_instant(value)


def as_enquiry_id(value: object) -> str:
    """Validate an enquiry id (chosen by the caller, e.g. a UUID): ASCII, at most 64 chars."""
    return ascii_pattern(value, "enquiry.id", _ENQUIRY_ID, "an id like 'e-1f3a' (ASCII)")


def as_enquiry_number(value: object) -> str:
    """Validate an enquiry number the board assigns (EAR-09), e.g. ``"E23-000123"``."""
    return ascii_pattern(
        value, "enquiry.number", _ENQUIRY_NUMBER, "an enquiry number like E23-000123", upper=True
    )


def _optional_number(value: object) -> str | None:
    return None if value is None else as_enquiry_number(value)


def _service(value: object) -> str:
    return ascii_pattern(value, "enquiry.service", _SERVICE_CODE, "a service code like 1S")


def _note(value: object) -> str | None:
    # EAR-11 (SPEC's decision): a note of nothing or only white space was left empty,
    # so the default is filled in, as for no note at all.
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    return human_text(value, "enquiry.note", max_length=MAX_NOTE)


def _reason(value: object) -> str | None:
    return None if value is None else human_text(value, "reason", max_length=MAX_REASON)


def _components(values: Iterable[object]) -> tuple[ComponentCode, ...]:
    codes = tuple(map(ComponentCode.parse, values))
    if len(set(codes)) != len(codes):
        raise InvalidValue("enquiry.components", "each component is named once", rule="EAR-03")
    return codes


def _candidates(values: Iterable[object]) -> tuple[CandidateNumber, ...]:
    numbers = tuple(map(CandidateNumber.parse, values))
    if len(set(numbers)) != len(numbers):
        raise InvalidValue("enquiry.candidates", "each candidate is named once")
    return numbers


def _optional_centre(value: object) -> CentreNumber | None:
    return None if value is None else CentreNumber.parse(value)


def _flag(_: object, attribute: attrs.Attribute[bool], value: object) -> None:
    if not isinstance(value, bool):
        raise InvalidValue(f"enquiry.{attribute.name}", "must be True or False")


def _optional_money(_: object, attribute: attrs.Attribute[Money | None], value: object) -> None:
    if value is not None and not isinstance(value, Money):
        raise InvalidValue(attribute.name, "must be Money or None")


@attrs.frozen(kw_only=True)
class Document:
    """A document the board uploaded for an enquiry (EAR-10)."""

    kind: DocumentKind = attrs.field(validator=member("kind", DocumentKind))
    uploaded_at: pendulum.DateTime = attrs.field(converter=instant)


@attrs.frozen(kw_only=True)
class Amendment:
    """One amendment of a submitted enquiry; ``fee`` is set when it was charged (EAR-14)."""

    at: pendulum.DateTime = attrs.field(converter=instant)
    service_before: str = attrs.field(converter=_service)
    service_after: str = attrs.field(converter=_service)
    components_before: tuple[ComponentCode, ...] = attrs.field(converter=_components)
    components_after: tuple[ComponentCode, ...] = attrs.field(converter=_components)
    fee: Money | None = attrs.field(default=None, validator=_optional_money)

    @property
    def charged(self) -> bool:
        """True when an administration fee is due for this amendment (EAR-14)."""
        return self.fee is not None


@attrs.frozen(kw_only=True)
class Enquiry:
    """One enquiry about results: a service for components of one syllabus (EAR-03).

    Individual services name one candidate; service 9 names its group of 5 to
    15; service 5 is for the whole group (``whole_group``) and, once
    submitted, lists the candidates of the original moderation sample
    (EAR-01).  X/Q enquiries may name no component: they ask about the
    syllabus result.  ``arrived_at`` is when the board got it (EAR-08 order):
    the submission, or the Associate's approval for an Associate Centre.
    """

    id: str = attrs.field(converter=as_enquiry_id)
    centre: CentreNumber = attrs.field(converter=as_centre_number)
    #: The centre's Cambridge Associate, for an Associate Centre (EAR-16).
    associate: CentreNumber | None = attrs.field(default=None, converter=_optional_centre)
    series: ExamSeries = attrs.field(converter=as_series)
    service: str = attrs.field(converter=_service)
    syllabus: SyllabusCode = attrs.field(converter=as_syllabus_code)
    components: tuple[ComponentCode, ...] = attrs.field(default=(), converter=_components)
    candidates: tuple[CandidateNumber, ...] = attrs.field(default=(), converter=_candidates)
    whole_group: bool = attrs.field(default=False, validator=_flag)
    #: X/Q enquiries are asked for by the Head of Centre (EAR-01).
    head_of_centre: bool = attrs.field(default=False, validator=_flag)
    note: str | None = attrs.field(default=None, converter=_note)
    status: EnquiryStatus = attrs.field(
        default=EnquiryStatus.SAVED, validator=member("status", EnquiryStatus)
    )
    created_at: pendulum.DateTime = attrs.field(converter=instant)
    submitted_at: pendulum.DateTime | None = attrs.field(default=None, converter=optional_instant)
    arrived_at: pendulum.DateTime | None = attrs.field(default=None, converter=optional_instant)
    #: When it last entered Submitted: the arrival, or the end of Pending (EAR-13, EAR-18).
    queued_at: pendulum.DateTime | None = attrs.field(default=None, converter=optional_instant)
    number: str | None = attrs.field(default=None, converter=_optional_number)
    received_at: pendulum.DateTime | None = attrs.field(default=None, converter=optional_instant)
    acknowledged_at: pendulum.DateTime | None = attrs.field(
        default=None, converter=optional_instant
    )
    documents: tuple[Document, ...] = ()
    outcome: Outcome | None = None
    completed_at: pendulum.DateTime | None = attrs.field(default=None, converter=optional_instant)
    amendments: tuple[Amendment, ...] = ()
    cancelled_at: pendulum.DateTime | None = attrs.field(default=None, converter=optional_instant)
    cancellation_fee: Money | None = attrs.field(default=None, validator=_optional_money)
    rejected_at: pendulum.DateTime | None = attrs.field(default=None, converter=optional_instant)
    rejection_reason: str | None = attrs.field(default=None, converter=_reason)

    def __attrs_post_init__(self) -> None:
        if self.whole_group and self.status is EnquiryStatus.SAVED and self.candidates:
            raise InvalidValue(
                "enquiry.candidates",
                "a whole-group enquiry names no candidates before it is submitted",
                rule="EAR-01",
            )
        if self.status.at_board and self.arrived_at is None:
            raise InvalidValue("enquiry.arrived_at", f"a {self.status.label} enquiry has arrived")
        if self.status is EnquiryStatus.COMPLETED and self.completed_at is None:
            raise InvalidValue("enquiry.completed_at", "a completed enquiry has its instant")

    def document(self, kind: DocumentKind) -> Document | None:
        """The uploaded document of this kind, if any (EAR-10)."""
        for d in self.documents:
            if d.kind is kind:
                return d
        return None

    def has(self, kind: DocumentKind) -> bool:
        """True when a document of this kind was uploaded."""
        return self.document(kind) is not None

    @property
    def display_note(self) -> str:
        """The note, or the EAR-11 default: series, syllabus and enquiry number."""
        if self.note is not None:
            return self.note
        return default_note(self.series, self.syllabus, self.number)

    @property
    def candidate_label(self) -> str:
        """How the list shows the candidates: ``All`` for service 5, ``?`` for a group."""
        if self.whole_group:
            return "All"
        if len(self.candidates) == 1:
            return str(self.candidates[0])
        return "?"


_FIELDS = attrs.fields(Enquiry)
_NAMES = tuple(a.name for a in _FIELDS)


@attrs.frozen
class _Plan:
    """How :func:`evolved` copies an enquiry for one set of changed fields."""

    #: The unchanged fields' names, and a function giving their values in that order.
    kept: tuple[str, ...]
    values: Callable[[Enquiry], tuple[object, ...]]
    #: The changed fields in attrs' order (converters, then validators, run in it).
    changed: tuple[attrs.Attribute[object], ...]


#: Plans by the changed fields' names as a call gives them (a few call sites: bounded).
_PLANS: dict[tuple[str, ...], _Plan] = {}
_PLANS_LIMIT = 256


def _plan(names: tuple[str, ...]) -> _Plan:
    unknown = set(names) - set(_NAMES)
    if unknown:
        raise TypeError(f"Enquiry has no field {sorted(unknown)[0]!r}")
    kept = tuple(n for n in _NAMES if n not in names)
    getter = operator.attrgetter(*kept) if len(kept) > 1 else None
    return _Plan(
        kept=kept,
        values=getter or (lambda e: tuple(getattr(e, n) for n in kept)),
        changed=tuple(a for a in _FIELDS if a.name in names),
    )


def evolved(enquiry: Enquiry, **changes: object) -> Enquiry:
    """``attrs.evolve(enquiry, **changes)``, converting and validating only what changes.

    The workflow's steps change a status and an instant or two of an
    enquiry that was valid already: :func:`attrs.evolve` would run every
    field's converter again (27 of them).  Here the unchanged fields are
    copied as they are (they were checked when ``enquiry`` was made, and
    values are frozen), each changed field goes through its own converter
    and validator, and the checks across fields (``__attrs_post_init__``)
    run again, so the result is exactly what :func:`attrs.evolve` gives,
    and refuses exactly what it refuses.  An unknown field name is a
    :class:`TypeError`, as for :func:`attrs.evolve`.

    >>> import pendulum
    >>> draft = Enquiry(id="e-1", centre="GB123", series="June 2023", service="2",
    ...                 syllabus="0580", candidates=("0001",),
    ...                 created_at=pendulum.datetime(2023, 9, 1, tz="UTC"))
    >>> evolved(draft, status=EnquiryStatus.DELETED) == attrs.evolve(
    ...     draft, status=EnquiryStatus.DELETED)
    True
    """
    names = tuple(changes)
    plan = _PLANS.get(names)
    if plan is None:
        plan = _plan(names)
        if len(_PLANS) >= _PLANS_LIMIT:
            _PLANS.clear()
        _PLANS[names] = plan
    new = object.__new__(Enquiry)
    put = object.__setattr__
    # Every unchanged field copied in one pass in C (``put`` gives None, so ``any``
    # runs to the end); the plan's names and getter have the same length.
    any(map(put, repeat(new), plan.kept, plan.values(enquiry)))
    # In attrs' order: every converter in the fields' order, then every validator.
    for field in plan.changed:
        name = field.name
        value = changes[name]
        # A field given its own current value (a step passing the candidates on, say)
        # keeps it: each converter gives back what it made, so converting is a copy.
        if field.converter is not None and value is not getattr(enquiry, name):
            value = field.converter(value)  # type: ignore[operator]
        put(new, name, value)
    for field in plan.changed:
        if field.validator is not None:
            field.validator(new, field, getattr(new, field.name))
    new.__attrs_post_init__()
    return new


def default_note(series: ExamSeries, syllabus: SyllabusCode, number: str | None) -> str:
    """The note filled in when the centre left it empty (EAR-11)."""
    return f"{series} {syllabus} {number if number is not None else '(no enquiry number yet)'}"
