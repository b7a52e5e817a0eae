"""A generation run's credentials in the store: start, claim, commit, print (CRW-12, CRW-13).

Each step is one short write through :meth:`Context.write
<cambridge_results.context.Context.write>` (retried from the start when a
concurrent writer wins, so each ``work`` only returns what it did and the
run's counters change after it succeeded):

* **start**: take the run's number and its centres' leases (runs for one
  centre take turns; :mod:`.publication`), waiting while another run holds one;
* **claim**: with the batch's centres locked (two runs for one centre take
  turns here, so both cannot see a candidate without a credential and both
  reserve one), reserve usernames (unique index, clashes retried; CRW-12)
  and mark the rows as this run's;
* **commit**: store a batch's hashes as *unprinted* (the old letter keeps
  working) with a compare-and-set on the run, so a row another run took
  over is left alone;
* **print**: once the files are synced under their temporary names, flip
  the run's rows to *printed* and record its files as published, in one
  transaction (so recovery can finish the rename if the run dies);
* **finish**: the files are in place: mark them stored, give the lease back;
* **abandon**: after a failure, put back what the run changed.

Every write after start renews the lease with a compare-and-set, so a run
whose lease another run took over stops there (:class:`GenerationInProgress`).
"""

from __future__ import annotations

import collections
import logging
from collections.abc import Callable, Sequence

import attrs
import pendulum

from cambridge_results.credentials import new_username
from cambridge_results.errors import RenderError
from cambridge_results.rendering.letter_output import LetterFile
from cambridge_results.storage.port import UnitOfWork
from cambridge_results.values import CandidateNumber, CentreNumber
from cambridge_results.website.common import centre_subject, event
from cambridge_results.website.credential_repository import CredentialState
from cambridge_results.website.plan import GenerationPlan, Target
from cambridge_results.website.publication import (
    LEASE_WAIT_SECONDS,
    holder_identity,
    mark_stored,
    record_files,
    release_lease,
    renew_lease,
    take_lease,
    wait_for_lease,
)
from cambridge_results.website.repositories import WebsiteRepositories
from cambridge_results.website.workers import LetterSpec

__all__ = ["CredentialBook"]

_SEQUENCE = "website-generation-run"
_log = logging.getLogger("cambridge_results.website.generation")


@attrs.define
class CredentialBook:
    """The store side of one run: its number and what it did to credentials."""

    plan: GenerationPlan
    usernames: Callable[[], str] = new_username
    run: int | None = None
    counts: collections.Counter[str] = attrs.field(factory=collections.Counter)
    holder: str = attrs.field(factory=holder_identity)

    def start(self, *, wait: float = LEASE_WAIT_SECONDS) -> int:
        """Take the run's number and its centres' leases, waiting up to ``wait`` seconds
        while another run holds one (:class:`GenerationInProgress` after that)."""
        plan = self.plan
        centres = sorted(plan.numbers, key=str)

        def work(uow: UnitOfWork) -> tuple[int | None, int | None]:
            now = plan.context.now()
            repos = WebsiteRepositories(uow)
            for number in centres:  # one order for every run, so no deadlock
                repos.credentials.lock_centre(number)
            run, held = take_lease(
                uow,
                centres,
                new_run=lambda: uow.next_number(_SEQUENCE),
                holder=self.holder,
                now=now,
            )
            if run is None:
                return None, held
            self._each_centre(uow, "generation-started", now, {"run": run, "mode": plan.mode.value})
            return run, None

        def attempt() -> tuple[int | None, int | None]:
            return plan.context.write(work, actor=plan.actor)

        what = ", ".join(str(n) for n in plan.numbers)
        self.run = wait_for_lease(attempt, wait=wait, what=f"{what}, {plan.series}")
        return self.run

    def _each_centre(
        self, uow: UnitOfWork, kind: str, now: pendulum.DateTime, details: dict[str, object]
    ) -> None:
        """Record the event ``kind`` for each of the run's centres."""
        for number in self.plan.numbers:
            event(
                uow,
                at=now,
                kind=kind,
                subject=centre_subject(number, self.plan.series),
                details=details,
            )

    def _renew(self, uow: UnitOfWork) -> None:
        renew_lease(
            uow,
            sorted(self.plan.numbers, key=str),
            run=self._run(),
            holder=self.holder,
            now=self.plan.context.now(),
        )

    def claim(self, batch: Sequence[Target]) -> tuple[LetterSpec, ...]:
        """Reserve usernames and claim the batch's rows for this run; the batch's letters."""
        plan = self.plan
        now = plan.context.now()

        def work(uow: UnitOfWork) -> tuple[int, tuple[LetterSpec, ...], collections.Counter[str]]:
            repos = WebsiteRepositories(uow)
            centres = sorted({t.centre.number for t in batch})
            for number in centres:  # one order for every run, so no deadlock
                repos.credentials.lock_centre(number)
            run = self._run()
            counts: collections.Counter[str] = collections.Counter()
            names: dict[tuple[CentreNumber, CandidateNumber], str] = {}
            for number in centres:
                mine = [t for t in batch if t.centre.number == number]
                # Read again under the lock: another run may have created or claimed
                # rows since the page was read.
                current = repos.credentials.among(
                    number, plan.series, [t.candidate.number for t in mine]
                )
                for t in mine:
                    record = current.get(t.candidate.number)
                    if record is None:
                        record = repos.credentials.reserve(
                            number,
                            plan.series,
                            t.candidate.number,
                            run=run,
                            at=now,
                            usernames=self.usernames,
                        )
                        counts["new_usernames"] += 1
                    else:
                        if record.state is CredentialState.UNPRINTED:
                            counts["recovered"] += 1
                        repos.credentials.claim(number, plan.series, t.candidate.number, run=run)
                    names[number, t.candidate.number] = record.username
                event(
                    uow,
                    at=now,
                    kind="credentials-claimed",
                    subject=centre_subject(number, plan.series),
                    details={"run": run, "candidates": [str(t.candidate.number) for t in mine]},
                )
            # In the batch's order: the letters follow the candidates as planned.
            specs = tuple(plan.spec(t, names[t.centre.number, t.candidate.number]) for t in batch)
            return run, specs, counts

        run, specs, counts = plan.context.write(work, actor=plan.actor)
        self.run = run
        self.counts.update(counts)
        _log.debug("run %d claimed %d letters", run, len(specs))
        return specs

    def commit(self, letters: Sequence[LetterSpec], hashes: Sequence[str]) -> None:
        """Store a batch's hashes as unprinted; rows another run took over stay as they are."""
        if len(hashes) != len(letters):
            raise RenderError("a worker returned a batch unlike the one it was given")
        run = self._run()
        plan = self.plan
        now = plan.context.now()
        fingerprints = {c.number: c.fingerprint for c in plan.centres}

        def work(uow: UnitOfWork) -> None:
            repos = WebsiteRepositories(uow)
            self._renew(uow)
            by_centre: dict[CentreNumber, list[str]] = collections.defaultdict(list)
            for spec, password_hash in zip(letters, hashes, strict=True):
                if repos.credentials.issue(
                    spec.centre,
                    plan.series,
                    spec.candidate_number,
                    run=run,
                    pending_hash=password_hash,
                    fingerprint=fingerprints[spec.centre],
                    at=now,
                ):
                    by_centre[spec.centre].append(str(spec.candidate_number))
            for centre, numbers in by_centre.items():
                event(
                    uow,
                    at=now,
                    kind="credentials-issued",
                    subject=centre_subject(centre, plan.series),
                    details={"run": run, "state": "unprinted", "candidates": numbers},
                )

        plan.context.write(work, actor=plan.actor)
        _log.debug("run %d stored %d hashes as unprinted", run, len(hashes))

    def print_run(self, files: Sequence[LetterFile]) -> None:
        """Flip the run's credentials to printed and record ``files`` (synced under their
        temporary names) as published, in one transaction (CRW-13)."""
        run = self._run()
        plan = self.plan
        now = plan.context.now()

        def work(uow: UnitOfWork) -> int:
            repos = WebsiteRepositories(uow)
            self._renew(uow)
            record_files(uow, run, files, now=now)
            per_centre = {
                number: repos.credentials.print_run(run, centre=number, at=now)
                for number in plan.numbers
            }
            for number in plan.numbers:
                event(
                    uow,
                    at=now,
                    kind="letters-printed",
                    subject=centre_subject(number, plan.series),
                    details={
                        "run": run,
                        "printed": per_centre[number],
                        "files": [f.final.name for f in files],
                        # Whose letters the files hold: ASC-07 for the combined files.
                        "centres": [str(n) for n in plan.numbers],
                    },
                )
            return sum(per_centre.values())

        self.counts["printed"] = plan.context.write(work, actor=plan.actor)
        _log.info("run %d printed %d credentials", run, self.counts["printed"])

    def finish(self, files: Sequence[LetterFile]) -> None:
        """The run's files are in the letter store: mark them stored, give the lease back."""
        run = self._run()
        centres = sorted(self.plan.numbers, key=str)

        def work(uow: UnitOfWork) -> None:
            mark_stored(uow, run, (f.final.name for f in files))
            release_lease(uow, centres, run=run, holder=self.holder)

        self.plan.context.write(work, actor=self.plan.actor)

    def release(self) -> None:
        """Give the lease back (a run that wrote nothing)."""
        if self.run is None:
            return
        run = self.run
        centres = sorted(self.plan.numbers, key=str)
        self.plan.context.write(
            lambda uow: release_lease(uow, centres, run=run, holder=self.holder),
            actor=self.plan.actor,
        )

    def abandon(self) -> None:
        """After a failure: old letters become current again; nothing half-printed stays."""
        if self.run is None:
            return
        run = self.run
        plan = self.plan
        now = plan.context.now()

        def work(uow: UnitOfWork) -> None:
            repos = WebsiteRepositories(uow)
            undone = repos.credentials.abandon_run(run)
            release_lease(uow, sorted(plan.numbers, key=str), run=run, holder=self.holder)
            self._each_centre(uow, "generation-abandoned", now, {"run": run, "undone": undone})

        plan.context.write(work, actor=plan.actor)
        _log.info("run %d abandoned; its credentials were put back", run)

    def _run(self) -> int:
        if self.run is None:
            raise RenderError("no batch was claimed for this run")
        return self.run
