"""Publication that never lies: runs SIGKILLed between sync, mark and rename (CRW-13, issue 13).

CRW-13: "a letter file gets its final name only once its credentials are
marked printed, and recovery removes or voids the files of an abandoned
run."  Each test runs generation in real processes (with their worker
pools) on a real SQLite file and on PostgreSQL, stops one at a test-only
pause point (``CAMBRIDGE_RESULTS_TEST_PAUSE``), kills it with SIGKILL and
lets the next run recover.  Afterwards no ``.part`` file remains, and every
letter under a final name either logs in or was replaced by a later
printed letter of its candidate.
"""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import time
from pathlib import Path

import pytest
from website_store_support import (
    HASHER,
    MAIN,
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
from cambridge_results.website import CredentialState, GenerationRequest
from cambridge_results.website.publication import PAUSE_ENVIRONMENT

CANDIDATES = 6 + 9  # GB100's six plus extras: three batches of five
_RUN = re.compile(r"_run(\d+)")

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(not Path("/proc/self/task").exists(), reason="needs Linux /proc"),
]


def _board(url: str, out: Path) -> None:
    """GB100 with every candidate printed once, then made stale (a new delay, ASC-06)."""
    store = open_store(url, migrations=SCHEMA)
    try:
        build_board(store, extra=CANDIDATES - 6)
        web(store, clock=clock()).set_access(MAIN, "GB100", SERIES, all_request())
        request = GenerationRequest(centres="GB100", series=SERIES, mode="all", out_dir=out)
        web(store, clock=clock(), hasher_name="test-cheap", workers=0).generate_letters(
            MAIN, request
        )
        web(store, clock=clock()).set_access(MAIN, "GB100", SERIES, all_request(delay="PT6H"))
    finally:
        store.close()


def _wait_for(marker: Path, child: subprocess.Popen[str]) -> None:
    """Wait until ``child`` reaches its pause point (it creates ``marker``)."""
    deadline = time.monotonic() + 300
    while not marker.exists():
        assert child.poll() is None, f"the run ended before its pause point: {child.stderr}"
        assert time.monotonic() < deadline, "the run never reached its pause point"
        time.sleep(0.02)


def _paused_run(
    url: str, tmp_path: Path, mode: str, point: str
) -> tuple[Path, set[str], subprocess.Popen[str], Path]:
    """A board printed once, then a run in a child process waiting at ``point``:
    (letters directory, its files before, the child, the marker that holds it)."""
    out = tmp_path / "letters"
    _board(url, out)
    before = _final(out)
    marker = tmp_path / "paused"
    child = start_child(url, out, mode, env={PAUSE_ENVIRONMENT: f"{point}:{marker}"})
    _wait_for(marker, child)
    return out, before, child, marker


def _final(out: Path) -> set[str]:
    return {p.name for p in out.iterdir() if not p.name.startswith(".")}


def _name(path: str) -> str:
    return Path(path).name


def _parts(out: Path) -> set[str]:
    return {p.name for p in out.iterdir() if p.name.endswith(".part")}


def _recover(url: str, out: Path, mode: str = "stale") -> int | None:
    """The next run for GB100, in this process: it recovers first; its run number."""
    store = open_store(url, migrations=SCHEMA)
    try:
        request = GenerationRequest(centres="GB100", series=SERIES, mode=mode, out_dir=out)
        website = web(store, clock=clock(), hasher_name="test-cheap", workers=0)
        return website.generate_letters(MAIN, request).run
    finally:
        store.close()


def _assert_no_letter_lies(url: str, out: Path) -> None:
    """Every final-named letter logs in, unless a later run printed its candidate again;
    every candidate's current letter is on disk under a final name; no ``.part`` is left."""
    assert _parts(out) == set()
    store = open_store(url, migrations=SCHEMA)
    try:
        stored = credentials(store)
    finally:
        store.close()
    zips = {int(_RUN.findall(name)[0]): out / name for name in _final(out) if name.endswith(".zip")}
    for number, record in stored.items():
        assert record.state is CredentialState.PRINTED, number
        assert record.run in zips, f"{number}: the letter of run {record.run} is not on disk"
    for run, path in zips.items():
        for name, (username, password) in zip_letters(path).items():
            record = stored[name[-8:-4]]
            assert record.username == username
            assert record.password_hash is not None
            works = HASHER.verify(record.password_hash, password)
            assert works or record.run != run, f"{path.name}: {name}'s password fails"


@pytest.mark.parametrize("point", ["synced", "printed"])
@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
def test_a_run_killed_between_sync_mark_and_rename_leaves_no_letter_that_lies(
    backend: str, point: str, tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    """CRW-13: SIGKILL after sync (not printed) or after the mark (not renamed); recovered."""
    url = file_store_url(backend, tmp_path, request)
    out, before, child, _ = _paused_run(url, tmp_path, "stale", point)
    os.kill(child.pid, signal.SIGKILL)
    child.communicate(timeout=300)
    assert child.returncode == -signal.SIGKILL
    # Killed: nothing new under a final name, its synced files still hidden.
    assert _final(out) == before
    assert len(_parts(out)) == 2  # its PDF and its zip
    store = open_store(url, migrations=SCHEMA)
    try:
        states = {r.state for r in credentials(store).values()}
    finally:
        store.close()
    expected = CredentialState.UNPRINTED if point == "synced" else CredentialState.PRINTED
    assert states == {expected}

    recovered = _recover(url, out)
    _assert_no_letter_lies(url, out)
    if point == "printed":
        # Rolled forward: the killed run's files are in place; nothing was stale.
        assert recovered is None
        assert len(_final(out)) == len(before) + 2
    else:
        # Its files deleted; the next run printed every candidate again.
        assert recovered is not None
        assert len(_final(out)) == len(before) + 2


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
def test_a_second_run_for_a_centre_is_refused_while_one_is_going_and_spares_its_files(
    backend: str, tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    """CRW-13: the second run exits busy, writes nothing, deletes no ``.part`` of the first."""
    url = file_store_url(backend, tmp_path, request)
    out, before, first, marker = _paused_run(url, tmp_path, "all", "synced")
    try:
        parts = _parts(out)
        assert len(parts) == 2
        second = start_child(url, out, "all")
        stdout, stderr = second.communicate(timeout=300)
        assert second.returncode == 3, stderr
        assert "busy" in stdout
        # The second run recovered first, and left the live run's files alone.
        assert _parts(out) == parts
        assert _final(out) == before
        marker.unlink()  # the first run goes on
        stdout, stderr = first.communicate(timeout=300)
    finally:
        if first.poll() is None:
            first.kill()
            first.wait()
    assert first.returncode == 0, stderr
    report = json.loads(stdout.splitlines()[-1].removeprefix("report "))
    assert report["printed"] == report["letters"] == CANDIDATES
    _assert_no_letter_lies(url, out)
    # The refused run left no files: only the first run's PDF and zip are new.
    assert _final(out) - before == {Path(report["zip"]).name, *map(_name, report["pdfs"])}
