"""Bulk credential generation: streamed, on every core, resumable, with progress (CRW-10, CRW-13).

:func:`generate_letters` is the one entry point (the CLI and the benchmarks
call it).  How a run goes:

1. **Checks, storage untouched.**  The principal may generate for every
   centre asked (ASC-07); each centre passes
   :func:`~cambridge_results.rules.website.access.can_generate_credentials`
   (CRW-02 window, CRW-03 valid entry, CRW-06 mode, ASC-03 access, CRW-04
   contact); a SELECTED request names only the centre's own candidates who
   have access.  Every problem is reported at once.
2. **Planning pass** (read only): counts the letters, for progress, and checks
   that every name can be drawn before any credential is touched (CRW-09).
3. **Access is brought up to date**: credentials of candidates who lost
   access (an entry withdrawn, say) are revoked (CRW-03, CRW-06).
4. **Batches.**  The candidates are read a page at a time (keyset pages, one
   short unit of work each), never all at once.  For each batch the parent
   reserves usernames (unique index, clashes retried; CRW-12) and claims the
   rows for the run; a worker process draws the passwords, hashes them and
   renders the batch (:mod:`.workers`); the parent commits the hashes as
   *unprinted* (the candidate's old letter keeps working), and appends the
   batch to the run's files.  At most ``2 x workers`` batches are in flight.
5. **Printed.**  Once every file is ``fsync``\\ ed and renamed into place
   (:class:`~.output.LetterFiles`), one unit of work flips the run's
   credentials to *printed*: the new passwords replace the old ones.

A run that fails with an exception deletes its files and puts back what it
had changed (old letters stay current).  A run killed outright leaves its
claimed credentials *unprinted*; every later run for the centre regenerates
them, whatever its mode, so no password is lost and none is printed twice
(CRW-13).  The passwords of a killed run's letters never became valid.
"""

from __future__ import annotations

import collections
import concurrent.futures
import contextlib
import enum
import multiprocessing
import os
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any

import attrs
import pendulum

from cambridge_results.clock import Clock
from cambridge_results.credentials import Secret, new_username
from cambridge_results.decisions import Decision, Reason
from cambridge_results.errors import InvalidValue, RenderError
from cambridge_results.hashing import hasher_for
from cambridge_results.policy import Policy
from cambridge_results.principals import Principal
from cambridge_results.rendering import LetterRenderer, load_renderer
from cambridge_results.rendering.registry import renderer_target
from cambridge_results.rules.associates.permissions import Action
from cambridge_results.rules.website.access import can_generate_credentials, check_selection
from cambridge_results.serialization import structure
from cambridge_results.storage.port import Store
from cambridge_results.values import (
    Candidate,
    CandidateNumber,
    CentreNumber,
    Entry,
    EntryStatus,
    ExamSeries,
)
from cambridge_results.values.access import AccessMode
from cambridge_results.website.common import (
    PAGE,
    CentreSettings,
    candidate_numbers,
    candidate_pages,
    centre_subject,
    check_principal,
    event,
    load_settings,
    require,
    revoke_without_access,
)
from cambridge_results.website.output import LetterFiles
from cambridge_results.website.repositories import (
    CredentialRecord,
    CredentialState,
    WebsiteRepositories,
)
from cambridge_results.website.workers import (
    BatchJob,
    BatchResult,
    LetterSpec,
    init_worker,
    options_key,
    run_batch,
)

__all__ = [
    "DEFAULT_BATCH_SIZE",
    "GenerationMode",
    "GenerationProgress",
    "GenerationReport",
    "auto_batch_size",
    "generate_letters",
]

#: The largest batch the automatic choice makes (letters per worker task and per
#: rendered document): each batch pays once to parse and subset its fonts.
DEFAULT_BATCH_SIZE = 500
#: The smallest automatic batch, so tiny runs do not pay font costs per few letters.
MIN_AUTO_BATCH_SIZE = 25
#: Batches the automatic choice aims to give every worker, so no worker sits idle
#: while another finishes a long last batch.
BATCHES_PER_WORKER = 4
MAX_BATCH_SIZE = 10_000
_SEQUENCE = "website-generation-run"


class GenerationMode(enum.Enum):
    """Which candidates a run generates credentials and letters for (CRW-07, CRW-08, ASC-06).

    Every mode covers only candidates who have access, and every mode also
    regenerates the centre's *unprinted* credentials, left by an interrupted
    run (CRW-13).
    """

    #: Everyone with access: new passwords for all (old letters stop working).
    ALL = "all"
    #: The candidates named in ``selected``.
    SELECTED = "selected"
    #: Those with access but no working credential: never issued, or revoked (CRW-08).
    NEW = "new"
    #: Those whose printed letter no longer matches the effective settings (ASC-06).
    STALE = "stale"


@attrs.frozen(kw_only=True)
class GenerationProgress:
    """How far a run has got, reported after every batch is written (CRW-10)."""

    run: int
    done: int
    #: Letters the planning pass expects; concurrent changes may make it differ a little.
    total: int
    batches: int


@attrs.frozen(kw_only=True)
class GenerationReport:
    """What a finished run did.  ``run`` is ``None`` when there was nothing to generate."""

    run: int | None
    mode: GenerationMode
    centres: tuple[CentreNumber, ...]
    series: ExamSeries
    #: Letters written (one page in ``combined_pdfs`` and one file in ``zip_file`` each).
    letters: int
    #: Credentials that became printed: the letters whose passwords now work.
    printed: int
    #: Letters whose credential another run or a revocation took over while this run
    #: was going; their passwords never work (``letters - printed``).
    superseded: int
    #: Candidates who got their first username in this run.
    new_usernames: int
    #: Unprinted credentials of an interrupted run that this run regenerated (CRW-13).
    recovered: int
    #: Credentials revoked before generating, because their candidates lost access.
    revoked: int
    batches: int
    combined_pdfs: tuple[Path, ...]
    zip_file: Path | None


@attrs.frozen(kw_only=True)
class _Centre:
    """One centre of a run: its settings and what its letters show."""

    settings: CentreSettings
    fingerprint: str
    visible_from: pendulum.DateTime

    @property
    def number(self) -> CentreNumber:
        return self.settings.centre.number


@attrs.frozen(kw_only=True)
class _Target:
    centre: _Centre
    candidate: Candidate
    record: CredentialRecord | None


def _as_mode(mode: GenerationMode | str) -> GenerationMode:
    if isinstance(mode, GenerationMode):
        return mode
    try:
        return GenerationMode(mode)
    except ValueError:
        names = ", ".join(m.value for m in GenerationMode)
        raise InvalidValue("mode", f"{mode!r} is not one of {names}", rule="CRW-07") from None


def _as_centres(
    centre: CentreNumber | str | Iterable[CentreNumber | str],
) -> tuple[CentreNumber, ...]:
    raw = [centre] if isinstance(centre, CentreNumber | str) else list(centre)
    numbers = tuple(CentreNumber.parse(c) for c in raw)
    if not numbers:
        raise InvalidValue("centre", "name at least one centre")
    if len(set(numbers)) != len(numbers):
        raise InvalidValue("centre", "each centre may be named once")
    return numbers


def _positive(value: object, field: str, upper: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= upper:
        raise InvalidValue(field, f"must be a whole number from 1 to {upper}")
    return value


def auto_batch_size(total: int, workers: int) -> int:
    """Letters per batch for ``total`` letters on ``workers`` processes.

    Large batches share their fonts (each batch parses and subsets them once);
    enough batches keep every worker busy to the end.  Between
    :data:`MIN_AUTO_BATCH_SIZE` and :data:`DEFAULT_BATCH_SIZE`; with no worker
    processes (``0``) nothing runs side by side, so the largest.
    """
    if workers == 0:
        return DEFAULT_BATCH_SIZE
    share = -(-total // (BATCHES_PER_WORKER * workers))
    return max(MIN_AUTO_BATCH_SIZE, min(DEFAULT_BATCH_SIZE, share))


def _default_workers() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # pragma: no cover - not on Linux
        return os.cpu_count() or 1


def _one_valid_entry(store_uow: Any, centre: CentreNumber, series: ExamSeries) -> list[Entry]:
    where = {"centre": str(centre), "series": series.code, "status": EntryStatus.VALID.value}
    rows = store_uow.select("entries", where, limit=1)
    return [structure(r, Entry) for r in rows]


def _wanted(
    mode: GenerationMode,
    number: CandidateNumber,
    record: CredentialRecord | None,
    fingerprint: str,
    selected: frozenset[CandidateNumber],
) -> bool:
    if record is not None and record.state is CredentialState.UNPRINTED:
        return True  # CRW-13: an interrupted run's credential is always regenerated
    if mode is GenerationMode.ALL:
        return True
    if mode is GenerationMode.NEW:
        return record is None or record.state is CredentialState.REVOKED
    if mode is GenerationMode.STALE:
        return (
            record is not None
            and record.state is CredentialState.PRINTED
            and record.fingerprint != fingerprint
        )
    return number in selected


class _Run:
    """One call of :func:`generate_letters`, from checks to the printed flip."""

    def __init__(
        self,
        store: Store,
        *,
        principal: Principal,
        centres: tuple[CentreNumber, ...],
        series: ExamSeries,
        mode: GenerationMode,
        selected: frozenset[CandidateNumber],
        refused: tuple[Reason, ...],
        out_dir: Path,
        policy: Policy,
        clock: Clock,
        hasher_name: str | None,
        workers: int,
        batch_size: int | None,
        on_progress: Callable[[GenerationProgress], None] | None,
        renderer_name: str,
        renderer_options: tuple[tuple[str, Any], ...],
        letters_per_volume: int | None,
        usernames: Callable[[], str],
    ) -> None:
        self.store = store
        self.actor = str(principal)
        self.principal = principal
        self.centre_numbers = centres
        self.series = series
        self.mode = mode
        self.selected = selected
        self.refused = refused
        self.out_dir = out_dir
        self.policy = policy
        self.clock = clock
        self.hasher_name = hasher_name
        self.workers = workers
        #: As asked; ``None`` means auto_batch_size once the run is counted.
        self.batch_size = batch_size
        self.on_progress = on_progress
        self._renderer: LetterRenderer | None = None
        self.renderer_name = renderer_name
        self.renderer_options = renderer_options
        self.letters_per_volume = letters_per_volume
        self.usernames = usernames
        self.created = clock.now()
        self.run: int | None = None
        self.files: LetterFiles | None = None
        self.counts: collections.Counter[str] = collections.Counter()
        self._centres: tuple[_Centre, ...] = ()

    # -- 1. checks ----------------------------------------------------------

    def check(self) -> tuple[_Centre, ...]:
        now = self.clock.now()
        decisions: list[Decision] = [Decision(reasons=self.refused)]
        centres: list[_Centre] = []
        with self.store.unit_of_work(actor=self.actor, read_only=True) as uow:
            for number in self.centre_numbers:
                settings = load_settings(uow, number, self.series)
                require(self.principal, Action.GENERATE_CREDENTIALS, settings.centre)
                entries = _one_valid_entry(uow, number, self.series)
                decisions.append(
                    can_generate_credentials(self.policy, settings.effective, entries, now)
                )
                if self.mode is GenerationMode.SELECTED:
                    decisions.append(self._check_selected(uow, settings))
            combined = Decision.combine(decisions)
            combined.raise_if_refused()
            for number in self.centre_numbers:
                settings = load_settings(uow, number, self.series)
                centres.append(
                    _Centre(
                        settings=settings,
                        fingerprint=settings.fingerprint(self.policy),
                        visible_from=settings.visible_from(self.policy),
                    )
                )
        return tuple(centres)

    def _check_selected(self, uow: Any, settings: CentreSettings) -> Decision:
        repos = WebsiteRepositories(uow)
        centre = settings.centre.number
        reasons: list[Reason] = []
        chosen = sorted(self.selected)
        known = repos.eligibility.existing_among(centre, chosen)
        for number in chosen:
            if number not in known:
                reasons.append(
                    Reason(
                        code="CRW-07.not-a-candidate-of-this-centre",
                        message=f"candidate {number} is not a candidate of centre {centre}",
                    )
                )
        valid = repos.eligibility.valid_among(centre, self.series, known)
        decision = Decision.combine(
            [Decision(reasons=tuple(reasons)), check_selection(known, valid, self.series)]
        )
        if settings.effective.mode.value is AccessMode.SELECTED:
            ticked = repos.selections.ticked_among(centre, self.series, valid)
            missing = [
                Reason(
                    code="CRW-07.candidate-not-ticked",
                    message=f"candidate {n} is not ticked for {self.series}, so has no access",
                )
                for n in sorted(valid - ticked)
            ]
            decision = Decision.combine([decision, Decision(reasons=tuple(missing))])
        return decision

    # -- 2. access up to date ----------------------------------------------

    def sync(self, centres: Sequence[_Centre]) -> None:
        with self.store.unit_of_work(actor=self.actor) as uow:
            for c in centres:
                self.counts["revoked"] += revoke_without_access(
                    uow, c.settings, at=self.clock.now(), reason="lost-access"
                )

    # -- 3 and 4. the candidates, a page at a time ---------------------------

    def targets(self, centres: Sequence[_Centre]) -> Iterator[_Target]:
        for c in centres:
            after: CandidateNumber | None = None
            while True:
                with self.store.unit_of_work(actor=self.actor, read_only=True) as uow:
                    repos = WebsiteRepositories(uow)
                    page = repos.eligibility.page(c.number, self.series, after=after, limit=PAGE)
                    if not page:
                        break
                    after = page[-1]
                    ticked = (
                        repos.selections.ticked_among(c.number, self.series, page)
                        if c.settings.effective.mode.value is AccessMode.SELECTED
                        else frozenset()
                    )
                    allowed = c.settings.has_access(page, ticked)
                    records = repos.credentials.among(c.number, self.series, allowed)
                    wanted = [
                        n
                        for n in page
                        if n in allowed
                        and _wanted(self.mode, n, records.get(n), c.fingerprint, self.selected)
                    ]
                    people = candidate_pages(uow, c.number, self.series, wanted)
                # Yielded outside the unit of work: the consumer opens its own.
                for n in wanted:
                    yield _Target(centre=c, candidate=people[n], record=records.get(n))

    def spec(self, target: _Target, username: str) -> LetterSpec:
        c = target.centre
        contact = c.settings.effective.contact.value
        if contact is None:  # can_generate_credentials refused this already (CRW-04)
            raise InvalidValue("contact", "the letters need a contact", rule="CRW-04")
        return LetterSpec(
            centre=c.number,
            series=self.series,
            candidate_number=target.candidate.number,
            candidate_name=target.candidate.full_name,
            username=username,
            contact=contact,
            visible_from=c.visible_from,
            delay=c.settings.effective.delay.value,
            timezone=self.policy.timezone,
            centre_name=c.settings.centre.name,
        )

    def plan(self, centres: Sequence[_Centre]) -> int:
        """Count the letters and check every one can be drawn (CRW-09), touching nothing."""
        total = 0
        # A stand-in password: the check reads names only, and nothing is rendered.
        placeholder = Secret("")
        batch = []
        for target in self.targets(centres):
            total += 1
            batch.append(self.spec(target, "check-only").letter(placeholder))
            if len(batch) == PAGE:
                self.renderer.check(batch)
                batch = []
        if batch:
            self.renderer.check(batch)
        return total

    def batches(self, centres: Sequence[_Centre], size: int) -> Iterator[list[_Target]]:
        batch: list[_Target] = []
        for target in self.targets(centres):
            batch.append(target)
            if len(batch) == size:
                yield batch
                batch = []
        if batch:
            yield batch

    def claim(self, batch: Sequence[_Target]) -> BatchJob:
        """Reserve usernames and claim the batch's rows for this run, in one unit of work."""
        now = self.clock.now()
        specs = []
        with self.store.unit_of_work(actor=self.actor) as uow:
            repos = WebsiteRepositories(uow)
            if self.run is None:
                self.run = uow.next_number(_SEQUENCE)
                for number in self.centre_numbers:
                    event(
                        uow,
                        at=now,
                        kind="generation-started",
                        subject=centre_subject(number, self.series),
                        details={"run": self.run, "mode": self.mode.value},
                    )
            run = self.run
            # Read again, one query a centre: another run may have created or claimed
            # rows since the page was read.
            current: dict[CentreNumber, dict[CandidateNumber, CredentialRecord]] = {}
            for number in {t.centre.number for t in batch}:
                chosen = [t.candidate.number for t in batch if t.centre.number == number]
                current[number] = repos.credentials.among(number, self.series, chosen)
            by_centre: dict[CentreNumber, list[str]] = collections.defaultdict(list)
            for t in batch:
                candidate = t.candidate.number
                record = current[t.centre.number].get(candidate)
                if record is None:
                    record = repos.credentials.reserve(
                        t.centre.number,
                        self.series,
                        candidate,
                        run=run,
                        at=now,
                        usernames=self.usernames,
                    )
                    self.counts["new_usernames"] += 1
                else:
                    if record.state is CredentialState.UNPRINTED:
                        self.counts["recovered"] += 1
                    repos.credentials.claim(t.centre.number, self.series, candidate, run=run)
                by_centre[t.centre.number].append(str(candidate))
                specs.append(self.spec(t, record.username))
            for centre, numbers in by_centre.items():
                event(
                    uow,
                    at=now,
                    kind="credentials-claimed",
                    subject=centre_subject(centre, self.series),
                    details={"run": run, "candidates": numbers},
                )
        return BatchJob(
            letters=tuple(specs),
            credentials=self.policy.credentials,
            hasher=self.hasher_name,
            renderer=self.renderer_name,
            renderer_options=self.renderer_options,
            created=self.created,
        )

    def commit(self, job: BatchJob, result: BatchResult) -> None:
        """Store the batch's hashes as unprinted, then append its letters to the run's files."""
        if {len(result.hashes), len(result.file_names), len(result.singles)} != {len(job.letters)}:
            raise RenderError("a worker returned a batch unlike the one it was given")
        assert self.run is not None
        now = self.clock.now()
        fingerprints = {c.number: c.fingerprint for c in self._centres}
        with self.store.unit_of_work(actor=self.actor) as uow:
            repos = WebsiteRepositories(uow)
            by_centre: dict[CentreNumber, list[str]] = collections.defaultdict(list)
            for spec, password_hash in zip(job.letters, result.hashes, strict=True):
                issued = repos.credentials.issue(
                    spec.centre,
                    self.series,
                    spec.candidate_number,
                    run=self.run,
                    pending_hash=password_hash,
                    fingerprint=fingerprints[spec.centre],
                    at=now,
                )
                if issued:
                    by_centre[spec.centre].append(str(spec.candidate_number))
            for centre, numbers in by_centre.items():
                event(
                    uow,
                    at=now,
                    kind="credentials-issued",
                    subject=centre_subject(centre, self.series),
                    details={"run": self.run, "state": "unprinted", "candidates": numbers},
                )
        assert self.files is not None
        self.files.add(result.pdf, result.file_names, result.singles)

    def print_run(self, pdfs: tuple[Path, ...], zip_file: Path) -> None:
        """Flip the run's credentials to printed, now that its files are durable (CRW-13)."""
        assert self.run is not None
        now = self.clock.now()
        with self.store.unit_of_work(actor=self.actor) as uow:
            repos = WebsiteRepositories(uow)
            per_centre: collections.Counter[CentreNumber] = collections.Counter()
            while flipped := repos.credentials.print_run(self.run, at=now):
                for record in flipped:
                    per_centre[record.centre] += 1
            for number in self.centre_numbers:
                event(
                    uow,
                    at=now,
                    kind="letters-printed",
                    subject=centre_subject(number, self.series),
                    details={
                        "run": self.run,
                        "printed": per_centre[number],
                        "files": [p.name for p in (*pdfs, zip_file)],
                    },
                )
            self.counts["printed"] = sum(per_centre.values())

    def abandon(self) -> None:
        """After a failure: old letters become current again; nothing half-printed stays."""
        if self.run is None:
            return
        now = self.clock.now()
        with self.store.unit_of_work(actor=self.actor) as uow:
            repos = WebsiteRepositories(uow)
            undone = 0
            while chunk := repos.credentials.abandon_run(self.run):
                undone += len(chunk)
            for number in self.centre_numbers:
                event(
                    uow,
                    at=now,
                    kind="generation-abandoned",
                    subject=centre_subject(number, self.series),
                    details={"run": self.run, "undone": undone},
                )

    # -- the whole run ---------------------------------------------------------

    def _start_pool(self) -> concurrent.futures.ProcessPoolExecutor | None:
        """Start the worker processes now, so they start up and load fonts while this
        process plans the run."""
        if self.workers == 0:
            return None
        pool = concurrent.futures.ProcessPoolExecutor(
            max_workers=self.workers,
            mp_context=multiprocessing.get_context("spawn"),
            initializer=init_worker,
            initargs=(
                os.getpid(),
                0.5,
                self.renderer_name,
                self.renderer_options,
                self.policy.credentials,
                self.hasher_name,
            ),
        )
        for _ in range(self.workers):
            # Workers are started as tasks arrive; one trivial task each starts them all.
            pool.submit(os.getpid)
        return pool

    @property
    def renderer(self) -> LetterRenderer:
        """The letter renderer of this process, for the planning pass's font check."""
        if self._renderer is None:
            raise RenderError("the renderer is loaded when the run starts")
        return self._renderer

    def execute(self) -> GenerationReport:
        centres = self.check()
        self._centres = centres
        pool = self._start_pool()
        try:
            # Loaded here, after the workers were started, so that importing the
            # renderer (about half a second the first time) overlaps their own
            # start-up instead of delaying it.
            self._renderer = load_renderer(self.renderer_name, **dict(self.renderer_options))
            return self._execute(centres, pool)
        finally:
            if pool is not None:
                pool.shutdown(wait=True, cancel_futures=True)

    def _execute(
        self,
        centres: tuple[_Centre, ...],
        pool: concurrent.futures.ProcessPoolExecutor | None,
    ) -> GenerationReport:
        total = self.plan(centres)
        size = (
            self.batch_size if self.batch_size is not None else auto_batch_size(total, self.workers)
        )
        self.sync(centres)
        pdfs: tuple[Path, ...] = ()
        zip_file: Path | None = None
        done = 0
        batches = 0
        if total:
            self.out_dir.mkdir(parents=True, exist_ok=True)
            try:
                for result_count in self._pipeline(centres, total, pool, size):
                    done += result_count
                    batches += 1
                if self.files is not None and self.files.count:
                    pdfs, zip_file = self.files.commit()
                    self.print_run(pdfs, zip_file)
            except BaseException:
                if self.files is not None:
                    self.files.discard()
                # If undoing fails too, the run's rows stay unprinted, which the next
                # run regenerates (CRW-13); the first error is the one to report.
                with contextlib.suppress(Exception):
                    self.abandon()
                raise
        letters = self.files.count if self.files is not None else 0
        return GenerationReport(
            run=self.run,
            mode=self.mode,
            centres=self.centre_numbers,
            series=self.series,
            letters=letters,
            printed=self.counts["printed"],
            superseded=letters - self.counts["printed"],
            new_usernames=self.counts["new_usernames"],
            recovered=self.counts["recovered"],
            revoked=self.counts["revoked"],
            batches=batches,
            combined_pdfs=pdfs,
            zip_file=zip_file,
        )

    def _open_files(self) -> LetterFiles:
        assert self.run is not None
        if len(self.centre_numbers) == 1:
            stem = f"{self.centre_numbers[0]}_{self.series.code}_run{self.run:06d}"
        else:
            stem = f"{self.series.code}_run{self.run:06d}"
        return LetterFiles(
            self.out_dir,
            stem,
            created=self.created,
            letters_per_volume=self.letters_per_volume,
        )

    def _finish(self, job: BatchJob, result: BatchResult, done: int, total: int, n: int) -> None:
        if self.files is None:
            self.files = self._open_files()
        self.commit(job, result)
        if self.on_progress is not None:
            assert self.run is not None
            self.on_progress(
                GenerationProgress(run=self.run, done=done, total=max(total, done), batches=n)
            )

    def _pipeline(
        self,
        centres: Sequence[_Centre],
        total: int,
        pool: concurrent.futures.ProcessPoolExecutor | None,
        size: int,
    ) -> Iterator[int]:
        """Render batches (in workers, if any) and commit them in order; yield each size.

        With workers, at most ``2 x workers`` batches are in flight; without, each
        batch is rendered here and committed before the next is claimed.
        """
        done = 0
        n = 0
        in_flight: collections.deque[tuple[BatchJob, concurrent.futures.Future[BatchResult]]]
        in_flight = collections.deque()
        limit = 2 * self.workers if pool is not None else 1

        def finish_oldest() -> int:
            nonlocal done, n
            job, future = in_flight.popleft()
            done += len(job.letters)
            n += 1
            self._finish(job, future.result(), done, total, n)
            return len(job.letters)

        for batch in self.batches(centres, size):
            job = self.claim(batch)
            in_flight.append(
                (job, pool.submit(run_batch, job) if pool is not None else _run_here(job))
            )
            if len(in_flight) >= limit:
                yield finish_oldest()
        while in_flight:
            yield finish_oldest()


def _run_here(job: BatchJob) -> concurrent.futures.Future[BatchResult]:
    """``run_batch(job)`` in this process, as a finished future (errors raise at once)."""
    future: concurrent.futures.Future[BatchResult] = concurrent.futures.Future()
    future.set_result(run_batch(job))
    return future


def generate_letters(
    store: Store,
    *,
    principal: Principal,
    centre: CentreNumber | str | Iterable[CentreNumber | str],
    series: ExamSeries | str,
    mode: GenerationMode | str,
    out_dir: str | os.PathLike[str],
    policy: Policy,
    clock: Clock,
    selected: Iterable[CandidateNumber | str] | None = None,
    hasher_name: str | None = None,
    workers: int | None = None,
    batch_size: int | None = None,
    on_progress: Callable[[GenerationProgress], None] | None = None,
    renderer: str = "fpdf2",
    renderer_options: Mapping[str, Any] | None = None,
    letters_per_volume: int | None = None,
    usernames: Callable[[], str] = new_username,
) -> GenerationReport:
    """Generate credentials and their letters for one or more centres' candidates (CRW-07..13).

    ``centre`` is one centre or several (e.g. an Associate's Associate
    Centres); ``mode`` says which candidates (:class:`GenerationMode`);
    ``selected`` names them for SELECTED (one centre only).  Letters go to
    ``out_dir`` as ``<CENTRE>_<SERIES>_run<NNNNNN>.pdf`` (one page each, or
    ``..._vol001.pdf``, ... when ``letters_per_volume`` is set) and
    ``....zip`` (one PDF per candidate, named ``<CENTRE>_<SERIES>_<NUMBER>.pdf``).

    ``workers``: processes hashing and rendering (default: every core the
    process may use; ``0`` does everything in this process).  ``hasher_name``
    overrides the policy's hasher (``"test-cheap"`` only where the policy
    allows it).  ``batch_size``: letters per worker task and per rendered
    document (default: :func:`auto_batch_size`).  ``on_progress`` is called
    after each batch is written.  ``renderer`` and ``renderer_options`` choose the letter renderer
    (:func:`~cambridge_results.rendering.load_renderer`); with workers the
    options must be picklable.  ``usernames`` draws usernames (CRW-12; the
    store's unique index has the last word).

    Refusals (typed, citing the rule, storage unchanged): ``PermissionDenied``
    (ASC-07), ``AccessRefused`` / ``AssociateRefused`` listing every reason
    (CRW-02, CRW-03, CRW-04, CRW-06, CRW-07, ASC-03), ``UnrenderableText``
    (CRW-09), ``InvalidValue``, ``PolicyError`` (an unknown or disallowed
    hasher, CRW-12).
    """
    who = check_principal(principal)
    centres = _as_centres(centre)
    s = ExamSeries.parse(series)
    chosen_mode = _as_mode(mode)
    chosen: frozenset[CandidateNumber] = frozenset()
    refused: list[Reason] = []
    if chosen_mode is GenerationMode.SELECTED:
        if selected is None:
            raise InvalidValue("selected", "name the candidates to generate for", rule="CRW-07")
        if len(centres) != 1:
            raise InvalidValue("selected", "SELECTED works on one centre at a time", rule="CRW-07")
        numbers, refused = candidate_numbers(selected, centres[0])
        chosen = frozenset(numbers)
        if not chosen and not refused:
            raise InvalidValue("selected", "name at least one candidate", rule="CRW-07")
    elif selected is not None:
        raise InvalidValue("selected", "only a SELECTED run names candidates", rule="CRW-07")
    hasher_for(policy.credentials, hasher_name)  # PolicyError now, not in a worker
    worker_count = _default_workers() if workers is None else workers
    if isinstance(worker_count, bool) or not isinstance(worker_count, int) or worker_count < 0:
        raise InvalidValue("workers", "must be a whole number, 0 for no worker processes")
    if letters_per_volume is not None:
        _positive(letters_per_volume, "letters_per_volume", 10**9)
    options = options_key(renderer_options)
    renderer_target(renderer)  # an unknown name fails now; loading waits for the workers
    return _Run(
        store,
        principal=who,
        centres=centres,
        series=s,
        mode=chosen_mode,
        selected=chosen,
        refused=tuple(refused),
        out_dir=Path(out_dir),
        policy=policy,
        clock=clock,
        hasher_name=hasher_name,
        workers=worker_count,
        batch_size=None
        if batch_size is None
        else _positive(batch_size, "batch_size", MAX_BATCH_SIZE),
        on_progress=on_progress,
        renderer_name=renderer,
        renderer_options=options,
        letters_per_volume=letters_per_volume,
        usernames=usernames,
    ).execute()
