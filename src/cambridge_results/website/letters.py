"""A centre's generated letters as a use case: list them, open them (ASC-07, CRW-10).

Letters carry passwords, so only the centre itself and its Associate may
list or open them (ASC-07: another centre, board staff or a candidate gets
:class:`~cambridge_results.errors.PermissionDenied` and nothing is read).
What exists comes from the event log: every run that printed letters
recorded, per centre and series, its run number, when, how many letters
and its files (``letters-printed``); the files are opened from the
website's :class:`~cambridge_results.website.letter_files.LetterStore`.

A run for several centres (an Associate generating for its Associate
Centres) makes one combined PDF and one zip holding every centre's
letters: its Associate may open them, but a centre may not, as they hold
other centres' passwords; the centre opens its candidates' letters one by
one instead (:func:`open_candidate_letter`, read from the run's zip).
"""

from __future__ import annotations

import zipfile
from collections.abc import Iterable

import attrs
import pendulum

from cambridge_results.context import Context
from cambridge_results.errors import NotFound, PermissionDenied
from cambridge_results.principals import CentreOfficer, Principal
from cambridge_results.rules.associates.permissions import Action
from cambridge_results.storage.events import Event
from cambridge_results.storage.port import UnitOfWork
from cambridge_results.values import CandidateNumber, CentreNumber, ExamSeries
from cambridge_results.values.identifiers import as_candidate_number, as_centre_number
from cambridge_results.values.series import as_series
from cambridge_results.website.common import check_principal, require
from cambridge_results.website.letter_files import LetterStore, check_file_name

__all__ = ["LetterRun", "list_letters", "open_candidate_letter", "open_letter_file"]

#: The event a run records once its letters are durable (website/bookkeeping.py).
PRINTED = "website.letters-printed"


def _names(values: Iterable[str]) -> tuple[str, ...]:
    return tuple(values)


def _centres(values: Iterable[CentreNumber]) -> tuple[CentreNumber, ...]:
    return tuple(values)


@attrs.frozen(kw_only=True)
class LetterRun:
    """One generation run's letters for a centre and series, as recorded (CRW-10).

    ``centres`` are every centre whose letters the run's files hold (empty
    when the run did not record it); ``printed`` how many of this centre's
    letters it printed.
    """

    run: int
    centre: CentreNumber
    series: ExamSeries
    printed_at: pendulum.DateTime
    printed: int
    centres: tuple[CentreNumber, ...] = attrs.field(converter=_centres)
    combined_pdfs: tuple[str, ...] = attrs.field(converter=_names)
    #: The first (usually the only) zip; a run of more than 10,000 letters has more.
    zip_file: str | None
    #: Every zip of the run, in order (``STEM.zip``, ``STEM_part002.zip``, ...).
    zip_files: tuple[str, ...] = attrs.field(converter=_names, default=())

    @property
    def files(self) -> tuple[str, ...]:
        """The combined PDF(s), then the zip(s)."""
        zips = self.zip_files or (() if self.zip_file is None else (self.zip_file,))
        return self.combined_pdfs + zips

    def holds_only(self, centre: CentreNumber) -> bool:
        """Whether the run's files hold letters of ``centre`` alone."""
        return self.centres == (centre,)


def _run(event: Event) -> LetterRun:
    _, _, series = event.subject.partition("/series:")
    centre = event.subject.removeprefix("centre:").partition("/")[0]
    files = [str(f) for f in event.details.get("files", [])]
    return LetterRun(
        run=int(event.details["run"]),
        centre=as_centre_number(centre),
        series=as_series(series),
        printed_at=event.at,
        printed=int(event.details.get("printed", 0)),
        centres=[as_centre_number(c) for c in event.details.get("centres", [])],
        combined_pdfs=[f for f in files if f.endswith(".pdf")],
        zip_file=next((f for f in files if f.endswith(".zip")), None),
        zip_files=[f for f in files if f.endswith(".zip")],
    )


def _runs(
    context: Context,
    principal: Principal,
    centre: CentreNumber | str,
    series: ExamSeries | str | None,
) -> tuple[LetterRun, ...]:
    """The centre's runs, newest first, once ``principal`` may open its letters (ASC-07)."""
    who = check_principal(principal)
    number = as_centre_number(centre)
    wanted = None if series is None else as_series(series)

    def read(uow: UnitOfWork) -> tuple[LetterRun, ...]:
        require(who, Action.OPEN_LETTERS, uow.centres.get(number))
        prefix = f"centre:{number}/series:" + ("" if wanted is None else wanted.code)
        runs = [_run(e) for e in uow.events.iter_history(prefix) if e.kind == PRINTED]
        if wanted is not None:
            runs = [r for r in runs if r.series == wanted]
        return tuple(sorted(runs, key=lambda r: r.run, reverse=True))

    return context.read(read, actor=str(who))


def list_letters(
    context: Context,
    principal: Principal,
    centre: CentreNumber | str,
    series: ExamSeries | str | None = None,
) -> tuple[LetterRun, ...]:
    """The centre's generated letters, run by run, newest first (ASC-07, CRW-10)."""
    return _runs(context, principal, centre, series)


def open_letter_file(
    context: Context,
    letters: LetterStore,
    principal: Principal,
    centre: CentreNumber | str,
    name: str,
) -> bytes:
    """A combined PDF or zip the centre's runs made, as bytes (ASC-07, CRW-10).

    :class:`NotFound` for a name no run of the centre recorded (nothing is
    read); :class:`PermissionDenied` when a centre asks for the files of a
    run that also holds other centres' letters.
    """
    check_file_name(name)
    number = as_centre_number(centre)
    for run in _runs(context, principal, number, None):
        if name in run.files:
            if isinstance(principal, CentreOfficer) and not run.holds_only(number):
                raise PermissionDenied(
                    f"run {run.run}'s files hold letters of other centres too; "
                    "open your candidates' letters one by one",
                )
            with letters.open(name) as file:
                return file.read()
    raise NotFound(f"no run of centre {number} made a letter file {name}")


def open_candidate_letter(
    context: Context,
    letters: LetterStore,
    principal: Principal,
    centre: CentreNumber | str,
    series: ExamSeries | str,
    candidate: CandidateNumber | str,
) -> bytes:
    """The candidate's latest letter for the series, a one-page PDF (ASC-07, CRW-10).

    Read from the zips of the newest run that made one; :class:`NotFound`
    when no run did.
    """
    number = as_centre_number(centre)
    wanted = as_series(series)
    member = f"{number}_{wanted.code}_{as_candidate_number(candidate)}.pdf"
    for run in _runs(context, principal, number, wanted):
        for zip_name in (f for f in run.files if f.endswith(".zip")):
            with letters.open(zip_name) as file, zipfile.ZipFile(file) as archive:
                if member in archive.namelist():
                    return archive.read(member)
    raise NotFound(f"no letter of candidate {candidate} for {wanted} at centre {number}")
