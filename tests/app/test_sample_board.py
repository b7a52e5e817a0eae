"""The sample board used by the demo and the benchmarks."""

from __future__ import annotations

from pathlib import Path

import pendulum

from cambridge_results.board.schema import SCHEMA
from cambridge_results.clock import FixedClock
from cambridge_results.context import Context
from cambridge_results.policy import example_2026
from cambridge_results.sample_board import letter_groups, sample_board, store_sample_board
from cambridge_results.storage import open_store


def test_the_same_seed_gives_the_same_board() -> None:
    """Deterministic: two boards from one seed list the same candidates and entries."""
    first = list(sample_board(candidates_per_centre=20, seed=7).candidates())
    second = list(sample_board(candidates_per_centre=20, seed=7).candidates())
    assert first == second
    assert first != list(sample_board(candidates_per_centre=20, seed=8).candidates())


def test_a_stored_board_has_every_candidate_with_a_valid_entry(tmp_path: Path) -> None:
    """Every sample candidate is stored, in candidate-number order, with at least one entry."""
    board = sample_board(associate_centres=2, candidates_per_centre=30)
    store = open_store(f"sqlite:///{tmp_path / 'board.db'}", migrations=SCHEMA)
    clock = FixedClock(pendulum.datetime(2026, 4, 1, tz="UTC"))
    context = Context(store=store, policy=example_2026(), clock=clock)
    written = store_sample_board(context, board, batch_size=7)
    assert written == 90
    with store.unit_of_work(actor="board:test", read_only=True) as uow:
        assert [str(c.number) for c in uow.associates.centres("GB200")] == ["GB201", "GB202"]
        for centre in board.centres:
            numbers = [str(c.number) for c in uow.candidates.for_centre(centre.number)]
            assert numbers == [f"{i:04d}" for i in range(1, 31)]
            with_entry = {
                str(n) for n in uow.entries.candidates_with_valid_entry(centre.number, board.series)
            }
            assert with_entry == set(numbers)


def test_letters_are_generated_by_each_centre_or_by_its_associate() -> None:
    """ASC-07: GB100 by its own officer; the Associate Centres together by their Associate."""
    groups = letter_groups(sample_board(associate_centres=2, candidates_per_centre=1))
    assert [(g.name, str(g.principal), [str(c) for c in g.centres]) for g in groups] == [
        ("GB100", "centre:GB100", ["GB100"]),
        ("GB200", "associate:GB200", ["GB201", "GB202"]),
    ]
    (alone,) = letter_groups(sample_board(associate_centres=0, candidates_per_centre=1))
    assert alone.name == "GB100"
