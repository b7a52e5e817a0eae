"""PostgreSQL server CPU of one small writing transaction, four shapes.

Each transaction updates one row of a table with a partial unique index, as
an enquiry's claim does; the shapes add what a submit adds around it:

* ``plain``: ``BEGIN``, the update, ``COMMIT``;
* ``savepoint``: the update inside ``SAVEPOINT`` / ``RELEASE`` (a claim's);
* ``bump``: a sequence row upserted first (the EAR-13 group lock until session 24);
* ``lock``: ``pg_advisory_xact_lock`` first (``UnitOfWork.lock``, from session 24).

Sent through the store's own wire (:mod:`cambridge_results.storage.postgres_wire`),
one round trip per transaction; the server process's CPU is read from
``/proc`` (Linux), so the figure is the server's alone (figures:
docs/performance-log.md, "Session 24: pgwire, provisional").  Usage::

    .venv/bin/python benchmarks/pg_lock_shapes.py postgresql://... [--count 3000]
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import uuid
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import psycopg

from cambridge_results.storage.postgres_wire import wire

Statements = list[tuple[str, Sequence[Any]]]
_BEGIN: tuple[str, Sequence[Any]] = ("BEGIN ISOLATION LEVEL READ COMMITTED, READ WRITE", [])
_UPDATE = "UPDATE shape_t SET active = NOT active WHERE id = %s"
_BUMP = (
    "INSERT INTO shape_seq (name, value) VALUES (%s, 1) "
    "ON CONFLICT (name) DO UPDATE SET value = shape_seq.value + 1 RETURNING value"
)
_LOCK = (
    "SELECT pg_advisory_xact_lock(hashtextextended("
    "'cambridge_results.lock:' || coalesce(current_schema(), '') || ':' || %s::text, 0))"
)
SHAPES: dict[str, Callable[[int], Statements]] = {
    "plain": lambda i: [_BEGIN, (_UPDATE, [i]), ("COMMIT", [])],
    "savepoint": lambda i: [
        _BEGIN,
        ("SAVEPOINT cr_statement", []),
        (_UPDATE, [i]),
        ("RELEASE SAVEPOINT cr_statement", []),
        ("COMMIT", []),
    ],
    "bump": lambda i: [_BEGIN, (_BUMP, [f"g{i % 50}"]), (_UPDATE, [i]), ("COMMIT", [])],
    "lock": lambda i: [_BEGIN, (_LOCK, [f"g{i % 50}"]), (_UPDATE, [i]), ("COMMIT", [])],
}


def _backend_cpu(pid: int) -> float:
    """Seconds of CPU (user + system) the server process ``pid`` has used so far."""
    fields = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def main(argv: Sequence[str] | None = None) -> int:
    """Print each shape's server microseconds per transaction: three runs and their median."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("url", help="a PostgreSQL server URL")
    parser.add_argument("--count", type=int, default=3000, help="transactions per run")
    args = parser.parse_args(argv)
    schema = f"shapes_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(args.url, autocommit=True) as conn:
        conn.execute(f"CREATE SCHEMA {schema}; SET search_path TO {schema}")
        conn.execute("CREATE TABLE shape_t (id int PRIMARY KEY, g int, active bool NOT NULL)")
        conn.execute("CREATE UNIQUE INDEX shape_u ON shape_t (g) WHERE active")
        conn.execute("CREATE TABLE shape_seq (name text PRIMARY KEY, value bigint)")
        conn.execute(
            "INSERT INTO shape_t SELECT i, i, false FROM generate_series(1, %s) i", [args.count]
        )
        pid, run = conn.info.backend_pid, wire(conn).run
        runs: dict[str, list[float]] = {name: [] for name in SHAPES}
        try:
            for _ in range(3):
                for name, shape in SHAPES.items():
                    for i in range(1, 200):  # warm: prepared, cached
                        run(shape(i))
                    before = _backend_cpu(pid)
                    for i in range(1, args.count + 1):
                        run(shape(i))
                    runs[name].append((_backend_cpu(pid) - before) * 1e6 / args.count)
        finally:
            conn.execute(f"DROP SCHEMA {schema} CASCADE")
    print(f"server CPU, microseconds per transaction, {args.count} a run")
    for name, values in runs.items():
        shown = " ".join(f"{v:6.1f}" for v in values)
        print(f"{name:<10} median {statistics.median(values):6.1f}   runs {shown}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
