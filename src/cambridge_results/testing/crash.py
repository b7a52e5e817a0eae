"""A kill harness: SIGKILL a writer process at random points, then check what survived.

:func:`run_kill_test` forks a writer process again and again and kills it
with ``SIGKILL`` after a random delay, so it dies anywhere: opening the
store, in the middle of a unit of work, inside ``COMMIT``, between units.
The writer is any function taking a :class:`WriterContext`; it writes
through ``context.store`` forever and calls ``context.report(token)`` after
each unit of work has committed.  After every kill the harness calls
``check(store, rounds)`` with what each round's writer reported, and the
check decides what must hold, typically:

* committed data present: everything reported is stored;
* uncommitted data absent: nothing is stored that was neither reported nor
  the one unit of work that was in flight when its writer died;
* every unit of work is all or nothing, and the database is healthy.

:func:`ledger_writer` and :func:`check_ledger` are such a pair for any store
migrated with :func:`ledger_migrations`.  A feature adds its own pair the
same way (the credential writer of CRW-13 reports a credential only once its
letter is written, and its check demands that every credential never
reported is still marked unprinted); see docs/storage.md.

Processes are forked (POSIX only) so a round costs milliseconds, not an
interpreter start; the writer opens its own store in the child.
"""

from __future__ import annotations

import multiprocessing
import os
import random
import signal
import time
from collections.abc import Callable, Sequence

import attrs
import pendulum

from cambridge_results.board.schema import SCHEMA
from cambridge_results.storage import open_store
from cambridge_results.storage.migrations import CreateTable, Migration
from cambridge_results.storage.port import Store
from cambridge_results.storage.schema import Column, Table, value_of

__all__ = [
    "LEDGER",
    "LEDGER_TOTALS",
    "KillReport",
    "Round",
    "WriterContext",
    "check_ledger",
    "ledger_migrations",
    "ledger_writer",
    "prepare_ledger",
    "run_kill_test",
]


@attrs.frozen(kw_only=True)
class WriterContext:
    """What a writer gets in its process: its store, its round, and how to report a commit."""

    store: Store
    round: int
    report: Callable[[str], None]
    rng: random.Random


@attrs.frozen(kw_only=True)
class Round:
    """One writer process: its number and the tokens it reported before it died."""

    number: int
    reported: tuple[str, ...]


@attrs.frozen(kw_only=True)
class KillReport:
    """What :func:`run_kill_test` did: every round, and how many writers it killed."""

    rounds: tuple[Round, ...]
    killed: int


Writer = Callable[[WriterContext], None]
Checker = Callable[[Store, Sequence[Round]], None]

_ERROR = "!error "


def _child(
    url: str, migrations: Sequence[Migration], writer: Writer, number: int, fd: int, seed: int
) -> None:
    def report(token: str) -> None:
        # One write per line: under PIPE_BUF it is atomic, so a kill never splits it.
        os.write(fd, f"{token}\n".encode())

    try:
        store = open_store(url, migrations=migrations, migrate=False)
        writer(WriterContext(store=store, round=number, report=report, rng=random.Random(seed)))  # noqa: S311 - test randomness
    except BaseException as exc:
        report(f"{_ERROR}{type(exc).__name__}: {exc}".replace("\n", " "))
        raise


def _read_all(fd: int) -> str:
    chunks = []
    while chunk := os.read(fd, 65536):
        chunks.append(chunk)
    return b"".join(chunks).decode()


def run_kill_test(
    url: str,
    *,
    migrations: Sequence[Migration],
    writer: Writer,
    check: Checker,
    kills: int = 100,
    max_delay: float = 0.05,
    seed: int = 0,
) -> KillReport:
    """Kill ``kills`` writer processes at random moments, checking the store after each.

    Each round forks a process that opens ``url`` and runs ``writer``; after
    a delay drawn uniformly from ``[0, max_delay]`` seconds it is killed with
    SIGKILL (if it is still running; a writer must not return).  Then
    ``check(store, rounds_so_far)`` runs on a store of the harness's own;
    its AssertionError fails the run.  A writer that raises makes the run
    fail with the writer's error.
    """
    context = multiprocessing.get_context("fork")
    rng = random.Random(seed)  # noqa: S311 - reproducible test randomness
    rounds: list[Round] = []
    killed = 0
    store = open_store(url, migrations=migrations, migrate=False)
    try:
        for number in range(kills):
            read_fd, write_fd = os.pipe()
            process = context.Process(
                target=_child,
                args=(url, tuple(migrations), writer, number, write_fd, rng.randrange(2**32)),
            )
            try:
                process.start()
            finally:
                os.close(write_fd)
            try:
                time.sleep(rng.uniform(0, max_delay))
                if process.is_alive() and process.pid is not None:
                    os.kill(process.pid, signal.SIGKILL)
                process.join()
                text = _read_all(read_fd)
            finally:
                os.close(read_fd)
            lines = text.split("\n")[:-1]  # a last line without "\n" was never finished
            errors = [line[len(_ERROR) :] for line in lines if line.startswith(_ERROR)]
            if errors:
                raise AssertionError(f"the writer of round {number} failed: {errors[0]}")
            if process.exitcode != -signal.SIGKILL:
                raise AssertionError(
                    f"the writer of round {number} ended by itself (exit code "
                    f"{process.exitcode}) instead of being killed: writers must run until killed"
                )
            killed += 1
            rounds.append(Round(number=number, reported=tuple(lines)))
            check(store, rounds)
    finally:
        store.close()
    return KillReport(rounds=tuple(rounds), killed=killed)


# -- a generic ledger writer ----------------------------------------------------

#: Rows written in groups: every unit of work writes ``PARTS`` rows of one token.
LEDGER = Table(
    "crash_ledger",
    (Column("token", "text"), Column("part", "int"), Column("payload", "bytes")),
    primary_key=("token", "part"),
)
#: One counter of every ledger row, kept by ``increment`` in the same units of work.
LEDGER_TOTALS = Table(
    "crash_totals",
    (Column("name", "text"), Column("rows", "int", default=0)),
    primary_key="name",
)
PARTS = 3


def ledger_migrations(base: Sequence[Migration] = SCHEMA) -> tuple[Migration, ...]:
    """``base`` plus one migration creating the ledger tables."""
    return (
        *base,
        Migration(
            version=len(base) + 1,
            name="test-crash-ledger",
            steps=(CreateTable(LEDGER), CreateTable(LEDGER_TOTALS)),
        ),
    )


def prepare_ledger(store: Store) -> None:
    """Create the ledger's counter row (once, before the first round)."""
    with store.unit_of_work(actor="test:crash") as uow:
        uow.insert("crash_totals", {"name": "all"})


def ledger_writer(context: WriterContext) -> None:
    """Forever: one unit of work writes a token's rows, counts them and logs an event."""
    number = 0
    while True:
        number += 1
        token = f"r{context.round}-{number}"
        with context.store.unit_of_work(actor="test:crash-writer") as uow:
            for part in range(PARTS):
                payload = context.rng.randbytes(context.rng.randrange(1, 2000))
                uow.insert("crash_ledger", {"token": token, "part": part, "payload": payload})
            uow.increment("crash_totals", "all", "rows", PARTS)
            uow.events.append(at=pendulum.now("UTC"), kind="crash-ledger", subject=f"crash:{token}")
        context.report(token)


def _in_flight(round_: Round) -> str:
    return f"r{round_.number}-{len(round_.reported) + 1}"


def check_ledger(store: Store, rounds: Sequence[Round]) -> None:
    """Reported units are stored whole; nothing else is, but each round's one in-flight unit."""
    with store.unit_of_work(actor="test:crash-check", read_only=True) as uow:
        parts: dict[str, list[int]] = {}
        for row in uow.stream("crash_ledger", order_by=("token", "part")):
            parts.setdefault(value_of(row, "token", str), []).append(value_of(row, "part", int))
        total = value_of(uow.require("crash_totals", "all"), "rows", int)
        logged = {e.subject.removeprefix("crash:") for e in uow.events.iter_history("crash:")}
    reported = {token for r in rounds for token in r.reported}
    allowed = reported | {_in_flight(r) for r in rounds}
    stored = set(parts)
    if missing := reported - stored:
        raise AssertionError(f"committed units of work are missing: {sorted(missing)[:5]}")
    if extra := stored - allowed:
        raise AssertionError(f"units of work that never committed are stored: {sorted(extra)[:5]}")
    if torn := {t: p for t, p in parts.items() if p != list(range(PARTS))}:
        raise AssertionError(f"units of work stored in part: {dict(list(torn.items())[:5])}")
    if total != PARTS * len(stored):
        held = PARTS * len(stored)
        raise AssertionError(f"the counter says {total} rows, the ledger holds {held}")
    if logged != stored:
        raise AssertionError("the event log and the ledger disagree about which units committed")
