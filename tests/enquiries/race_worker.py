"""The worker processes of the EAR-06 race test (spawned children import this module).

Kept apart from the test module and lean in imports: spawned children import
it by name (conftest.py puts this directory on ``sys.path``, which spawned
children inherit), and sixteen of them start at once on two cores.
"""

from __future__ import annotations

import random
from collections import Counter
from typing import Any

import pendulum

from cambridge_results.board.schema import SCHEMA
from cambridge_results.clock import FixedClock
from cambridge_results.context import Context
from cambridge_results.enquiries import Enquiries, submission
from cambridge_results.enquiries.errors import DuplicateEnquiry
from cambridge_results.policy import international_2023
from cambridge_results.principals import CentreOfficer
from cambridge_results.rendering.fpdf_enquiry_letters import FpdfEnquiryLetterRenderer
from cambridge_results.storage import open_store
from cambridge_results.storage.port import Store
from cambridge_results.storage.sqlite import SQLiteStore, path_from_url

OFFICER = CentreOfficer(centre="GB123")
IN_WINDOW = pendulum.datetime(2023, 9, 1, 9, 0, tz="UTC")


def _open(url: str) -> Store:
    if url.startswith("sqlite:"):
        # Sixteen writers queue for SQLite's one write lock; on a loaded machine
        # a writer may wait longer than the default 30 s.  The test is about
        # which errors come out, not about how long the lock is waited for.
        return SQLiteStore(path_from_url(url), migrate=False, busy_timeout=300, migrations=SCHEMA)
    return open_store(url, migrate=False, migrations=SCHEMA)


def _enquiries(store: Store) -> Enquiries:
    return Enquiries(
        Context(store=store, policy=international_2023(), clock=FixedClock(IN_WINDOW)),
        letter_renderer=FpdfEnquiryLetterRenderer(),
    )


def submit_all(url: str, ids: list[str], seed: int, barrier: Any, out: Any) -> None:
    """Submit every draft in ``ids`` (in a shuffled order) once all workers are ready.

    Reports how many were accepted, how many were a DuplicateEnquiry, and
    anything else by type and message (which must never happen).
    """
    store = _open(url)
    counts: Counter[str] = Counter()
    try:
        enquiries = _enquiries(store)
        order = list(ids)
        random.Random(seed).shuffle(order)  # noqa: S311 - an order of work, not a secret
        barrier.wait()
        for enquiry_id in order:
            try:
                enquiries.submit(OFFICER, enquiry_id, declarations=(True, True))
                counts["accepted"] += 1
            except DuplicateEnquiry:
                counts["duplicate"] += 1
            except Exception as exc:  # the test reports any leak by its type
                counts[f"{type(exc).__name__}: {exc}"] += 1
    finally:
        store.close()
        out.put(dict(counts))


#: How long a submission holds its read-to-commit window open for the cancel of
#: its pair (seconds): with the group lock the cancel waits for the commit, so
#: every round waits this long once; without it the cancel lands in the window.
WINDOW = 0.3


def cancel_or_submit(
    url: str,
    jobs: list[tuple[str, str, str]],
    pair: tuple[Any, Any],
    barrier: Any,
    out: Any,
) -> None:
    """Round by round, all workers together: cancel or submit one enquiry (EAR-13 race).

    ``jobs[r]`` is ``(action, centre, enquiry_id)`` for round ``r``; every
    round starts when all workers reach the barrier.  ``pair`` is two events
    shared with the other worker of this pair: ``in_window`` and
    ``cancelled``.  A submission, once it has read its group and written, sets
    ``in_window`` and holds its unit of work open until ``cancelled`` is set
    or :data:`WINDOW` passes (the test-only hook
    ``submission.before_submit_commits``); the cancel waits for ``in_window``
    and then cancels.  So every cancel is attempted while its submission is
    between reading and committing, deterministically: the group lock must
    make it wait.  Reports ``cancelled`` and ``submitted``, and any error by
    type and message (which must never happen: a lost race is retried inside
    the use case).
    """
    in_window, cancelled = pair

    def hold_open(_: str) -> None:
        in_window.set()
        cancelled.wait(WINDOW)

    store = _open(url)
    counts: Counter[str] = Counter()
    try:
        enquiries = _enquiries(store)
        for action, centre, enquiry_id in jobs:
            officer = CentreOfficer(centre=centre)
            # Each worker clears the event the other one sets, before the round starts.
            (in_window if action == "cancel" else cancelled).clear()
            submission.before_submit_commits = hold_open if action == "submit" else None
            barrier.wait()
            try:
                if action == "cancel":
                    in_window.wait(WINDOW * 10)
                    enquiries.cancel(officer, enquiry_id)
                    cancelled.set()
                    counts["cancelled"] += 1
                else:
                    enquiries.submit(officer, enquiry_id, declarations=(True, True))
                    counts["submitted"] += 1
            except Exception as exc:  # the test reports any leak by its type
                counts[f"{type(exc).__name__}: {exc}"] += 1
    finally:
        submission.before_submit_commits = None
        store.close()
        out.put(dict(counts))
