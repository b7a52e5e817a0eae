"""The records kept around an enquiry: documents, releases, extensions, appeals, statements.

Reached through :class:`~cambridge_results.enquiries.repositories.EnquiryRecords`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, TypeVar

import attrs
import pendulum
from attrs import AttrsInstance

from cambridge_results.enquiries import tables as t
from cambridge_results.enquiries._rows import as_dict, require
from cambridge_results.enquiries.documents import DOCUMENT_ORDER, DocumentInfo, StoredDocument
from cambridge_results.errors import ConcurrencyError, InvalidValue, NotFound
from cambridge_results.rules.enquiries.associates import DocumentRelease
from cambridge_results.rules.enquiries.extensions import Extension
from cambridge_results.storage.keys import candidate_key, series_key
from cambridge_results.storage.schema import value_of
from cambridge_results.values import CandidateNumber, CentreNumber, ExamSeries, Grade, SyllabusCode
from cambridge_results.values.appeal import Appeal
from cambridge_results.values.enquiry import (
    DocumentKind,
    as_enquiry_id,
    instant,
    optional_instant,
)
from cambridge_results.values.identifiers import (
    as_candidate_number,
    as_centre_number,
    as_syllabus_code,
)
from cambridge_results.values.series import as_series

if TYPE_CHECKING:
    from cambridge_results.storage.port import UnitOfWork

__all__ = [
    "AppealRepository",
    "DocumentRepository",
    "ExtensionRepository",
    "ReleaseRepository",
    "StatementDue",
    "StatementRepository",
]


class DocumentRepository:
    """The PDFs of enquiries, one per enquiry and kind (EAR-10)."""

    def __init__(self, uow: UnitOfWork) -> None:
        self._uow = uow

    def add(self, document: StoredDocument) -> None:
        """Store a document; :class:`DuplicateError` if the enquiry has one of this kind."""
        require(document, StoredDocument, "document")
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
        require(release, DocumentRelease, "release")
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
        require(extension, Extension, "extension")
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
        return value_of(row, "seq", int)

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
        require(appeal, Appeal, "appeal")
        row = as_dict(appeal)
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
        require(appeal, Appeal, "appeal")
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
    return _from_row(Appeal, row)


_V = TypeVar("_V", bound=AttrsInstance)


def _from_row(cls: type[_V], row: dict[str, Any]) -> _V:
    """An attrs value whose every field is a column of ``row``, converted by its converters."""
    return cls(**{f.name: row[f.name] for f in attrs.fields(cls)})


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
        require(statement, StatementDue, "statement")
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
            where["series"] = series_key(series)
        return [_statement(r) for r in self._uow.select(t.STATEMENTS, where)]

    def for_enquiry(self, enquiry_id: str) -> list[StatementDue]:
        """The statements an enquiry made due, issued or not, by candidate."""
        where = {"enquiry_id": as_enquiry_id(enquiry_id)}
        return [_statement(r) for r in self._uow.select(t.STATEMENTS, where)]

    def mark_issued(
        self, enquiry_id: str, candidate: CandidateNumber | str, at: pendulum.DateTime
    ) -> None:
        """Record that the statement was issued; :class:`NotFound` if none is due."""
        key = (as_enquiry_id(enquiry_id), candidate_key(candidate))
        if not self._uow.update(t.STATEMENTS, key, {"issued_at": at}, expect={"issued_at": None}):
            raise NotFound(f"no statement due for candidate {key[1]} of enquiry {key[0]}")


def _statement(row: dict[str, Any]) -> StatementDue:
    return _from_row(StatementDue, row)
