"""How bulk generation sizes its batches when the caller does not (CRW-10)."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from cambridge_results.website.generation import (
    BATCHES_PER_WORKER,
    DEFAULT_BATCH_SIZE,
    MIN_AUTO_BATCH_SIZE,
    auto_batch_size,
    auto_batch_sizes,
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
    """CRW-10: 300 letters on 2 workers make 4 batches of the largest size, not 1 of 500."""
    size = auto_batch_size(300, 2)
    assert size == 75
    assert -(-300 // size) == 4
    assert auto_batch_size(100_000, 2) == DEFAULT_BATCH_SIZE
    assert auto_batch_size(10, 8) == MIN_AUTO_BATCH_SIZE


@given(st.integers(min_value=0, max_value=200_000), workers)
def test_automatic_batches_cover_the_run_and_never_grow(total: int, worker_count: int) -> None:
    """CRW-10: the sizes add up to the run, each within the automatic size, none larger than
    the one before, and only the last under the floor."""
    sizes = list(auto_batch_sizes(total, worker_count))
    assert sum(sizes) == total
    assert all(0 < s <= auto_batch_size(total, worker_count) for s in sizes)
    assert sizes == sorted(sizes, reverse=True)
    assert all(s >= MIN_AUTO_BATCH_SIZE for s in sizes[:-1])


@given(st.integers(min_value=1, max_value=200_000), st.integers(min_value=2, max_value=64))
def test_a_run_on_workers_ends_on_a_short_batch(total: int, worker_count: int) -> None:
    """CRW-10: with two workers or more the last batch is at most the floor, so no worker
    hashes a large last batch alone while the others wait (one worker waits for nobody)."""
    assert list(auto_batch_sizes(total, worker_count))[-1] <= MIN_AUTO_BATCH_SIZE


@given(st.integers(min_value=1, max_value=200_000))
def test_without_workers_every_batch_but_the_last_is_the_largest(total: int) -> None:
    """CRW-10: in one process nothing waits for a last batch, so batches stay large."""
    sizes = list(auto_batch_sizes(total, 0))
    assert set(sizes[:-1]) <= {DEFAULT_BATCH_SIZE}


def test_two_thousand_letters_on_two_workers_make_nine_batches() -> None:
    """CRW-10: batches of 500 while every worker has a full one ahead, then the taper;
    each batch pays its font work once, so a run makes no more batches than balance needs."""
    assert list(auto_batch_sizes(2_000, 2)) == [500, 500, 500, 250, 125, 63, 31, 25, 6]


def test_ten_thousand_letters_on_two_workers_taper_from_500_to_25() -> None:
    """CRW-10: 10,000 letters on 2 workers: batches of 500, then each half of what is left,
    down to the floor."""
    sizes = list(auto_batch_sizes(10_000, 2))
    assert sizes[:19] == [500] * 19
    assert sizes[19:] == [250, 125, 63, 31, 25, 6]


@given(st.integers(min_value=1, max_value=200_000), st.integers(min_value=1, max_value=64))
def test_a_tapering_batch_is_what_is_left_shared_over_the_workers(
    total: int, worker_count: int
) -> None:
    """CRW-10: each batch is what is left over the workers, within the automatic bounds, so
    the tail is short (about log2 of the largest batch over the floor) and costs few
    batches' fixed font work."""
    largest = auto_batch_size(total, worker_count)
    left = total
    for size in auto_batch_sizes(total, worker_count):
        share = -(-left // worker_count)
        assert size == min(left, max(MIN_AUTO_BATCH_SIZE, min(largest, share)))
        left -= size
    assert left == 0
