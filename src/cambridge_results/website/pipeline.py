"""Bulk generation's batch pipeline: workers, rendering, files, progress (CRW-10, CRW-13).

How a run goes (:func:`generate`):

1. **Checks, storage untouched** (:func:`~.plan.plan_generation`).
2. **Planning pass** (read only): counts the letters, for progress, and checks
   that every name can be drawn before any credential is touched (CRW-09).
3. **Access is brought up to date**: credentials of candidates who lost
   access (an entry withdrawn, say) are revoked (CRW-03, CRW-06).
4. **Batches.**  For each batch the run claims its rows
   (:class:`~.bookkeeping.CredentialBook`); a worker process draws the
   passwords, hashes them and renders the batch (:mod:`.workers`); the run
   commits the hashes as *unprinted* and appends the batch to its files.  At
   most ``2 x workers`` batches are in flight.  The workers are a process
   pool (:class:`~.worker_pool.WorkerPool`) that the board keeps for all its
   runs or, for a website built without one, that the run starts and stops;
   or any ``concurrent.futures.Executor`` the website was given (a Dask
   cluster's, docs/scaling.md), which the run uses and leaves running.
5. **Published.**  Every file is ``fsync``\\ ed under its temporary name
   (:class:`~cambridge_results.rendering.letter_output.LetterFiles`); one
   transaction marks the run's credentials *printed* and records the files
   as published; then they are renamed into place and put in the letter
   store (:mod:`.publication`).

A run holds its centres' leases from before its first batch to the end, so
runs for one centre take turns; it starts by finishing what dead runs left
(:func:`~.publication.recover`).  A run that fails before it printed deletes
its files and puts back what it had changed (old letters stay current).  A
run killed before it printed leaves its claimed credentials *unprinted*;
every later run for the centre regenerates them, whatever its mode, so no
password is lost and none is printed twice; one killed after it printed is
rolled forward (CRW-13).  Hashing and rendering happen outside every write transaction.
"""

from __future__ import annotations

import collections
import concurrent.futures
import contextlib
import logging
import os
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import Any

import attrs
import pendulum

from cambridge_results.context import Context
from cambridge_results.credentials import new_username
from cambridge_results.errors import InvalidValue, RenderError
from cambridge_results.principals import Principal
from cambridge_results.rendering.letter_output import LetterFiles
from cambridge_results.rendering.registry import load_renderer
from cambridge_results.website.bookkeeping import CredentialBook
from cambridge_results.website.generation import (
    GenerationProgress,
    GenerationReport,
    GenerationRequest,
    auto_batch_sizes,
)
from cambridge_results.website.letter_files import DirectoryLetterStore, LetterStore
from cambridge_results.website.plan import GenerationPlan, plan_generation
from cambridge_results.website.publication import pause_point, put_files, recover
from cambridge_results.website.worker_pool import WorkerPool
from cambridge_results.website.workers import (
    BatchJob,
    BatchResult,
    LetterSpec,
    run_batch,
)

__all__ = ["RunOptions", "default_workers", "generate", "letter_store"]

_log = logging.getLogger("cambridge_results.website.generation")


def default_workers() -> int:
    """Every core this process may use."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # pragma: no cover - not on Linux
        return os.cpu_count() or 1


@attrs.frozen(kw_only=True)
class RunOptions:
    """How runs hash and render: the same for every run of one website object."""

    hasher_name: str | None
    workers: int
    renderer: str
    renderer_options: tuple[tuple[str, Any], ...]
    usernames: Callable[[], str] = new_username
    #: Where letters go when a request names no ``out_dir`` (the app's choice, CRW-10).
    letters: LetterStore | None = None
    #: Runs the batches instead of a process pool of ``workers`` (docs/scaling.md); the
    #: caller owns it (starts and shuts it down); ``workers`` is then its worker slots.
    executor: concurrent.futures.Executor | None = None


def letter_store(request: GenerationRequest, options: RunOptions) -> LetterStore:
    """The request's ``out_dir`` as a directory store, else the website's letter store."""
    if request.out_dir is not None:
        return DirectoryLetterStore(request.out_dir)
    if options.letters is None:
        raise InvalidValue(
            "out_dir", "name a directory, or give the website a letter store", rule="CRW-10"
        )
    return options.letters


def _start_pool(
    context: Context, options: RunOptions
) -> tuple[concurrent.futures.Executor | None, WorkerPool | None]:
    """What runs the run's batches, and the pool the run started (to shut down at its
    end), if it started one.  A board's kept :class:`WorkerPool` is started (or, if a
    worker of it died, replaced) now; a caller's executor is used as it is; else the
    run starts a pool of its own now, so its workers start up and load fonts while
    this process plans the run."""
    if isinstance(options.executor, WorkerPool):
        options.executor.start()
        return options.executor, None
    if options.executor is not None:
        # Its workers load the renderer and hasher with their first batch (run_batch),
        # and log where they run: nothing but batches and results crosses the network.
        return options.executor, None
    if options.workers == 0:
        return None, None
    own = WorkerPool(
        options.workers,
        credentials=context.policy.credentials,
        hasher_name=options.hasher_name,
        renderer=options.renderer,
        renderer_options=options.renderer_options,
    )
    own.start()
    return own, own


def _run_here(job: BatchJob) -> concurrent.futures.Future[BatchResult]:
    """``run_batch(job)`` in this process, as a finished future (errors raise at once)."""
    future: concurrent.futures.Future[BatchResult] = concurrent.futures.Future()
    future.set_result(run_batch(job))
    return future


@attrs.define
class _Pipeline:
    """One run's batches: claimed, rendered (in workers, if any), committed in order."""

    plan: GenerationPlan
    request: GenerationRequest
    options: RunOptions
    book: CredentialBook
    pool: concurrent.futures.Executor | None
    created: pendulum.DateTime
    out_dir: Path
    files: LetterFiles | None = None
    done: int = 0
    batches: int = 0

    def job(self, letters: Sequence[LetterSpec]) -> BatchJob:
        # The files are opened with the first claimed batch (the run has its number),
        # so each batch gets its place in the combined PDF before a worker renders it.
        if self.files is None:
            self.files = self.open_files()
        return BatchJob(
            letters=tuple(letters),
            credentials=self.plan.context.policy.credentials,
            hasher=self.options.hasher_name,
            renderer=self.options.renderer,
            renderer_options=self.options.renderer_options,
            created=self.created,
            pdf_slot=self.files.reserve(len(letters)),
        )

    def run(self, total: int, sizes: Iterable[int]) -> None:
        """Render and commit every batch, in order.

        With workers, at most ``2 x workers`` batches are in flight; without, each
        batch is rendered here and committed before the next is claimed.
        """
        in_flight: collections.deque[tuple[BatchJob, concurrent.futures.Future[BatchResult]]]
        in_flight = collections.deque()
        limit = 2 * max(self.options.workers, 1) if self.pool is not None else 1
        try:
            for batch in self.plan.batches(sizes):
                job = self.job(self.book.claim(batch))
                future = (
                    self.pool.submit(run_batch, job) if self.pool is not None else _run_here(job)
                )
                in_flight.append((job, future))
                if len(in_flight) >= limit:
                    self.finish(*in_flight.popleft(), total)
            while in_flight:
                self.finish(*in_flight.popleft(), total)
        except BaseException:
            # A caller's executor outlives the run: its batches still queued are of no use.
            for _, future in in_flight:
                future.cancel()
            raise

    def finish(
        self, job: BatchJob, future: concurrent.futures.Future[BatchResult], total: int
    ) -> None:
        result = future.result()
        self.done += len(job.letters)
        self.batches += 1
        if {len(result.file_names), len(result.singles)} != {len(job.letters)}:
            raise RenderError("a worker returned a batch unlike the one it was given")
        self.book.commit(job.letters, result.hashes)
        assert self.files is not None  # opened by job()
        self.files.add(
            result.pdf,
            result.file_names,
            result.singles,
            slot=job.pdf_slot,
            prepared=result.prepared,
        )
        run = self.book.run
        if self.request.on_progress is not None and run is not None:
            self.request.on_progress(
                GenerationProgress(
                    run=run, done=self.done, total=max(total, self.done), batches=self.batches
                )
            )

    def open_files(self) -> LetterFiles:
        run = self.book.run
        series = self.plan.series.code
        if len(self.plan.numbers) == 1:
            stem = f"{self.plan.numbers[0]}_{series}_run{run:06d}"
        else:
            stem = f"{series}_run{run:06d}"
        return LetterFiles(
            pdf=self.out_dir / f"{stem}.pdf",
            zip=self.out_dir / f"{stem}.zip",
            created=self.created,
            letters_per_volume=self.request.letters_per_volume,
        )


def generate(
    context: Context, principal: Principal, request: GenerationRequest, options: RunOptions
) -> GenerationReport:
    """Run ``request`` for ``principal`` from checks to the printed flip (see the module)."""
    store = letter_store(request, options)
    plan = plan_generation(context, principal, request)
    _log.info(
        "generating %s letters for %s, %s, as %s",
        plan.mode.value,
        ", ".join(str(n) for n in plan.numbers),
        plan.series,
        principal,
    )
    pool, own = _start_pool(context, options)
    try:
        # Loaded here, after the workers were started, so that importing the
        # renderer (about half a second the first time) overlaps their own
        # start-up instead of delaying it.
        renderer = load_renderer(options.renderer, **dict(options.renderer_options))
        total = plan.count(renderer)
        # A caller's batch size is one size, which plan.batches repeats to the end.
        sizes: Iterable[int] = (
            (request.batch_size,)
            if request.batch_size
            else auto_batch_sizes(total, options.workers)
        )
        _log.debug("%d letters to generate", total)
        # The request is good (the planning pass drew every name): finish what dead
        # runs left in the letter store before anything else (CRW-13).
        recover(context, store, actor=plan.actor, tidy=bool(total))
        revoked = plan.sync()
        book = CredentialBook(plan, usernames=options.usernames)
        out_dir = store.staging() if total else Path()
        pipeline = _Pipeline(plan, request, options, book, pool, context.now(), out_dir)
        pdfs: tuple[Path, ...] = ()
        zips: tuple[Path, ...] = ()
        if total:
            pdfs, zips = _publish(context, store, pipeline, total, sizes)
    finally:
        if own is not None:
            own.shutdown(wait=True, cancel_futures=True)
    letters = pipeline.files.count if pipeline.files is not None else 0
    _log.info("run %s wrote %d letters (%d revoked)", book.run, letters, revoked)
    return GenerationReport(
        run=book.run,
        mode=plan.mode,
        centres=plan.numbers,
        series=plan.series,
        letters=letters,
        printed=book.counts["printed"],
        superseded=letters - book.counts["printed"],
        new_usernames=book.counts["new_usernames"],
        recovered=book.counts["recovered"],
        revoked=revoked,
        batches=pipeline.batches,
        combined_pdfs=pdfs,
        zip_file=zips[0] if zips else None,
        zip_files=zips,
    )


def _publish(
    context: Context, store: LetterStore, pipeline: _Pipeline, total: int, sizes: Iterable[int]
) -> tuple[tuple[Path, ...], tuple[Path, ...]]:
    """Take the lease, run the batches and publish the files (CRW-13).

    The letters become visible under their final names only after the
    transaction that marks their credentials printed and records them as
    published (:mod:`.publication`).  Before that, a failure deletes the
    files and puts the credentials back; after it, the files are the only
    copy of the passwords, so a failure leaves them for recovery to finish.
    """
    book = pipeline.book
    printed = False
    try:
        book.start()
        pipeline.run(total, sizes)
        files = pipeline.files
        if files is None or not files.count:
            if files is not None:
                files.discard()
            book.release()
            return (), ()
        synced = files.sync()
        pause_point("synced")
        book.print_run(synced)
        printed = True
        pause_point("printed")
        put_files(store, synced)
        book.finish(synced)
        return files.pdfs, files.zips
    except BaseException as exc:
        if printed:
            _log.info("run %s failed after printing (%s); recovery finishes it", book.run, exc)
            with contextlib.suppress(Exception):
                book.release()
            raise
        _log.info("run %s failed (%s); undoing it", book.run, type(exc).__name__)
        if pipeline.files is not None:
            pipeline.files.discard()
        # If undoing fails too, the run's rows stay unprinted, which the next
        # run regenerates (CRW-13); the first error is the one to report.
        with contextlib.suppress(Exception):
            book.abandon()
        raise
