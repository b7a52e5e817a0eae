"""Instructions per enquiry create + submit, counted exactly by callgrind (issue 15).

Usage (from the repository root, after ``bash scripts/test``; needs valgrind)::

    PYTHONHASHSEED=0 .venv/bin/python benchmarks/enquiry_instructions.py
    PYTHONHASHSEED=0 .venv/bin/python benchmarks/enquiry_instructions.py --url postgresql://...

Wall-clock ratios on a shared machine move by a fifth from run to run;
instruction counts do not move with the load.  This runs ``benchmarks/
enquiries.py``'s writer (one service-2 create + submit per candidate) under
``valgrind --tool=callgrind`` twice, for ``--few`` and ``--many`` enquiries on
a fresh store seeded alike, and prints the difference divided by the
difference in enquiries: what one more create + submit costs the client
process, start-up and seeding cancelled out.  SQLite files go to ``/dev/shm``
when it exists.  Keep ``PYTHONHASHSEED`` fixed when comparing two versions:
the count moves by up to 3 % from one hash seed to another.
"""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path

from callgrind import add_store_arguments, per_run_on_seeded_stores

HERE = Path(__file__).resolve().parent


def run_enquiries(url: str | None, count: int, seeded: int) -> None:
    """Seed ``seeded`` candidates in a fresh store, then run ``count`` create + submits."""
    sys.path.insert(0, str(HERE))
    from enquiries import postgres_fresh, sqlite_fresh

    if url is None:
        shm = Path("/dev/shm")  # noqa: S108  # tmpfs; mkdtemp makes a private directory in it
        workdir = Path(tempfile.mkdtemp(dir=shm if shm.is_dir() else None))
        try:
            store_url, _ = sqlite_fresh(workdir, 1, seeded)
            _enquire(store_url, count)
        finally:
            shutil.rmtree(workdir)
    else:
        store_url, _ = postgres_fresh(url, 1, seeded)
        _enquire(store_url, count)


def _enquire(store_url: str, count: int) -> None:
    """``count`` create + submits on ``store_url``."""
    from cambridge_results.board.schema import SCHEMA
    from cambridge_results.storage import open_store
    from enquiries import _enquirer

    store = open_store(store_url, migrate=False, migrations=SCHEMA)
    enquire = _enquirer(store, 0)
    for n in range(count):
        enquire(n)
    store.close()


def main(argv: Sequence[str] | None = None) -> int:
    """Print instructions per create + submit on SQLite, or on ``--url``'s PostgreSQL."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    add_store_arguments(parser)
    args = parser.parse_args(argv)
    if args.run is not None:
        run_enquiries(args.url, args.run, args.seeded)
        return 0
    per = per_run_on_seeded_stores(parser, args, __file__)
    backend = "PostgreSQL client" if args.url else "SQLite"
    print(f"{backend}: {per:,.0f} instructions per create + submit")
    return 0


if __name__ == "__main__":
    sys.exit(main())
