"""Storage throughput: rows written per second through the library, against the bare driver.

    .venv/bin/python benchmarks/storage.py                       # SQLite and PostgreSQL
    .venv/bin/python benchmarks/storage.py --backend sqlite --writers 1 4
    .venv/bin/python benchmarks/storage.py --backend postgresql --url postgresql://me@db/bench

``--workload credentials`` writes credential rows instead, reserved with a
board-unique username as bulk generation does (CRW-12).

Each writer process inserts ``--rows`` candidate-like rows, ``--batch`` per
unit of work, and bumps its own counter with ``increment`` in the same unit
of work (through ``store.run``).  The baseline does the same statements with
the bare driver in the same run (sqlite3 with the store's pragmas, psycopg
with BEGIN/COMMIT), so ``library/raw`` is the library's own cost.  Every run
gets a fresh database (SQLite) or schema (PostgreSQL).

Without ``--url`` a private PostgreSQL server is started with fsync on, so
its commits are as durable as SQLite's ``synchronous=FULL``.  Figures and
what they mean: docs/performance.md.  Nothing here is a test: no timings are
asserted anywhere.
"""

from __future__ import annotations

import argparse
import multiprocessing
import sqlite3
import statistics
import sys
import tempfile
import time
import uuid
from collections.abc import Callable, Sequence
from contextlib import ExitStack
from pathlib import Path
from typing import Any

import attrs
import pendulum

from cambridge_results.board.schema import SCHEMA
from cambridge_results.credentials import new_username
from cambridge_results.storage import (
    Column,
    CreateTable,
    Migration,
    Table,
    UniqueIndex,
    open_store,
)
from cambridge_results.storage.port import UnitOfWork
from cambridge_results.website.repositories import WebsiteRepositories

CANDIDATES = Table(
    "bench_candidates",
    (
        Column("centre", "text"),
        Column("number", "text"),
        Column("given_name", "text"),
        Column("family_name", "text"),
        Column("uci", "text", nullable=True),
    ),
    primary_key=("centre", "number"),
    unique=(UniqueIndex(("uci",)),),
)
COUNTERS = Table(
    "bench_counters",
    (Column("writer", "int"), Column("rows", "int", default=0)),
    primary_key="writer",
)
BENCH_MIGRATIONS = (
    *SCHEMA,
    Migration(
        version=len(SCHEMA) + 1,
        name="benchmark-tables",
        steps=(CreateTable(CANDIDATES), CreateTable(COUNTERS)),
    ),
)
NAMES = [("Ali", "Khan"), ("Zoë", "Ångström"), ("محمد", "Straße"), ("Mei", "王")]
INSERT = (
    "INSERT INTO bench_candidates (centre, number, given_name, family_name, uci) "
    "VALUES ({p}, {p}, {p}, {p}, {p})"
)
BUMP = "UPDATE bench_counters SET rows = rows + {p} WHERE writer = {p}"
COUNTER = "INSERT INTO bench_counters (writer, rows) VALUES ({p}, 0)"


def candidate(writer: int, n: int) -> dict[str, Any]:
    """The ``n``-th row of ``writer``."""
    given, family = NAMES[n % len(NAMES)]
    centre = f"W{writer:03d}"
    return {
        "centre": centre,
        "number": f"{n:06d}",
        "given_name": given,
        "family_name": family,
        "uci": f"{centre}{n:08d}",
    }


def batches(rows: int, batch: int) -> list[range]:
    """The row numbers of each unit of work."""
    return [range(first, min(first + batch, rows)) for first in range(0, rows, batch)]


CREDENTIAL = (
    "INSERT INTO website_credentials (centre, series, candidate, username, state, issued_at) "
    "VALUES ({p}, {p}, {p}, {p}, {p}, {p})"
)
ISSUED = "2026-10-05T09:00:00.000000Z"


def credential(writer: int, n: int) -> tuple[str, str, str, str, str]:
    """The ``n``-th credential row of ``writer``: centre, series, candidate, username, state."""
    return (f"GB{writer:03d}", "2026-11", f"{n:04d}", new_username(), "unprinted")


def _add_candidates(uow: UnitOfWork, writer: int, numbers: range) -> None:
    for n in numbers:
        uow.insert("bench_candidates", candidate(writer, n))


def _add_credentials(uow: UnitOfWork, writer: int, numbers: range) -> None:
    # CRW-12: reserve() draws a username the store's unique index accepts, as generation does.
    credentials = WebsiteRepositories(uow).credentials
    issued = pendulum.parse(ISSUED)
    assert isinstance(issued, pendulum.DateTime)
    for n in numbers:
        centre, series, number, _, _ = credential(writer, n)
        credentials.reserve(centre, series, number, run=None, at=issued)


@attrs.frozen
class Workload:
    """What a writer writes: through the library (``add``) and through the bare driver
    (``statement`` with ``{p}`` placeholders, ``values(writer, n, issued)``)."""

    add: Callable[[UnitOfWork, int, range], None]
    statement: str
    values: Callable[[int, int, Any], tuple[Any, ...]]


WORKLOADS = {
    "rows": Workload(
        add=_add_candidates,
        statement=INSERT,
        values=lambda writer, n, issued: tuple(candidate(writer, n).values()),
    ),
    "credentials": Workload(
        add=_add_credentials,
        statement=CREDENTIAL,
        values=lambda writer, n, issued: (*credential(writer, n), issued),
    ),
}


# -- writers (module level: spawned processes import them) -------------------------


def library_writer(
    url: str, workload: str, writer: int, rows: int, batch: int, barrier: Any, out: Any
) -> None:
    """Write through ``open_store``: the workload's rows and a counter ``increment`` per unit."""
    add = WORKLOADS[workload].add
    store = open_store(url, migrations=BENCH_MIGRATIONS, migrate=False)
    with store.unit_of_work(actor="bench:setup") as uow:
        uow.insert("bench_counters", {"writer": writer})
    barrier.wait()
    start = time.monotonic()
    for numbers in batches(rows, batch):

        def work(uow: UnitOfWork, numbers: range = numbers) -> None:
            add(uow, writer, numbers)
            uow.increment("bench_counters", writer, "rows", len(numbers))

        store.run(work, actor="bench:writer")
    out.put((start, time.monotonic()))
    store.close()


def _raw_run(
    execute: Callable[..., Any],
    *,
    begin: str,
    placeholder: str,
    issued: Any,
    workload: str,
    writer: int,
    rows: int,
    batch: int,
    barrier: Any,
    out: Any,
) -> None:
    """The same statements as the library's, one transaction per unit of work."""
    chosen = WORKLOADS[workload]
    p = placeholder
    execute(COUNTER.format(p=p), (writer,))
    insert, bump = chosen.statement.format(p=p), BUMP.format(p=p)
    barrier.wait()
    start = time.monotonic()
    for numbers in batches(rows, batch):
        execute(begin)
        for n in numbers:
            execute(insert, chosen.values(writer, n, issued))
        execute(bump, (len(numbers), writer))
        execute("COMMIT")
    out.put((start, time.monotonic()))


def raw_sqlite_writer(
    path: str, workload: str, writer: int, rows: int, batch: int, barrier: Any, out: Any
) -> None:
    """The same statements through bare sqlite3, with the store's pragmas."""
    conn = sqlite3.connect(path, timeout=30, isolation_level=None)
    for pragma in ("busy_timeout = 30000", "journal_mode = WAL", "synchronous = FULL"):
        conn.execute(f"PRAGMA {pragma}")
    _raw_run(
        conn.execute, begin="BEGIN IMMEDIATE", placeholder="?", issued=ISSUED,
        workload=workload, writer=writer, rows=rows, batch=batch, barrier=barrier, out=out,
    )  # fmt: skip
    conn.close()


def raw_postgres_writer(
    url: str, workload: str, writer: int, rows: int, batch: int, barrier: Any, out: Any
) -> None:
    """The same statements through bare psycopg, BEGIN/COMMIT per unit of work."""
    import psycopg

    from cambridge_results.storage.postgres import parse_url

    conninfo, schema = parse_url(url)
    conn = psycopg.connect(conninfo, autocommit=True)
    conn.execute(f'SET search_path TO "{schema}"')
    _raw_run(
        conn.execute, begin="BEGIN", placeholder="%s", issued=pendulum.parse(ISSUED),
        workload=workload, writer=writer, rows=rows, batch=batch, barrier=barrier, out=out,
    )  # fmt: skip
    conn.close()


# -- running -------------------------------------------------------------------------


def timed(
    target: Callable[..., None], where: str, workload: str, writers: int, rows: int, batch: int
) -> float:
    """Rows per second of ``writers`` processes running ``target`` on ``workload`` together."""
    ctx = multiprocessing.get_context("spawn")
    barrier = ctx.Barrier(writers)
    out = ctx.Queue()
    processes = [
        ctx.Process(target=target, args=(where, workload, w, rows, batch, barrier, out))
        for w in range(writers)
    ]
    for p in processes:
        p.start()
    spans = [out.get(timeout=600) for _ in processes]
    for p in processes:
        p.join()
    if any(p.exitcode for p in processes):
        raise SystemExit(f"a writer failed: exit codes {[p.exitcode for p in processes]}")
    elapsed: float = max(end for _, end in spans) - min(start for start, _ in spans)
    return writers * rows / elapsed


def sqlite_targets(workdir: Path) -> Callable[[], tuple[str, str]]:
    """A fresh migrated SQLite file each call: (store URL, file path)."""

    def fresh() -> tuple[str, str]:
        path = workdir / f"bench-{uuid.uuid4().hex}.db"
        open_store(f"sqlite:///{path}", migrations=BENCH_MIGRATIONS).close()
        return f"sqlite:///{path}", str(path)

    return fresh


def postgres_targets(server_url: str) -> Callable[[], tuple[str, str]]:
    """A fresh migrated schema each call: (store URL, store URL)."""

    def fresh() -> tuple[str, str]:
        separator = "&" if "?" in server_url else "?"
        url = f"{server_url}{separator}schema=bench_{uuid.uuid4().hex[:12]}"
        open_store(url, migrations=BENCH_MIGRATIONS).close()
        return url, url

    return fresh


def measure(
    backend: str,
    fresh: Callable[[], tuple[str, str]],
    writer_counts: Sequence[int],
    rows: int,
    batch: int,
    repeat: int,
    workload: str = "rows",
) -> list[dict[str, Any]]:
    """Median library and raw rows per second for each writer count (runs interleaved)."""
    raw = raw_sqlite_writer if backend == "sqlite" else raw_postgres_writer
    results = []
    for writers in writer_counts:
        library_runs, raw_runs = [], []
        for _ in range(repeat):
            library_url, _ = fresh()
            library_runs.append(timed(library_writer, library_url, workload, writers, rows, batch))
            _, raw_target = fresh()
            raw_runs.append(timed(raw, raw_target, workload, writers, rows, batch))
        library, bare = statistics.median(library_runs), statistics.median(raw_runs)
        results.append({"backend": backend, "writers": writers, "library": library, "raw": bare})
        print(
            f"{backend:<11} {writers:>7} {library:>15,.0f} {bare:>12,.0f} {library / bare:>11.2f}",
            flush=True,
        )
    return results


def main(argv: Sequence[str] | None = None) -> int:
    """Parse arguments, run every measurement, print a table."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument(
        "--backend",
        choices=("sqlite", "postgresql"),
        action="append",
        help="backend to measure (repeat for both; default: both)",
    )
    parser.add_argument("--url", help="a PostgreSQL server URL (default: start a private one)")
    parser.add_argument("--writers", type=int, nargs="+", default=[1, 4])
    parser.add_argument("--rows", type=int, default=2000, help="rows per writer")
    parser.add_argument("--batch", type=int, default=10, help="rows per unit of work")
    parser.add_argument("--repeat", type=int, default=3, help="runs per figure (median)")
    parser.add_argument(
        "--workload",
        choices=("rows", "credentials"),
        default="rows",
        help="candidate-like rows, or credential rows reserved as generation does (CRW-12)",
    )
    args = parser.parse_args(argv)
    backends = args.backend or ["sqlite", "postgresql"]

    print(
        f"{args.rows} {args.workload} per writer, {args.batch} per unit of work (+ increment), "
        f"median of {args.repeat} runs"
    )
    print(f"{'backend':<11} {'writers':>7} {'library rows/s':>15} {'raw rows/s':>12} "
          f"{'library/raw':>11}")  # fmt: skip
    with ExitStack() as stack:
        for backend in backends:
            if backend == "sqlite":
                workdir = Path(stack.enter_context(tempfile.TemporaryDirectory()))
                fresh = sqlite_targets(workdir)
            else:
                url = args.url
                if url is None:
                    from cambridge_results.testing.postgres_server import TemporaryPostgres

                    url = stack.enter_context(TemporaryPostgres(fsync=True)).url
                fresh = postgres_targets(url)
            measure(backend, fresh, args.writers, args.rows, args.batch, args.repeat, args.workload)
    return 0


if __name__ == "__main__":
    sys.exit(main())
