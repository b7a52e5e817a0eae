"""Candidate logins a second against bare ``argon2.PasswordHasher.verify`` in the same run.

Usage (from the repository root, after ``bash scripts/test``)::

    .venv/bin/python benchmarks/logins.py                        # SQLite and PostgreSQL
    .venv/bin/python benchmarks/logins.py --backend sqlite --logins 40 --repeat 3
    .venv/bin/python benchmarks/logins.py --backend postgresql --processes 8
    .venv/bin/python benchmarks/logins.py --own-work 150         # a login's own work

Each measurement logs in ``--logins`` different candidates with their
letter's password through ``board.logins.log_in`` (argon2id, the policy's
parameters), and times the same number of bare ``verify`` calls of
argon2-cffi with the same parameters on the same hash; runs alternate and
the ratio of the medians is printed.  With ``--processes N`` (PostgreSQL)
N processes log in different candidates at once, against a pool of N
processes doing bare verifies.  The targets (issue 15): >= 0.97 in one
process on SQLite and PostgreSQL, >= 0.9 with 8 processes on PostgreSQL.
Wall time: a login's cost is the hasher plus the store's round trips.  The
last column, one process only, is the same ratio in this process's CPU time
(a PostgreSQL server's work is not in it): on a busy machine, where wall
times are mostly other processes' turns, it shows the library's own cost.

``--own-work N`` measures what a login costs besides the hasher instead: one
process alternates a login and a bare verify N times, times each login's
argon2 call on its own (around ``argon2``'s ``verify_secret``) and prints the
medians of the login's wall and CPU time minus its argon2 call's; then,
as "warm", the same logins' whole wall and CPU time with the test hasher,
which leaves the processor's caches warm where argon2id flushes them.
"""

from __future__ import annotations

import argparse
import multiprocessing
import statistics
import sys
import tempfile
import time
import uuid
from collections.abc import Callable, Sequence
from contextlib import ExitStack
from pathlib import Path

import argon2
import argon2._password_hasher
import attrs

from cambridge_results.board import Board, open_board
from cambridge_results.credentials import ALPHABET
from cambridge_results.hashing import hasher_for
from cambridge_results.logins import LoginRequest
from cambridge_results.logins.tables import CREDENTIALS
from cambridge_results.policy import Policy, international_2023
from cambridge_results.storage.port import UnitOfWork

POLICY = international_2023()
PASSWORD = "k7mq4xtw9pab"  # noqa: S105 - a benchmark's made-up letter password
SERIES = "2023-06"


def username(i: int) -> str:
    """The ``i``-th generated candidate username (CRW-12 form, ``xxxxx-xxxxx``)."""
    chars = []
    for _ in range(10):
        i, digit = divmod(i, len(ALPHABET))
        chars.append(ALPHABET[digit])
    text = "".join(chars)
    return f"{text[:5]}-{text[5:]}"


def seed(url: str, count: int, *, policy: Policy = POLICY, hasher: str = "argon2id") -> str:
    """``count`` printed candidate credentials sharing one hash by ``hasher``; the hash."""
    encoded = hasher_for(policy.credentials, hasher).hash(PASSWORD)
    board = open_board(url, policy=policy, hasher_name=hasher)

    def add(uow: UnitOfWork) -> None:
        for i in range(count):
            uow.insert(
                CREDENTIALS,
                {
                    "centre": "GB100",
                    "series": SERIES,
                    "candidate": f"{i:04d}",
                    "username": username(i),
                    "state": "printed",
                    "password_hash": encoded,
                    "printed_at": board.context.now(),
                },
            )

    board.store.run(add, actor="board:bench")
    board.close()
    return encoded


def bare_verifier() -> argon2.PasswordHasher:
    """argon2-cffi's verifier with the policy's parameters, as the library's hasher uses."""
    credentials = POLICY.credentials
    return argon2.PasswordHasher(
        time_cost=credentials.argon2_time_cost,
        memory_cost=credentials.argon2_memory_kib,
        parallelism=credentials.argon2_parallelism,
        type=argon2.Type.ID,
    )


def library_logins(url: str, first: int, count: int) -> tuple[float, float]:
    """Wall and CPU seconds per login of candidates ``first`` to ``first + count - 1``."""
    board = open_board(url, policy=POLICY, hasher_name="argon2id", migrate=False)
    requests = [
        LoginRequest(username=username(i), password=PASSWORD) for i in range(first, first + count)
    ]
    board.logins.log_in(requests[0])  # warm: connection, caches, the dummy hash
    start, cpu = time.perf_counter(), time.process_time()
    for request in requests[1:]:
        if not board.logins.log_in(request).ok:
            raise SystemExit(f"login of {request.username} failed")
    elapsed, cpu = time.perf_counter() - start, time.process_time() - cpu
    board.close()
    return elapsed / (count - 1), cpu / (count - 1)


def bare_verifies(encoded: str, count: int) -> tuple[float, float]:
    """Wall and CPU seconds per bare verify of ``encoded``, ``count`` times."""
    verifier = bare_verifier()
    verifier.verify(encoded, PASSWORD)
    start, cpu = time.perf_counter(), time.process_time()
    for _ in range(count - 1):
        verifier.verify(encoded, PASSWORD)
    elapsed, cpu = time.perf_counter() - start, time.process_time() - cpu
    return elapsed / (count - 1), cpu / (count - 1)


def _pool_rate(job: Callable[..., tuple[float, float]], args: list[tuple[object, ...]]) -> float:
    """Items a wall second of ``len(args)`` processes started together, each timing its own."""
    context = multiprocessing.get_context("spawn")
    with context.Pool(len(args)) as pool:
        per_item = pool.starmap(job, args)
    return sum(1 / wall for wall, _ in per_item)


def measure(
    url: str, encoded: str, processes: int, logins: int, repeat: int, offset: int
) -> tuple[float, float, float | None]:
    """Median logins and bare verifies a wall second, and (one process) the CPU-time ratio.

    Runs alternate.  The CPU-time ratio counts this process only (not a
    PostgreSQL server's work): on a busy machine it shows the library's own
    cost when wall times are mostly other processes' turns.
    """
    library, bare, cpu = [], [], []
    for r in range(repeat):
        base = offset + r * processes * logins
        if processes == 1:
            wall, lib_cpu = library_logins(url, base, logins)
            bare_wall, bare_cpu = bare_verifies(encoded, logins)
            library.append(1 / wall)
            bare.append(1 / bare_wall)
            cpu.append(bare_cpu / lib_cpu)
        else:
            library.append(
                _pool_rate(
                    library_logins, [(url, base + p * logins, logins) for p in range(processes)]
                )
            )
            bare.append(_pool_rate(bare_verifies, [(encoded, logins)] * processes))
    return (
        statistics.median(library),
        statistics.median(bare),
        (statistics.median(cpu) if cpu else None),
    )


class _ArgonTimer:
    """Times each ``verify_secret`` call of argon2-cffi's ``PasswordHasher`` (wall, CPU)."""

    def __init__(self) -> None:
        self.last = (0.0, 0.0)
        self._inner = argon2._password_hasher.verify_secret  # type: ignore[attr-defined]

    def __call__(self, *args: object, **kwargs: object) -> bool:
        start, cpu = time.perf_counter(), time.process_time()
        try:
            return self._inner(*args, **kwargs)  # type: ignore[arg-type]
        finally:
            self.last = (time.perf_counter() - start, time.process_time() - cpu)


def cheap_policy() -> Policy:
    """The benchmark's policy with the test hasher allowed (``test-cheap``)."""
    return attrs.evolve(
        POLICY,
        credentials=attrs.evolve(POLICY.credentials, allowed_test_hashers=("test-cheap",)),
    )


def _timed_logins(
    board: Board,
    count: int,
    *,
    timer: _ArgonTimer | None = None,
    between: Callable[[], None] = lambda: None,
) -> tuple[list[float], list[float]]:
    """Wall and CPU seconds of each login of candidates ``0`` to ``count - 1``.

    Less the login's own argon2 call when ``timer`` times it; ``between``
    runs after each login, outside the times.
    """
    walls, cpus = [], []
    for i in range(count):
        request = LoginRequest(username=username(i), password=PASSWORD)
        start, cpu = time.perf_counter(), time.process_time()
        if not board.logins.log_in(request).ok:
            raise SystemExit(f"login of {request.username} failed")
        wall, cpu = time.perf_counter() - start, time.process_time() - cpu
        hasher_wall, hasher_cpu = (0.0, 0.0) if timer is None else timer.last
        walls.append(wall - hasher_wall)
        cpus.append(cpu - hasher_cpu)
        between()
    return walls, cpus


def own_work(url: str, encoded: str, count: int) -> tuple[float, float, float, float]:
    """Medians of a login's wall and CPU seconds minus its argon2 call's, argon2's, bare's.

    Logins of candidates ``0`` to ``count - 1`` alternate with bare verifies.
    """
    timer = _ArgonTimer()
    verifier = bare_verifier()
    argons: list[float] = []
    bares: list[float] = []

    def bare() -> None:
        argons.append(timer.last[0])
        start = time.perf_counter()
        verifier.verify(encoded, PASSWORD)
        bares.append(time.perf_counter() - start)

    argon2._password_hasher.verify_secret = timer  # type: ignore[attr-defined,assignment]
    try:
        board = open_board(url, policy=POLICY, hasher_name="argon2id", migrate=False)
        board.logins.log_in(LoginRequest(username=username(count), password=PASSWORD))
        walls, cpus = _timed_logins(board, count, timer=timer, between=bare)
        board.close()
    finally:
        argon2._password_hasher.verify_secret = timer._inner  # type: ignore[attr-defined]
    median = statistics.median
    return median(walls), median(cpus), median(argons), median(bares)


def warm_work(url: str, count: int) -> tuple[float, float]:
    """Medians of a login's wall and CPU seconds with the test hasher: caches left warm.

    The same login as :func:`own_work`'s, but its hasher (``test-cheap``)
    leaves the processor's caches as they were, where argon2id streams its
    memory through them: the difference between the two is what running
    cold costs, not work the library does.
    """
    policy = cheap_policy()
    seed(url, count + 1, policy=policy, hasher="test-cheap")
    board = open_board(url, policy=policy, hasher_name="test-cheap", migrate=False)
    board.logins.log_in(LoginRequest(username=username(count), password=PASSWORD))
    walls, cpus = _timed_logins(board, count)
    board.close()
    return statistics.median(walls), statistics.median(cpus)


def _store_url(stack: ExitStack, backend: str, server: str | None) -> str:
    """A new SQLite file, or a new schema on ``server`` (default: a private server)."""
    if backend == "sqlite":
        workdir = Path(stack.enter_context(tempfile.TemporaryDirectory()))
        return f"sqlite:///{workdir / 'logins.db'}"
    if server is None:
        from cambridge_results.testing.postgres_server import TemporaryPostgres

        server = stack.enter_context(TemporaryPostgres(fsync=True)).url
    schema = f"logins_{uuid.uuid4().hex[:12]}"
    return f"{server}{'&' if '?' in server else '?'}schema={schema}"


def main(argv: Sequence[str] | None = None) -> int:
    """Print logins a second, bare verifies a second and their ratio for each setting."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--backend", choices=("sqlite", "postgresql"), action="append")
    parser.add_argument("--url", help="a PostgreSQL server URL (default: start a private one)")
    parser.add_argument("--processes", type=int, nargs="+", default=None)
    parser.add_argument("--logins", type=int, default=30, help="logins per process and run")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--own-work", type=int, metavar="N", help="a login's own work, N logins")
    args = parser.parse_args(argv)
    if args.own_work:
        print(f"{args.own_work} logins alternating with bare verifies, medians, argon2id")
        print(f"{'backend':<11} {'own wall':>9} {'own cpu':>8} {'argon2':>7} {'bare':>7} (ms)")
        with ExitStack() as stack:
            for backend in args.backend or ["sqlite", "postgresql"]:
                url = _store_url(stack, backend, args.url)
                encoded = seed(url, args.own_work + 1)
                ms = [f"{1000 * t:.3f}" for t in own_work(url, encoded, args.own_work)]
                print(f"{backend:<11} {ms[0]:>9} {ms[1]:>8} {ms[2]:>7} {ms[3]:>7}", flush=True)
                warm = warm_work(_store_url(stack, backend, args.url), args.own_work)
                print(f"{'  warm':<11} {1000 * warm[0]:>9.3f} {1000 * warm[1]:>8.3f}", flush=True)
        print("warm: the same logins with the test hasher, which leaves the caches warm")
        return 0
    print(f"{args.logins} logins per process, median of {args.repeat}, argon2id")
    print(f"{'backend':<11} {'procs':>5} {'logins/s':>9} {'bare/s':>8} {'ratio':>6} target  cpu")
    with ExitStack() as stack:
        for backend in args.backend or ["sqlite", "postgresql"]:
            url = _store_url(stack, backend, args.url)
            settings = args.processes or ([1] if backend == "sqlite" else [1, 8])
            most = max(settings)
            encoded = seed(url, len(settings) * args.repeat * most * args.logins + 1)
            for n, processes in enumerate(settings):
                offset = n * args.repeat * most * args.logins
                library, bare, cpu = measure(
                    url, encoded, processes, args.logins, args.repeat, offset
                )
                target = 0.97 if processes == 1 else 0.9
                ok = "ok   " if library / bare >= target else "BELOW"
                shown = "" if cpu is None else f"{cpu:.3f}"
                print(
                    f"{backend:<11} {processes:>5} {library:>9.1f} {bare:>8.1f} "
                    f"{library / bare:>6.3f} {target} {ok} {shown}",
                    flush=True,
                )
    return 0


if __name__ == "__main__":
    sys.exit(main())
