"""How bulk generation sizes its batches when the caller does not (CRW-10)."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from cambridge_results.website.generation import (
    BATCHES_PER_WORKER,
    DEFAULT_BATCH_SIZE,
    MIN_AUTO_BATCH_SIZE,
    auto_batch_size,
)

totals = st.integers(min_value=0, max_value=2_000_000)
workers = st.integers(min_value=0, max_value=256)


@given(totals, workers)
def test_an_automatic_batch_stays_between_its_bounds(total: int, worker_count: int) -> None:
    """CRW-10: never fewer letters than the floor, never more than the default maximum."""
    assert MIN_AUTO_BATCH_SIZE <= auto_batch_size(total, worker_count) <= DEFAULT_BATCH_SIZE


@given(totals, totals, workers)
def test_more_letters_never_make_smaller_batches(a: int, b: int, worker_count: int) -> None:
    """CRW-10: the size grows with the run, so big runs share fonts over big batches."""
    small, large = sorted((a, b))
    assert auto_batch_size(small, worker_count) <= auto_batch_size(large, worker_count)


@given(totals, st.integers(min_value=1, max_value=256))
def test_between_the_bounds_it_is_the_smallest_size_giving_each_worker_its_share(
    total: int, worker_count: int
) -> None:
    """CRW-10: unclamped, BATCHES_PER_WORKER batches a worker cover the run, one fewer do not."""
    size = auto_batch_size(total, worker_count)
    slots = BATCHES_PER_WORKER * worker_count
    if MIN_AUTO_BATCH_SIZE < size < DEFAULT_BATCH_SIZE:
        assert size * slots >= total
        assert (size - 1) * slots < total


def test_a_run_on_two_workers_is_cut_into_enough_batches_to_share() -> None:
    """CRW-10: 300 letters on 2 workers make 8 batches, not 1 batch of 500."""
    size = auto_batch_size(300, 2)
    assert size == 38
    assert -(-300 // size) == 8
    assert auto_batch_size(100_000, 2) == DEFAULT_BATCH_SIZE
    assert auto_batch_size(10, 8) == MIN_AUTO_BATCH_SIZE
