"""Sixteen processes race to submit re-checks for the same 50 (candidate, syllabus) keys (EAR-06).

Every process holds its own draft for every key and submits them all at once
(released together by a barrier, in its own shuffled order).  The store
itself must let exactly one enquiry per key win: the rest get the typed
:class:`~cambridge_results.enquiries.errors.DuplicateEnquiry`, whether the
rule saw the winner (SQLite serialises writers) or the partial unique index
refused it (PostgreSQL), and no database error leaks.
"""

from __future__ import annotations

import multiprocessing
import queue
from collections import Counter
from pathlib import Path

import pytest
from ear_board import BIOLOGY, CENTRE, MATHS, OFFICER, POLICY
from race_worker import IN_WINDOW, submit_all
from stored_board import STORE_FACTORIES, StoreFactory, postgres_factory, seed

from cambridge_results.enquiries.base import enquiry_subject
from cambridge_results.enquiries.repositories import EnquiryRecords
from cambridge_results.rules.enquiries import workflow as wf
from cambridge_results.storage.port import Store

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
                records.enquiries.add(made.enquiry)
                for e in made.events:
                    uow.events.append(
                        at=e.at, kind=e.kind.value, subject=enquiry_subject(made.enquiry)
                    )
                ids[p].append(made.enquiry.id)
    return ids


def race(factory: StoreFactory, tmp_path: Path) -> None:
    """Run the race on a store from ``factory`` and check its outcome."""
    store = factory(tmp_path)
    try:
        seed(store, numbers=CANDIDATES, syllabuses=(MATHS, BIOLOGY))
        ids = drafts(store)
        ctx = multiprocessing.get_context("spawn")
        barrier = ctx.Barrier(PROCESSES)
        out = ctx.Queue()
        workers = [
            ctx.Process(target=submit_all, args=(store.url, ids[p], p, barrier, out))
            for p in range(PROCESSES)
        ]
        for w in workers:
            w.start()
        reports = []
        for _ in workers:
            try:
                reports.append(out.get(timeout=120))
            except queue.Empty:  # pragma: no cover - only when a worker died
                break
        for w in workers:
            w.join(timeout=60)
        assert [w.exitcode for w in workers] == [0] * PROCESSES
        total: Counter[str] = Counter()
        for report in reports:
            total.update(report)
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
def test_sixteen_processes_submitting_for_50_keys_on_sqlite_accept_exactly_50(
    tmp_path: Path,
) -> None:
    """EAR-06 on a SQLite file: 50 accepted, 750 DuplicateEnquiry, no database error."""
    race(STORE_FACTORIES["sqlite"], tmp_path)


@pytest.mark.slow
@pytest.mark.postgres
def test_sixteen_processes_submitting_for_50_keys_on_postgresql_accept_exactly_50(
    postgres_url: str, tmp_path: Path
) -> None:
    """EAR-06 on PostgreSQL: the same outcome, the partial unique index deciding the ties."""
    race(postgres_factory(postgres_url), tmp_path)
