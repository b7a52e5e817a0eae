"""The process pool that hashes and renders a website's letters (CRW-10, CRW-13).

:class:`WorkerPool` is a ``concurrent.futures.Executor`` over spawned worker
processes that run :func:`~.workers.init_worker` (the renderer's fonts and the
hasher loaded once, a watchdog that ends the worker when this process dies,
their log records brought back to this process's loggers).  A run that was
given no executor starts one and shuts it down at its end; a board
(:func:`cambridge_results.board.open_board`) keeps one for all its runs, so a
worker's start-up (about half a second of a core, mostly importing fpdf2) is
paid once, not once a run, and a run's first batches find the workers ready
(docs/performance.md).  Nothing a run leaves behind lives in a kept worker
but the renderer, the hasher and their bounded caches.

A pool a worker died in (killed, say) is *broken*: the run it served fails as
it would have with a pool of its own (nothing is printed; the next run
regenerates what it claimed, CRW-13), and :meth:`WorkerPool.start`, called at
the start of every run, replaces it with a new one.
"""

from __future__ import annotations

import concurrent.futures
import logging
import logging.handlers
import multiprocessing
import os
import threading
from collections.abc import Callable
from concurrent.futures.process import BrokenProcessPool
from typing import Any, ParamSpec, TypeVar

from cambridge_results.policy import CredentialPolicy
from cambridge_results.website.workers import init_worker

__all__ = ["WorkerPool"]

_log = logging.getLogger("cambridge_results.website.generation")
_LIBRARY = "cambridge_results"

_P = ParamSpec("_P")
_T = TypeVar("_T")


def _library_level() -> int:
    """The level of the library's logger, which a run's workers log at."""
    return logging.getLogger(_LIBRARY).getEffectiveLevel()


class _ToOwnLogger(logging.Handler):
    """Hands a worker's record to this process's logger of the same name."""

    def emit(self, record: logging.LogRecord) -> None:
        logger = logging.getLogger(record.name)
        if logger.isEnabledFor(record.levelno):
            logger.handle(record)


class WorkerPool(concurrent.futures.Executor):
    """``workers`` spawned processes that hash and render batches, started on first use.

    ``credentials``, ``hasher_name``, ``renderer`` and ``renderer_options`` are what
    the workers load when they start (the run's own, so the first batch waits for
    nothing).  The workers log at the level of the library's ``cambridge_results``
    logger when a run starts: if it changed since they started, :meth:`start` starts
    new ones.  :meth:`shutdown` ends them; the pool cannot be used afterwards.
    """

    def __init__(
        self,
        workers: int,
        *,
        credentials: CredentialPolicy,
        hasher_name: str | None,
        renderer: str,
        renderer_options: tuple[tuple[str, Any], ...] = (),
    ) -> None:
        if isinstance(workers, bool) or not isinstance(workers, int) or workers < 1:
            raise ValueError("a worker pool needs at least one worker")
        self.workers = workers
        self._initargs = (credentials, hasher_name, renderer, renderer_options)
        self._lock = threading.Lock()
        self._pool: concurrent.futures.ProcessPoolExecutor | None = None
        self._listener: logging.handlers.QueueListener | None = None
        self._level = logging.NOTSET
        self._closed = False

    def start(self) -> None:
        """Have the workers running: start them (they then load fonts while the caller
        plans), or replace the pool if a worker of it died since the last run or the
        library's log level is not the one they were started with."""
        with self._lock:
            if self._closed:
                raise RuntimeError("the worker pool was shut down")
            if self._pool is not None:
                try:
                    self._pool.submit(os.getpid)
                except BrokenProcessPool:
                    _log.warning("a worker process died; starting new ones")
                    self._stop(wait=False, cancel_futures=True)
                else:
                    if self._level == _library_level():
                        return
                    # A worker's records are filtered by its own logger, set when it
                    # started: new workers are the way to give the run the level asked for.
                    _log.debug("the library's log level changed; starting new workers")
                    self._stop(wait=True, cancel_futures=False)
            self._begin()

    def _begin(self) -> None:
        credentials, hasher_name, renderer, renderer_options = self._initargs
        self._level = _library_level()
        mp_context = multiprocessing.get_context("spawn")
        log_queue = mp_context.Queue()
        self._listener = logging.handlers.QueueListener(log_queue, _ToOwnLogger())
        self._listener.start()
        self._pool = concurrent.futures.ProcessPoolExecutor(
            max_workers=self.workers,
            mp_context=mp_context,
            initializer=init_worker,
            initargs=(
                os.getpid(),
                0.5,
                renderer,
                renderer_options,
                credentials,
                hasher_name,
                log_queue,
                self._level,
            ),
        )
        for _ in range(self.workers):
            # Workers are started as tasks arrive; one trivial task each starts them all.
            self._pool.submit(os.getpid)
        _log.debug("started %d worker processes", self.workers)

    def submit(
        self, fn: Callable[_P, _T], /, *args: _P.args, **kwargs: _P.kwargs
    ) -> concurrent.futures.Future[_T]:
        """Run ``fn(*args, **kwargs)`` in a worker (``BrokenProcessPool`` if one died)."""
        if self._pool is None:
            self.start()
        assert self._pool is not None
        return self._pool.submit(fn, *args, **kwargs)

    def shutdown(self, wait: bool = True, *, cancel_futures: bool = False) -> None:
        """End the workers (once they finish what they run); idempotent."""
        with self._lock:
            self._closed = True
            self._stop(wait=wait, cancel_futures=cancel_futures)

    def _stop(self, *, wait: bool, cancel_futures: bool) -> None:
        pool, listener = self._pool, self._listener
        self._pool = self._listener = None
        if pool is not None:
            pool.shutdown(wait=wait, cancel_futures=cancel_futures)
        if listener is not None:
            listener.stop()

    def __repr__(self) -> str:
        state = "shut down" if self._closed else "running" if self._pool else "not started"
        return f"WorkerPool({self.workers} workers, {state})"
