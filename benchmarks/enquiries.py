"""Enquiry submissions per second through the use cases, on SQLite and PostgreSQL.

Usage (from the repository root, after ``bash scripts/test``)::

    .venv/bin/python benchmarks/enquiries.py              # the targets: SQLite 1, PostgreSQL 4
    .venv/bin/python benchmarks/enquiries.py --backend sqlite --writers 1 2 4 --enquiries 200

Each writer process creates a draft and submits it (two units of work, EAR-09),
for its own candidates, through :class:`Enquiries` on one shared store; the
rules run in full (EAR-01..07, EAR-13 with its per-group lock).  The bare
baseline in the same run writes the same number of transactions (two per
enquiry, one row each) through the bare driver with the store's settings, so
``library / bare`` says what the rules, the checks and the event log cost
over the unavoidable commits.  Every writer, library and bare, first does one
enquiry (or its two transactions) before the clock starts, so one-off costs
(connecting, the first use of a converter) are not counted.  Without ``--url``
a private PostgreSQL server is started (fsync on).  Rates are medians of
``--repeat`` runs, each run measuring the library and the bare baseline back to
back on fresh stores; the targets of issue 15 are printed beside the ratios
(SQLite, 1 writer: >= 0.5; PostgreSQL, 4 writers: >= 0.4).  After the table,
each writer's wall time per create + submit is split into its own CPU and its
waiting, with the CPU at which the target would hold on this machine: the
ratio depends on the machine's processor against its disk, not only on the
library (docs/performance.md, "What the SQLite figure depends on").

Both sides wait for the disk alike: the bare SQLite writer uses the store's
pragmas (WAL, ``synchronous = FULL``, the busy timeout, ``BEGIN IMMEDIATE``)
and the bare PostgreSQL writer commits with the server's default
``synchronous_commit = on``, as the store's ordinary units do.  The SQLite
files go in the temporary directory (``TMPDIR``): with ``TMPDIR=/dev/shm``
an ``fsync`` costs nothing and the ratio is the CPU ratio alone, the
library's worst case, steadier than the target's on a busy machine.
"""

from __future__ import annotations

import argparse
import functools
import multiprocessing
import os
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
from cambridge_results.clock import FixedClock
from cambridge_results.context import Context
from cambridge_results.enquiries import Enquiries, NewEnquiry
from cambridge_results.policy import international_2023
from cambridge_results.principals import BoardStaff, CentreOfficer
from cambridge_results.rendering.fpdf_enquiry_letters import FpdfEnquiryLetterRenderer
from cambridge_results.sample_board import SYLLABUSES
from cambridge_results.storage import open_store
from cambridge_results.values import Candidate, Centre, Entry, Mark, MarkSource, Qualification
from cambridge_results.values.enquiry_facts import CandidateResults

POLICY = international_2023()
NOW = pendulum.datetime(2023, 9, 1, 9, tz="UTC")
SERIES = "June 2023"
MATHS = SYLLABUSES[0]
BOARD = BoardStaff(staff_id="bench")
#: Issue 15's targets for library / bare, by backend and writers.
TARGETS = {("sqlite", 1): 0.5, ("postgresql", 4): 0.4}


def _centre(writer: int) -> str:
    return f"GB{100 + writer:03d}"


def seed(url: str, writers: int, enquiries: int) -> None:
    """Each writer's centre with ``enquiries`` candidates entered for 0580 with exam marks."""
    store = open_store(url, migrations=SCHEMA)
    service = Enquiries(
        Context(store=store, policy=POLICY, clock=FixedClock(NOW)),
        letter_renderer=FpdfEnquiryLetterRenderer(),
    )
    service.add_qualification(BOARD, Qualification(code="IGCSE", name="Cambridge IGCSE"))
    with store.unit_of_work(actor=str(BOARD)) as uow:
        uow.syllabuses.add(MATHS)
        for writer in range(writers):
            centre = _centre(writer)
            uow.centres.add(Centre(number=centre, name=f"Bench Centre {writer}"))
            for n in range(enquiries + 1):
                uow.candidates.add(
                    Candidate(centre=centre, number=f"{n:04d}", given_name="Ann", family_name="Lee")
                )
    for writer in range(writers):
        for n in range(enquiries + 1):
            entry = Entry(
                centre=_centre(writer),
                series=SERIES,
                candidate=f"{n:04d}",
                syllabus=MATHS.code,
                components=tuple(c.code for c in MATHS.components),
            )
            marks = tuple(
                Mark(component=c.code, source=MarkSource.EXAM, value=40) for c in MATHS.components
            )
            service.record_results(BOARD, CandidateResults(entry=entry, marks=marks, grade="C"))
    store.close()


def _enquirer(store: Any, writer: int) -> Callable[[int], None]:
    """Create and submit a service-2 enquiry for this writer's candidate ``n``."""
    service = Enquiries(
        Context(store=store, policy=POLICY, clock=FixedClock(NOW)),
        letter_renderer=FpdfEnquiryLetterRenderer(),
    )
    officer = CentreOfficer(centre=_centre(writer))

    def enquire(n: int) -> None:
        made = service.create(
            officer,
            NewEnquiry(
                series=SERIES,
                service="2",
                syllabus=MATHS.code,
                components=("12",),
                candidates=(f"{n:04d}",),
            ),
        )
        service.submit(officer, made.id, declarations=(True, True))

    return enquire


def library_writer(url: str, writer: int, count: int, barrier: Any, out: Any) -> None:
    """Create and submit ``count`` service-2 enquiries for this writer's candidates."""
    store = open_store(url, migrate=False, migrations=SCHEMA)
    enquire = _enquirer(store, writer)
    start = cpu = 0.0
    for n in range(count + 1):
        if n == 1:
            barrier.wait()  # candidate 0000 was the warm-up
            start, cpu = time.monotonic(), time.process_time()
        enquire(n)
    out.put((start, time.monotonic(), time.process_time() - cpu))
    store.close()


def raw_sqlite_writer(path: str, writer: int, count: int, barrier: Any, out: Any) -> None:
    """Two one-row transactions per enquiry through bare sqlite3, with the store's pragmas."""
    conn = sqlite3.connect(path, timeout=60, isolation_level=None)
    for pragma in ("busy_timeout = 60000", "journal_mode = WAL", "synchronous = FULL"):
        conn.execute(f"PRAGMA {pragma}")
    start = cpu = 0.0
    for n in range(count + 1):
        if n == 1:
            barrier.wait()  # enquiry 0 was the warm-up
            start, cpu = time.monotonic(), time.process_time()
        for step in ("draft", "submitted"):
            conn.execute("BEGIN IMMEDIATE")
            conn.execute(
                "INSERT INTO bench_raw (writer, n, step) VALUES (?, ?, ?)", (writer, n, step)
            )
            conn.execute("COMMIT")
    out.put((start, time.monotonic(), time.process_time() - cpu))
    conn.close()


def raw_postgres_writer(url: str, writer: int, count: int, barrier: Any, out: Any) -> None:
    """Two one-row transactions per enquiry through bare psycopg."""
    import psycopg

    with psycopg.connect(url) as conn:
        start = cpu = 0.0
        for n in range(count + 1):
            if n == 1:
                barrier.wait()  # enquiry 0 was the warm-up
                start, cpu = time.monotonic(), time.process_time()
            for step in ("draft", "submitted"):
                conn.execute(
                    "INSERT INTO bench_raw (writer, n, step) VALUES (%s, %s, %s)",
                    (writer, n, step),
                )
                conn.commit()
    out.put((start, time.monotonic(), time.process_time() - cpu))


@attrs.frozen
class Timing:
    """One timed run: enquiries a second of all writers, and each writer's own CPU.

    ``cpu_ms`` is the writers' mean process time per create + submit (their
    own CPU: Python, the driver, SQLite's library; not a PostgreSQL
    server's), so ``1000 / rate * writers - cpu_ms`` is what a writer spent
    waiting: for the disk, the server, the lock or the processor.
    """

    rate: float
    cpu_ms: float

    def wall_ms(self, writers: int) -> float:
        """Each writer's wall time per create + submit."""
        return 1000 * writers / self.rate


def timed(target: Callable[..., None], where: str, writers: int, count: int) -> Timing:
    """Enquiries per second of ``writers`` spawned processes running ``target`` together.

    Each writer puts ``(start, end, cpu_seconds)`` of its timed span on ``out``.
    """
    ctx = multiprocessing.get_context("spawn")
    barrier = ctx.Barrier(writers)
    out = ctx.Queue()
    processes = [
        ctx.Process(target=target, args=(where, w, count, barrier, out)) for w in range(writers)
    ]
    for p in processes:
        p.start()
    spans = [out.get(timeout=1200) for _ in processes]
    for p in processes:
        p.join()
    if any(p.exitcode for p in processes):
        raise SystemExit(f"a writer failed: exit codes {[p.exitcode for p in processes]}")
    elapsed: float = max(e for _, e, _ in spans) - min(s for s, _, _ in spans)
    cpu_ms = statistics.fmean(c for _, _, c in spans) * 1000 / count
    return Timing(rate=writers * count / elapsed, cpu_ms=cpu_ms)


def sqlite_fresh(workdir: Path, writers: int, count: int) -> tuple[str, str]:
    """A seeded store file and a bare file with the baseline's table."""
    store_path = workdir / f"enq-{uuid.uuid4().hex}.db"
    seed(f"sqlite:///{store_path}", writers, count)
    raw_path = workdir / f"raw-{uuid.uuid4().hex}.db"
    with sqlite3.connect(raw_path) as conn:
        conn.execute("CREATE TABLE bench_raw (writer INTEGER, n INTEGER, step TEXT)")
    return f"sqlite:///{store_path}", str(raw_path)


def postgres_fresh(server: str, writers: int, count: int) -> tuple[str, str]:
    """A seeded store in a schema of its own, and the server URL with a bare table."""
    import psycopg

    url = f"{server}{'&' if '?' in server else '?'}schema=enq_{uuid.uuid4().hex[:12]}"
    seed(url, writers, count)
    table = f"raw_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(server, autocommit=True) as conn:
        conn.execute(f"CREATE SCHEMA {table}")
        conn.execute(f"CREATE TABLE {table}.bench_raw (writer int, n int, step text)")
    return url, f"{server}{'&' if '?' in server else '?'}options=-csearch_path%3D{table}"


def _backend_cpu(pid: int) -> float:
    """Seconds of CPU (user + system) the server process ``pid`` has used so far."""
    fields = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def cpu_per_enquiry(server: str, count: int) -> tuple[float, float, float, float]:
    """One writer's CPU per create + submit in ms: library client, server; bare client, server.

    The client is this process (``time.process_time``), the server the
    connection's backend process (``/proc/PID/stat``, ticks of 10 ms: use a
    few hundred enquiries).  Run in this process, on one fresh store each.
    """
    import psycopg

    store_url, raw_url = postgres_fresh(server, 1, count)
    tag = f"cr_cpu_{uuid.uuid4().hex[:8]}"
    store = open_store(f"{store_url}&application_name={tag}", migrate=False, migrations=SCHEMA)
    enquire = _enquirer(store, 0)
    enquire(0)
    with psycopg.connect(server, autocommit=True) as monitor:
        found = monitor.execute(
            "SELECT pid FROM pg_stat_activity WHERE application_name = %s", (tag,)
        ).fetchall()
    [(pid,)] = found
    client, backend = time.process_time(), _backend_cpu(pid)
    for n in range(1, count + 1):
        enquire(n)
    library = (
        (time.process_time() - client) * 1000 / count,
        (_backend_cpu(pid) - backend) * 1000 / count,
    )
    store.close()
    with psycopg.connect(raw_url) as conn:
        pid = conn.info.backend_pid
        client, backend = time.process_time(), _backend_cpu(pid)
        for n in range(count + 1):
            for step in ("draft", "submitted"):
                conn.execute(
                    "INSERT INTO bench_raw (writer, n, step) VALUES (%s, %s, %s)", (0, n, step)
                )
                conn.commit()
        bare = (
            (time.process_time() - client) * 1000 / count,
            (_backend_cpu(pid) - backend) * 1000 / count,
        )
    return (*library, *bare)


def main(argv: Sequence[str] | None = None) -> int:
    """Run every measurement and print a table."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--backend", choices=("sqlite", "postgresql"), action="append")
    parser.add_argument("--url", help="a PostgreSQL server URL (default: start a private one)")
    parser.add_argument(
        "--writers", type=int, nargs="+", help="default: 1 (SQLite), 4 (PostgreSQL)"
    )
    parser.add_argument("--enquiries", type=int, default=100, help="enquiries per writer")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument(
        "--cpu",
        type=int,
        metavar="N",
        help="PostgreSQL only: CPU per create + submit, client and server, over N in one process",
    )
    args = parser.parse_args(argv)
    if args.cpu:
        return cpu_main(args)
    print(f"{args.enquiries} enquiries per writer (create + submit), median of {args.repeat}")
    print(
        f"{'backend':<11} {'writers':>7} {'library enq/s':>14} {'bare enq/s':>11} "
        f"{'ratio':>7} {'target':>7}"
    )
    breakdown: list[tuple[str, int, Timing, Timing, float | None]] = []
    with ExitStack() as stack:
        for backend in args.backend or ["sqlite", "postgresql"]:
            if backend == "sqlite":
                workdir = Path(stack.enter_context(tempfile.TemporaryDirectory()))

                fresh: Callable[[int, int], tuple[str, str]] = functools.partial(
                    sqlite_fresh, workdir
                )

                raw: Callable[..., None] = raw_sqlite_writer
            else:
                server = args.url
                if server is None:
                    from cambridge_results.testing.postgres_server import TemporaryPostgres

                    server = stack.enter_context(TemporaryPostgres(fsync=True)).url

                fresh = functools.partial(postgres_fresh, server)

                raw = raw_postgres_writer
            for writers in args.writers or [1 if backend == "sqlite" else 4]:
                library_runs, bare_runs = [], []
                for _ in range(args.repeat):
                    store_url, raw_target = fresh(writers, args.enquiries)
                    library_runs.append(timed(library_writer, store_url, writers, args.enquiries))
                    bare_runs.append(timed(raw, raw_target, writers, args.enquiries))
                library = _median(library_runs)
                bare = _median(bare_runs)
                target = TARGETS.get((backend, writers))
                print(
                    f"{backend:<11} {writers:>7} {library.rate:>14,.1f} {bare.rate:>11,.1f} "
                    f"{library.rate / bare.rate:>7.3f} "
                    f"{'' if target is None else f'>= {target}':>7}",
                    flush=True,
                )
                breakdown.append((backend, writers, library, bare, target))
    print_breakdown(breakdown)
    return 0


def _median(runs: list[Timing]) -> Timing:
    """The median rate and the median CPU of ``runs`` (each on its own)."""
    return Timing(
        rate=statistics.median(r.rate for r in runs),
        cpu_ms=statistics.median(r.cpu_ms for r in runs),
    )


def print_breakdown(rows: list[tuple[str, int, Timing, Timing, float | None]]) -> None:
    """Each writer's wall time per create + submit, split into its own CPU and its waiting.

    The ratio is not a property of the library alone: a machine with a slow
    processor and a quick ``fsync`` puts it lower than one with a fast
    processor and a slow disk.  The last column is the CPU a writer could
    spend per create + submit, waiting as it does now, for the ratio to
    reach its target on this machine: ``wall(bare) / target - waiting``.
    """
    print()
    print("per create + submit and writer, ms (CPU: the writer's own process; waiting: the rest)")
    print(
        f"{'backend':<11} {'writers':>7} {'lib wall':>9} {'lib CPU':>8} {'lib wait':>9} "
        f"{'bare wall':>10} {'bare CPU':>9} {'CPU allowed':>12}"
    )
    for backend, writers, library, bare, target in rows:
        wall, bare_wall = library.wall_ms(writers), bare.wall_ms(writers)
        waiting = wall - library.cpu_ms
        allowed = f"{bare_wall / target - waiting:.3f}" if target is not None else ""
        print(
            f"{backend:<11} {writers:>7} {wall:>9.3f} {library.cpu_ms:>8.3f} {waiting:>9.3f} "
            f"{bare_wall:>10.3f} {bare.cpu_ms:>9.3f} {allowed:>12}"
        )


def cpu_main(args: argparse.Namespace) -> int:
    """Print CPU per create + submit (``--cpu N``), ``--repeat`` runs, and their medians."""
    with ExitStack() as stack:
        server = args.url
        if server is None:
            from cambridge_results.testing.postgres_server import TemporaryPostgres

            server = stack.enter_context(TemporaryPostgres(fsync=True)).url
        print(f"CPU ms per create + submit, one writer, {args.cpu} enquiries, PostgreSQL")
        print(
            f"{'':<8} {'lib client':>10} {'lib server':>10} {'bare client':>11} {'bare server':>11}"
        )
        runs = [cpu_per_enquiry(server, args.cpu) for _ in range(args.repeat)]
        for label, run in [
            *((f"run {i + 1}", r) for i, r in enumerate(runs)),
            ("median", tuple(statistics.median(c) for c in zip(*runs, strict=True))),
        ]:
            print(f"{label:<8} {run[0]:>10.3f} {run[1]:>10.3f} {run[2]:>11.3f} {run[3]:>11.3f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
