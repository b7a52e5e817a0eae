"""Python opcodes per function in an enquiry create + submit on SQLite, exactly.

Usage (from the repository root)::

    .venv/bin/python benchmarks/enquiry_opcodes.py [N]

Runs five warm-up create + submits on a fresh store on tmpfs, then traces N
(default 5) with ``sys.settrace`` counting every opcode, and prints the
opcodes per create + submit: in all, by function alone (exclusive), and by
function with what it calls (inclusive).  Deterministic, unlike timings on a
shared machine; an opcode is not an instruction (C work such as SQLite, JSON
or ``dict`` is not counted), so confirm a change with callgrind
(docs/performance-log.md, "Session 24: valuepath, provisional").
"""

from __future__ import annotations

import collections
import os
import pathlib
import sys
import tempfile
from types import FrameType
from typing import Any

from cambridge_results.board.schema import SCHEMA
from cambridge_results.storage import open_store
from enquiries import _enquirer, sqlite_fresh

WARM_UP = 5
SHOWN = 45


def _name(frame: FrameType) -> str:
    code = frame.f_code
    path = code.co_filename
    short = path.split("cambridge_results/")[-1] if "cambridge_results" in path else path
    return f"{os.path.basename(short) if short == path else short}:{code.co_name}"


def main(runs: int) -> None:
    """Trace ``runs`` create + submits and print the opcode counts per create + submit."""
    url, _ = sqlite_fresh(pathlib.Path(tempfile.mkdtemp(dir="/dev/shm")), 1, WARM_UP + runs)
    store = open_store(url, migrate=False, migrations=SCHEMA)
    enquire = _enquirer(store, 0)
    for n in range(WARM_UP):
        enquire(n)
    alone: collections.Counter[str] = collections.Counter()
    within: collections.Counter[str] = collections.Counter()
    stack: list[str] = []

    def trace(frame: FrameType, event: str, arg: Any) -> Any:
        frame.f_trace_opcodes = True
        name = _name(frame)
        stack.append(name)

        def local(frame: FrameType, event: str, arg: Any) -> Any:
            if event == "opcode":
                alone[name] += 1
                within.update(set(stack))
            elif event == "return":
                stack.pop()
            return local

        return local

    sys.settrace(trace)
    try:
        for n in range(WARM_UP, WARM_UP + runs):
            enquire(n)
    finally:
        sys.settrace(None)
        store.close()
    print(f"opcodes per create + submit: {sum(alone.values()) // runs}")
    for title, counts in (("alone", alone), ("with callees", within)):
        print(f"--- {title}")
        for name, count in counts.most_common(SHOWN):
            print(f"{count // runs:7d} {name}")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 5)
