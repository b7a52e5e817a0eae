"""Two generation runs started at once for one centre, in two processes (CRW-12, CRW-13).

Issue 11: on PostgreSQL two such runs used to end in ``DuplicateError`` (both
saw a candidate without a credential and both reserved one).  Issue 13: on
SQLite one run's letters could be left on disk with every password
superseded by the other run.  A run now holds the centre's lease from start
to end, so a second run started while it goes is refused with
``GenerationInProgress`` before it writes anything (the child prints
``busy``); one that starts after the first ended runs normally.  No other
error may reach a caller, no password may be lost (every candidate's
credential is printed and the letter of the run that printed it verifies),
and a refused run leaves no file.  Real processes, each with its own worker
pool, on SQLite and PostgreSQL.
"""

from __future__ import annotations

import json
import subprocess
from pathlib import Path
from typing import Any

import pytest
from website_store_support import (
    HASHER,
    MAIN,
    POLICY,
    SERIES,
    all_request,
    build_board,
    clock,
    credentials,
    file_store_url,
    start_child,
    web,
    zip_letters,
)

from cambridge_results.board.schema import SCHEMA
from cambridge_results.storage import open_store
from cambridge_results.website import CredentialState

CANDIDATES = 6 + 24  # GB100's six plus extras: six batches of five per run
RUNS = 2


def _start(url: str, out: Path, go: Path) -> subprocess.Popen[str]:
    return start_child(url, out, "all", go=go)


def _wait_ready(child: subprocess.Popen[str]) -> None:
    assert child.stdout is not None
    line = child.stdout.readline()
    assert line.strip() == "ready", f"child did not start: {line!r} {child.stderr}"


def _report(child: subprocess.Popen[str]) -> dict[str, Any] | None:
    """The run's report, or ``None`` if it was refused because the other run was going."""
    out, err = child.communicate(timeout=300)
    if child.returncode == 3:
        assert out.splitlines()[-1] == "busy", out
        return None
    assert child.returncode == 0, f"a run failed:\n{err}"
    assert "Traceback" not in err, err
    (line,) = [x for x in out.splitlines() if x.startswith("report ")]
    report: dict[str, Any] = json.loads(line.removeprefix("report "))
    return report


@pytest.mark.slow
@pytest.mark.parametrize("attempt", range(3))
@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
def test_two_runs_started_at_once_for_one_centre_both_finish_and_lose_no_password(
    backend: str, attempt: int, tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    """CRW-12, CRW-13: no error reaches either caller; every current letter logs in."""
    url = file_store_url(backend, tmp_path, request)
    store = open_store(url, migrations=SCHEMA)
    try:
        build_board(store, extra=CANDIDATES - 6)
        web(store, clock=clock(), policy=POLICY).set_access(MAIN, "GB100", SERIES, all_request())
    finally:
        store.close()
    go = tmp_path / "go"
    children = [_start(url, tmp_path / f"letters{i}", go) for i in range(RUNS)]
    try:
        for child in children:
            _wait_ready(child)
        go.touch()
        outcomes = [_report(child) for child in children]
    finally:
        for child in children:
            if child.poll() is None:
                child.kill()
                child.wait()
    reports = [r for r in outcomes if r is not None]
    assert reports, "both runs were refused"
    for i, outcome in enumerate(outcomes):
        if outcome is None:  # refused: it wrote nothing at all
            assert not (tmp_path / f"letters{i}").exists() or not any(
                (tmp_path / f"letters{i}").iterdir()
            )
    assert all(r["letters"] == CANDIDATES for r in reports)
    # Between them the runs printed every candidate at least once.
    assert sum(r["printed"] for r in reports) >= CANDIDATES
    zips = {r["run"]: zip_letters(Path(r["zip"])) for r in reports}
    store = open_store(url, migrations=SCHEMA)
    try:
        stored = credentials(store)
    finally:
        store.close()
    assert len(stored) == CANDIDATES
    for number, record in stored.items():
        assert record.state is CredentialState.PRINTED, number
        assert record.password_hash is not None
        # The run that printed the credential holds its current letter.
        letters = zips[record.run]
        username, password = letters[f"GB100_{SERIES}_{number}.pdf"]
        assert username == record.username
        assert HASHER.verify(record.password_hash, password), f"{number} lost its password"
