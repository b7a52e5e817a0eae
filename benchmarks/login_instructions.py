"""Instructions per candidate login, counted exactly by callgrind (issue 15, item 2).

Usage (from the repository root, after ``bash scripts/test``; needs valgrind)::

    PYTHONHASHSEED=0 .venv/bin/python benchmarks/login_instructions.py
    PYTHONHASHSEED=0 .venv/bin/python benchmarks/login_instructions.py --url postgresql://...
    PYTHONHASHSEED=0 .venv/bin/python benchmarks/login_instructions.py --step reserve

Wall-clock ratios on a shared machine move by a fifth from run to run;
instruction counts do not move with the load.  This logs candidates in
through ``board.logins.log_in`` (``benchmarks/logins.py``'s logins, each
candidate once) under ``valgrind --tool=callgrind`` twice, for ``--few`` and
``--many`` logins on a fresh store seeded alike, and prints the difference
divided by the difference in logins: what one more login costs the client
process, start-up and seeding cancelled out.  The hasher is the test one
(``test-cheap``, argon2id at its smallest), so argon2id's own work, the
same with or without the library, does not drown the rest; the count
includes the cheap hash's verify (about 230,000 instructions at 2b1).
SQLite files go to ``/dev/shm`` when it exists.

``--step`` counts one step of a login on its own, through the functions
``log_in`` is made of (each run alike, so only that step differs):
``reserve`` the count in advance and the credential read
(:func:`~cambridge_results.logins.guard.reserve`), ``settle`` a success's
record and clearing (:func:`~cambridge_results.logins.guard.settle_success`,
after an uncounted reserve of the same key), ``verify`` the test hasher's
verify of the letter's password alone.  ``login`` (the default) is all of it.

Keep ``PYTHONHASHSEED`` fixed when comparing two versions: the count moves
by up to 3 % from one hash seed to another.
"""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from callgrind import add_store_arguments, per_run_on_seeded_stores

if TYPE_CHECKING:
    from cambridge_results.logins import Logins

HERE = Path(__file__).resolve().parent
STEPS = ("login", "reserve", "settle", "verify")


def run_logins(url: str | None, step: str, count: int, seeded: int) -> None:
    """Seed ``seeded`` candidates in a fresh store, then run ``count`` of ``step``."""
    sys.path.insert(0, str(HERE))
    from logins import _store_url

    if url is None:
        shm = Path("/dev/shm")  # noqa: S108  # tmpfs; mkdtemp makes a private directory in it
        workdir = Path(tempfile.mkdtemp(dir=shm if shm.is_dir() else None))
        try:
            _log_in(f"sqlite:///{workdir / 'logins.db'}", step, count, seeded)
        finally:
            shutil.rmtree(workdir)
    else:
        from contextlib import ExitStack

        with ExitStack() as stack:
            _log_in(_store_url(stack, "postgresql", url), step, count, seeded)


def _log_in(store_url: str, step: str, count: int, seeded: int) -> None:
    """Prepare alike, then ``count`` of ``step`` on candidates seeded in ``store_url``."""
    from cambridge_results.board import open_board
    from logins import PASSWORD, cheap_policy, seed, username

    policy = cheap_policy()
    seed(store_url, seeded, policy=policy, hasher="test-cheap")
    board = open_board(store_url, policy=policy, hasher_name="test-cheap", migrate=False)
    names = [username(n) for n in range(seeded)]
    do = _step(board.logins, step, names)
    for name in names[:count]:
        do(name, PASSWORD)
    board.close()


def _step(logins: Logins, step: str, names: list[str]) -> Callable[[str, str], object]:
    """What one ``step`` of a login does, for a candidate's username and password.

    Prepares what the step needs the same way whatever the count: one
    warm-up login of the last name; for ``settle``, every name reserved.
    """
    from cambridge_results.logins import LoginRequest
    from cambridge_results.logins.candidates import CandidateCredential
    from cambridge_results.logins.guard import SuccessSettling, reserve, settle_success
    from cambridge_results.logins.login import as_typed, find_login
    from cambridge_results.logins.records import AttemptOutcome, LoginAttempt
    from logins import PASSWORD

    context = logins.context
    verifier, port = logins._verifier, logins._candidates

    def login(name: str, password: str) -> None:
        if not logins.log_in(LoginRequest(username=name, password=password)).ok:
            raise SystemExit(f"login of {name} failed")

    def reserved(name: str, password: str = "") -> CandidateCredential:
        lock, found = reserve(
            context,
            key=name,
            lookup=lambda repos: find_login(repos, name),
            now=context.now(),
            candidates=port,
        )
        if not lock.allowed or not isinstance(found, CandidateCredential):
            raise SystemExit(f"reserve of {name} failed")
        return found

    def settle(name: str, password: str) -> None:
        attempt = LoginAttempt(at=context.now(), username=name, outcome=AttemptOutcome.SUCCESS)
        settle_success(context, SuccessSettling(attempt, key=name))

    login(names[-1], PASSWORD)
    found = reserved(names[-1])
    if step == "settle":
        for name in names[:-1]:
            reserved(name)

    def verify(name: str, password: str) -> bool:
        return verifier.verify(found.password_hash, as_typed(found, password))

    steps: dict[str, Callable[[str, str], object]] = {
        "login": login,
        "reserve": reserved,
        "settle": settle,
        "verify": verify,
    }
    return steps[step]


def main(argv: Sequence[str] | None = None) -> int:
    """Print instructions per login (or ``--step``) on SQLite, or on ``--url``'s PostgreSQL."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    add_store_arguments(parser)
    parser.add_argument("--step", choices=STEPS, default="login")
    args = parser.parse_args(argv)
    if args.run is not None:
        run_logins(args.url, args.step, args.run, args.seeded)
        return 0
    per = per_run_on_seeded_stores(parser, args, __file__, ["--step", args.step])
    backend = "PostgreSQL client" if args.url else "SQLite"
    print(f"{backend}: {per:,.0f} instructions per {args.step}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
