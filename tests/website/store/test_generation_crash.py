"""Generation killed with SIGKILL mid-run, several times, then finished (CRW-13).

CRW-13: "A bulk generation either commits credentials together with their
rendered letters, or leaves any committed-but-unprinted credential marked as
such and regenerated on the next run; it never silently loses the only copy
of a password."  Each killed run must leave: the old letters still working,
no finished files, and its credentials unprinted; the next run regenerates
them, and every password in its letters verifies, no candidate missing or
twice.  The runs are real processes with real worker pools on a SQLite file.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

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
    web,
    zip_letters,
)

from cambridge_results.board.schema import SCHEMA
from cambridge_results.storage import open_store
from cambridge_results.website import (
    CredentialState,
    GenerationRequest,
)

CHILD = Path(__file__).parent / "crash_child.py"
CANDIDATES = 6 + 24  # GB100's six plus extras: six batches of five


def _start(url: str, out: Path, mode: str, kill_after: int) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, str(CHILD), url, str(out), mode, str(kill_after)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def _children(pid: int) -> set[int]:
    """The child processes of ``pid`` (its worker pool), from /proc."""
    found: set[int] = set()
    for task in Path(f"/proc/{pid}/task").glob("*"):
        try:
            found.update(int(p) for p in (task / "children").read_text().split())
        except OSError:
            continue
    return found


def _gone(pids: set[int], patience: float = 60.0) -> bool:
    """Whether every process in ``pids`` has exited (waiting up to ``patience`` seconds)."""
    deadline = time.monotonic() + patience
    while time.monotonic() < deadline:
        if not any(Path(f"/proc/{p}").exists() for p in pids):
            return True
        time.sleep(0.2)
    return False


def _finished_files(out: Path) -> set[str]:
    return {p.name for p in out.iterdir() if not p.name.startswith(".")}


def _check_after_kill(
    url: str, out: Path, old: dict[str, tuple[str, str]], files: set[str]
) -> None:
    """A killed run leaves no finished files, and every old letter still logs in."""
    assert _finished_files(out) == files
    store = open_store(url, migrations=SCHEMA)
    try:
        stored = credentials(store)
        for name, (username, password) in old.items():
            record = stored[name[-8:-4]]
            assert record.username == username
            assert record.password_hash is not None
            assert HASHER.verify(record.password_hash, password), f"{name} lost its password"
    finally:
        store.close()


@pytest.mark.slow
@pytest.mark.skipif(not Path("/proc/self/task").exists(), reason="needs Linux /proc")
def test_killed_runs_lose_no_password_and_the_next_run_prints_every_candidate_once(
    tmp_path: Path,
) -> None:
    """CRW-13: three SIGKILLs mid-run, then a run that finishes: no loss, no duplicate."""
    url = f"sqlite:///{tmp_path / 'crash.db'}"
    out = tmp_path / "letters"
    store = open_store(url, migrations=SCHEMA)
    try:
        build_board(store, extra=CANDIDATES - 6)
        web(store, clock=clock(), policy=POLICY).set_access(MAIN, "GB100", SERIES, all_request())
        first = web(
            store, clock=clock(), policy=POLICY, hasher_name="test-cheap", workers=0
        ).generate_letters(
            MAIN,
            GenerationRequest(
                centres="GB100", series=SERIES, mode="all", out_dir=out, batch_size=10
            ),
        )
        assert first.zip_file is not None
        old = zip_letters(first.zip_file)
        assert len(old) == CANDIDATES
        # A new delay makes every letter stale (ASC-06): the runs below regenerate them.
        web(store, clock=clock(), policy=POLICY).set_access(
            MAIN, "GB100", SERIES, all_request(delay="PT6H")
        )
    finally:
        store.close()
    files = _finished_files(out)

    # 1. Killed by itself right after its first batch was written.
    child = _start(url, out, "stale", kill_after=1)
    child.communicate(timeout=300)
    assert child.returncode == -signal.SIGKILL
    _check_after_kill(url, out, old, files)

    # 2. Killed from outside, with its worker pool running, after two batches.
    child = _start(url, out, "stale", kill_after=0)
    assert child.stdout is not None
    workers: set[int] = set()
    for line in child.stdout:
        workers |= _children(child.pid)
        if line.startswith("progress") and line.split()[2] == "2":
            os.kill(child.pid, signal.SIGKILL)
            break
    child.communicate(timeout=300)
    assert child.returncode == -signal.SIGKILL
    assert workers
    assert _gone(workers), "worker processes outlived the killed run"
    _check_after_kill(url, out, old, files)

    # 3. Killed after its last batch: every letter written, none renamed, none printed.
    child = _start(url, out, "stale", kill_after=CANDIDATES // 5)
    child.communicate(timeout=300)
    assert child.returncode == -signal.SIGKILL
    _check_after_kill(url, out, old, files)
    store = open_store(url, migrations=SCHEMA)
    try:
        unprinted = [r for r in credentials(store).values() if r.state is CredentialState.UNPRINTED]
        assert len(unprinted) == CANDIDATES
    finally:
        store.close()

    # 4. The next run finishes: every candidate once, every password verifies.
    child = _start(url, out, "stale", kill_after=0)
    stdout, stderr = child.communicate(timeout=300)
    assert child.returncode == 0, stderr
    report = json.loads(stdout.splitlines()[-1].removeprefix("report "))
    assert report["letters"] == report["printed"] == CANDIDATES
    assert report["recovered"] == CANDIDATES
    final = zip_letters(Path(report["zip"]))
    assert sorted(name[-8:-4] for name in final) == [f"{100 + i:04d}" for i in range(1, 31)]
    store = open_store(url, migrations=SCHEMA)
    try:
        stored = credentials(store)
        assert {r.state for r in stored.values()} == {CredentialState.PRINTED}
        for name, (username, password) in final.items():
            record = stored[name[-8:-4]]
            assert record.username == username == old[name][0]
            assert record.password_hash is not None
            assert HASHER.verify(record.password_hash, password)
            assert not HASHER.verify(record.password_hash, old[name][1])
        assert web(store, policy=POLICY).list_stale_letters(MAIN, "GB100", SERIES) == ()
    finally:
        store.close()
    assert _finished_files(out) == files | {
        Path(report["zip"]).name,
        *(Path(p).name for p in report["pdfs"]),
    }
    # The killed runs' temporary files were deleted by the run that finished.
    assert [p.name for p in out.iterdir() if p.name.endswith(".part")] == []
