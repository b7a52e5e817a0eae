"""The floor under issue 15's SQLite enquiry target: the library's own statements, replayed bare.

Usage (from the repository root, after ``bash scripts/test``)::

    .venv/bin/python benchmarks/enquiry_floor.py --enquiries 600 --repeat 3

``benchmarks/enquiries.py`` compares a create + submit through the use cases
with two bare one-row transactions.  This asks how much of the gap is the
library's Python and how much is the statements themselves: one writer
process records, through a ``sqlite3.Connection`` subclass, every statement
and parameter the store sends for ``--enquiries`` create + submits; another
replays exactly those statements, parameters and transactions through bare
``sqlite3`` (the store's pragmas, statement cache hits as the store gets
them, no library code) on a copy of the same seeded file.  Each repeat
times, on fresh copies of one seeded file, back to back: the library, the
replay, and the bare pair of ``benchmarks/enquiries.py``.

``replay / pair`` is the most the library could reach with its schema and
statements if its own Python cost nothing: the ceiling of ``library /
pair``.  When it is under the target (0.5), no saving in the library's code
alone can meet the target; fewer b-tree pages written per create + submit
(rows, indexes, the event log) would be needed.
"""

from __future__ import annotations

import argparse
import multiprocessing
import pickle
import shutil
import sqlite3
import statistics
import sys
import tempfile
import time
from collections.abc import Sequence
from contextlib import closing
from pathlib import Path
from typing import Any, Self

from cambridge_results.board.schema import SCHEMA
from cambridge_results.storage import open_store
from enquiries import (
    TARGETS,
    _enquirer,
    library_writer,
    raw_sqlite_writer,
    sqlite_fresh,
    timed,
)

#: One statement as the store sent it: its text and its parameters.
Sent = tuple[str, Any]


class RecordingCursor(sqlite3.Cursor):
    """A cursor that keeps every statement it runs (text and parameters) in ``sent``."""

    sent: list[Sent]

    def execute(self, sql: str, parameters: Any = (), /) -> Self:
        """Keep the statement, then run it."""
        self.sent.append((sql, parameters))
        return super().execute(sql, parameters)


class RecordingConnection(sqlite3.Connection):
    """A connection whose statements, on itself or its cursors, are kept in ``sent``.

    The store runs a unit of work's statements on one cursor of the unit's
    (and a stream's on one of its own), so its cursors record too.
    """

    sent: list[Sent]

    def cursor(self, factory: Any = RecordingCursor) -> Any:
        """A cursor that records into this connection's ``sent``."""
        cursor = super().cursor(factory)
        if isinstance(cursor, RecordingCursor):
            cursor.sent = self.sent
        return cursor

    def execute(self, sql: str, parameters: Any = (), /) -> sqlite3.Cursor:
        """Keep the statement, then run it."""
        self.sent.append((sql, parameters))
        return super().execute(sql, parameters)


def record(url: str, count: int, out: str) -> None:
    """Run ``count`` + 1 create + submits on ``url``; pickle each one's statements to ``out``."""
    sent: list[Sent] = []
    connect = sqlite3.connect

    def recording_connect(*args: Any, **kwargs: Any) -> sqlite3.Connection:
        conn = connect(*args, factory=RecordingConnection, **kwargs)
        assert isinstance(conn, RecordingConnection)
        conn.sent = sent
        return conn

    sqlite3.connect = recording_connect  # type: ignore[assignment]  # this process only
    store = open_store(url, migrate=False, migrations=SCHEMA)
    enquire = _enquirer(store, 0)
    per_enquiry: list[list[Sent]] = []
    for n in range(count + 1):
        sent.clear()
        enquire(n)
        per_enquiry.append(list(sent))
    store.close()
    Path(out).write_bytes(pickle.dumps(per_enquiry))


def replay_writer(where: str, writer: int, count: int, barrier: Any, out: Any) -> None:
    """Replay the recorded statements (``where`` is ``DB|RECORDING``) through bare sqlite3."""
    db, recording = where.split("|")
    per_enquiry: list[list[Sent]] = pickle.loads(Path(recording).read_bytes())  # noqa: S301  # written by record() above
    conn = sqlite3.connect(db, timeout=60, isolation_level=None)
    for pragma in (
        "busy_timeout = 60000",
        "journal_mode = WAL",
        "synchronous = FULL",
        "foreign_keys = ON",
    ):
        conn.execute(f"PRAGMA {pragma}")
    cursor = conn.cursor()  # one cursor, as the store's unit of work uses
    start = cpu = 0.0
    for n, statements in enumerate(per_enquiry[: count + 1]):
        if n == 1:
            barrier.wait()  # enquiry 0 was the warm-up, as the library's is
            start, cpu = time.monotonic(), time.process_time()
        for sql, parameters in statements:
            cursor.execute(sql, parameters).fetchall()
    out.put((start, time.monotonic(), time.process_time() - cpu))
    conn.close()


def copy_of(store_url: str, name: str) -> str:
    """A copy of the store's file, checkpointed first; its path."""
    path = Path(store_url.removeprefix("sqlite:///"))
    with closing(sqlite3.connect(path)) as conn:
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    target = path.with_name(f"{path.stem}-{name}.db")
    shutil.copyfile(path, target)
    return str(target)


def one_run(workdir: Path, count: int) -> tuple[float, float, float, float]:
    """Library, replay and bare-pair enquiries a second, and statements an enquiry."""
    store_url, raw_path = sqlite_fresh(workdir, 1, count)
    replay_db = copy_of(store_url, "replay")
    recorded_url = f"sqlite:///{copy_of(store_url, 'record')}"
    recording = str(workdir / "recording.pickle")
    ctx = multiprocessing.get_context("spawn")
    recorder = ctx.Process(target=record, args=(recorded_url, count, recording))
    recorder.start()
    recorder.join()
    if recorder.exitcode:
        raise SystemExit(f"recording failed: exit code {recorder.exitcode}")
    recorded = pickle.loads(Path(recording).read_bytes())  # noqa: S301  # written by record()
    statements = sum(len(s) for s in recorded[1:]) / count
    if statements < 4:  # two transactions' BEGIN and COMMIT at the least
        raise SystemExit(
            f"recorded {statements:.2f} statements a create + submit: the store no longer"
            " runs them where RecordingConnection sees them"
        )
    library = timed(library_writer, store_url, 1, count).rate
    replay = timed(replay_writer, f"{replay_db}|{recording}", 1, count).rate
    pair = timed(raw_sqlite_writer, raw_path, 1, count).rate
    return library, replay, pair, statements


def main(argv: Sequence[str] | None = None) -> int:
    """Print the library's rate, its statements' bare rate and the bare pair's, with ratios."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--enquiries", type=int, default=600, help="create + submits a run")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args(argv)
    runs = []
    with tempfile.TemporaryDirectory() as tmp:
        for _ in range(args.repeat):
            runs.append(one_run(Path(tmp), args.enquiries))
    library, replay, pair, statements = (statistics.median(c) for c in zip(*runs, strict=True))
    print(f"SQLite, 1 writer, {args.enquiries} create + submits, median of {args.repeat}")
    print(f"statements sent a create + submit (BEGIN and COMMIT included): {statements:.2f}")
    print(f"{'':<34} {'enq/s':>9} {'/ pair':>7}")
    for label, rate in [
        ("library (use cases)", library),
        ("its statements replayed bare", replay),
        ("bare pair (two one-row commits)", pair),
    ]:
        print(f"{label:<34} {rate:>9,.1f} {rate / pair:>7.3f}")
    print(
        f"library / replay: {library / replay:.3f}; target library / pair >= {TARGETS['sqlite', 1]}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
