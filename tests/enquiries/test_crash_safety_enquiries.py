"""Crash safety of a real enquiry writer (issue 6 item 5, EAR-06, EAR-09): 100 SIGKILLs.

Each writer process creates drafts and submits them through the use cases,
one candidate each, and reports every unit of work after it commits.  After
every kill: each reported draft and submission is stored as reported; the
only unreported changes are each round's one unit in flight; every submitted
enquiry still holds its EAR-06 claim; the database is healthy.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from pathlib import Path

import pytest
from ear_board import BOTH_TICKED, CENTRE, IN_WINDOW, MATHS, OFFICER, POLICY
from stored_board import RENDERER, seed

from cambridge_results.board.schema import SCHEMA
from cambridge_results.clock import FixedClock
from cambridge_results.context import Context
from cambridge_results.enquiries import Enquiries, NewEnquiry
from cambridge_results.errors import DuplicateError
from cambridge_results.storage import open_store
from cambridge_results.storage.port import Store
from cambridge_results.storage.sqlite import SQLiteStore
from cambridge_results.testing.crash import Round, WriterContext, run_kill_test
from cambridge_results.values.enquiry import EnquiryStatus

KILLS = 100
#: Submissions one writer may make before it idles until killed.
PER_ROUND = 6
CANDIDATES = tuple(f"{n:04d}" for n in range(1, (KILLS + 5) * PER_ROUND + 1))


def _candidate(round_number: int, index: int) -> str:
    return CANDIDATES[round_number * PER_ROUND + index]


def enquiry_writer(context: WriterContext) -> None:
    """Create and submit service-2 enquiries for fresh candidates; report each commit."""
    service = Enquiries(
        Context(store=context.store, policy=POLICY, clock=FixedClock(IN_WINDOW)),
        letter_renderer=RENDERER,
    )
    for index in range(PER_ROUND):
        number = _candidate(context.round, index)
        made = service.create(
            OFFICER,
            NewEnquiry(
                series="June 2023",
                service="2",
                syllabus=MATHS.code,
                components=("12",),
                candidates=(number,),
            ),
        )
        context.report(f"created:{number}:{made.id}")
        service.submit(OFFICER, made.id, declarations=BOTH_TICKED)
        context.report(f"submitted:{number}:{made.id}")
    while True:  # idle until the harness kills this writer
        context.rng.random()


def check_enquiries(store: Store, rounds: Sequence[Round]) -> None:
    """Reported commits are stored as reported; beyond them only one unit per round."""
    service = Enquiries(
        Context(store=store, policy=POLICY, clock=FixedClock(IN_WINDOW)), letter_renderer=RENDERER
    )
    stored = {e.id: e for e in service.list_enquiries(OFFICER, centre=CENTRE.number)}
    created = {t.split(":")[2] for r in rounds for t in r.reported if t.startswith("created:")}
    submitted = {t.split(":")[2] for r in rounds for t in r.reported if t.startswith("submitted:")}
    if missing := created - set(stored):
        raise AssertionError(f"committed drafts are missing: {sorted(missing)[:5]}")
    for enquiry_id in submitted:
        status = stored[enquiry_id].status
        if status not in (EnquiryStatus.SUBMITTED, EnquiryStatus.PENDING):
            raise AssertionError(f"{enquiry_id} was submitted but is {status}")
    unreported_drafts = set(stored) - created
    unreported_submissions = {
        i for i, e in stored.items() if e.status is not EnquiryStatus.SAVED and i not in submitted
    }
    # A writer dies with at most one unit of work in flight: a create or a submit.
    if len(unreported_drafts) + len(unreported_submissions) > len(rounds):
        raise AssertionError(
            f"more unreported changes than rounds: {sorted(unreported_drafts)[:3]} "
            f"{sorted(unreported_submissions)[:3]}"
        )
    for enquiry in stored.values():
        if enquiry.status is EnquiryStatus.SUBMITTED:
            # EAR-06: the store's claim still holds, so a second submission is refused.
            second = service.create(
                OFFICER,
                NewEnquiry(
                    series="June 2023",
                    service="1",
                    syllabus=MATHS.code,
                    components=("12",),
                    candidates=enquiry.candidates,
                ),
            )
            with pytest.raises(DuplicateError):
                service.submit(OFFICER, second.id, declarations=BOTH_TICKED)
            service.delete_draft(OFFICER, second.id)
            break


@pytest.fixture(params=["sqlite", "postgresql"])
def store_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """A fresh SQLite file, or a schema of this test's own on the session's PostgreSQL."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'enquiries.db'}"
    url: str = request.getfixturevalue("postgres_test_url")
    return url


@pytest.mark.slow
def test_an_enquiry_writer_killed_100_times_leaves_exactly_what_it_committed(
    store_url: str,
) -> None:
    """Issue 6: SIGKILL at random points; committed work present, nothing torn, healthy store."""
    store = open_store(store_url, migrations=SCHEMA)
    seed(store, numbers=CANDIDATES, syllabuses=(MATHS,))

    def check(checked: Store, rounds: Sequence[Round]) -> None:
        check_enquiries(checked, rounds)
        if isinstance(store, SQLiteStore):
            with sqlite3.connect(store.path) as conn:
                assert conn.execute("PRAGMA integrity_check").fetchall() == [("ok",)]

    try:
        report = run_kill_test(
            store_url,
            migrations=SCHEMA,
            writer=enquiry_writer,
            check=check,
            kills=KILLS,
            max_delay=0.4,
            seed=13,
        )
    finally:
        store.close()
    assert report.killed == KILLS
    reported = [t for r in report.rounds for t in r.reported]
    assert sum(t.startswith("submitted:") for t in reported) > KILLS // 2
