"""The enquiries and their candidate rows: :class:`EnquiryRepository`.

It runs unchanged on every backend (memory, SQLite, PostgreSQL, third
parties): only ``insert``, ``get``, ``update``, ``delete``, ``select`` and
``next_number`` are used.  It stores; the rules decide (whether an enquiry
holds its candidates' one re-check or review is passed in).  Use cases
reach it through
:class:`~cambridge_results.enquiries.repositories.EnquiryRecords`.

What the store enforces itself (docs/enquiries.md, "On the store"):

* EAR-06: at most one *active* re-check or review per centre, series,
  syllabus and candidate (a partial unique index); a clash raises
  :class:`~cambridge_results.enquiries.errors.DuplicateEnquiry`.
* Unique enquiry numbers: :class:`DuplicateError`.
* Compare-and-set on every change of an enquiry: saving over a version
  someone else changed raises :class:`ConcurrencyError`.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from typing import TYPE_CHECKING, Any, NoReturn

from cambridge_results.enquiries import tables as t
from cambridge_results.enquiries._rows import (
    StoredEnquiry,
    changed_columns,
    enquiry_columns,
    enquiry_data,
    enquiry_group,
    group_texts,
    require,
    single_claim,
    text_of,
)
from cambridge_results.enquiries._rows import stored_enquiry as _stored
from cambridge_results.enquiries.errors import DuplicateEnquiry
from cambridge_results.errors import ConcurrencyError, DuplicateError, InvalidValue, NotFound
from cambridge_results.storage.keys import candidate_key, centre_key, series_key, syllabus_key
from cambridge_results.storage.query import In, Select, Update
from cambridge_results.storage.schema import value_of
from cambridge_results.values import CandidateNumber, CentreNumber, ExamSeries, SyllabusCode
from cambridge_results.values.enquiry import (
    Enquiry,
    EnquiryStatus,
    as_enquiry_id,
    as_enquiry_number,
)

if TYPE_CHECKING:
    from cambridge_results.storage.port import UnitOfWork

__all__ = ["EnquiryRepository"]

#: The statuses a listing shows by default: everything but thrown-away drafts.
_LISTED = tuple(s for s in EnquiryStatus if s is not EnquiryStatus.DELETED)
_AT_BOARD = tuple(s for s in EnquiryStatus if s.at_board)


class EnquiryRepository:
    """Enquiries and their candidate rows (the EAR-06 claim and the EAR-12 filter)."""

    def __init__(self, uow: UnitOfWork) -> None:
        self._uow = uow
        # What sharing() read of an enquiry's own candidate rows (the one it
        # excluded): its group, the candidates the read covered, the rows.
        self._seen: dict[str, tuple[tuple[str, str, str], frozenset[str], dict[str, Any]]] = {}

    # -- writing ----------------------------------------------------------

    def add(self, enquiry: Enquiry, *, holds_review: bool, reserved: bool = False) -> StoredEnquiry:
        """Store a new enquiry (version 1).

        ``holds_review`` is what the rules decided
        (:func:`~cambridge_results.rules.enquiries.eligibility.holds_review`):
        whether it holds its candidates' one re-check or review (EAR-06).
        ``reserved=True`` says its id was reserved for it
        (:class:`~cambridge_results.enquiries.ids.IdBlocks`): only a caller
        choosing that very id could take it, so a draft's row (no number)
        may go with the unit's next statement or its commit
        (``uow.insert_later``; on PostgreSQL in that round trip).

        :class:`DuplicateError` if the id or number is taken (with
        ``reserved``, perhaps raised by the commit instead);
        :class:`~cambridge_results.enquiries.errors.DuplicateEnquiry` if it
        is an active re-check or review clashing with another (EAR-06).
        Either way nothing of it is written.
        """
        require(enquiry, Enquiry, "enquiry")
        if not isinstance(holds_review, bool):
            raise InvalidValue("holds_review", "must be True or False")
        if not isinstance(reserved, bool):
            raise InvalidValue("reserved", "must be True or False")
        if not holds_review:
            # Nothing can refuse the candidate rows of an enquiry that claims no
            # review (their key starts with the new id): insert the enquiry first,
            # so a taken id or number refuses before anything is written.
            if reserved and enquiry.number is None:
                self._uow.insert_later(t.ENQUIRIES, self._row(enquiry, version=1))
            else:
                self._uow.insert(t.ENQUIRIES, self._row(enquiry, version=1))
            for number in enquiry.candidates:
                # Keyed by the id just taken: nothing can refuse them.
                self._uow.insert_later(t.CANDIDATES, self._candidate_row(enquiry, number, False))
            return StoredEnquiry(enquiry=enquiry, version=1)
        # A savepoint, so a refused claim or insert leaves the unit of work as it was.
        with self._uow.savepoint():
            self._insert_candidates(enquiry, enquiry.candidates, active=True)
            self._uow.insert(t.ENQUIRIES, self._row(enquiry, version=1))
        return StoredEnquiry(enquiry=enquiry, version=1)

    def save(
        self,
        enquiry: Enquiry,
        *,
        version: int,
        holds_review: bool,
        previous: Enquiry | None = None,
    ) -> StoredEnquiry:
        """Replace a stored enquiry read at ``version`` (compare-and-set).

        ``holds_review`` as for :meth:`add`.  ``previous`` is the enquiry as
        read at ``version``, when the caller has it: only the columns that
        differ from it are written (on PostgreSQL an update that leaves the
        unique ``number`` alone needs no savepoint of its own).

        :class:`ConcurrencyError` when someone else changed it since (retry
        the use case); :class:`NotFound` when there is no such enquiry;
        :class:`~cambridge_results.enquiries.errors.DuplicateEnquiry` when
        it would be a second active re-check or review (EAR-06).  On any of
        them nothing is changed.
        """
        require(enquiry, Enquiry, "enquiry")
        if previous is not None:
            require(previous, Enquiry, "previous")
            if previous.id != enquiry.id:
                raise InvalidValue("previous", "must be the same enquiry as read")
        key = enquiry.id
        columns = (
            enquiry_columns(enquiry) if previous is None else changed_columns(enquiry, previous)
        )
        row = {**columns, "version": version + 1, "data": enquiry_data(enquiry)}
        existing = self._candidate_rows(enquiry, holds_review, previous)
        claims = holds_review and any(
            not existing.get(c.value, {}).get("active_review") for c in enquiry.candidates
        )
        if not claims:
            # Only the compare-and-set can be refused, and it goes first: a
            # refusal leaves nothing written, with no savepoint to pay for.
            self._compare_and_set(enquiry, key, row, version)
            self._sync_candidates(enquiry, holds_review, existing)
        elif previous is not None and (claim := single_claim(enquiry, existing)) is not None:
            self._claim_and_set(enquiry, claim, key, row, version)
        else:
            # A savepoint, so a refused claim or a lost compare-and-set changes nothing.
            with self._uow.savepoint():
                self._sync_candidates(enquiry, holds_review, existing)
                self._compare_and_set(enquiry, key, row, version)
        return StoredEnquiry(enquiry=enquiry, version=version + 1)

    def _compare_and_set(
        self, enquiry: Enquiry, key: str, row: dict[str, Any], version: int
    ) -> None:
        """Write ``row`` over the enquiry if it is still at ``version``; else raise."""
        if not self._uow.update(t.ENQUIRIES, key, row, expect={"version": version}):
            self._lost(enquiry, key)

    def _lost(self, enquiry: Enquiry, key: str) -> NoReturn:
        """Why a compare-and-set wrote nothing: :class:`NotFound` or :class:`ConcurrencyError`."""
        if self._uow.get(t.ENQUIRIES, key) is None:
            raise NotFound(f"no enquiry {enquiry.id}")
        raise ConcurrencyError(
            f"enquiry {enquiry.id} was changed by someone else since it was read; try again"
        )

    def _claim_and_set(
        self, enquiry: Enquiry, claim: str, key: str, row: dict[str, Any], version: int
    ) -> None:
        """Claim one candidate row's review (EAR-06) and compare-and-set the enquiry, together.

        One ``update_many`` (one round trip on PostgreSQL), the claim first:
        if the store's EAR-06 index refuses it (a race the rules could not
        see), the compare-and-set does not run and nothing is changed; if the
        compare-and-set finds another version, the claim is put back.  Either
        way a lost compare-and-set is a :class:`ConcurrencyError` (or
        :class:`NotFound`), as :meth:`_compare_and_set` says.
        """
        flag = (enquiry.id, claim)
        try:
            claimed, saved = self._uow.update_many(
                [
                    Update(t.CANDIDATES, flag, {"active_review": True}),
                    Update(t.ENQUIRIES, key, row, expect={"version": version}),
                ]
            )
        except DuplicateError as exc:
            current = self._uow.get(t.ENQUIRIES, key)
            if current is None or current["version"] != version:
                self._lost(enquiry, key)
            raise DuplicateEnquiry.from_index(enquiry.id) from exc
        if not saved:
            if claimed:
                self._uow.update(t.CANDIDATES, flag, {"active_review": False})
            self._lost(enquiry, key)

    def _row(self, enquiry: Enquiry, *, version: int) -> dict[str, Any]:
        return {
            "id": enquiry.id,
            **enquiry_columns(enquiry),
            "created_at": enquiry.created_at,
            "version": version,
            "data": enquiry_data(enquiry),
        }

    def _ids(self, where: Mapping[str, object]) -> set[str]:
        """The ids of the enquiries with a candidate row matching ``where``."""
        return {value_of(r, "enquiry_id", str) for r in self._uow.select(t.CANDIDATES, where)}

    def _candidate_rows(
        self, enquiry: Enquiry, active: object, previous: Enquiry | None = None
    ) -> dict[str, dict[str, Any]]:
        """The enquiry's candidate rows by candidate, after checking the EAR-06 flag.

        Taken from what :meth:`sharing` read in this unit of work when that
        read covered every candidate of ``previous`` (the enquiry as read):
        an enquiry's candidate rows are always its candidates (:meth:`add`
        and :meth:`save` write them together with its row), and if the
        enquiry changed since, the compare-and-set refuses the save.
        """
        if not isinstance(active, bool):
            raise InvalidValue("holds_review", "must be True or False")
        seen = self._seen.pop(enquiry.id, None)
        if seen is not None and previous is not None:
            group, covered, rows = seen
            numbers = {c.value for c in previous.candidates}
            if group == enquiry_group(enquiry) and numbers <= covered:
                return rows
        return {
            value_of(r, "candidate", str): r
            for r in self._uow.select(t.CANDIDATES, {"enquiry_id": enquiry.id})
        }

    def _sync_candidates(
        self, enquiry: Enquiry, active: bool, existing: Mapping[str, Mapping[str, Any]]
    ) -> None:
        """Bring the enquiry's candidate rows (``existing``) in line.

        Raises :class:`DuplicateEnquiry` when the EAR-06 index refuses a
        claim; the caller holds a savepoint when one is made.
        """
        wanted = [str(c) for c in enquiry.candidates]
        for gone in sorted(set(existing) - set(wanted)):
            self._uow.delete(t.CANDIDATES, (enquiry.id, gone))
        for number in wanted:
            row = existing.get(number)
            if row is not None and row["active_review"] != active:
                try:
                    self._uow.update(t.CANDIDATES, (enquiry.id, number), {"active_review": active})
                except DuplicateError as exc:
                    raise DuplicateEnquiry.from_index(enquiry.id) from exc
        self._insert_candidates(enquiry, [n for n in wanted if n not in existing], active=active)

    def _insert_candidates(
        self, enquiry: Enquiry, numbers: Iterable[CandidateNumber | str], *, active: bool
    ) -> None:
        """Insert candidate rows; :class:`DuplicateEnquiry` when the EAR-06 index refuses one."""
        for number in numbers:
            try:
                self._uow.insert(t.CANDIDATES, self._candidate_row(enquiry, number, active))
            except DuplicateError as exc:
                raise DuplicateEnquiry.from_index(enquiry.id) from exc

    def _candidate_row(
        self, enquiry: Enquiry, number: CandidateNumber | str, active: bool
    ) -> dict[str, Any]:
        return {
            "enquiry_id": enquiry.id,
            "candidate": str(number),
            "centre": enquiry.centre.value,
            "series": enquiry.series.code,
            "syllabus": enquiry.syllabus.value,
            "active_review": active,
        }

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

    def read(self, enquiry_id: str) -> Select:
        """The read of the enquiry with this id, for a caller that sends it with others.

        Give its rows to :meth:`from_read`.
        """
        return Select(t.ENQUIRIES, {"id": as_enquiry_id(enquiry_id)})

    def from_read(self, enquiry_id: str, rows: list[dict[str, Any]]) -> StoredEnquiry:
        """The enquiry :meth:`read` found; :class:`NotFound` if there is none."""
        if not rows:
            raise NotFound(f"no enquiry {as_enquiry_id(enquiry_id)}")
        return _stored(rows[0])

    def group_of(self, enquiry_id: str) -> tuple[str, str, str]:
        """The (centre, series, syllabus) of an enquiry, read without decoding it.

        These never change, so a caller may take the group's lock with them
        before it reads the enquiry locked.  :class:`NotFound` if there is none.
        """
        row = self._uow.get(t.ENQUIRIES, as_enquiry_id(enquiry_id))
        if row is None:
            raise NotFound(f"no enquiry {as_enquiry_id(enquiry_id)}")
        return (
            value_of(row, "centre", str),
            value_of(row, "series", str),
            value_of(row, "syllabus", str),
        )

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
            "centre": centre_key(centre),
            "series": series_key(series),
            "syllabus": syllabus_key(syllabus),
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
        excluding: str | None = None,
        read: tuple[frozenset[str], list[dict[str, Any]]] | None = None,
    ) -> list[StoredEnquiry]:
        """The enquiries of a centre about a syllabus in a series naming any of ``candidates``.

        Found through the candidate rows, so it costs what it finds, not
        what the centre has (EAR-04, EAR-06, EAR-13 look only at these):
        one read when only ``excluding`` (the caller's own enquiry, left out)
        or nothing names them, two otherwise.  ``read`` is candidate
        numbers (as stored) and the rows :meth:`candidates_read` gave for
        them in this unit of work: only the other candidates' rows are read.
        """
        wanted = sorted(set(map(text_of, candidates)))
        if not wanted:
            return []
        group = group_texts(centre, series, syllabus)
        rows: list[dict[str, Any]] = []
        rest = wanted
        if read is not None:
            covered, read_rows = read
            asked = set(wanted)
            rows = [r for r in read_rows if r["candidate"] in asked]
            rest = [c for c in wanted if c not in covered]
        if rest:
            rows += self._uow.select(*_candidates_read(group, rest))
        if excluding is not None:
            own = {value_of(r, "candidate", str): r for r in rows if r["enquiry_id"] == excluding}
            self._seen[excluding] = (group, frozenset(wanted), own)
        ids = sorted({value_of(r, "enquiry_id", str) for r in rows} - {excluding})
        if not ids:
            return []
        chosen: dict[str, Any] = {"id": In(ids)}
        if statuses is not None:
            chosen["status"] = In(s.value for s in statuses)
        return [_stored(r) for r in self._uow.select(t.ENQUIRIES, chosen, order_by=("id",))]

    def candidates_read(
        self,
        centre: CentreNumber | str,
        series: ExamSeries | str,
        syllabus: SyllabusCode | str,
        candidates: Iterable[CandidateNumber | str],
    ) -> tuple[frozenset[str], Select]:
        """The read of the candidate rows naming ``candidates``, and their numbers as stored.

        For a caller that sends it along with other reads
        (``uow.select_many``) and gives the rows to :meth:`sharing`.
        """
        wanted = sorted(set(map(text_of, candidates)))
        group = group_texts(centre, series, syllabus)
        return frozenset(wanted), Select(*_candidates_read(group, wanted))

    def for_centre(
        self,
        centre: CentreNumber | str,
        series: ExamSeries | str | None = None,
        *,
        statuses: Iterable[EnquiryStatus] = _LISTED,
    ) -> list[Enquiry]:
        """A centre's enquiries (by default all but deleted drafts), by id."""
        where: dict[str, Any] = {
            "centre": centre_key(centre),
            "status": In(s.value for s in statuses),
        }
        if series is not None:
            where["series"] = series_key(series)
        return [_stored(r).enquiry for r in self._uow.stream(t.ENQUIRIES, where, ("id",))]

    def of_associate(
        self, associate: CentreNumber | str, *, statuses: Iterable[EnquiryStatus] = _LISTED
    ) -> list[Enquiry]:
        """The enquiries of an Associate's Associate Centres, by id (EAR-16)."""
        where = {"associate": centre_key(associate), "status": In(s.value for s in statuses)}
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
        where = {"centre": centre_key(centre), "candidate": candidate_key(candidate)}
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
            "centre": centre_key(centre),
            "series": series_key(series),
            "syllabus": syllabus_key(syllabus),
            "candidate": candidate_key(candidate),
            "active_review": True,
        }
        return [value_of(r, "enquiry_id", str) for r in self._uow.select(t.CANDIDATES, where)]

    def all(self) -> Iterator[Enquiry]:
        """Every stored enquiry (deleted drafts too), by id, streamed."""
        for row in self._uow.stream(t.ENQUIRIES, order_by=("id",)):
            yield _stored(row).enquiry


def _candidates_read(group: tuple[str, str, str], numbers: list[str]) -> tuple[str, dict[str, Any]]:
    """The table and ``where`` of the candidate rows of a group naming ``numbers``."""
    where: dict[str, Any] = dict(zip(("centre", "series", "syllabus"), group, strict=True))
    return t.CANDIDATES, {**where, "candidate": In(numbers)}
