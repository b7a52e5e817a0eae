"""Repositories for the foundation's aggregates, written once over the primitives.

Each repository turns value objects into rows with the library's one cattrs
converter (:mod:`cambridge_results.serialization`) and back, so every
backend stores the same thing.  Reach them through the unit of work
(``uow.centres``, ``uow.candidates``, ...).  Bad input raises a typed error
before anything is written; duplicates raise :class:`DuplicateError`; a
record that refers to a missing one (a candidate of an unknown centre)
raises :class:`NotFound`.
"""

from __future__ import annotations

import abc
import re
import unicodedata
from collections.abc import Callable, Hashable, Iterator
from typing import TYPE_CHECKING, Any, Generic, TypeVar

from cambridge_results.errors import DuplicateError, InvalidValue, NotFound
from cambridge_results.serialization import structure, unstructure
from cambridge_results.storage.keys import candidate_key, centre_key, series_key, syllabus_key
from cambridge_results.storage.schema import Row, value_of
from cambridge_results.values import (
    UCI,
    Associate,
    Candidate,
    CandidateNumber,
    Centre,
    CentreNumber,
    Entry,
    EntryStatus,
    ExamSeries,
    Syllabus,
    SyllabusCode,
)

if TYPE_CHECKING:
    from cambridge_results.storage.transaction import Transaction

__all__ = [
    "AssociateRepository",
    "CandidateRepository",
    "CentreRepository",
    "EntryRepository",
    "SyllabusRepository",
    "reference_value",
]

T = TypeVar("T")
V = TypeVar("V")
K = TypeVar("K")

_DIGITS = re.compile(r"[0-9]{1,4}", re.ASCII)
MAX_QUERY = 100


def _require_type(value: object, cls: type[T], field: str) -> T:
    if not isinstance(value, cls):
        raise InvalidValue(field, f"must be a {cls.__name__}, not {type(value).__name__}")
    return value


#: Values built from rows by :func:`reference_value`, by class, builder, key function and
#: key: two builders of one class may build one row differently.
_BUILT: dict[tuple[type, object, object, Hashable], object] = {}
_BUILT_LIMIT = 1024


def reference_value(
    row: Row,
    cls: type[T],
    *,
    build: Callable[[Row, type[T]], T] = structure,
    key: Callable[[Row], Hashable | None] | None = None,
) -> T:
    """``build(row, cls)``, the value built from an equal row before when there is one.

    For the immutable values that many units of work read again and again
    (a centre, a syllabus, a qualification, a component's mark, an entry):
    building a syllabus from its row costs several times what making a key
    of the row does.  The value is the same as a fresh one (the classes are
    frozen, their fields immutable), and a changed row is a new key, so
    nothing stale is ever given back.

    A row is keyed by its columns, values and the values' types (True, 1
    and 1.0 are equal keys, and need not build alike); a row with a JSON
    column's list or dict by its repr, which tells apart what equality does
    not (True, 1 and 1.0; a str and a datetime) for every type a row holds.

    ``build`` (cattrs' :func:`~cambridge_results.serialization.structure` by
    default) must check the row as ``structure`` does: a row it refuses is
    never kept.  Values are kept per builder: two builders of one class never
    share one.  ``key`` may give a cheaper key for one table's rows: it
    must give different keys to rows that could build different values, and
    ``None`` for a row it cannot key (which is then keyed as above).
    """
    k = None if key is None else key(row)
    if k is None:
        key = None
        types = tuple(map(type, row.values()))
        k = repr(row) if list in types or dict in types else (tuple(row.items()), types)
    cache_key = (cls, build, key, k)
    try:
        found = _BUILT.get(cache_key)
    except TypeError:  # a value no store's row holds (a set, a tuple of lists)
        cache_key = (cls, build, None, repr(row))
        found = _BUILT.get(cache_key)
    if found is None:
        found = build(row, cls)
        if len(_BUILT) >= _BUILT_LIMIT:
            _BUILT.clear()
        _BUILT[cache_key] = found
    assert isinstance(found, cls)
    return found


def _row(obj: object) -> Row:
    data = unstructure(obj)
    assert isinstance(data, dict)  # attrs classes unstructure to dicts
    return data


class _Repository:
    """Shared plumbing: the unit of work and row <-> value conversion."""

    table: str

    def __init__(self, uow: Transaction) -> None:
        self._uow = uow

    def _load(self, row: Row | None, cls: type[T]) -> T | None:
        return None if row is None else structure(row, cls)


class _KeyedRepository(_Repository, Generic[V, K]):
    """Values of one class keyed by one column: add, find, get, save, all.

    A subclass names the class, the key column and how a key is parsed, and
    may check references before a write (:meth:`_check`).
    """

    kind: type[V]
    key_column: str
    #: How messages name one value ("centre GB123").
    label: str

    @abc.abstractmethod
    def _parse(self, key: K | str) -> K:
        """The key, validated."""

    def _load(self, row: Row | None, cls: type[T]) -> T | None:
        # Associates, centres and syllabuses: reference data, read far more than written.
        return None if row is None else reference_value(row, cls)

    def _check(self, value: V) -> None:
        """Refuse a value whose references are missing (nothing by default)."""

    def add(self, value: V) -> None:
        """Store a new value; :class:`DuplicateError` if its key is taken."""
        _require_type(value, self.kind, self.label.lower())
        self._check(value)
        row = _row(value)
        key = value_of(row, self.key_column, str)
        if self._uow.get(self.table, key) is not None:
            raise DuplicateError(f"{self.label} {key} already exists")
        self._uow.insert(self.table, row)

    def find(self, key: K | str) -> V | None:
        """The value with this key, or None."""
        return self._load(self._uow.get(self.table, str(self._parse(key))), self.kind)

    def get(self, key: K | str) -> V:
        """The value with this key; :class:`NotFound` if there is none."""
        found = self.find(key)
        if found is None:
            raise NotFound(f"no {self.label} {self._parse(key)}")
        return found

    def save(self, value: V) -> None:
        """Replace a stored value's details; :class:`NotFound` if it is not stored."""
        _require_type(value, self.kind, self.label.lower())
        self._check(value)
        row = _row(value)
        key = value_of(row, self.key_column, str)
        del row[self.key_column]
        if not self._uow.update(self.table, key, row):
            raise NotFound(f"no {self.label} {key}")

    def all(self) -> list[V]:
        """Every value, by key."""
        return [structure(r, self.kind) for r in self._uow.stream(self.table)]


class AssociateRepository(_KeyedRepository[Associate, CentreNumber]):
    """Cambridge Associates (ASC-01), keyed by their centre number."""

    table = "associates"
    kind = Associate
    key_column = "number"
    label = "Associate"

    def _parse(self, key: CentreNumber | str) -> CentreNumber:
        return CentreNumber.parse(key)

    def centres(self, number: CentreNumber | str) -> list[Centre]:
        """The Associate Centres of this Associate, by centre number (ASC-01)."""
        return CentreRepository(self._uow).of_associate(number)


class CentreRepository(_KeyedRepository[Centre, CentreNumber]):
    """Centres; an Associate Centre names its Associate (ASC-01)."""

    table = "centres"
    kind = Centre
    key_column = "number"
    label = "centre"

    def _parse(self, key: CentreNumber | str) -> CentreNumber:
        return CentreNumber.parse(key)

    def of_associate(self, associate: CentreNumber | str) -> list[Centre]:
        """The centres administered by this Associate, by number (ASC-01)."""
        number = centre_key(associate)
        rows = self._uow.stream(self.table, {"associate": number}, order_by=("number",))
        return [structure(r, Centre) for r in rows]

    def _check(self, value: Centre) -> None:
        if value.associate is not None and (
            self._uow.get("associates", str(value.associate)) is None
        ):
            raise NotFound(f"centre {value.number} names Associate {value.associate}, unknown")


def _normalise_query(query: object) -> str:
    if not isinstance(query, str):
        raise InvalidValue("query", f"must be text, not {type(query).__name__}")
    text = unicodedata.normalize("NFC", query).strip()
    if not text:
        raise InvalidValue("query", "type part of a name, a candidate number or a UCI")
    if len(text) > MAX_QUERY:
        raise InvalidValue("query", f"must be at most {MAX_QUERY} characters")
    return text


class CandidateRepository(_Repository):
    """Candidates, keyed by centre and candidate number; a UCI is unique when present."""

    table = "candidates"

    def add(self, candidate: Candidate) -> None:
        """Store a new candidate of an existing centre."""
        _require_type(candidate, Candidate, "candidate")
        if self._uow.get("centres", str(candidate.centre)) is None:
            raise NotFound(f"no centre {candidate.centre}")
        if self._uow.get(self.table, (str(candidate.centre), str(candidate.number))) is not None:
            raise DuplicateError(
                f"candidate {candidate.number} already exists at centre {candidate.centre}"
            )
        if candidate.uci is not None and self.by_uci(candidate.uci) is not None:
            raise DuplicateError(f"UCI {candidate.uci} already belongs to another candidate")
        self._uow.insert(self.table, _row(candidate))

    def find(self, centre: CentreNumber | str, number: CandidateNumber | str) -> Candidate | None:
        """The candidate, or None (``713`` finds ``0713``, EAR-12)."""
        key = (centre_key(centre), candidate_key(number))
        return self._load(self._uow.get(self.table, key), Candidate)

    def get(self, centre: CentreNumber | str, number: CandidateNumber | str) -> Candidate:
        """The candidate; :class:`NotFound` if there is none."""
        found = self.find(centre, number)
        if found is None:
            raise NotFound(
                f"no candidate {CandidateNumber.parse(number)} at {CentreNumber.parse(centre)}"
            )
        return found

    def save(self, candidate: Candidate) -> None:
        """Replace a stored candidate's names and UCI; :class:`NotFound` if not stored."""
        _require_type(candidate, Candidate, "candidate")
        if candidate.uci is not None:
            holder = self.by_uci(candidate.uci)
            if holder is not None and (holder.centre, holder.number) != (
                candidate.centre,
                candidate.number,
            ):
                raise DuplicateError(f"UCI {candidate.uci} already belongs to another candidate")
        row = _row(candidate)
        key = (row.pop("centre"), row.pop("number"))
        if not self._uow.update(self.table, key, row):
            raise NotFound(f"no candidate {candidate.number} at {candidate.centre}")

    def by_uci(self, uci: UCI | str) -> Candidate | None:
        """The candidate with this UCI, at any centre, or None."""
        rows = self._uow.select(self.table, {"uci": str(UCI.parse(uci))}, limit=1)
        return self._load(rows[0] if rows else None, Candidate)

    def iter_for_centre(self, centre: CentreNumber | str) -> Iterator[Candidate]:
        """A centre's candidates in ascending candidate-number order, streamed (CRW-07)."""
        number = centre_key(centre)
        for row in self._uow.stream(self.table, {"centre": number}, order_by=("number",)):
            yield structure(row, Candidate)

    def for_centre(self, centre: CentreNumber | str) -> list[Candidate]:
        """A centre's candidates in ascending candidate-number order (CRW-07)."""
        return list(self.iter_for_centre(centre))

    def search(self, centre: CentreNumber | str, query: str) -> list[Candidate]:
        """A centre's candidates matching ``query``, in candidate-number order (CRW-07).

        A candidate matches when the query is part of their name (any case,
        any script: compared case-folded after NFC), their candidate number
        (``713`` finds ``0713``, EAR-12) or their UCI (any case).
        """
        text = _normalise_query(query)
        wanted_number = candidate_key(text) if _DIGITS.fullmatch(text) else None
        wanted_uci = text.upper()
        folded = text.casefold()
        found = []
        for candidate in self.iter_for_centre(centre):
            if (
                str(candidate.number) == wanted_number
                or (candidate.uci is not None and str(candidate.uci) == wanted_uci)
                or folded in candidate.full_name.casefold()
            ):
                found.append(candidate)
        return found


class SyllabusRepository(_KeyedRepository[Syllabus, SyllabusCode]):
    """Syllabuses, keyed by code, with their components."""

    table = "syllabuses"
    kind = Syllabus
    key_column = "code"
    label = "syllabus"

    def _parse(self, key: SyllabusCode | str) -> SyllabusCode:
        return SyllabusCode.parse(key)


def _entry_key(
    centre: CentreNumber | str,
    series: ExamSeries | str,
    candidate: CandidateNumber | str,
    syllabus: SyllabusCode | str,
) -> tuple[str, str, str, str]:
    return (
        centre_key(centre),
        series_key(series),
        candidate_key(candidate),
        syllabus_key(syllabus),
    )


class EntryRepository(_Repository):
    """Entries: a candidate's entry for a syllabus in a series (CRW-03)."""

    table = "entries"

    def add(self, entry: Entry) -> None:
        """Store a new entry for a stored candidate and syllabus.

        The components must all belong to the syllabus (:class:`InvalidValue`).
        """
        _require_type(entry, Entry, "entry")
        if self._uow.get("candidates", (str(entry.centre), str(entry.candidate))) is None:
            raise NotFound(f"no candidate {entry.candidate} at {entry.centre}")
        syllabus = SyllabusRepository(self._uow).get(entry.syllabus)
        for code in entry.components:
            syllabus.component(code)
        key = _entry_key(entry.centre, entry.series, entry.candidate, entry.syllabus)
        if self._uow.get(self.table, key) is not None:
            raise DuplicateError(
                f"candidate {entry.candidate} at {entry.centre} is already entered for "
                f"{entry.syllabus} in {entry.series}"
            )
        self._uow.insert(self.table, _row(entry))

    def find(
        self,
        centre: CentreNumber | str,
        series: ExamSeries | str,
        candidate: CandidateNumber | str,
        syllabus: SyllabusCode | str,
    ) -> Entry | None:
        """The entry, or None."""
        key = _entry_key(centre, series, candidate, syllabus)
        return self._load(self._uow.get(self.table, key), Entry)

    def get(
        self,
        centre: CentreNumber | str,
        series: ExamSeries | str,
        candidate: CandidateNumber | str,
        syllabus: SyllabusCode | str,
    ) -> Entry:
        """The entry; :class:`NotFound` if there is none."""
        found = self.find(centre, series, candidate, syllabus)
        if found is None:
            raise NotFound("no such entry")
        return found

    def save(self, entry: Entry) -> None:
        """Replace a stored entry (e.g. to withdraw it); :class:`NotFound` if not stored."""
        _require_type(entry, Entry, "entry")
        syllabus = SyllabusRepository(self._uow).get(entry.syllabus)
        for code in entry.components:
            syllabus.component(code)
        row = _row(entry)
        key = tuple(row.pop(n) for n in ("centre", "series", "candidate", "syllabus"))
        if not self._uow.update(self.table, key, row):
            raise NotFound("no such entry")

    def for_centre(self, centre: CentreNumber | str, series: ExamSeries | str) -> list[Entry]:
        """A centre's entries in a series, by candidate number then syllabus."""
        where = {
            "centre": centre_key(centre),
            "series": series_key(series),
        }
        rows = self._uow.stream(self.table, where, order_by=("candidate", "syllabus"))
        return [structure(r, Entry) for r in rows]

    def for_candidate(
        self,
        centre: CentreNumber | str,
        series: ExamSeries | str,
        candidate: CandidateNumber | str,
    ) -> list[Entry]:
        """A candidate's entries in a series, by syllabus."""
        where = {
            "centre": centre_key(centre),
            "series": series_key(series),
            "candidate": candidate_key(candidate),
        }
        return [structure(r, Entry) for r in self._uow.select(self.table, where, ("syllabus",))]

    def centre_has_valid_entry(self, centre: CentreNumber | str, series: ExamSeries | str) -> bool:
        """Whether the centre has at least one valid entry in the series (CRW-03)."""
        return self._uow.count(self.table, self._valid(centre, series)) > 0

    def candidate_has_valid_entry(
        self,
        centre: CentreNumber | str,
        series: ExamSeries | str,
        candidate: CandidateNumber | str,
    ) -> bool:
        """Whether the candidate has a valid entry in the series (CRW-03)."""
        where = self._valid(centre, series)
        where["candidate"] = candidate_key(candidate)
        return self._uow.count(self.table, where) > 0

    def candidates_with_valid_entry(
        self, centre: CentreNumber | str, series: ExamSeries | str
    ) -> list[CandidateNumber]:
        """The centre's candidates with a valid entry in the series, ascending (CRW-07)."""
        numbers: list[CandidateNumber] = []
        for row in self._uow.stream(self.table, self._valid(centre, series), ("candidate",)):
            number = CandidateNumber.parse(row["candidate"])
            if not numbers or numbers[-1] != number:
                numbers.append(number)
        return numbers

    def _valid(self, centre: CentreNumber | str, series: ExamSeries | str) -> dict[str, Any]:
        return {
            "centre": centre_key(centre),
            "series": series_key(series),
            "status": EntryStatus.VALID.value,
        }
