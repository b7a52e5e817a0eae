"""Repositories of the candidate results website, written once over the unit-of-work primitives.

Build them from a unit of work (``WebsiteRepositories(uow)``); every backend
stores the same rows.  Lookups that serve a page of candidates take the page's
numbers and ask with one ``In`` query per table, and every listing is paged by
candidate number (keyset), so nothing here reads a whole centre at once.

Credentials hold hashes only (CRW-13); :class:`CredentialRecord` hides them
from ``repr``.  Usernames are unique across the board through the store's
unique index (CRW-12); :meth:`CredentialRepository.reserve` retries a clash.
"""

from __future__ import annotations

import enum
from collections.abc import Callable, Iterable, Iterator, Mapping
from typing import TYPE_CHECKING, Any

import attrs
import pendulum

from cambridge_results.credentials import new_username, normalise_username
from cambridge_results.errors import DuplicateError, InvalidValue
from cambridge_results.serialization import structure, unstructure
from cambridge_results.storage.query import Gt, In, Ne
from cambridge_results.storage.schema import Row, value_of
from cambridge_results.values import (
    CandidateNumber,
    CentreNumber,
    ContactDetails,
    Delay,
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

if TYPE_CHECKING:
    from cambridge_results.storage.port import UnitOfWork

__all__ = [
    "USERNAME_ATTEMPTS",
    "AccessRepository",
    "AssociateSettingsRepository",
    "CredentialRecord",
    "CredentialRepository",
    "CredentialState",
    "EligibilityRepository",
    "SelectionRepository",
    "WebsiteRepositories",
]

#: How many fresh usernames :meth:`CredentialRepository.reserve` tries before giving up.
USERNAME_ATTEMPTS = 8


def _centre(value: CentreNumber | str) -> str:
    return str(CentreNumber.parse(value))


def _series(value: ExamSeries | str) -> str:
    return ExamSeries.parse(value).code


def _number(value: CandidateNumber | str) -> str:
    return str(CandidateNumber.parse(value))


def _numbers(values: Iterable[CandidateNumber | str]) -> tuple[str, ...]:
    return tuple(sorted({_number(v) for v in values}))


#: Values per ``In`` query: well under every backend's parameter limit.
CHUNK = 500


def _chunks(values: tuple[str, ...]) -> Iterator[tuple[str, ...]]:
    for start in range(0, len(values), CHUNK):
        yield values[start : start + CHUNK]


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
        row = self._uow.get(self.table, (_centre(centre), _series(series)))
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
        c, s = _centre(centre), _series(series)
        added = []
        for number in _numbers(candidates):
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
        c, s = _centre(centre), _series(series)
        return tuple(
            CandidateNumber(n)
            for n in _numbers(candidates)
            if self._uow.delete(self.table, (c, s, n))
        )

    def ticked_among(
        self,
        centre: CentreNumber | str,
        series: ExamSeries | str,
        candidates: Iterable[CandidateNumber | str],
    ) -> frozenset[CandidateNumber]:
        """Which of ``candidates`` are ticked (one query)."""
        found: set[CandidateNumber] = set()
        for chunk in _chunks(_numbers(candidates)):
            where = {"centre": _centre(centre), "series": _series(series), "candidate": In(chunk)}
            found.update(
                CandidateNumber(r["candidate"]) for r in self._uow.select(self.table, where)
            )
        return frozenset(found)

    def page(
        self,
        centre: CentreNumber | str,
        series: ExamSeries | str,
        *,
        after: CandidateNumber | None = None,
        limit: int = 500,
    ) -> list[CandidateNumber]:
        """Up to ``limit`` ticked candidates after ``after``, ascending."""
        where: dict[str, Any] = {"centre": _centre(centre), "series": _series(series)}
        if after is not None:
            where["candidate"] = Gt(str(after))
        rows = self._uow.select(self.table, where, ("candidate",), limit)
        return [CandidateNumber(r["candidate"]) for r in rows]

    def count(self, centre: CentreNumber | str, series: ExamSeries | str) -> int:
        """How many candidates are ticked."""
        return self._uow.count(self.table, {"centre": _centre(centre), "series": _series(series)})


class EligibilityRepository:
    """Which candidates have a valid entry in a series (CRW-03), a page at a time."""

    table = "entries"
    #: Entries read per candidate wanted: a candidate has several (one per syllabus).
    ROWS_PER_CANDIDATE = 8

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
        """Up to ``limit`` candidates with a valid entry after ``after``, ascending (CRW-07)."""
        where: dict[str, Any] = {
            "centre": _centre(centre),
            "series": _series(series),
            "status": EntryStatus.VALID.value,
        }
        found: list[CandidateNumber] = []
        last = after
        while len(found) < limit:
            if last is not None:
                where["candidate"] = Gt(str(last))
            rows = self._uow.select(
                self.table, where, ("candidate",), limit * self.ROWS_PER_CANDIDATE
            )
            if not rows:
                break
            for row in rows:
                number = CandidateNumber(row["candidate"])
                if not found or found[-1] != number:
                    if len(found) == limit:
                        break
                    found.append(number)
            # Rows are ordered by candidate: the next query starts after the last one seen.
            last = found[-1]
            if len(rows) < limit * self.ROWS_PER_CANDIDATE:
                break
        return found

    def valid_among(
        self,
        centre: CentreNumber | str,
        series: ExamSeries | str,
        candidates: Iterable[CandidateNumber | str],
    ) -> frozenset[CandidateNumber]:
        """Which of ``candidates`` have a valid entry in the series (CRW-03)."""
        found: set[CandidateNumber] = set()
        for chunk in _chunks(_numbers(candidates)):
            where = {
                "centre": _centre(centre),
                "series": _series(series),
                "status": EntryStatus.VALID.value,
                "candidate": In(chunk),
            }
            found.update(
                CandidateNumber(r["candidate"]) for r in self._uow.select(self.table, where)
            )
        return frozenset(found)

    def existing_among(
        self, centre: CentreNumber | str, candidates: Iterable[CandidateNumber | str]
    ) -> frozenset[CandidateNumber]:
        """Which of ``candidates`` are candidates of ``centre`` at all."""
        found: set[CandidateNumber] = set()
        for chunk in _chunks(_numbers(candidates)):
            rows = self._uow.select("candidates", {"centre": _centre(centre), "number": In(chunk)})
            found.update(CandidateNumber(r["number"]) for r in rows)
        return frozenset(found)


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
        a, s = _centre(associate), _series(series)
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


class CredentialState(enum.Enum):
    """Where a candidate's credential is in its life (CRW-06, CRW-08, CRW-13)."""

    #: Generated, but its letter is not yet safely written; regenerated by the next run.
    UNPRINTED = "unprinted"
    #: Its letter is written; the password on it is the one a login accepts.
    PRINTED = "printed"
    #: Access was taken away: no login is possible.
    REVOKED = "revoked"


@attrs.frozen(kw_only=True)
class CredentialRecord:
    """A candidate's stored credential for a series: a username and hashes, never a password.

    ``password_hash`` is what a login checks (the password on the candidate's
    current letter); ``pending_hash`` belongs to a letter being generated and
    is accepted by nothing until that letter is safely written.
    """

    centre: CentreNumber
    series: ExamSeries
    candidate: CandidateNumber
    username: str
    state: CredentialState
    password_hash: str | None = attrs.field(repr=False)
    pending_hash: str | None = attrs.field(repr=False)
    fingerprint: str | None
    pending_fingerprint: str | None
    run: int | None
    issued_at: pendulum.DateTime | None
    printed_at: pendulum.DateTime | None
    revoked_at: pendulum.DateTime | None

    @classmethod
    def from_row(cls, row: Mapping[str, Any]) -> CredentialRecord:
        """A record from a ``website_credentials`` row."""
        return cls(
            centre=CentreNumber(row["centre"]),
            series=ExamSeries.parse(row["series"]),
            candidate=CandidateNumber(row["candidate"]),
            username=row["username"],
            state=CredentialState(row["state"]),
            password_hash=row["password_hash"],
            pending_hash=row["pending_hash"],
            fingerprint=row["fingerprint"],
            pending_fingerprint=row["pending_fingerprint"],
            run=row["run"],
            issued_at=row["issued_at"],
            printed_at=row["printed_at"],
            revoked_at=row["revoked_at"],
        )

    @property
    def live(self) -> bool:
        """True when some login can succeed with this credential (a printed password exists)."""
        return self.state is not CredentialState.REVOKED and self.password_hash is not None


def _key(
    centre: CentreNumber | str, series: ExamSeries | str, candidate: CandidateNumber | str
) -> tuple[str, str, str]:
    return (_centre(centre), _series(series), _number(candidate))


class CredentialRepository:
    """Candidates' website credentials: usernames and hashes (CRW-12, CRW-13)."""

    table = "website_credentials"

    def __init__(self, uow: UnitOfWork) -> None:
        self._uow = uow

    def find(
        self,
        centre: CentreNumber | str,
        series: ExamSeries | str,
        candidate: CandidateNumber | str,
    ) -> CredentialRecord | None:
        """The candidate's credential for the series, or ``None``."""
        row = self._uow.get(self.table, _key(centre, series, candidate))
        return None if row is None else CredentialRecord.from_row(row)

    def by_username(self, username: str) -> CredentialRecord | None:
        """The credential with this username (as a person typed it, LOG-01), or ``None``."""
        rows = self._uow.select(self.table, {"username": normalise_username(username)}, limit=1)
        return CredentialRecord.from_row(rows[0]) if rows else None

    def among(
        self,
        centre: CentreNumber | str,
        series: ExamSeries | str,
        candidates: Iterable[CandidateNumber | str],
    ) -> dict[CandidateNumber, CredentialRecord]:
        """The credentials of ``candidates`` that have one (one query)."""
        found: dict[CandidateNumber, CredentialRecord] = {}
        for chunk in _chunks(_numbers(candidates)):
            where = {"centre": _centre(centre), "series": _series(series), "candidate": In(chunk)}
            for row in self._uow.select(self.table, where):
                record = CredentialRecord.from_row(row)
                found[record.candidate] = record
        return found

    def page(
        self,
        centre: CentreNumber | str,
        series: ExamSeries | str,
        *,
        after: CandidateNumber | None = None,
        limit: int = 500,
        states: Iterable[CredentialState] | None = None,
    ) -> list[CredentialRecord]:
        """Up to ``limit`` credentials after candidate ``after``, ascending, of ``states``."""
        where: dict[str, Any] = {"centre": _centre(centre), "series": _series(series)}
        if after is not None:
            where["candidate"] = Gt(str(after))
        if states is not None:
            where["state"] = In(tuple(s.value for s in states))
        rows = self._uow.select(self.table, where, ("candidate",), limit)
        return [CredentialRecord.from_row(r) for r in rows]

    def count(
        self,
        centre: CentreNumber | str,
        series: ExamSeries | str,
        state: CredentialState | None = None,
    ) -> int:
        """How many credentials the centre has for the series, in ``state`` if given."""
        where: dict[str, Any] = {"centre": _centre(centre), "series": _series(series)}
        if state is not None:
            where["state"] = state.value
        return self._uow.count(self.table, where)

    def reserve(
        self,
        centre: CentreNumber | str,
        series: ExamSeries | str,
        candidate: CandidateNumber | str,
        *,
        run: int | None,
        at: pendulum.DateTime,
        usernames: Callable[[], str] = new_username,
    ) -> CredentialRecord:
        """A new, unprinted credential with a username no one else has (CRW-12).

        The store's unique index decides; a clash (or a username another
        writer took first) is retried with a fresh one, up to
        :data:`USERNAME_ATTEMPTS` times.  :class:`DuplicateError` if the
        candidate already has a credential for the series.
        """
        key = _key(centre, series, candidate)
        for _ in range(USERNAME_ATTEMPTS):
            username = normalise_username(usernames())
            row: Row = {
                "centre": key[0],
                "series": key[1],
                "candidate": key[2],
                "username": username,
                "state": CredentialState.UNPRINTED.value,
                "run": run,
                "issued_at": at,
            }
            try:
                return CredentialRecord.from_row(self._uow.insert(self.table, row))
            except DuplicateError:
                # Either key can clash; only after a clash is it worth a read to tell
                # which (bulk generation reserves thousands, nearly all first time).
                if self._uow.get(self.table, key) is not None:
                    raise DuplicateError(
                        f"candidate {key[2]} at {key[0]} already has a credential for {key[1]}"
                    ) from None
                continue  # the username was taken: draw again
        raise DuplicateError(
            f"no free username found in {USERNAME_ATTEMPTS} attempts; the username source "
            "is not random enough",
            rule="CRW-12",
        )

    def claim(
        self,
        centre: CentreNumber | str,
        series: ExamSeries | str,
        candidate: CandidateNumber | str,
        *,
        run: int,
    ) -> bool:
        """Mark the credential as being regenerated by ``run``; False if there is none.

        A later claim by another run takes the row over, so only the run that
        claimed last can issue or print it.
        """
        return self._uow.update(self.table, _key(centre, series, candidate), {"run": run})

    def issue(
        self,
        centre: CentreNumber | str,
        series: ExamSeries | str,
        candidate: CandidateNumber | str,
        *,
        run: int,
        pending_hash: str,
        fingerprint: str,
        at: pendulum.DateTime,
    ) -> bool:
        """Record a new password's hash as unprinted (CRW-13); False if ``run`` lost the row.

        The candidate's current printed password (``password_hash``) keeps
        working until the new letter is written and :meth:`print_run` flips it.
        """
        return self._uow.update(
            self.table,
            _key(centre, series, candidate),
            {
                "state": CredentialState.UNPRINTED.value,
                "pending_hash": pending_hash,
                "pending_fingerprint": fingerprint,
                "issued_at": at,
            },
            expect={"run": run},
        )

    def print_run(
        self, run: int, *, at: pendulum.DateTime, limit: int = 500
    ) -> list[CredentialRecord]:
        """Flip up to ``limit`` of ``run``'s unprinted credentials to printed; return them.

        Call it only once the run's letters are safely on disk: the pending
        hash becomes the one logins accept, replacing the old password
        (CRW-12).  Call again until it returns nothing.
        """
        where = {"run": run, "state": CredentialState.UNPRINTED.value, "pending_hash": Ne(None)}
        rows = self._uow.select(self.table, where, ("centre", "series", "candidate"), limit)
        flipped = []
        for row in rows:
            key = (row["centre"], row["series"], row["candidate"])
            changes: Row = {
                "state": CredentialState.PRINTED.value,
                "password_hash": row["pending_hash"],
                "fingerprint": row["pending_fingerprint"],
                "pending_hash": None,
                "pending_fingerprint": None,
                "printed_at": at,
            }
            expect: Row = {"run": run, "state": CredentialState.UNPRINTED.value}
            if self._uow.update(self.table, key, changes, expect=expect):
                flipped.append(CredentialRecord.from_row({**row, **changes}))
        return flipped

    def abandon_run(self, run: int, *, limit: int = 500) -> list[CredentialRecord]:
        """Undo up to ``limit`` of a failed ``run``'s unprinted credentials; return them.

        A candidate who had a printed letter gets it back as the current one
        (printed); a new one stays unprinted without a hash, for the next run.
        Call again until it returns nothing.
        """
        where = {"run": run, "state": CredentialState.UNPRINTED.value}
        rows = self._uow.select(self.table, where, ("centre", "series", "candidate"), limit)
        undone = []
        for row in rows:
            key = (row["centre"], row["series"], row["candidate"])
            had_letter = row["password_hash"] is not None
            changes: Row = {
                "state": (
                    CredentialState.PRINTED if had_letter else CredentialState.UNPRINTED
                ).value,
                "pending_hash": None,
                "pending_fingerprint": None,
                "run": None,
            }
            if self._uow.update(self.table, key, changes, expect={"run": run}):
                undone.append(CredentialRecord.from_row({**row, **changes}))
        return undone

    def revoke(
        self,
        centre: CentreNumber | str,
        series: ExamSeries | str,
        candidate: CandidateNumber | str,
        *,
        at: pendulum.DateTime,
    ) -> bool:
        """Take the credential away at once (CRW-06, CRW-08); False if none or already revoked.

        Both hashes go, so no letter, printed or being printed, works any more.
        The username stays reserved for the candidate.
        """
        key = _key(centre, series, candidate)
        row = self._uow.get(self.table, key)
        if row is None or row["state"] == CredentialState.REVOKED.value:
            return False
        return self._uow.update(
            self.table,
            key,
            {
                "state": CredentialState.REVOKED.value,
                "password_hash": None,
                "pending_hash": None,
                "fingerprint": None,
                "pending_fingerprint": None,
                "run": None,
                "revoked_at": at,
            },
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
