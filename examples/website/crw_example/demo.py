"""The demo board: the library's sample board on a store, a policy and an optional fixed clock.

Everything here goes through public names: :func:`cambridge_results.board.open_board`
and :mod:`cambridge_results.sample_board`.  The policy is the 2026 example
with the cheap test hasher allowed, so letters generate in a blink; a real
deployment keeps the policy's argon2id and never passes ``hasher_name``.
"""

from __future__ import annotations

import attrs
import pendulum

from cambridge_results import FixedClock, Policy, SystemClock, example_2026
from cambridge_results.board import Board, open_board
from cambridge_results.errors import NotFound
from cambridge_results.principals import BoardStaff
from cambridge_results.sample_board import (
    SampleBoard,
    give_sample_access,
    sample_board,
    store_sample_board,
)
from cambridge_results.values.enquiry_facts import CandidateResults

__all__ = ["DEMO_HASHER", "Demo", "demo_policy", "open_demo"]

#: The cheap hasher the demo policy allows: fast letters, never for real passwords.
DEMO_HASHER = "test-cheap"


def demo_policy() -> Policy:
    """The 2026 example policy with the cheap test hasher allowed (for the demo only)."""
    policy = example_2026()
    return attrs.evolve(
        policy,
        credentials=attrs.evolve(policy.credentials, allowed_test_hashers=(DEMO_HASHER,)),
    )


@attrs.frozen(kw_only=True)
class Demo:
    """An open board with the sample organisations, and the clock it reads."""

    board: Board
    sample: SampleBoard
    #: Set when the demo runs on a fixed clock (the page footer can move it).
    fixed_clock: FixedClock | None


def _seeded(board: Board, sample: SampleBoard) -> bool:
    first = sample.centres[0].number
    try:
        board.context.read(lambda uow: uow.centres.get(first), actor="board:demo")
    except NotFound:
        return False
    return True


def open_demo(
    url: str,
    *,
    now: pendulum.DateTime | None = None,
    candidates_per_centre: int = 30,
) -> Demo:
    """Open ``url`` as the demo board, writing the sample board first if the store is empty.

    ``now`` fixes the clock there (so "before release" and "after release" can
    both be shown); ``None`` uses the system clock.  A store that already
    holds the sample board is opened as it is.
    """
    clock = FixedClock(now) if now is not None else None
    board = open_board(
        url,
        policy=demo_policy(),
        clock=clock or SystemClock(),
        hasher_name=DEMO_HASHER,
        workers=0,
    )
    sample = sample_board(candidates_per_centre=candidates_per_centre)
    if not _seeded(board, sample):
        store_sample_board(board.context, sample)
        give_sample_access(board.website, board.associates, sample)
        _record_sample_results(board, sample)
    return Demo(board=board, sample=sample, fixed_clock=clock)


#: The grades the demo gives, in turn, so the results page has something to show.
SAMPLE_GRADES = ("A", "B", "C", "A", "D", "B")


def _record_sample_results(board: Board, sample: SampleBoard) -> None:
    """The board records a grade for every sample entry, as it would before results day."""
    staff = BoardStaff(staff_id="demo-results")
    for i, (_, entries) in enumerate(sample.candidates()):
        for j, entry in enumerate(entries):
            grade = SAMPLE_GRADES[(i + j) % len(SAMPLE_GRADES)]
            board.enquiries.record_results(staff, CandidateResults(entry=entry, grade=grade))


#: Who the demo acts as when it has to read organisation data (the sign-in page).
DEMO_STAFF = BoardStaff(staff_id="demo")
