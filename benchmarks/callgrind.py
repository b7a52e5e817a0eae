"""Exact instruction counts of a Python script under callgrind, for the instruction benchmarks.

Wall-clock figures on a shared machine move with the load; callgrind's count
of executed instructions does not (keep ``PYTHONHASHSEED`` fixed: hashing
moves it by a few percent).  The benchmarks run themselves twice, for fewer
and more iterations on stores seeded alike, and divide the difference.
"""

from __future__ import annotations

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
