"""Instructions per rule decision, counted exactly by callgrind (issue 15, item 1).

Usage (from the repository root, after ``bash scripts/test``; needs valgrind)::

    PYTHONHASHSEED=0 .venv/bin/python benchmarks/rule_instructions.py
    PYTHONHASHSEED=0 .venv/bin/python benchmarks/rule_instructions.py --case "check_window refused"

``benchmarks/rules.py`` measures decisions per CPU second, an absolute rate
that moves with the processor's speed (by half between two hours of one
day on the shared machine).  This counts what one more call of each of its
cases costs in instructions, which the machine and its load do not move:
each case runs ``--few`` and ``--many`` times under ``valgrind
--tool=callgrind`` and the difference is divided by the difference in calls.
Divide a machine's interpreter speed (instructions a CPU second, e.g. a
bare loop's count over its time) by a case's count to see its rate there.
Keep ``PYTHONHASHSEED`` fixed when comparing two versions.
"""

from __future__ import annotations

import argparse
import functools
import sys
from collections.abc import Sequence

from callgrind import instructions_per_run

from rules import TARGET, cases


def _run(name: str, calls: int) -> list[str]:
    """The arguments that make this script call case ``name`` ``calls`` times."""
    return ["--run", name, str(calls)]


def main(argv: Sequence[str] | None = None) -> int:
    """Print each case's instructions per call."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--case", action="append", help="a case of rules.py (default: all)")
    parser.add_argument("--few", type=int, default=200)
    parser.add_argument("--many", type=int, default=1200)
    parser.add_argument("--run", nargs=2, metavar=("CASE", "CALLS"), help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    every = cases()
    if args.run is not None:
        name, calls = args.run
        call = every[name]
        call()  # warm, in both runs alike: what is cached at first use cancels out
        for _ in range(int(calls)):
            call()
        return 0
    chosen = args.case or list(every)
    unknown = [name for name in chosen if name not in every]
    if unknown:
        parser.error(f"no case {', '.join(unknown)}; the cases: {', '.join(every)}")
    print(f"instructions per call ({args.many} calls less {args.few}); the target is {TARGET:,}/s")
    for name in chosen:
        per = instructions_per_run(__file__, functools.partial(_run, name), args.few, args.many)
        print(f"{name:34} {per:>10,.0f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
