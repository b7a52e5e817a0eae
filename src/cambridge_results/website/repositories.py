"""Repositories of the candidate results website, written once over the unit-of-work primitives.

Build them from a unit of work (``WebsiteRepositories(uow)``); every backend
stores the same rows.  Lookups that serve a page of candidates take the page's
numbers and ask with one ``In`` query per table, and every listing is paged by
candidate number (keyset), so nothing here reads a whole centre at once.
Repositories store and read; the rules (:mod:`cambridge_results.rules`) decide.
Credentials are in :mod:`.credential_repository`.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from typing import TYPE_CHECKING, Any

import pendulum

from cambridge_results.errors import InvalidValue
from cambridge_results.serialization import structure, unstructure
from cambridge_results.storage.keys import centre_key, series_key
from cambridge_results.storage.query import Gt, In
from cambridge_results.storage.schema import Row, value_of
from cambridge_results.values import (
    Candidate,
    CandidateNumber,
    CentreNumber,
    ContactDetails,
    Delay,
    Entry,
    EntryStatus,
    ExamSeries,
)
from cambridge_results.values.access import (
    AccessMode,
    AssociateCentreControls,
    AssociateSettings,
    CentreAccess,
    ContactChoice,
)
from cambridge_results.values.people import printed_name
from cambridge_results.website.credential_repository import CredentialRepository
from cambridge_results.website.keys import chunks, numbers

if TYPE_CHECKING:
    from cambridge_results.storage.port import UnitOfWork

__all__ = [
    "AccessRepository",
    "AssociateSettingsRepository",
    "EligibilityRepository",
    "SelectionRepository",
    "WebsiteRepositories",
]


def _among(
    uow: UnitOfWork,
    table: str,
    where: Mapping[str, object],
    column: str,
    candidates: Iterable[CandidateNumber | str],
) -> frozenset[CandidateNumber]:
    """Which of ``candidates`` have a row in ``table`` matching ``where`` (by ``column``).

    A query per :data:`~.keys.CHUNK` numbers, so any number of candidates costs a few queries.
    """
    found: set[CandidateNumber] = set()
    for chunk in chunks(numbers(candidates)):
        rows = uow.select(table, {**where, column: In(chunk)})
        found.update(CandidateNumber(value_of(r, column, str)) for r in rows)
    return frozenset(found)


def _contact_row(contact: ContactDetails | None) -> Any:
    return None if contact is None else unstructure(contact)


def _contact(data: Any) -> ContactDetails | None:
    return None if data is None else structure(data, ContactDetails)


class AccessRepository:
    """A centre's own website settings per series (CRW-01, CRW-04, CRW-05)."""

    table = "website_access"

    def __init__(self, uow: UnitOfWork) -> None:
        self._uow = uow

    def find(self, centre: CentreNumber | str, series: ExamSeries | str) -> CentreAccess | None:
        """The stored settings, or ``None`` when the centre never set any (CRW-01: NONE)."""
        row = self._uow.get(self.table, (centre_key(centre), series_key(series)))
        if row is None:
            return None
        return CentreAccess(
            centre=row["centre"],
            series=row["series"],
            mode=AccessMode(row["mode"]),
            agreed_to_manage_queries=value_of(row, "agreed", bool),
            contact=_contact(row["contact"]),
            delay=Delay(seconds=row["delay_seconds"]),
        )

    def save(self, access: CentreAccess, *, at: pendulum.DateTime) -> None:
        """Store ``access``, replacing what the centre had for the series."""
        if not isinstance(access, CentreAccess):
            raise InvalidValue("access", "must be a CentreAccess")
        key = (str(access.centre), access.series.code)
        values: Row = {
            "mode": access.mode.value,
            "agreed": access.agreed_to_manage_queries,
            "contact": _contact_row(access.contact),
            "delay_seconds": access.delay.seconds,
            "updated_at": at,
        }
        if not self._uow.update(self.table, key, values):
            self._uow.insert(self.table, {"centre": key[0], "series": key[1], **values})


class SelectionRepository:
    """The candidates a centre ticked for a series (CRW-07, CRW-08)."""

    table = "website_selections"

    def __init__(self, uow: UnitOfWork) -> None:
        self._uow = uow

    def tick(
        self,
        centre: CentreNumber | str,
        series: ExamSeries | str,
        candidates: Iterable[CandidateNumber | str],
        *,
        at: pendulum.DateTime,
    ) -> tuple[CandidateNumber, ...]:
        """Tick ``candidates``; return those that were not ticked before, ascending."""
        c, s = centre_key(centre), series_key(series)
        added = []
        for number in numbers(candidates):
            if self._uow.get(self.table, (c, s, number)) is None:
                self._uow.insert(
                    self.table, {"centre": c, "series": s, "candidate": number, "ticked_at": at}
                )
                added.append(CandidateNumber(number))
        return tuple(added)

    def untick(
        self,
        centre: CentreNumber | str,
        series: ExamSeries | str,
        candidates: Iterable[CandidateNumber | str],
    ) -> tuple[CandidateNumber, ...]:
        """Untick ``candidates``; return those that were ticked, ascending."""
        c, s = centre_key(centre), series_key(series)
        return tuple(
            CandidateNumber(n)
            for n in numbers(candidates)
            if self._uow.delete(self.table, (c, s, n))
        )

    def ticked_among(
        self,
        centre: CentreNumber | str,
        series: ExamSeries | str,
        candidates: Iterable[CandidateNumber | str],
    ) -> frozenset[CandidateNumber]:
        """Which of ``candidates`` are ticked (a query per chunk of numbers)."""
        where = {"centre": centre_key(centre), "series": series_key(series)}
        return _among(self._uow, self.table, where, "candidate", candidates)

    def page(
        self,
        centre: CentreNumber | str,
        series: ExamSeries | str,
        *,
        after: CandidateNumber | None = None,
        limit: int = 500,
    ) -> list[CandidateNumber]:
        """Up to ``limit`` ticked candidates after ``after``, ascending."""
        where: dict[str, Any] = {"centre": centre_key(centre), "series": series_key(series)}
        if after is not None:
            where["candidate"] = Gt(str(after))
        rows = self._uow.select(self.table, where, ("candidate",), limit)
        return [CandidateNumber(r["candidate"]) for r in rows]

    def count(self, centre: CentreNumber | str, series: ExamSeries | str) -> int:
        """How many candidates are ticked."""
        return self._uow.count(
            self.table, {"centre": centre_key(centre), "series": series_key(series)}
        )


class EligibilityRepository:
    """Which candidates have a valid entry in a series (CRW-03), a page at a time."""

    table = "entries"
    #: A first guess at a candidate's valid entries (one per syllabus) when reading a
    #: page; each read learns the board's own figure for the next.
    ROWS_PER_CANDIDATE = 2

    def __init__(self, uow: UnitOfWork) -> None:
        self._uow = uow

    def page(
        self,
        centre: CentreNumber | str,
        series: ExamSeries | str,
        *,
        after: CandidateNumber | None = None,
        limit: int = 500,
    ) -> list[CandidateNumber]:
        """Up to ``limit`` candidates with a valid entry after ``after``, ascending (CRW-07).

        A read or two of about as many entries as the page's candidates have:
        a read that finds candidates with more entries than guessed reads more
        a candidate next time, so few rows beyond the page are read and decoded.
        """
        where: dict[str, Any] = {
            "centre": centre_key(centre),
            "series": series_key(series),
            "status": EntryStatus.VALID.value,
        }
        found: list[CandidateNumber] = []
        last = None if after is None else str(after)
        per = self.ROWS_PER_CANDIDATE
        while len(found) < limit:
            if last is not None:
                where["candidate"] = Gt(last)
            want = (limit - len(found)) * per
            rows = self._uow.select(self.table, where, ("candidate",), want)
            seen = 0
            for row in rows:
                # Rows are ordered by candidate: the next read starts after the last seen.
                number = value_of(row, "candidate", str)
                if number != last:
                    if len(found) == limit:
                        break
                    last = number
                    found.append(CandidateNumber(number))
                    seen += 1
            if len(rows) < want:
                break
            per = max(per, -(-len(rows) // max(seen, 1)))
        return found

    def valid_among(
        self,
        centre: CentreNumber | str,
        series: ExamSeries | str,
        candidates: Iterable[CandidateNumber | str],
    ) -> frozenset[CandidateNumber]:
        """Which of ``candidates`` have a valid entry in the series (CRW-03)."""
        where = {
            "centre": centre_key(centre),
            "series": series_key(series),
            "status": EntryStatus.VALID.value,
        }
        return _among(self._uow, self.table, where, "candidate", candidates)

    def existing_among(
        self, centre: CentreNumber | str, candidates: Iterable[CandidateNumber | str]
    ) -> frozenset[CandidateNumber]:
        """Which of ``candidates`` are candidates of ``centre`` at all."""
        return _among(self._uow, "candidates", {"centre": centre_key(centre)}, "number", candidates)

    def valid_entries(
        self, centre: CentreNumber | str, series: ExamSeries | str, *, limit: int = 1
    ) -> list[Entry]:
        """Up to ``limit`` of the centre's valid entries in the series (CRW-03)."""
        where = {
            "centre": centre_key(centre),
            "series": series_key(series),
            "status": EntryStatus.VALID.value,
        }
        return [structure(r, Entry) for r in self._uow.select(self.table, where, limit=limit)]

    def candidates_among(
        self, centre: CentreNumber | str, candidates: Iterable[CandidateNumber | str]
    ) -> dict[CandidateNumber, Candidate]:
        """The candidates of ``centre`` with these numbers, a few queries for any number."""
        found: dict[CandidateNumber, Candidate] = {}
        for row in self._candidate_rows(centre, candidates):
            candidate = structure(row, Candidate)
            found[candidate.number] = candidate
        return found

    def names_among(
        self, centre: CentreNumber | str, candidates: Iterable[CandidateNumber | str]
    ) -> dict[str, str]:
        """The names of the candidates of ``centre`` with these numbers, as letters print
        them (:attr:`Candidate.full_name`), by number's text: read as stored, without
        building each :class:`Candidate` (generation's planning pass checks only names)."""
        found: dict[str, str] = {}
        for row in self._candidate_rows(centre, candidates):
            name = printed_name(value_of(row, "given_name", str), value_of(row, "family_name", str))
            found[value_of(row, "number", str)] = name
        return found

    def _candidate_rows(
        self, centre: CentreNumber | str, candidates: Iterable[CandidateNumber | str]
    ) -> Iterator[Row]:
        """The stored rows of ``centre``'s candidates with these numbers, a chunk a query."""
        for chunk in chunks(numbers(candidates)):
            yield from self._uow.select(
                "candidates", {"centre": centre_key(centre), "number": In(chunk)}
            )


class AssociateSettingsRepository:
    """An Associate's controls over its Associate Centres per series (ASC-02..05)."""

    table = "associate_settings"
    rows_table = "associate_centre_controls"

    def __init__(self, uow: UnitOfWork) -> None:
        self._uow = uow

    def find(
        self, associate: CentreNumber | str, series: ExamSeries | str
    ) -> AssociateSettings | None:
        """The stored controls, or ``None`` when the Associate never set any."""
        a, s = centre_key(associate), series_key(series)
        row = self._uow.get(self.table, (a, s))
        rows = self._uow.select(self.rows_table, {"associate": a, "series": s}, ("centre",))
        if row is None and not rows:
            return None
        centres = tuple(
            AssociateCentreControls(
                centre=r["centre"],
                give_access=value_of(r, "give_access", bool),
                delay=None if r["delay_seconds"] is None else Delay(seconds=r["delay_seconds"]),
                contact=ContactChoice(r["contact"]),
            )
            for r in rows
        )
        if row is None:
            return AssociateSettings(associate=a, series=s, centres=centres)
        return AssociateSettings(
            associate=a,
            series=s,
            use_defaults=value_of(row, "use_defaults", bool),
            default_delay=Delay(seconds=row["default_delay_seconds"]),
            default_contact_choice=ContactChoice(row["default_contact"]),
            centres=centres,
        )

    def get(self, associate: CentreNumber | str, series: ExamSeries | str) -> AssociateSettings:
        """The stored controls, or the defaults: no "Use defaults", no centre rows (ASC-02)."""
        found = self.find(associate, series)
        if found is None:
            return AssociateSettings(associate=associate, series=series)
        return found

    def save(self, settings: AssociateSettings, *, at: pendulum.DateTime) -> None:
        """Store ``settings``, replacing the Associate's controls for the series."""
        if not isinstance(settings, AssociateSettings):
            raise InvalidValue("settings", "must be AssociateSettings")
        a, s = str(settings.associate), settings.series.code
        values: Row = {
            "use_defaults": settings.use_defaults,
            "default_delay_seconds": settings.default_delay.seconds,
            "default_contact": settings.default_contact_choice.value,
            "updated_at": at,
        }
        if not self._uow.update(self.table, (a, s), values):
            self._uow.insert(self.table, {"associate": a, "series": s, **values})
        keep = {str(r.centre) for r in settings.centres}
        for old in self._uow.select(self.rows_table, {"associate": a, "series": s}):
            if old["centre"] not in keep:
                self._uow.delete(self.rows_table, (a, s, old["centre"]))
        for r in settings.centres:
            row: Row = {
                "give_access": r.give_access,
                "delay_seconds": None if r.delay is None else r.delay.seconds,
                "contact": r.contact.value,
                "updated_at": at,
            }
            if not self._uow.update(self.rows_table, (a, s, str(r.centre)), row):
                self._uow.insert(
                    self.rows_table, {"associate": a, "series": s, "centre": str(r.centre), **row}
                )


class WebsiteRepositories:
    """Every website repository over one unit of work."""

    def __init__(self, uow: UnitOfWork) -> None:
        self.uow = uow
        self.access = AccessRepository(uow)
        self.selections = SelectionRepository(uow)
        self.eligibility = EligibilityRepository(uow)
        self.associate_settings = AssociateSettingsRepository(uow)
        self.credentials = CredentialRepository(uow)
