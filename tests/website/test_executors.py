"""Bulk generation on an executor the caller gives: a thread pool, a Dask cluster (CRW-10, CRW-13).

The Dask tests run a ``distributed.LocalCluster`` of two worker processes
(one thread each) with PostgreSQL as the store, as a board would run on a
cluster (docs/scaling.md).  Where ``CAMBRIDGE_RESULTS_REQUIRE_POSTGRES=1``
(CI), a missing ``distributed`` fails these tests instead of skipping them.
"""

from __future__ import annotations

import concurrent.futures
import os
import signal
import time
import zipfile
from collections.abc import Iterator
from concurrent.futures.process import BrokenProcessPool
from pathlib import Path
from typing import Any

import pytest
from website_store_support import (
    HASHER,
    MAIN,
    POLICY,
    SERIES,
    all_request,
    build_board,
    clock,
    credential,
    credentials,
    zip_letters,
)

from cambridge_results.board import open_board
from cambridge_results.errors import InvalidValue
from cambridge_results.hashing import hasher_for
from cambridge_results.storage.port import Store
from cambridge_results.website import CredentialState, GenerationProgress, GenerationRequest

REQUIRE = os.environ.get("CAMBRIDGE_RESULTS_REQUIRE_POSTGRES") == "1"
CANDIDATES = 40  # GB100's six and 34 more
NUMBERS = [f"{100 + i:04d}" for i in range(1, CANDIDATES + 1)]


def _request(out: Path, mode: str = "all", batch_size: int = 5, **extra: Any) -> GenerationRequest:
    return GenerationRequest(
        centres="GB100", series=SERIES, mode=mode, out_dir=out, batch_size=batch_size, **extra
    )


def _set_up(url: str) -> None:
    board = open_board(url, policy=POLICY, clock=clock())
    try:
        build_board(board.store, extra=CANDIDATES - 6)
        board.website.set_access(MAIN, "GB100", SERIES, all_request())
    finally:
        board.close()


def _letters_on_disk(out: Path) -> dict[str, tuple[str, str]]:
    """Every finished letter under ``out`` (all runs' zips): entry name -> login details."""
    found: dict[str, tuple[str, str]] = {}
    for path in sorted(out.rglob("*.zip")):
        if path.name.startswith("."):
            continue
        for name, details in zip_letters(path).items():
            assert name not in found, f"{name} is on disk twice"
            found[name] = details
    return found


def _assert_every_letter_logs_in(store: Store, out: Path, verify: Any) -> None:
    """Every candidate has exactly one letter on disk, and its password verifies (CRW-13)."""
    letters = _letters_on_disk(out)
    assert sorted(name[-8:-4] for name in letters) == NUMBERS
    for name, (username, password) in letters.items():
        record = credential(store, username)
        assert record is not None, f"{name}: no credential with the printed username"
        assert record.state is CredentialState.PRINTED
        assert record.password_hash is not None
        assert verify(record.password_hash, password), f"{name}: password does not verify"


# -- any concurrent.futures.Executor ------------------------------------------------------


def test_a_thread_pool_given_as_executor_generates_every_letter_and_is_left_running(
    tmp_path: Path,
) -> None:
    """CRW-10: an Executor with no initializer renders every letter; the caller's pool
    is not shut down by the run."""
    url = f"sqlite:///{tmp_path / 'threads.db'}"
    _set_up(url)
    with concurrent.futures.ThreadPoolExecutor(max_workers=2) as pool:
        board = open_board(
            url, policy=POLICY, clock=clock(), hasher_name="test-cheap", executor=pool, workers=2
        )
        try:
            report = board.website.generate_letters(MAIN, _request(tmp_path / "out"))
            assert report.letters == report.printed == CANDIDATES
            assert report.batches == CANDIDATES // 5
            _assert_every_letter_logs_in(board.store, tmp_path / "out", HASHER.verify)
        finally:
            board.close()
        assert pool.submit(os.getpid).result() == os.getpid()


class _CountingPool(concurrent.futures.ThreadPoolExecutor):
    """A thread pool that counts the batches handed to it."""

    submitted = 0

    def submit(self, fn: Any, /, *args: Any, **kwargs: Any) -> Any:
        self.submitted += 1
        return super().submit(fn, *args, **kwargs)


def test_at_most_two_batches_per_worker_slot_are_in_flight_whatever_the_run_size(
    tmp_path: Path,
) -> None:
    """CRW-10: the parent holds at most 2 x workers batches it has not written yet, so its
    memory does not grow with the number of candidates."""
    url = f"sqlite:///{tmp_path / 'bounded.db'}"
    _set_up(url)
    in_flight: list[int] = []
    with _CountingPool(max_workers=1) as pool:

        def progress(done: GenerationProgress) -> None:
            in_flight.append(pool.submitted - done.batches + 1)

        board = open_board(
            url, policy=POLICY, clock=clock(), hasher_name="test-cheap", executor=pool, workers=1
        )
        try:
            report = board.website.generate_letters(
                MAIN, _request(tmp_path / "out", on_progress=progress)
            )
        finally:
            board.close()
    assert report.batches == pool.submitted == CANDIDATES // 5
    assert max(in_flight) == 2  # the batch just written and the one behind it


@pytest.mark.parametrize(
    ("options", "field"),
    [
        ({"executor": "a pool"}, "executor"),
        ({"executor": object()}, "executor"),
        ({"executor": concurrent.futures.ThreadPoolExecutor(1), "workers": 0}, "workers"),
    ],
)
def test_an_executor_that_is_not_one_or_has_no_worker_slots_is_refused(
    tmp_path: Path, options: dict[str, Any], field: str
) -> None:
    """CRW-10: ``executor`` must be a concurrent.futures.Executor with ``workers`` >= 1."""
    url = f"sqlite:///{tmp_path / 'refused.db'}"
    with pytest.raises(InvalidValue) as caught:
        open_board(url, policy=POLICY, clock=clock(), **options)
    assert caught.value.field == field
    executor = options.get("executor")
    if isinstance(executor, concurrent.futures.Executor):
        executor.shutdown()


# -- the board's own worker pool ---------------------------------------------------------


def _worker_pids() -> set[int]:
    """This process's child processes (its worker pools, multiprocessing's helpers), from /proc."""
    found: set[int] = set()
    for task in Path(f"/proc/{os.getpid()}/task").glob("*"):
        try:
            found.update(int(p) for p in (task / "children").read_text().split())
        except OSError:
            continue
    return found


def _kill_a_worker(pool: Any) -> None:
    """SIGKILL one of ``pool``'s worker processes and wait until the pool knows it is broken."""
    os.kill(pool.submit(os.getpid).result(), signal.SIGKILL)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            pool.submit(os.getpid).result()
        except BrokenProcessPool:
            return
        time.sleep(0.05)
    raise AssertionError("the pool did not notice its killed worker")


def _pool_board(url: str) -> Any:
    _set_up(url)
    return open_board(url, policy=POLICY, clock=clock(), hasher_name="test-cheap", workers=2)


def test_a_boards_runs_share_its_worker_processes_which_end_when_it_closes(
    tmp_path: Path,
) -> None:
    """CRW-10: the second run starts no worker process; closing the board ends them."""
    before = _worker_pids()
    board = _pool_board(f"sqlite:///{tmp_path / 'kept.db'}")
    try:
        assert board.worker_pool is not None
        first = board.website.generate_letters(MAIN, _request(tmp_path / "one"))
        started = _worker_pids() - before
        second = board.website.generate_letters(MAIN, _request(tmp_path / "two"))
        assert _worker_pids() - before == started
        assert len(started) >= 2  # the two workers (and spawn's resource tracker, if new)
        assert first.printed == second.printed == CANDIDATES
        _assert_every_letter_logs_in(board.store, tmp_path / "two", HASHER.verify)
    finally:
        board.close()
    board.close()  # closing again does nothing
    deadline = time.monotonic() + 30
    while _worker_pids() & started and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not (_worker_pids() & started) - {p for p in started if _is_tracker(p)}
    with pytest.raises(RuntimeError):
        board.worker_pool.submit(os.getpid)


def _is_tracker(pid: int) -> bool:
    """Whether ``pid`` is multiprocessing's resource tracker (kept for the process's life)."""
    try:
        return b"resource_tracker" in Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return False


def test_a_worker_killed_between_runs_is_replaced_and_the_next_run_prints_every_letter(
    tmp_path: Path,
) -> None:
    """CRW-10: a pool a worker died in is replaced when the next run starts."""
    board = _pool_board(f"sqlite:///{tmp_path / 'between.db'}")
    try:
        board.website.generate_letters(MAIN, _request(tmp_path / "one"))
        _kill_a_worker(board.worker_pool)
        report = board.website.generate_letters(MAIN, _request(tmp_path / "two"))
        assert report.letters == report.printed == CANDIDATES
        _assert_every_letter_logs_in(board.store, tmp_path / "two", HASHER.verify)
    finally:
        board.close()


def test_a_worker_killed_mid_run_fails_that_run_and_the_boards_next_run_recovers(
    tmp_path: Path,
) -> None:
    """CRW-13: SIGKILL of a kept worker fails the run (nothing printed, no file left); the
    same board's next run gets new workers and regenerates the unprinted credentials."""
    board = _pool_board(f"sqlite:///{tmp_path / 'mid.db'}")
    out = tmp_path / "out"

    def kill_once(progress: GenerationProgress) -> None:
        if progress.batches == 1:
            _kill_a_worker(board.worker_pool)

    try:
        with pytest.raises(BrokenProcessPool):
            board.website.generate_letters(MAIN, _request(out, on_progress=kill_once))
        assert _letters_on_disk(out) == {}, "a failed run left finished letters"
        claimed = [
            r for r in credentials(board.store).values() if r.state is CredentialState.UNPRINTED
        ]
        assert claimed, "the killed run claimed nothing"
        report = board.website.generate_letters(MAIN, _request(out, mode="new"))
        assert report.letters == report.printed == CANDIDATES
        assert report.recovered == len(claimed)
        _assert_every_letter_logs_in(board.store, out, HASHER.verify)
    finally:
        board.close()


def test_a_board_given_an_executor_or_no_workers_keeps_no_pool_of_its_own(tmp_path: Path) -> None:
    """CRW-10: the caller's executor is theirs; ``workers=0`` runs everything in-process."""
    url = f"sqlite:///{tmp_path / 'none.db'}"
    with concurrent.futures.ThreadPoolExecutor(max_workers=1) as pool:
        with open_board(url, policy=POLICY, clock=clock(), executor=pool, workers=1) as board:
            assert board.worker_pool is None
        assert pool.submit(os.getpid).result() == os.getpid()
    with open_board(url, policy=POLICY, clock=clock(), workers=0) as board:
        assert board.worker_pool is None


# -- a Dask cluster --------------------------------------------------------------------


@pytest.fixture(scope="module")
def dask_client() -> Iterator[Any]:
    """A client of a LocalCluster of two worker processes, one thread each.

    ``allowed-failures`` 0: a task whose worker dies fails at once (KilledWorker)
    instead of being retried elsewhere, so a killed worker interrupts the run.
    """
    try:
        import dask
        from distributed import Client, LocalCluster
    except ImportError as exc:  # pragma: no cover - installed by the test extra
        if REQUIRE:
            pytest.fail(f"distributed is required here (pip install -e '.[test]'): {exc}")
        pytest.skip(f"distributed is not installed: {exc}")
    with (
        dask.config.set({"distributed.scheduler.allowed-failures": 0}),
        LocalCluster(
            n_workers=2,
            processes=True,
            threads_per_worker=1,
            dashboard_address=None,
            silence_logs=40,
        ) as cluster,
        Client(cluster) as client,
    ):
        yield client


def _wait_for_restart(client: Any, killed: str) -> None:
    """Until the scheduler has let the killed worker go and the nanny's new one is up."""
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        workers = client.scheduler_info()["workers"]
        if len(workers) == 2 and killed not in workers:
            return
        time.sleep(0.1)
    raise AssertionError("the killed worker was not replaced")


def _dask_board(url: str, client: Any, **options: Any) -> Any:
    """The test board on ``url``, its batches run by the cluster's two worker processes
    (``get_executor()`` as it comes: pure tasks, which the batch jobs' nonces must survive)."""
    _set_up(url)
    return open_board(
        url, policy=POLICY, clock=clock(), executor=client.get_executor(), workers=2, **options
    )


@pytest.mark.slow
def test_a_dask_cluster_with_postgresql_generates_every_letter_once(
    dask_client: Any, postgres_test_url: str, tmp_path: Path
) -> None:
    """CRW-10, CRW-13: batches run on two Dask worker processes; no letter lost or twice."""
    board = _dask_board(postgres_test_url, dask_client, hasher_name="test-cheap")
    try:
        report = board.website.generate_letters(MAIN, _request(tmp_path / "out"))
        assert report.letters == report.printed == report.new_usernames == CANDIDATES
        _assert_every_letter_logs_in(board.store, tmp_path / "out", HASHER.verify)
        assert report.zip_file is not None
        with zipfile.ZipFile(report.zip_file) as archive:
            assert len(archive.namelist()) == CANDIDATES
    finally:
        board.close()


def _kill_a_busy_worker(client: Any, killed: list[str]) -> None:
    """SIGKILL a Dask worker process that is running one of this run's batches."""
    pids: dict[str, int] = client.run(os.getpid)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        busy = [address for address, keys in client.processing().items() if keys]
        if busy:
            os.kill(pids[busy[0]], signal.SIGKILL)
            killed.append(busy[0])
            return
        time.sleep(0.01)
    raise AssertionError("no worker was running a batch")


@pytest.mark.slow
def test_a_dask_worker_killed_mid_run_loses_no_password_and_the_next_run_recovers(
    dask_client: Any, postgres_test_url: str, tmp_path: Path
) -> None:
    """CRW-13: SIGKILL of a worker fails the run (nothing printed, no file left); the
    next run regenerates its unprinted credentials; every letter on disk verifies."""
    from distributed import KilledWorker

    # argon2id: a batch of five takes long enough to be caught running.
    argon2 = hasher_for(POLICY.credentials, None)
    killed: list[str] = []

    def kill_once(progress: GenerationProgress) -> None:
        if not killed:
            _kill_a_busy_worker(dask_client, killed)

    out = tmp_path / "out"
    board = _dask_board(postgres_test_url, dask_client)
    try:
        with pytest.raises(KilledWorker) as caught:
            board.website.generate_letters(MAIN, _request(out, on_progress=kill_once))
        assert killed, caught.value
        assert _letters_on_disk(out) == {}, "a failed run left finished letters"
        stored = credentials(board.store)
        claimed = [r for r in stored.values() if r.state is CredentialState.UNPRINTED]
        assert claimed, "the killed run claimed nothing"
        assert all(r.password_hash is None and r.pending_hash is None for r in claimed)

        # The cluster's nanny restarts the killed worker; the cluster serves the next run.
        _wait_for_restart(dask_client, killed[0])
        report = board.website.generate_letters(MAIN, _request(out, mode="new"))
        assert report.letters == report.printed == CANDIDATES
        assert report.recovered == len(claimed)
        assert report.recovered + report.new_usernames == CANDIDATES
        _assert_every_letter_logs_in(board.store, out, argon2.verify)
    finally:
        board.close()


def test_two_jobs_for_the_same_letters_are_never_one_dask_task(dask_client: Any) -> None:
    """CRW-12, CRW-13: Dask keys pure tasks by their arguments and reuses a result it
    holds; every batch job is unlike every other, so no run gets another's passwords."""
    from dask.base import tokenize

    from cambridge_results.website.workers import BatchJob, run_batch

    fields: dict[str, Any] = {
        "letters": (),
        "credentials": POLICY.credentials,
        "hasher": "test-cheap",
        "renderer": "fpdf2",
        "renderer_options": (),
        "created": clock().now(),
    }
    first, second = BatchJob(**fields), BatchJob(**fields)
    assert tokenize(run_batch, first) != tokenize(run_batch, second)
