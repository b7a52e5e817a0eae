"""Exact instruction counts of a Python script under callgrind, for the instruction benchmarks.

Wall-clock figures on a shared machine move with the load; callgrind's count
of executed instructions does not (keep ``PYTHONHASHSEED`` fixed: hashing
moves it by a few percent).  The benchmarks run themselves twice, for fewer
and more iterations on stores seeded alike, and divide the difference.
"""

from __future__ import annotations

import argparse
import re
import subprocess
import sys
import tempfile
from collections.abc import Callable, Sequence


def instructions_of(script: str, arguments: Sequence[str]) -> int:
    """The instructions callgrind counts in ``python script *arguments``."""
    with tempfile.TemporaryDirectory() as tmp:
        command = [
            "valgrind",
            "--tool=callgrind",
            f"--callgrind-out-file={tmp}/callgrind.out",
            sys.executable,
            script,
            *arguments,
        ]
        done = subprocess.run(command, capture_output=True, text=True, check=False)
    found = re.search(r"Collected : (\d+)", done.stderr)
    if done.returncode or found is None:
        raise SystemExit(f"callgrind failed ({done.returncode}):\n{done.stderr[-2000:]}")
    return int(found[1])


def instructions_per_run(
    script: str, arguments: Callable[[int], Sequence[str]], few: int, many: int
) -> float:
    """What one more run costs: ``script`` counted with ``arguments(many)`` and with
    ``arguments(few)``, differenced and divided, so start-up and seeding cancel out."""
    if many <= few:
        raise ValueError("many must be more than few")
    counted = instructions_of(script, arguments(many)) - instructions_of(script, arguments(few))
    return counted / (many - few)


def add_store_arguments(parser: argparse.ArgumentParser) -> None:
    """The options of a benchmark counting runs on a seeded store: ``--url``, ``--few``,
    ``--many``, and the hidden ``--run`` and ``--seeded`` its counted processes take."""
    parser.add_argument("--url", help="a PostgreSQL server URL (default: SQLite)")
    parser.add_argument("--few", type=int, default=20)
    parser.add_argument("--many", type=int, default=120)
    parser.add_argument("--run", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--seeded", type=int, help=argparse.SUPPRESS)


def per_run_on_seeded_stores(
    parser: argparse.ArgumentParser,
    args: argparse.Namespace,
    script: str,
    options: Sequence[str] = (),
) -> float:
    """:func:`instructions_per_run` of ``script`` with ``options``, ``--few`` against
    ``--many`` runs, each process seeding a store of the same size (``--seeded``), so
    seeding cancels out of the difference."""
    if args.many <= args.few:
        parser.error("--many must be more than --few")
    seeded = ["--seeded", str(args.many + 1), *(["--url", args.url] if args.url else [])]
    return instructions_per_run(
        script, lambda count: [*options, "--run", str(count), *seeded], args.few, args.many
    )
