"""Repositories of stored enquiries, written once over the unit-of-work primitives.

They run unchanged on every backend (memory, SQLite, PostgreSQL, third
parties): only ``insert``, ``get``, ``update``, ``delete``, ``select`` and
``next_number`` are used.  Reach them all through :class:`EnquiryRecords`::

    with store.unit_of_work(actor=str(principal)) as uow:
        records = EnquiryRecords(uow, policy)
        stored = records.enquiries.get("enq-000000001", for_update=True)

What the store enforces itself (docs/enquiries.md, "On the store"):

* EAR-06: at most one *active* re-check or review per centre, series,
  syllabus and candidate (a partial unique index); a clash raises
  :class:`~cambridge_results.enquiries.errors.DuplicateEnquiry`.
* Unique enquiry numbers, one document and one release per enquiry and
  kind, one appeal per enquiry and stage: :class:`DuplicateError`.
* Compare-and-set on every change of an enquiry: saving over a version
  someone else changed raises :class:`ConcurrencyError`.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable, Iterator
from functools import cached_property
from typing import TYPE_CHECKING, Any

import attrs
import pendulum

from cambridge_results.enquiries import tables as t
from cambridge_results.enquiries.documents import (
    DOCUMENT_ORDER,
    DocumentInfo,
    StoredDocument,
)
from cambridge_results.enquiries.errors import DuplicateEnquiry
from cambridge_results.errors import ConcurrencyError, DuplicateError, InvalidValue, NotFound
from cambridge_results.policy import Policy, ReviewKind
from cambridge_results.rules.enquiries.associates import DocumentRelease
from cambridge_results.rules.enquiries.extensions import Extension
from cambridge_results.rules.enquiries.services import service_definition
from cambridge_results.serialization import structure, unstructure
from cambridge_results.storage.query import In
from cambridge_results.storage.schema import Row, value_of
from cambridge_results.values import (
    CandidateNumber,
    CentreNumber,
    ExamSeries,
    Grade,
    Mark,
    Qualification,
    SyllabusCode,
)
from cambridge_results.values.appeal import Appeal
from cambridge_results.values.enquiry import (
    DocumentKind,
    Enquiry,
    EnquiryStatus,
    as_enquiry_id,
    as_enquiry_number,
    instant,
    optional_instant,
)
from cambridge_results.values.enquiry_facts import CandidateResults, ModerationSample, SyllabusFacts
from cambridge_results.values.identifiers import (
    as_candidate_number,
    as_centre_number,
    as_syllabus_code,
)
from cambridge_results.values.outcome import Outcome
from cambridge_results.values.series import as_series

if TYPE_CHECKING:
    from cambridge_results.storage.port import UnitOfWork

__all__ = [
    "AppealRepository",
    "DocumentRepository",
    "EnquiryRecords",
    "EnquiryRepository",
    "ExtensionRepository",
    "ReleaseRepository",
    "ResultsRepository",
    "StatementDue",
    "StatementRepository",
    "StoredEnquiry",
]

#: The statuses a listing shows by default: everything but thrown-away drafts.
_LISTED = tuple(s for s in EnquiryStatus if s is not EnquiryStatus.DELETED)
_AT_BOARD = tuple(s for s in EnquiryStatus if s.at_board)


def _centre(value: CentreNumber | str) -> str:
    return str(CentreNumber.parse(value))


def _series(value: ExamSeries | str) -> str:
    return ExamSeries.parse(value).code


def _syllabus(value: SyllabusCode | str) -> str:
    return str(SyllabusCode.parse(value))


def _candidate(value: CandidateNumber | str) -> str:
    return str(CandidateNumber.parse(value))


def _as_dict(value: Any) -> dict[str, Any]:
    data = unstructure(value)
    assert isinstance(data, dict)  # attrs classes unstructure to dicts
    return data


@attrs.frozen(kw_only=True)
class StoredEnquiry:
    """An enquiry as read from the store, with the version a change must expect."""

    enquiry: Enquiry
    version: int


class EnquiryRepository:
    """Enquiries and their candidate rows (the EAR-06 claim and the EAR-12 filter)."""

    def __init__(self, uow: UnitOfWork, policy: Policy) -> None:
        self._uow = uow
        self._policy = policy

    # -- writing ----------------------------------------------------------

    def add(self, enquiry: Enquiry) -> StoredEnquiry:
        """Store a new enquiry (version 1).

        :class:`DuplicateError` if the id or number is taken;
        :class:`~cambridge_results.enquiries.errors.DuplicateEnquiry` if it
        is an active re-check or review clashing with another (EAR-06).
        Either way nothing of it is written.
        """
        _require(enquiry, Enquiry, "enquiry")
        undo = self._sync_candidates(enquiry)
        try:
            self._uow.insert(t.ENQUIRIES, self._row(enquiry, version=1))
        except BaseException:
            undo()
            raise
        return StoredEnquiry(enquiry=enquiry, version=1)

    def save(self, enquiry: Enquiry, *, version: int) -> StoredEnquiry:
        """Replace a stored enquiry read at ``version`` (compare-and-set).

        :class:`ConcurrencyError` when someone else changed it since (retry
        the use case); :class:`NotFound` when there is no such enquiry;
        :class:`~cambridge_results.enquiries.errors.DuplicateEnquiry` when
        it would be a second active re-check or review (EAR-06).  On any of
        them nothing is changed.
        """
        _require(enquiry, Enquiry, "enquiry")
        row = self._row(enquiry, version=version + 1)
        key = row.pop("id")
        del row["created_at"]
        undo = self._sync_candidates(enquiry)
        try:
            changed = self._uow.update(t.ENQUIRIES, key, row, expect={"version": version})
        except BaseException:
            undo()
            raise
        if not changed:
            undo()
            if self._uow.get(t.ENQUIRIES, key) is None:
                raise NotFound(f"no enquiry {enquiry.id}")
            raise ConcurrencyError(
                f"enquiry {enquiry.id} was changed by someone else since it was read; try again"
            )
        return StoredEnquiry(enquiry=enquiry, version=version + 1)

    def _row(self, enquiry: Enquiry, *, version: int) -> dict[str, Any]:
        return {
            "id": enquiry.id,
            "centre": str(enquiry.centre),
            "associate": None if enquiry.associate is None else str(enquiry.associate),
            "series": enquiry.series.code,
            "syllabus": str(enquiry.syllabus),
            "service": enquiry.service,
            "status": enquiry.status.value,
            "number": enquiry.number,
            "arrived_at": enquiry.arrived_at,
            "created_at": enquiry.created_at,
            "version": version,
            "data": _as_dict(enquiry),
        }

    def counts_for_ear06(self, enquiry: Enquiry) -> bool:
        """True when ``enquiry`` holds its candidates' one re-check or review (EAR-06).

        Submitted (to the board or to an Associate) and not cancelled or
        rejected, including Completed; drafts never count.
        """
        if not enquiry.status.was_submitted:
            return False
        definition = service_definition(self._policy, enquiry.series, enquiry.service)
        return definition.kind is ReviewKind.RECHECK_OR_REVIEW

    def _sync_candidates(self, enquiry: Enquiry) -> Callable[[], None]:
        """Bring the enquiry's candidate rows in line; return how to undo it.

        Raises :class:`DuplicateEnquiry` when the EAR-06 index refuses a
        claim, after undoing what it changed, so a caught error leaves the
        unit of work as it was.
        """
        active = self.counts_for_ear06(enquiry)
        existing = {
            value_of(r, "candidate", str): r
            for r in self._uow.select(t.CANDIDATES, {"enquiry_id": enquiry.id})
        }
        wanted = [str(c) for c in enquiry.candidates]
        done: list[Callable[[], object]] = []

        def undo() -> None:
            for step in reversed(done):
                step()

        for gone in sorted(set(existing) - set(wanted)):
            self._uow.delete(t.CANDIDATES, (enquiry.id, gone))
            done.append(functools.partial(self._uow.insert, t.CANDIDATES, existing[gone]))
        for number in wanted:
            row = existing.get(number)
            key = (enquiry.id, number)
            try:
                if row is None:
                    self._uow.insert(
                        t.CANDIDATES,
                        {
                            "enquiry_id": enquiry.id,
                            "candidate": number,
                            "centre": str(enquiry.centre),
                            "series": enquiry.series.code,
                            "syllabus": str(enquiry.syllabus),
                            "active_review": active,
                        },
                    )
                    done.append(functools.partial(self._uow.delete, t.CANDIDATES, key))
                elif row["active_review"] != active:
                    self._uow.update(t.CANDIDATES, key, {"active_review": active})
                    before = {"active_review": row["active_review"]}
                    done.append(functools.partial(self._uow.update, t.CANDIDATES, key, before))
            except DuplicateError as exc:
                undo()
                raise DuplicateEnquiry.from_index(enquiry.id) from exc
        return undo

    # -- reading ----------------------------------------------------------

    def find(self, enquiry_id: str, *, for_update: bool = False) -> StoredEnquiry | None:
        """The enquiry with this id, or ``None``; ``for_update`` locks it where rows lock."""
        row = self._uow.get(t.ENQUIRIES, as_enquiry_id(enquiry_id), for_update=for_update)
        return None if row is None else _stored(row)

    def get(self, enquiry_id: str, *, for_update: bool = False) -> StoredEnquiry:
        """The enquiry with this id; :class:`NotFound` if there is none."""
        found = self.find(enquiry_id, for_update=for_update)
        if found is None:
            raise NotFound(f"no enquiry {as_enquiry_id(enquiry_id)}")
        return found

    def by_number(self, number: str) -> Enquiry | None:
        """The enquiry the board numbered ``number``, or ``None``."""
        rows = self._uow.select(t.ENQUIRIES, {"number": as_enquiry_number(number)}, limit=1)
        return _stored(rows[0]).enquiry if rows else None

    def for_syllabus(
        self,
        centre: CentreNumber | str,
        series: ExamSeries | str,
        syllabus: SyllabusCode | str,
        *,
        statuses: Iterable[EnquiryStatus] | None = None,
    ) -> list[StoredEnquiry]:
        """The enquiries of a centre about a syllabus in a series, by id.

        Every status unless ``statuses`` names some.
        """
        where: dict[str, Any] = {
            "centre": _centre(centre),
            "series": _series(series),
            "syllabus": _syllabus(syllabus),
        }
        if statuses is not None:
            where["status"] = In(s.value for s in statuses)
        return [_stored(r) for r in self._uow.select(t.ENQUIRIES, where, order_by=("id",))]

    def sharing(
        self,
        centre: CentreNumber | str,
        series: ExamSeries | str,
        syllabus: SyllabusCode | str,
        candidates: Iterable[CandidateNumber | str],
        *,
        statuses: Iterable[EnquiryStatus] | None = None,
    ) -> list[StoredEnquiry]:
        """The enquiries of a centre about a syllabus in a series naming any of ``candidates``.

        Found through the candidate rows, so it costs what it finds, not
        what the centre has (EAR-04, EAR-06, EAR-13 look only at these).
        """
        wanted = sorted({_candidate(c) for c in candidates})
        if not wanted:
            return []
        where = {
            "centre": _centre(centre),
            "series": _series(series),
            "syllabus": _syllabus(syllabus),
            "candidate": In(wanted),
        }
        ids = sorted(
            {value_of(r, "enquiry_id", str) for r in self._uow.select(t.CANDIDATES, where)}
        )
        if not ids:
            return []
        chosen: dict[str, Any] = {"id": In(ids)}
        if statuses is not None:
            chosen["status"] = In(s.value for s in statuses)
        return [_stored(r) for r in self._uow.select(t.ENQUIRIES, chosen, order_by=("id",))]

    def for_centre(
        self,
        centre: CentreNumber | str,
        series: ExamSeries | str | None = None,
        *,
        statuses: Iterable[EnquiryStatus] = _LISTED,
    ) -> list[Enquiry]:
        """A centre's enquiries (by default all but deleted drafts), by id."""
        where: dict[str, Any] = {
            "centre": _centre(centre),
            "status": In(s.value for s in statuses),
        }
        if series is not None:
            where["series"] = _series(series)
        return [_stored(r).enquiry for r in self._uow.stream(t.ENQUIRIES, where, ("id",))]

    def of_associate(
        self, associate: CentreNumber | str, *, statuses: Iterable[EnquiryStatus] = _LISTED
    ) -> list[Enquiry]:
        """The enquiries of an Associate's Associate Centres, by id (EAR-16)."""
        where = {"associate": _centre(associate), "status": In(s.value for s in statuses)}
        return [_stored(r).enquiry for r in self._uow.stream(t.ENQUIRIES, where, ("id",))]

    def at_board(self) -> list[Enquiry]:
        """Every enquiry at the board, in the order received: arrival, then id (EAR-08)."""
        where = {"status": In(s.value for s in _AT_BOARD)}
        rows = self._uow.stream(t.ENQUIRIES, where, order_by=("arrived_at", "id"))
        return [_stored(r).enquiry for r in rows]

    def by_candidate(
        self, centre: CentreNumber | str, candidate: CandidateNumber | str
    ) -> list[Enquiry]:
        """A centre's enquiries naming a candidate (``713`` finds 0713, EAR-12), by id.

        Deleted drafts are left out.
        """
        where = {"centre": _centre(centre), "candidate": _candidate(candidate)}
        ids = sorted(
            {value_of(r, "enquiry_id", str) for r in self._uow.select(t.CANDIDATES, where)}
        )
        found = [self.get(i).enquiry for i in ids]
        return [e for e in found if e.status is not EnquiryStatus.DELETED]

    def active_reviews(
        self,
        centre: CentreNumber | str,
        series: ExamSeries | str,
        syllabus: SyllabusCode | str,
        candidate: CandidateNumber | str,
    ) -> list[str]:
        """The ids of enquiries holding a candidate's re-check or review (EAR-06): 0 or 1."""
        where = {
            "centre": _centre(centre),
            "series": _series(series),
            "syllabus": _syllabus(syllabus),
            "candidate": _candidate(candidate),
            "active_review": True,
        }
        return [value_of(r, "enquiry_id", str) for r in self._uow.select(t.CANDIDATES, where)]

    def all(self) -> Iterator[Enquiry]:
        """Every stored enquiry (deleted drafts too), by id, streamed."""
        for row in self._uow.stream(t.ENQUIRIES, order_by=("id",)):
            yield _stored(row).enquiry


def _stored(row: dict[str, Any]) -> StoredEnquiry:
    return StoredEnquiry(enquiry=structure(row["data"], Enquiry), version=row["version"])


def _require(value: object, cls: type, field: str) -> None:
    if not isinstance(value, cls):
        raise InvalidValue(field, f"must be a {cls.__name__}, not {type(value).__name__}")


class DocumentRepository:
    """The PDFs of enquiries, one per enquiry and kind (EAR-10)."""

    def __init__(self, uow: UnitOfWork) -> None:
        self._uow = uow

    def add(self, document: StoredDocument) -> None:
        """Store a document; :class:`DuplicateError` if the enquiry has one of this kind."""
        _require(document, StoredDocument, "document")
        info = document.info
        self._uow.insert(
            t.DOCUMENTS,
            {
                "enquiry_id": info.enquiry_id,
                "kind": info.kind.value,
                "content": document.content,
                "sha256": info.sha256,
                "size": info.size,
                "pages": info.pages,
                "source": info.source.value,
                "uploaded_at": info.uploaded_at,
                "uploaded_by": info.uploaded_by,
            },
        )

    def find(self, enquiry_id: str, kind: DocumentKind) -> StoredDocument | None:
        """The document, its digest checked, or ``None``."""
        row = self._uow.get(t.DOCUMENTS, (as_enquiry_id(enquiry_id), DocumentKind(kind).value))
        return (
            None
            if row is None
            else StoredDocument(info=_info(row), content=value_of(row, "content", bytes))
        )

    def list(self, enquiry_id: str) -> list[DocumentInfo]:
        """An enquiry's documents without their bytes, in the order Ack, Out, Rpt, Cos."""
        rows = self._uow.select(t.DOCUMENTS, {"enquiry_id": as_enquiry_id(enquiry_id)})
        infos = [_info(r) for r in rows]
        return sorted(infos, key=lambda i: DOCUMENT_ORDER.index(i.kind))


def _info(row: dict[str, Any]) -> DocumentInfo:
    return DocumentInfo(
        enquiry_id=row["enquiry_id"],
        kind=row["kind"],
        sha256=row["sha256"],
        size=row["size"],
        pages=row["pages"],
        source=row["source"],
        uploaded_at=row["uploaded_at"],
        uploaded_by=row["uploaded_by"],
    )


class ReleaseRepository:
    """Documents an Associate released to its Associate Centre (EAR-16)."""

    def __init__(self, uow: UnitOfWork) -> None:
        self._uow = uow

    def add(self, release: DocumentRelease) -> None:
        """Store a release; :class:`DuplicateError` if that document was already released."""
        _require(release, DocumentRelease, "release")
        self._uow.insert(
            t.RELEASES,
            {
                "enquiry_id": release.enquiry_id,
                "kind": release.kind.value,
                "released_at": release.released_at,
                "by": release.by,
            },
        )

    def for_enquiry(self, enquiry_id: str) -> list[DocumentRelease]:
        """An enquiry's releases, in the order Ack, Out, Rpt, Cos."""
        rows = self._uow.select(t.RELEASES, {"enquiry_id": as_enquiry_id(enquiry_id)})
        releases = [
            DocumentRelease(
                enquiry_id=r["enquiry_id"],
                kind=DocumentKind(r["kind"]),
                released_at=r["released_at"],
                by=value_of(r, "by", str),
            )
            for r in rows
        ]
        return sorted(releases, key=lambda r: DOCUMENT_ORDER.index(r.kind))


class ExtensionRepository:
    """The board's extensions of enquiries to other candidates (EAR-17)."""

    def __init__(self, uow: UnitOfWork) -> None:
        self._uow = uow

    def add(self, extension: Extension) -> int:
        """Store an extension; return its sequence number."""
        _require(extension, Extension, "extension")
        row = self._uow.insert(
            t.EXTENSIONS,
            {
                "enquiry_id": extension.enquiry_id,
                "candidates": [str(c) for c in extension.candidates],
                "reason": extension.reason,
                "extended_at": extension.extended_at,
                "by": extension.by,
            },
        )
        seq = value_of(row, "seq", int)
        return seq

    def for_enquiry(self, enquiry_id: str) -> list[Extension]:
        """An enquiry's extensions, oldest first (the "Extensions" tab)."""
        where = {"enquiry_id": as_enquiry_id(enquiry_id)}
        return [
            Extension(
                enquiry_id=r["enquiry_id"],
                candidates=tuple(value_of(r, "candidates", list)),
                reason=r["reason"],
                extended_at=r["extended_at"],
                by=value_of(r, "by", str),
            )
            for r in self._uow.select(t.EXTENSIONS, where, order_by=("seq",))
        ]


class AppealRepository:
    """Appeals, one per enquiry and stage (EAR-20)."""

    def __init__(self, uow: UnitOfWork) -> None:
        self._uow = uow

    def add(self, appeal: Appeal) -> None:
        """Store an appeal; :class:`DuplicateError` if the enquiry has one at this stage."""
        _require(appeal, Appeal, "appeal")
        row = _as_dict(appeal)
        row["stage"] = int(appeal.stage)
        for name in ("lodged_at", "decision_due", "letter_issued_at"):
            row[name] = getattr(appeal, name)
        self._uow.insert(t.APPEALS, row)

    def find(self, appeal_id: str, *, for_update: bool = False) -> Appeal | None:
        """The appeal, or ``None``."""
        row = self._uow.get(t.APPEALS, as_enquiry_id(appeal_id), for_update=for_update)
        return None if row is None else _appeal(row)

    def get(self, appeal_id: str, *, for_update: bool = False) -> Appeal:
        """The appeal; :class:`NotFound` if there is none."""
        found = self.find(appeal_id, for_update=for_update)
        if found is None:
            raise NotFound(f"no appeal {as_enquiry_id(appeal_id)}")
        return found

    def issue_letter(self, appeal: Appeal) -> None:
        """Record the decision letter once: :class:`ConcurrencyError` if it already was."""
        _require(appeal, Appeal, "appeal")
        if appeal.letter_issued_at is None:
            raise InvalidValue("appeal.letter_issued_at", "the letter's instant is needed")
        changed = self._uow.update(
            t.APPEALS,
            appeal.id,
            {"letter_issued_at": appeal.letter_issued_at},
            expect={"letter_issued_at": None},
        )
        if not changed:
            raise ConcurrencyError(f"appeal {appeal.id} changed since it was read; try again")

    def for_enquiry(self, enquiry_id: str) -> list[Appeal]:
        """An enquiry's appeals, stage 1 first."""
        where = {"enquiry_id": as_enquiry_id(enquiry_id)}
        return [_appeal(r) for r in self._uow.select(t.APPEALS, where, order_by=("stage",))]


def _appeal(row: dict[str, Any]) -> Appeal:
    return Appeal(
        id=row["id"],
        enquiry_id=row["enquiry_id"],
        centre=row["centre"],
        stage=row["stage"],
        lodged_at=row["lodged_at"],
        lodged_by=row["lodged_by"],
        decision_due=row["decision_due"],
        follows=row["follows"],
        letter_issued_at=row["letter_issued_at"],
    )


def _grade(value: object) -> Grade:
    return Grade.parse(value)


@attrs.frozen(kw_only=True)
class StatementDue:
    """An updated statement of results, due because an enquiry changed a grade (EAR-15)."""

    enquiry_id: str = attrs.field(converter=as_enquiry_id)
    centre: CentreNumber = attrs.field(converter=as_centre_number)
    series: ExamSeries = attrs.field(converter=as_series)
    candidate: CandidateNumber = attrs.field(converter=as_candidate_number)
    syllabus: SyllabusCode = attrs.field(converter=as_syllabus_code)
    grade_before: Grade = attrs.field(converter=_grade)
    grade_after: Grade = attrs.field(converter=_grade)
    flagged_at: pendulum.DateTime = attrs.field(converter=instant)
    issued_at: pendulum.DateTime | None = attrs.field(default=None, converter=optional_instant)


class StatementRepository:
    """Updated statements of results due after grade changes (EAR-15)."""

    def __init__(self, uow: UnitOfWork) -> None:
        self._uow = uow

    def flag(self, statement: StatementDue) -> None:
        """Record that a statement is due; :class:`DuplicateError` if already flagged."""
        _require(statement, StatementDue, "statement")
        self._uow.insert(
            t.STATEMENTS,
            {
                "enquiry_id": statement.enquiry_id,
                "candidate": str(statement.candidate),
                "centre": str(statement.centre),
                "series": statement.series.code,
                "syllabus": str(statement.syllabus),
                "grade_before": str(statement.grade_before),
                "grade_after": str(statement.grade_after),
                "flagged_at": statement.flagged_at,
                "issued_at": statement.issued_at,
            },
        )

    def due(self, series: ExamSeries | str | None = None) -> list[StatementDue]:
        """Statements flagged and not yet issued, by enquiry id and candidate."""
        where: dict[str, Any] = {"issued_at": None}
        if series is not None:
            where["series"] = _series(series)
        return [_statement(r) for r in self._uow.select(t.STATEMENTS, where)]

    def for_enquiry(self, enquiry_id: str) -> list[StatementDue]:
        """The statements an enquiry made due, issued or not, by candidate."""
        where = {"enquiry_id": as_enquiry_id(enquiry_id)}
        return [_statement(r) for r in self._uow.select(t.STATEMENTS, where)]

    def mark_issued(
        self, enquiry_id: str, candidate: CandidateNumber | str, at: pendulum.DateTime
    ) -> None:
        """Record that the statement was issued; :class:`NotFound` if none is due."""
        key = (as_enquiry_id(enquiry_id), _candidate(candidate))
        if not self._uow.update(t.STATEMENTS, key, {"issued_at": at}, expect={"issued_at": None}):
            raise NotFound(f"no statement due for candidate {key[1]} of enquiry {key[0]}")


def _statement(row: dict[str, Any]) -> StatementDue:
    return StatementDue(
        enquiry_id=row["enquiry_id"],
        centre=row["centre"],
        series=row["series"],
        candidate=row["candidate"],
        syllabus=row["syllabus"],
        grade_before=row["grade_before"],
        grade_after=row["grade_after"],
        flagged_at=row["flagged_at"],
        issued_at=row["issued_at"],
    )


class ResultsRepository:
    """What the board holds about results, read by the eligibility rules (EAR-01..05, 19).

    Qualifications, each entry's component marks and syllabus grade, and the
    original moderation samples.  Entries themselves live in the
    foundation's ``entries`` table (``uow.entries``).
    """

    def __init__(self, uow: UnitOfWork) -> None:
        self._uow = uow

    def add_qualification(self, qualification: Qualification) -> None:
        """Store a qualification; :class:`DuplicateError` if the code is taken."""
        _require(qualification, Qualification, "qualification")
        self._uow.insert(t.QUALIFICATIONS, _as_dict(qualification))

    def qualification(self, code: str) -> Qualification:
        """The qualification; :class:`NotFound` if it was never stored."""
        row = self._uow.get(t.QUALIFICATIONS, code)
        if row is None:
            raise NotFound(f"no qualification {code}: store it with add_qualification first")
        return structure(row, Qualification)

    def put(self, results: CandidateResults) -> None:
        """Store (or replace) a candidate's marks and grade for an entry.

        The entry is stored too if it is not yet; one stored with other
        details is an :class:`InvalidValue`.
        """
        _require(results, CandidateResults, "results")
        entry = results.entry
        stored = self._uow.entries.find(entry.centre, entry.series, entry.candidate, entry.syllabus)
        if stored is None:
            self._uow.entries.add(entry)
        elif stored != entry:
            raise InvalidValue("results.entry", "differs from the stored entry")
        key = (str(entry.centre), entry.series.code, str(entry.candidate), str(entry.syllabus))
        row = {
            "marks": unstructure(results.marks),
            "grade": None if results.grade is None else str(results.grade),
        }
        if not self._uow.update(t.MARKS, key, row):
            self._uow.insert(
                t.MARKS,
                dict(zip(("centre", "series", "candidate", "syllabus"), key, strict=True)) | row,
            )

    def find(
        self,
        centre: CentreNumber | str,
        series: ExamSeries | str,
        candidate: CandidateNumber | str,
        syllabus: SyllabusCode | str,
    ) -> CandidateResults | None:
        """A candidate's entry with marks and grade, or ``None`` without an entry."""
        entry = self._uow.entries.find(centre, series, candidate, syllabus)
        if entry is None:
            return None
        key = (_centre(centre), _series(series), _candidate(candidate), _syllabus(syllabus))
        row = self._uow.get(t.MARKS, key)
        if row is None:
            return CandidateResults(entry=entry)
        return CandidateResults(
            entry=entry,
            marks=tuple(structure(m, Mark) for m in value_of(row, "marks", list)),
            grade=row["grade"],
        )

    def put_sample(
        self,
        centre: CentreNumber | str,
        series: ExamSeries | str,
        syllabus: SyllabusCode | str,
        sample: ModerationSample,
    ) -> None:
        """Store (or replace) the original moderation sample of a component (EAR-01)."""
        _require(sample, ModerationSample, "sample")
        key = (_centre(centre), _series(series), _syllabus(syllabus), str(sample.component))
        candidates: Row = {"candidates": [str(c) for c in sample.candidates]}
        if not self._uow.update(t.SAMPLES, key, candidates):
            names = ("centre", "series", "syllabus", "component")
            self._uow.insert(t.SAMPLES, {**dict(zip(names, key, strict=True)), **candidates})

    def samples(
        self, centre: CentreNumber | str, series: ExamSeries | str, syllabus: SyllabusCode | str
    ) -> list[ModerationSample]:
        """The moderation samples of a syllabus at a centre, by component."""
        where = {
            "centre": _centre(centre),
            "series": _series(series),
            "syllabus": _syllabus(syllabus),
        }
        return [
            ModerationSample(
                component=r["component"], candidates=tuple(value_of(r, "candidates", list))
            )
            for r in self._uow.select(t.SAMPLES, where, order_by=("component",))
        ]

    def facts(
        self,
        centre: CentreNumber | str,
        series: ExamSeries | str,
        syllabus: SyllabusCode | str,
        candidates: Iterable[CandidateNumber | str] | None = None,
    ) -> SyllabusFacts:
        """The facts the eligibility rules read about a syllabus at a centre in a series.

        With ``candidates``, results are loaded only for them and for the
        candidates of the moderation samples (all the rules look at);
        otherwise for every entered candidate.
        """
        code = SyllabusCode.parse(syllabus)
        stored = self._uow.syllabuses.get(code)
        qualification = self.qualification(stored.qualification)
        samples = self.samples(centre, series, code)
        if candidates is None:
            numbers = [
                e.candidate
                for e in self._uow.entries.for_centre(centre, series)
                if e.syllabus == code
            ]
        else:
            seen: dict[CandidateNumber, None] = {}
            for c in (*candidates, *(c for s in samples for c in s.candidates)):
                seen.setdefault(CandidateNumber.parse(c))
            numbers = list(seen)
        results = [r for n in numbers if (r := self.find(centre, series, n, code)) is not None]
        return SyllabusFacts(
            qualification=qualification,
            syllabus=stored,
            results=tuple(results),
            moderation_samples=tuple(samples),
        )

    def apply_outcome(self, enquiry: Enquiry, outcome: Outcome) -> None:
        """Keep the marks and grades after an enquiry's outcome as the board's results (EAR-23)."""
        for o in outcome.candidates:
            current = self.find(enquiry.centre, enquiry.series, o.candidate, enquiry.syllabus)
            if current is None:
                continue
            after = {r.component: r.mark_after for r in o.components}
            marks = tuple(
                attrs.evolve(m, value=after[m.component]) if m.component in after else m
                for m in current.marks
            )
            self.put(attrs.evolve(current, marks=marks, grade=o.grade_after))


class EnquiryRecords:
    """Every enquiry repository over one unit of work."""

    def __init__(self, uow: UnitOfWork, policy: Policy) -> None:
        self.uow = uow
        self.policy = policy

    @cached_property
    def enquiries(self) -> EnquiryRepository:
        """Enquiries and their candidates."""
        return EnquiryRepository(self.uow, self.policy)

    @cached_property
    def documents(self) -> DocumentRepository:
        """Documents (PDFs)."""
        return DocumentRepository(self.uow)

    @cached_property
    def releases(self) -> ReleaseRepository:
        """Associates' releases of documents."""
        return ReleaseRepository(self.uow)

    @cached_property
    def extensions(self) -> ExtensionRepository:
        """The board's extensions."""
        return ExtensionRepository(self.uow)

    @cached_property
    def appeals(self) -> AppealRepository:
        """Appeals."""
        return AppealRepository(self.uow)

    @cached_property
    def statements(self) -> StatementRepository:
        """Updated statements of results due."""
        return StatementRepository(self.uow)

    @cached_property
    def results(self) -> ResultsRepository:
        """Qualifications, marks, grades and moderation samples."""
        return ResultsRepository(self.uow)
