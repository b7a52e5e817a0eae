"""Races of login use cases in threads and in real processes (LOG-02, LOG-05).

:func:`race_wrong_logins` and :func:`race_redemptions` run real OS
processes (``spawn``) against one store URL: "of any number of
simultaneous wrong attempts at most 3 reach the hasher, and no increment
is lost" and "of 20 simultaneous redemptions of one token exactly one
succeeds".  Every process counts its own hasher calls and reports them
back, so the total is honest across processes.
"""

from __future__ import annotations

import multiprocessing
import queue as queue_module
import threading
from collections.abc import Callable, Sequence
from typing import Any

import attrs
import pendulum

from cambridge_results.board.schema import SCHEMA
from cambridge_results.logins import AttemptOutcome, LoginRepositories, LoginRequest, Logins
from cambridge_results.storage.plugins import open_store
from cambridge_results.testing.logins_kit import CountingHasher, counting_logins, together

__all__ = ["LoginRace", "race_redemptions", "race_wrong_logins", "wrong_logins_in_threads"]

#: Seconds a process waits for the others at the start line (a dead sibling breaks it).
BARRIER_TIMEOUT = 120.0


@attrs.frozen(kw_only=True)
class LoginRace:
    """What a race of wrong logins did: hasher calls (all processes) and outcomes."""

    verifies: int
    outcomes: tuple[AttemptOutcome, ...]


def wrong_logins_in_threads(
    logins: Logins,
    hasher: CountingHasher,
    *,
    username: str,
    password: str,
    attempts: int,
    start: Any = None,
) -> LoginRace:
    """``attempts`` threads each try ``password`` for ``username`` at once.

    ``hasher`` is the counting hasher ``logins`` was built with; ``start``
    (a barrier shared with other processes) releases everyone together.
    """
    before = hasher.verifies
    outcomes: list[AttemptOutcome] = []
    lock = threading.Lock()
    request = LoginRequest(username=username, password=password)

    def work() -> None:
        outcome = logins.log_in(request).attempt.outcome
        with lock:
            outcomes.append(outcome)

    if start is not None:
        start.wait(BARRIER_TIMEOUT)
    together(attempts, work)
    return LoginRace(verifies=hasher.verifies - before, outcomes=tuple(outcomes))


def _race_worker(
    url: str, username: str, password: str, attempts: int, threshold: int, start: Any, out: Any
) -> None:
    store = open_store(url, migrate=False, migrations=SCHEMA)
    try:
        kit = counting_logins(store, threshold=threshold)
        race = wrong_logins_in_threads(
            kit.logins,
            kit.hasher,
            username=username,
            password=password,
            attempts=attempts,
            start=start,
        )
        out.put(("ok", race.verifies, [o.value for o in race.outcomes]))
    except BaseException as exc:  # reported to the parent, which fails the test
        out.put(("error", f"{type(exc).__name__}: {exc}", []))
    finally:
        store.close()


def _spread(total: int, processes: int) -> list[int]:
    return [total // processes + (1 if i < total % processes else 0) for i in range(processes)]


def _collect(target: Callable[..., None], args: Sequence[tuple[Any, ...]], out: Any) -> list[Any]:
    ctx = multiprocessing.get_context("spawn")
    workers = [ctx.Process(target=target, args=a) for a in args]
    for w in workers:
        w.start()
    results = []
    for _ in workers:
        try:
            results.append(out.get(timeout=300))
        except queue_module.Empty:  # pragma: no cover - only when a worker died
            break
    for w in workers:
        w.join()
    codes = [w.exitcode for w in workers]
    assert codes == [0] * len(workers), f"worker processes failed: exit codes {codes}"
    errors = [r for r in results if r[0] == "error"]
    assert not errors, f"workers raised {[e[1] for e in errors]}"
    assert len(results) == len(workers), "a worker reported nothing"
    return results


def race_wrong_logins(
    url: str,
    *,
    username: str,
    password: str,
    attempts: int = 50,
    processes: int = 8,
    threshold: int = 3,
) -> LoginRace:
    """``attempts`` simultaneous logins spread over ``processes`` spawned processes (LOG-02).

    Each process opens ``url`` itself, runs its share in threads released
    together with every other process's, and reports its own hasher count;
    the result adds them up.
    """
    ctx = multiprocessing.get_context("spawn")
    start = ctx.Barrier(processes)
    out = ctx.Queue()
    args = [
        (url, username, password, n, threshold, start, out) for n in _spread(attempts, processes)
    ]
    results = _collect(_race_worker, args, out)
    return LoginRace(
        verifies=sum(r[1] for r in results),
        outcomes=tuple(AttemptOutcome(o) for r in results for o in r[2]),
    )


def _redeem_worker(
    url: str, digest: str, at: pendulum.DateTime, times: int, start: Any, out: Any
) -> None:
    store = open_store(url, migrate=False, migrations=SCHEMA)
    try:
        codes: list[str] = []
        lock = threading.Lock()

        def work() -> None:
            decision = store.run(
                lambda uow: LoginRepositories(uow).reset_tokens.redeem(digest, at),
                actor="system:conformance",
            )
            with lock:
                codes.append("allowed" if decision.allowed else ",".join(decision.codes))

        start.wait(BARRIER_TIMEOUT)
        together(times, work)
        out.put(("ok", codes))
    except BaseException as exc:  # reported to the parent, which fails the test
        out.put(("error", f"{type(exc).__name__}: {exc}"))
    finally:
        store.close()


def race_redemptions(
    url: str, *, digest: str, at: pendulum.DateTime, redemptions: int = 20, processes: int = 4
) -> list[str]:
    """``redemptions`` simultaneous redemptions of one token over ``processes`` processes (LOG-05).

    ``digest`` is the token's (:func:`~cambridge_results.logins.tokens.token_digest`):
    the token itself never leaves the test.  Returns every answer:
    ``"allowed"`` or the refusal's codes.
    """
    ctx = multiprocessing.get_context("spawn")
    start = ctx.Barrier(processes)
    out = ctx.Queue()
    args = [(url, digest, at, n, start, out) for n in _spread(redemptions, processes)]
    return [code for r in _collect(_redeem_worker, args, out) for code in r[1]]
