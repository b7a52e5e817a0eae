"""Publication that never lies: leases, the published-files record and recovery (CRW-13).

A generation run's letters carry the passwords its credentials will accept
once they are *printed*.  A letter file under its final name whose
credentials were never marked printed would lie (its passwords never work),
and so would credentials marked printed whose letter never appears.  The
protocol (docs/website.md, "Publication"):

1. the run writes every file under a temporary name and ``fsync``\\ s it
   (:meth:`~cambridge_results.rendering.letter_output.LetterFiles.sync`);
2. **one transaction** marks the run's credentials printed *and* records
   its files here (``website_published_files``: final and temporary names,
   directory, ``printed``);
3. the files are renamed into place, the directory ``fsync``\\ ed, each is
   handed to the letter store (:meth:`~.letter_files.LetterStore.put`);
4. one transaction marks the files ``stored`` and gives the lease back.

A run killed before step 2 leaves only ``.part`` files and unprinted
credentials: the next run deletes the files and regenerates the
credentials.  A run killed after step 2 is rolled forward by the next run
for the same letter store (:func:`recover`): its ``.part`` files are renamed
and put, as the run would have done.

**Leases.**  Runs for one centre take turns: a run takes the centre's row in
``website_generation_leases`` in a transaction (its run number, who holds
it, and an expiry :data:`LEASE_SECONDS` ahead, renewed with every batch).
A second run for a centre whose lease is live raises
:class:`~cambridge_results.errors.GenerationInProgress` at once, before it
claims or writes anything (:func:`wait_for_lease` can poll for a while
instead; generation does not: a second click on "generate" should hear
that a run is going, not hang, and must not supersede the letters the
first run is printing).  A lease is dead
once expired, or at once when its holder ran on this host and its process
is gone (killed).  A run that finds its lease taken over raises the same
error and undoes its work.  :func:`recover` never touches the ``.part``
files of a run holding a live lease.
"""

from __future__ import annotations

import contextlib
import logging
import os
import re
import secrets
import socket
import time
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path

import pendulum

from cambridge_results.context import Context
from cambridge_results.errors import GenerationInProgress
from cambridge_results.files import PART_SUFFIX, fsync_directory, rename_into_place
from cambridge_results.rendering.letter_output import LetterFile
from cambridge_results.storage.keys import centre_key
from cambridge_results.storage.port import UnitOfWork
from cambridge_results.storage.query import In
from cambridge_results.storage.schema import Row, RowInput
from cambridge_results.values import CentreNumber
from cambridge_results.website.letter_files import LetterStore
from cambridge_results.website.tables import WEBSITE_GENERATION_LEASES, WEBSITE_PUBLISHED_FILES

__all__ = [
    "LEASE_SECONDS",
    "LEASE_WAIT_SECONDS",
    "PAUSE_ENVIRONMENT",
    "holder_identity",
    "pause_point",
    "recover",
]

#: How long a lease lasts without renewal (a batch renews it).
LEASE_SECONDS = 300
#: How long a second run for a centre waits for the first before giving up: not
#: at all, so it writes nothing and its caller hears at once (docs/website.md).
LEASE_WAIT_SECONDS = 0.0
_POLL_SECONDS = 0.1

#: Tests only: ``POINT:PATH`` makes a run reaching ``POINT`` ("synced": files
#: synced, not yet printed; "printed": printed, not yet renamed) create the file
#: ``PATH`` and wait there until ``PATH`` is deleted (or the process is killed).
PAUSE_ENVIRONMENT = "CAMBRIDGE_RESULTS_TEST_PAUSE"

_LEASES = WEBSITE_GENERATION_LEASES.name
_FILES = WEBSITE_PUBLISHED_FILES.name
_PRINTED = "printed"
_MISSING = "missing"
_log = logging.getLogger("cambridge_results.website.generation")

# A letter file's temporary name: ``.STEM_runNNNNNN[_volNNN|_partNNN].pdf|zip.<hex>.part``.
_LETTER_PART = re.compile(
    r"\.(?P<name>[A-Za-z0-9][A-Za-z0-9_.-]*_run(?P<run>\d{6,})(?:_(?:vol|part)\d{3,})?"
    r"\.(?:pdf|zip))\.[0-9a-f]+" + re.escape(PART_SUFFIX),
    re.ASCII,
)


def pause_point(point: str) -> None:
    """Wait here if the test-only :data:`PAUSE_ENVIRONMENT` names ``point``.

    Read twice a run, off the hot path; unset in production it does nothing.
    """
    wanted, _, marker = os.environ.get(PAUSE_ENVIRONMENT, "").partition(":")
    if wanted != point or not marker:
        return
    path = Path(marker)
    path.touch()
    while path.exists():
        time.sleep(0.01)


def _start_time(pid: int) -> str:
    """The process's start time in clock ticks since boot (``/proc``), or ``"-"``."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return "-"
    return stat.rpartition(")")[2].split()[19]


def holder_identity() -> str:
    """Who holds a lease: ``"host pid start-time token"`` for this process."""
    pid = os.getpid()
    return f"{socket.gethostname()} {pid} {_start_time(pid)} {secrets.token_hex(4)}"


def _holder_gone(holder: str) -> bool:
    """Whether ``holder`` ran on this host and its process no longer runs."""
    parts = holder.split()
    if len(parts) != 4 or parts[0] != socket.gethostname() or not parts[1].isdigit():
        return False
    pid = int(parts[1])
    if parts[2] != "-":
        return _start_time(pid) != parts[2]  # gone, or the pid was reused
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    except PermissionError:
        return False
    return False


def _int(value: object) -> int:
    assert isinstance(value, int)
    return value


def _live(row: Row | None, now: pendulum.DateTime) -> bool:
    if row is None:
        return False
    expires = row["expires_at"]
    assert isinstance(expires, pendulum.DateTime)
    return expires > now and not _holder_gone(str(row["holder"]))


def take_lease(
    uow: UnitOfWork,
    centres: Sequence[CentreNumber],
    *,
    new_run: Callable[[], int],
    holder: str,
    now: pendulum.DateTime,
) -> tuple[int | None, int | None]:
    """Take every centre's lease for a run numbered by ``new_run()``: ``(run, None)``,
    or ``(None, the holder's run)`` and nothing written if a lease is live.

    The caller holds the centres' locks, in one order for every run.
    """
    rows = {c: uow.get(_LEASES, (centre_key(c),)) for c in centres}
    for row in rows.values():
        if _live(row, now):
            assert row is not None
            return None, _int(row["run"])
    run = new_run()
    expires = now.add(seconds=LEASE_SECONDS)
    for centre, found in rows.items():
        lease: RowInput = {"run": run, "holder": holder, "taken_at": now, "expires_at": expires}
        if found is None:
            uow.insert(_LEASES, {"centre": centre_key(centre), **lease})
        else:
            uow.update(_LEASES, (centre_key(centre),), lease)
    return run, None


def renew_lease(
    uow: UnitOfWork,
    centres: Sequence[CentreNumber],
    *,
    run: int,
    holder: str,
    now: pendulum.DateTime,
) -> None:
    """Push the lease's expiry on; :class:`GenerationInProgress` if another run took it."""
    expires = now.add(seconds=LEASE_SECONDS)
    for centre in centres:
        if not uow.update(
            _LEASES,
            (centre_key(centre),),
            {"expires_at": expires},
            expect={"run": run, "holder": holder},
        ):
            raise GenerationInProgress(
                f"run {run} lost its lease for centre {centre} to another run; it was undone"
            )


def release_lease(
    uow: UnitOfWork, centres: Sequence[CentreNumber], *, run: int, holder: str
) -> None:
    """Give the lease back (if still ours)."""
    for centre in centres:
        row = uow.get(_LEASES, (centre_key(centre),))
        if row is not None and row["run"] == run and row["holder"] == holder:
            uow.delete(_LEASES, (centre_key(centre),))


def wait_for_lease(
    try_take: Callable[[], tuple[int | None, int | None]], *, wait: float, what: str
) -> int:
    """Call ``try_take()`` (``(run, None)`` once taken, else ``(None, holder's run)``)
    every :data:`_POLL_SECONDS` until it succeeds or ``wait`` seconds passed."""
    deadline = time.monotonic() + wait
    while True:
        taken, holder_run = try_take()
        if taken is not None:
            return int(taken)
        if time.monotonic() >= deadline:
            raise GenerationInProgress(
                f"run {holder_run} is generating letters for {what}; try again when it ends"
            )
        time.sleep(_POLL_SECONDS)


def record_files(
    uow: UnitOfWork, run: int, files: Iterable[LetterFile], *, now: pendulum.DateTime
) -> None:
    """Record the run's synced files as published, in the transaction that prints the run."""
    for f in files:
        uow.insert(
            _FILES,
            {
                "run": run,
                "name": f.final.name,
                "temp": f.temp.name,
                "directory": str(f.final.parent),
                "state": _PRINTED,
                "printed_at": now,
            },
        )


def mark_stored(uow: UnitOfWork, run: int, names: Iterable[str], *, state: str = "stored") -> None:
    """The run's files are in the letter store (or ``"missing"``): recovery is done with them."""
    for name in names:
        uow.update(_FILES, (run, name), {"state": state}, expect={"state": _PRINTED})


def _mark_stored(
    context: Context, run: int, names: list[str], *, actor: str, state: str = "stored"
) -> None:
    context.write(lambda uow: mark_stored(uow, run, names, state=state), actor=actor)


def put_files(letters: LetterStore, files: Iterable[LetterFile]) -> None:
    """Rename each synced file into place, ``fsync`` the directories, hand each to the store."""
    files = list(files)
    for f in files:
        if f.temp.exists() or not f.final.exists():
            rename_into_place(f.temp, f.final)
    for directory in {f.final.parent for f in files}:
        fsync_directory(directory)
    for f in files:
        letters.put(f.final.name, f.final)


def recover(
    context: Context, letters: LetterStore, *, actor: str, tidy: bool = True
) -> tuple[int, int]:
    """Finish what dead runs left in ``letters``' staging directory: (files rolled forward,
    ``.part`` files deleted).

    Runs recorded printed get their files renamed and put; the ``.part``
    files of runs that never printed are deleted.  Runs holding a live lease
    are left alone, whatever state they are in.  With ``tidy`` false (a run
    with nothing to write) the store is not touched, not even created,
    unless some printed run's files still wait to be put in place.
    """
    if not tidy:

        def waiting(uow: UnitOfWork) -> bool:
            return uow.count(_FILES, {"state": _PRINTED}) > 0

        if not context.read(waiting, actor=actor):
            return 0, 0
    staging = letters.staging()
    # Listed before the store is read: a run's lease exists before its first file.
    parts: dict[int, list[Path]] = {}
    for entry in os.scandir(staging):
        match = _LETTER_PART.fullmatch(entry.name)
        if match is not None:
            parts.setdefault(int(match["run"]), []).append(Path(entry.path))
    now = context.now()

    def read(uow: UnitOfWork) -> tuple[set[int], dict[int, list[LetterFile]]]:
        printed: dict[int, list[LetterFile]] = {}
        for row in uow.select(_FILES, {"state": _PRINTED, "directory": str(staging)}):
            printed.setdefault(_int(row["run"]), []).append(
                LetterFile(staging / str(row["name"]), staging / str(row["temp"]))
            )
        runs = sorted(set(parts) | set(printed))
        live: set[int] = set()
        for chunk in (runs[i : i + 500] for i in range(0, len(runs), 500)):
            for row in uow.select(_LEASES, {"run": In(tuple(chunk))}):
                if _live(row, now):
                    live.add(_int(row["run"]))
        return live, printed

    live, printed = context.read(read, actor=actor)
    rolled = deleted = 0
    for run, files in sorted(printed.items()):
        if run in live:
            continue
        try:
            put_files(letters, files)
        except FileNotFoundError:
            # Someone deleted a printed run's files: nothing can bring them back, and
            # retrying at every run would stop generation for good.  Its candidates'
            # letters are lost; a run in mode "all" gives them new ones.
            _log.error("run %d's printed letter files are missing from %s", run, staging)
            _mark_stored(context, run, [f.final.name for f in files], actor=actor, state=_MISSING)
            continue
        _mark_stored(context, run, [f.final.name for f in files], actor=actor)
        rolled += len(files)
    for run, paths in parts.items():
        if run in live or run in printed:
            continue
        for path in paths:
            with contextlib.suppress(FileNotFoundError):
                path.unlink()
                deleted += 1
    if deleted:
        fsync_directory(staging)
    return rolled, deleted
