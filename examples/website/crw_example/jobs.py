"""Letter generation runs in the background, with progress a page can poll (CRW-10).

``Website.generate_letters`` runs to the end and calls ``on_progress`` after
every batch; the app starts it on a thread and keeps what it reports here,
so a page refreshing itself can show how far it has got.  Jobs live in
memory: a real app would keep them in its task queue.
"""

from __future__ import annotations

import secrets
import threading
from collections.abc import Callable
from pathlib import Path

import attrs

from cambridge_results import CambridgeResultsError
from cambridge_results.principals import Principal
from cambridge_results.website import GenerationProgress, GenerationReport, GenerationRequest

__all__ = ["Job", "Jobs"]


@attrs.define(kw_only=True)
class Job:
    """One generation run: who asked, how far it is, and what it wrote."""

    id: str
    owner: str
    title: str
    done: int = 0
    total: int = 0
    finished: bool = False
    report: GenerationReport | None = None
    error: str | None = None

    def files(self) -> tuple[Path, ...]:
        """The combined PDFs and the zip the run wrote, in that order."""
        if self.report is None:
            return ()
        extra = () if self.report.zip_file is None else (self.report.zip_file,)
        return (*self.report.combined_pdfs, *extra)


class Jobs:
    """The generation runs started by this app, by id."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._jobs: dict[str, Job] = {}

    def start(
        self,
        principal: Principal,
        title: str,
        generate: Callable[[Principal, GenerationRequest], GenerationReport],
        request: GenerationRequest,
    ) -> Job:
        """Run ``generate(principal, request)`` on a thread; the job to poll."""
        job = Job(id=secrets.token_urlsafe(12), owner=str(principal), title=title)
        with self._lock:
            self._jobs[job.id] = job

        def progress(p: GenerationProgress) -> None:
            job.done, job.total = p.done, p.total

        def run() -> None:
            try:
                job.report = generate(principal, attrs.evolve(request, on_progress=progress))
            except CambridgeResultsError as exc:
                job.error = str(exc)
            finally:
                job.finished = True

        threading.Thread(target=run, name=f"letters-{job.id}", daemon=True).start()
        return job

    def get(self, job_id: str, principal: Principal) -> Job | None:
        """The job, only for the principal who started it (letters are confidential, ASC-07)."""
        with self._lock:
            job = self._jobs.get(job_id)
        return job if job is not None and job.owner == str(principal) else None

    def latest(self, principal: Principal) -> list[Job]:
        """The principal's jobs, newest first."""
        with self._lock:
            jobs = [j for j in self._jobs.values() if j.owner == str(principal)]
        return jobs[::-1]
