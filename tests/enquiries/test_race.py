"""Sixteen processes race in one store: for the same keys (EAR-06), and in one group (EAR-13).

EAR-06: every process holds its own draft for every one of 50 (candidate,
syllabus) keys and submits them all at once (released together by a
barrier, in its own shuffled order).  The store itself must let exactly one
enquiry per key win: the rest get the typed
:class:`~cambridge_results.enquiries.errors.DuplicateEnquiry`, whether the
rule saw the winner (SQLite serialises writers) or the partial unique index
refused it (PostgreSQL), and no database error leaks.

EAR-13: in one enquiry group, eight processes cancel the reviews that
service 9 enquiries wait for while eight others submit those service 9
enquiries, twenty rounds over.  Each submission holds its read-to-commit
window open (the test-only hook ``submission.before_submit_commits``) and
its pair's cancel is attempted inside it, every round, so the test fails
without the group lock (on PostgreSQL; SQLite serialises writers anyway).
Every use case that reads the group takes its lock, so no enquiry is left
Pending with nothing to wait for, and a lost race is retried inside the use
case: no error reaches a caller.
"""

from __future__ import annotations

import multiprocessing
import queue
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from ear_board import BIOLOGY, CENTRE, MATHS, OFFICER, POLICY, facts
from race_worker import IN_WINDOW, cancel_or_submit, submit_all
from stored_board import RENDERER, StoreFactory, seed

from cambridge_results.board.schema import SCHEMA
from cambridge_results.clock import FixedClock
from cambridge_results.context import Context
from cambridge_results.enquiries import Enquiries, NewEnquiry
from cambridge_results.enquiries.base import enquiry_subject
from cambridge_results.enquiries.repositories import EnquiryRecords
from cambridge_results.principals import CentreOfficer
from cambridge_results.rules.enquiries import workflow as wf
from cambridge_results.rules.enquiries.eligibility import holds_review
from cambridge_results.rules.enquiries.queue import blockers
from cambridge_results.storage import open_store
from cambridge_results.storage.port import Store
from cambridge_results.testing.conformance_base import StoreURL
from cambridge_results.values import Candidate, Centre
from cambridge_results.values.enquiry import EnquiryStatus

PROCESSES = 16
CANDIDATES = tuple(f"{n:04d}" for n in range(1, 26))
#: 25 candidates x 2 syllabuses: 50 keys, each with the component asked about.
KEYS = tuple((c, s) for s in ((MATHS, "12"), (BIOLOGY, "42")) for c in CANDIDATES)


def drafts(store: Store) -> dict[int, list[str]]:
    """One draft per process and key, made in one unit of work; the ids per process."""
    ids: dict[int, list[str]] = {p: [] for p in range(PROCESSES)}
    with store.unit_of_work(actor=str(OFFICER)) as uow:
        records = EnquiryRecords(uow)
        for p in range(PROCESSES):
            for candidate, (syllabus, component) in KEYS:
                made = wf.create(
                    POLICY,
                    enquiry_id=f"p{p:02d}-{syllabus.code}-{candidate}",
                    centre=CENTRE,
                    series="June 2023",
                    service="1",
                    syllabus=syllabus.code,
                    components=(component,),
                    candidates=(candidate,),
                    principal=OFFICER,
                    now=IN_WINDOW,
                )
                records.enquiries.add(made.enquiry, holds_review=holds_review(POLICY, made.enquiry))
                for e in made.events:
                    uow.events.append(
                        at=e.at, kind=e.kind.value, subject=enquiry_subject(made.enquiry)
                    )
                ids[p].append(made.enquiry.id)
    return ids


def run_workers(target: Callable[..., None], args: list[tuple[Any, ...]]) -> Counter[str]:
    """One spawned process per ``args`` (plus a shared barrier and queue); their reports summed.

    Every worker must report and exit cleanly.
    """
    ctx = multiprocessing.get_context("spawn")
    barrier = ctx.Barrier(len(args))
    out = ctx.Queue()
    workers = [ctx.Process(target=target, args=(*a, barrier, out)) for a in args]
    for w in workers:
        w.start()
    total: Counter[str] = Counter()
    for _ in workers:
        try:
            total.update(out.get(timeout=180))
        except queue.Empty:  # pragma: no cover - only when a worker died
            break
    for w in workers:
        w.join(timeout=60)
    assert [w.exitcode for w in workers] == [0] * len(workers)
    return total


def race(factory: StoreFactory, tmp_path: Path) -> None:
    """Run the race on a store from ``factory`` and check its outcome."""
    store = factory(tmp_path)
    try:
        seed(store, numbers=CANDIDATES, syllabuses=(MATHS, BIOLOGY))
        ids = drafts(store)
        total = run_workers(submit_all, [(store.url, ids[p], p) for p in range(PROCESSES)])
        assert total == {"accepted": len(KEYS), "duplicate": (PROCESSES - 1) * len(KEYS)}
        with store.unit_of_work(actor="test:race", read_only=True) as uow:
            repo = EnquiryRecords(uow).enquiries
            for candidate, (syllabus, _) in KEYS:
                assert len(repo.active_reviews("GB123", "June 2023", syllabus.code, candidate)) == 1
            assert len(repo.at_board()) == len(KEYS)
            submitted = [
                e for e in uow.events.history("centre:GB123/") if e.kind == "enquiry-submitted"
            ]
            assert len(submitted) == len(KEYS)
    finally:
        store.close()


@pytest.mark.slow
@pytest.mark.backends("sqlite", "postgresql")
def test_sixteen_processes_submitting_for_50_keys_accept_exactly_50(
    store_url: StoreURL, tmp_path: Path
) -> None:
    """EAR-06 on a SQLite file and on PostgreSQL: 50 accepted, 750 DuplicateEnquiry, no
    database error (PostgreSQL's partial unique index deciding the ties)."""
    race(lambda path: open_store(store_url(path), migrations=SCHEMA), tmp_path)


GROUP_ROUNDS = 20
#: Pairs per round: a review, and the service 9 that waits for it and nothing else.
PAIRS = PROCESSES // 2
#: Service 9 names five candidates (its minimum group); pair ``i`` has its own five.
GROUP_CANDIDATES = tuple(f"{n:04d}" for n in range(1, 5 * PAIRS + 1))


def group_centre(round_number: int) -> Centre:
    """Each round's group is one syllabus at a centre of its own."""
    return Centre(number=f"GB{200 + round_number}", name=f"Round {round_number} School")


def seed_groups(store: Store) -> None:
    """The centres of every round, their candidates, and their Mathematics results."""
    seed(store, numbers=(), syllabuses=(MATHS,))
    with store.unit_of_work(actor="board:seed") as uow:
        records = EnquiryRecords(uow)
        for r in range(GROUP_ROUNDS):
            centre = group_centre(r)
            records.centres.add(centre)
            for number in GROUP_CANDIDATES:
                records.candidates.add(
                    Candidate(
                        centre=centre.number,
                        number=number,
                        given_name="Candidate",
                        family_name=number,
                    )
                )
            for results in facts(MATHS, centre=centre, numbers=GROUP_CANDIDATES).results:
                records.results.put(results)


def group_jobs(store: Store) -> list[list[tuple[str, str, str]]]:
    """Per round, reviews submitted and service 9 drafts made; per process, its job each round.

    Processes 0-7 cancel the eight reviews of the round; processes 8-15
    submit the eight service 9 drafts.  Service 9 draft ``i`` names five
    candidates of its own, the first of them the one of review ``i``, so it
    waits for that review alone: each pair is a race of its own.
    """
    enquiries = Enquiries(
        Context(store=store, policy=POLICY, clock=FixedClock(IN_WINDOW)), letter_renderer=RENDERER
    )
    jobs: list[list[tuple[str, str, str]]] = [[] for _ in range(PROCESSES)]
    for r in range(GROUP_ROUNDS):
        centre = str(group_centre(r).number)
        officer = CentreOfficer(centre=centre)
        for p in range(PAIRS):
            mine = GROUP_CANDIDATES[5 * p : 5 * p + 5]
            review = enquiries.create(
                officer,
                NewEnquiry(
                    series="June 2023",
                    service="2",
                    syllabus=MATHS.code,
                    components=("12",),
                    candidates=mine[:1],
                ),
            )
            enquiries.submit(officer, review.id, declarations=(True, True))
            jobs[p].append(("cancel", centre, review.id))
            group = enquiries.create(
                officer,
                NewEnquiry(
                    series="June 2023",
                    service="9",
                    syllabus=MATHS.code,
                    components=("12",),
                    candidates=mine,
                ),
            )
            jobs[PAIRS + p].append(("submit", centre, group.id))
    return jobs


def group_race(factory: StoreFactory, tmp_path: Path) -> None:
    """Run the EAR-13 race on a store from ``factory`` and check every round's outcome."""
    store = factory(tmp_path)
    try:
        seed_groups(store)
        jobs = group_jobs(store)
        ctx = multiprocessing.get_context("spawn")
        pairs = [(ctx.Event(), ctx.Event()) for _ in range(PAIRS)]
        total = run_workers(
            cancel_or_submit, [(store.url, jobs[p], pairs[p % PAIRS]) for p in range(PROCESSES)]
        )
        half = PAIRS * GROUP_ROUNDS
        assert total == {"cancelled": half, "submitted": half}, dict(total)
        with store.unit_of_work(actor="test:race", read_only=True) as uow:
            repo = EnquiryRecords(uow).enquiries
            for r in range(GROUP_ROUNDS):
                family = [
                    s.enquiry
                    for s in repo.for_syllabus(group_centre(r).number, "June 2023", MATHS.code)
                ]
                at_board = [e for e in family if e.status.at_board]
                stuck = [
                    e.id
                    for e in family
                    if e.status is EnquiryStatus.PENDING and not blockers(POLICY, e, at_board)
                ]
                assert stuck == [], f"round {r}: Pending with nothing to wait for"
                assert sum(e.status is EnquiryStatus.CANCELLED for e in family) == PAIRS
    finally:
        store.close()


@pytest.mark.slow
@pytest.mark.backends("sqlite", "postgresql")
def test_cancelling_and_submitting_in_one_group_leaves_no_pending_without_a_blocker(
    store_url: StoreURL, tmp_path: Path
) -> None:
    """EAR-13 on a SQLite file and on PostgreSQL: 20 rounds of 16 processes; the group lock
    and retries leave no stuck Pending, and no ConcurrencyError reaches a caller."""
    group_race(lambda path: open_store(store_url(path), migrations=SCHEMA), tmp_path)
