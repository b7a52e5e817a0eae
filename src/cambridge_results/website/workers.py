"""The part of bulk generation that runs in worker processes (CRW-10, CRW-12, CRW-13).

A worker receives a batch of :class:`LetterSpec` (everything a letter shows
except the password), draws a password per letter with :mod:`secrets`,
hashes it, renders the whole batch as one PDF and splits it into one PDF
per letter.  It returns the hashes and the PDFs: the plaintext passwords
exist only inside the worker and on the letters, never in the parent
process's objects, a pickle or an exception (``Secret`` cannot be pickled).

Workers keep their renderer (fonts read once) and hasher between batches,
loaded by the first batch that needs them (per thread, since a renderer is
not shared between threads), so :func:`run_batch` runs on any
``concurrent.futures.Executor``, a Dask cluster's included, with no
initializer.  The default process pool also runs :func:`init_worker`, which
loads them early and ends the worker when the process that started it dies,
so killing a generation run leaves no orphans behind.
"""

from __future__ import annotations

import atexit
import contextlib
import gc
import logging
import logging.handlers
import multiprocessing
import os
import platform
import secrets
import signal
import sys
import threading
import time
from collections.abc import Mapping
from typing import Any

import attrs
import pendulum

from cambridge_results.credentials import Secret, new_password
from cambridge_results.hashing import Argon2idHasher, PasswordHasher, hasher_for
from cambridge_results.policy import CredentialPolicy
from cambridge_results.rendering.letter_output import PdfSlot
from cambridge_results.rendering.pdf_split import PreparedPages, split_for_zip
from cambridge_results.rendering.protocol import LetterData, LetterRenderer
from cambridge_results.rendering.registry import load_renderer
from cambridge_results.rendering.zip_entries import Deflated
from cambridge_results.values import (
    CandidateNumber,
    CentreNumber,
    ContactDetails,
    Delay,
    ExamSeries,
)

__all__ = [
    "BatchJob",
    "BatchResult",
    "LetterSpec",
    "init_worker",
    "malloc_warning",
    "run_batch",
]

_log = logging.getLogger("cambridge_results.website.workers")


@attrs.frozen(kw_only=True)
class LetterSpec:
    """One letter without its password: safe to pickle and send to a worker."""

    centre: CentreNumber
    series: ExamSeries
    candidate_number: CandidateNumber
    candidate_name: str
    username: str
    contact: ContactDetails
    visible_from: pendulum.DateTime
    delay: Delay
    timezone: str
    centre_name: str | None

    def letter(self, password: Secret) -> LetterData:
        """The letter with ``password`` on it."""
        return LetterData(
            centre=self.centre,
            series=self.series,
            candidate_number=self.candidate_number,
            candidate_name=self.candidate_name,
            username=self.username,
            password=password,
            contact=self.contact,
            visible_from=self.visible_from,
            delay=self.delay,
            timezone=self.timezone,
            centre_name=self.centre_name,
        )


@attrs.frozen(kw_only=True)
class BatchJob:
    """A batch of letters to generate, with what the worker needs to do it."""

    letters: tuple[LetterSpec, ...]
    credentials: CredentialPolicy
    hasher: str | None
    renderer: str
    renderer_options: tuple[tuple[str, Any], ...]
    created: pendulum.DateTime
    #: The batch's place in the combined PDF, if the run writes one: the worker prepares
    #: its pages for it, so the parent only appends them.
    pdf_slot: PdfSlot | None = None
    #: Makes every job unlike every other, so an executor that caches results by their
    #: arguments (Dask's ``pure`` tasks) never hands one run's passwords to another.
    nonce: str = attrs.field(factory=lambda: secrets.token_hex(16), repr=False)


@attrs.frozen(kw_only=True)
class BatchResult:
    """A rendered batch: per letter, in order, a hash, a zip entry name and a one-page PDF
    deflated for the zip; the whole batch as one PDF, and its pages prepared for the job's
    slot in the combined file (``None`` without a slot, or if they did not fit it)."""

    hashes: tuple[str, ...] = attrs.field(repr=False)
    file_names: tuple[str, ...]
    pdf: bytes = attrs.field(repr=False)
    singles: tuple[Deflated, ...] = attrs.field(repr=False)
    prepared: PreparedPages | None = attrs.field(default=None, repr=False)


class _Loaded(threading.local):
    """This thread's renderers and hashers, by what they were loaded from."""

    def __init__(self) -> None:
        self.renderers: dict[str, LetterRenderer] = {}
        self.hashers: dict[str, PasswordHasher] = {}


_loaded = _Loaded()


def _renderer(name: str, options: tuple[tuple[str, Any], ...]) -> LetterRenderer:
    key = repr((name, options))
    found = _loaded.renderers.get(key)
    if found is None:
        found = load_renderer(name, **dict(options))
        _loaded.renderers[key] = found
    return found


def _hasher(policy: CredentialPolicy, name: str | None) -> PasswordHasher:
    key = repr((policy, name))
    found = _loaded.hashers.get(key)
    if found is None:
        found = hasher_for(policy, name)
        _loaded.hashers[key] = found
        warning = malloc_warning(os.environ, found)
        if warning is not None:
            _log.warning("process %d: %s", os.getpid(), warning)
    return found


#: glibc's malloc settings any one of which, set in the environment, turns off its
#: adaptive mmap threshold (mallopt(3)); so does the same through GLIBC_TUNABLES.
_FIXED_MALLOC = (
    "MALLOC_TRIM_THRESHOLD_",
    "MALLOC_TOP_PAD_",
    "MALLOC_MMAP_THRESHOLD_",
    "MALLOC_MMAP_MAX_",
)
_FIXED_TUNABLES = ("trim_threshold", "top_pad", "mmap_threshold", "mmap_max")
#: The largest block glibc's adaptive threshold keeps out of mmap on 64-bit systems.
_ADAPTIVE_MMAP_MAX_KIB = 32 * 1024
#: Blocks from this size up are mapped afresh while the threshold has not adapted.
_FIRST_MMAP_KIB = 128


def malloc_warning(environ: Mapping[str, str], hasher: PasswordHasher) -> str | None:
    """What to tell the operator if ``environ`` makes ``hasher`` slow on glibc, else None.

    Setting any of glibc's malloc thresholds (Dask's nanny sets
    ``MALLOC_TRIM_THRESHOLD_`` in every worker's environment by default) turns
    off glibc's adaptive mmap threshold, so an argon2id hash whose memory lies
    between 128 KiB and 32 MiB (19 MiB at the ASVS floor) is mapped and faulted
    in afresh every time: half as long again a hash, measured (docs/scaling.md).
    """
    if not isinstance(hasher, Argon2idHasher):
        return None
    if not _FIRST_MMAP_KIB <= hasher.memory_kib <= _ADAPTIVE_MMAP_MAX_KIB:
        return None
    fixed = [name for name in _FIXED_MALLOC if name in environ]
    tunables = environ.get("GLIBC_TUNABLES", "")
    if any(f"glibc.malloc.{name}=" in tunables for name in _FIXED_TUNABLES):
        fixed.append(f"GLIBC_TUNABLES={tunables}")
    if not fixed or platform.libc_ver()[0] != "glibc":
        return None
    return (
        f"{', '.join(fixed)} in this process's environment turns off glibc's adaptive "
        "mmap threshold, so every argon2id hash maps and faults in its "
        f"{hasher.memory_kib} KiB afresh (about half as long again a hash); unset it "
        "where the workers start (Dask: distributed.nanny.pre-spawn-environ, "
        "docs/scaling.md)"
    )


def run_batch(job: BatchJob) -> BatchResult:
    """Draw, hash and print a password for every letter of the batch (CRW-12, CRW-13).

    Needs nothing from an initializer: the renderer and hasher are loaded on
    the first call in each thread and kept for the next.
    """
    hasher = _hasher(job.credentials, job.hasher)
    renderer = _renderer(job.renderer, job.renderer_options)
    letters: list[LetterData] = []
    hashes: list[str] = []
    for spec in job.letters:
        password = new_password(job.credentials.password_length)
        hashes.append(hasher.hash(password.reveal()))
        letters.append(spec.letter(password))
    _log.debug("process %d hashed %d passwords", os.getpid(), len(hashes))
    pdf = renderer.render(letters, created=job.created)
    # Splitting, deflating the singles for the zip and preparing the combined PDF's
    # objects here, from one reading of the batch, keeps the parent's share of the work
    # small: it only appends bytes.
    slot = job.pdf_slot
    if slot is None:
        singles, prepared = split_for_zip(pdf)
    else:
        singles, prepared = split_for_zip(pdf, slot.first, slot.room, with_info=slot.with_info)
    return BatchResult(
        hashes=tuple(hashes),
        file_names=tuple(x.file_name for x in letters),
        pdf=pdf,
        singles=tuple(singles),
        prepared=prepared,
    )


def _watch_parent(parent: int, interval: float) -> None:
    while True:
        time.sleep(interval)
        if os.getppid() != parent:
            # The parent died (killed, perhaps): nobody will read our results.
            os._exit(1)


def _exit_at_once(log_queue: Any) -> None:
    """Run at this worker's exit: send what is logged, flush, and end the process without
    tearing its heap down object by object (the renderer's fonts: about 0.3 s a worker,
    which a run waited for when it shut its pool down)."""
    if log_queue is not None:
        log_queue.close()
        log_queue.join_thread()
    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(Exception):
            stream.flush()
    os._exit(0)


def init_worker(
    parent: int,
    interval: float = 0.5,
    renderer: str | None = None,
    renderer_options: tuple[tuple[str, Any], ...] = (),
    credentials: CredentialPolicy | None = None,
    hasher: str | None = None,
    log_queue: Any = None,
    log_level: int = logging.WARNING,
) -> None:
    """Start a watchdog that ends this worker when process ``parent`` is gone; then load
    the renderer and hasher the run's batches will use, while the parent still plans.

    With a ``log_queue``, the worker's ``cambridge_results`` records at ``log_level``
    and above go onto it for the parent to hand to its own loggers (docs/logging.md).
    """
    if log_queue is not None:
        library = logging.getLogger("cambridge_results")
        library.handlers[:] = [logging.handlers.QueueHandler(log_queue)]
        library.setLevel(log_level)
        library.propagate = False
    _log.debug("worker process %d started for parent %d", os.getpid(), parent)
    # Ctrl-C reaches the whole process group: the parent stops the run and undoes it;
    # a worker ends with it (the watchdog) instead of printing its own traceback.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    threading.Thread(
        target=_watch_parent, args=(parent, interval), name="parent-watchdog", daemon=True
    ).start()
    if renderer is not None:
        _renderer(renderer, renderer_options)
    if credentials is not None:
        _hasher(credentials, hasher)
    if multiprocessing.parent_process() is not None:
        # Only in a worker process.  Registered last, so it runs first at exit; the pool
        # ends its workers only when it has every result, and the watchdog's exit skips it.
        atexit.register(_exit_at_once, log_queue)
        _settle_heap()


def _settle_heap() -> None:
    """In a worker of the run's own pool, freeze what lives as long as the worker
    (modules, the renderer's fonts, the hasher: about 75,000 objects) out of the
    garbage collector's reach.  Rendering a batch allocates hundreds of thousands of
    objects, so the collector runs often, and each collection of the oldest
    generation walked all of those long-lived objects again (about 0.07 ms a letter,
    docs/performance.md).  Memory is unchanged: nothing frozen would have been freed.

    Only here: this process is ours.  A caller's executor (Dask) keeps its own
    settings, and the process that starts a run is never changed.  No collection
    first: it would cost about 35 ms a worker to free a few dozen objects left over
    from imports.  (Collecting the young generation less often as well saved a little
    more CPU but kept about 12 MiB more a worker.)
    """
    gc.freeze()


def options_key(options: Mapping[str, Any] | None) -> tuple[tuple[str, Any], ...]:
    """Renderer options as a sorted tuple, the form a :class:`BatchJob` carries."""
    return tuple(sorted((options or {}).items()))
