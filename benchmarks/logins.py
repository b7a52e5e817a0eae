"""Candidate logins a second against bare ``argon2.PasswordHasher.verify`` in the same run.

Usage (from the repository root, after ``bash scripts/test``)::

    .venv/bin/python benchmarks/logins.py                        # SQLite and PostgreSQL
    .venv/bin/python benchmarks/logins.py --backend sqlite --logins 40 --repeat 3
    .venv/bin/python benchmarks/logins.py --backend postgresql --processes 8

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

from cambridge_results.board import open_board
from cambridge_results.credentials import ALPHABET
from cambridge_results.hashing import hasher_for
from cambridge_results.logins import LoginRequest
from cambridge_results.logins.tables import CREDENTIALS
from cambridge_results.policy import international_2023
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


def seed(url: str, count: int) -> str:
    """``count`` printed candidate credentials sharing one argon2id hash; the hash."""
    encoded = hasher_for(POLICY.credentials, "argon2id").hash(PASSWORD)
    board = open_board(url, policy=POLICY, hasher_name="argon2id")

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


def main(argv: Sequence[str] | None = None) -> int:
    """Print logins a second, bare verifies a second and their ratio for each setting."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--backend", choices=("sqlite", "postgresql"), action="append")
    parser.add_argument("--url", help="a PostgreSQL server URL (default: start a private one)")
    parser.add_argument("--processes", type=int, nargs="+", default=None)
    parser.add_argument("--logins", type=int, default=30, help="logins per process and run")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args(argv)
    print(f"{args.logins} logins per process, median of {args.repeat}, argon2id")
    print(f"{'backend':<11} {'procs':>5} {'logins/s':>9} {'bare/s':>8} {'ratio':>6} target  cpu")
    with ExitStack() as stack:
        for backend in args.backend or ["sqlite", "postgresql"]:
            if backend == "sqlite":
                workdir = Path(stack.enter_context(tempfile.TemporaryDirectory()))
                url = f"sqlite:///{workdir / 'logins.db'}"
                settings = args.processes or [1]
            else:
                server = args.url
                if server is None:
                    from cambridge_results.testing.postgres_server import TemporaryPostgres

                    server = stack.enter_context(TemporaryPostgres(fsync=True)).url
                schema = f"logins_{uuid.uuid4().hex[:12]}"
                url = f"{server}{'&' if '?' in server else '?'}schema={schema}"
                settings = args.processes or [1, 8]
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
