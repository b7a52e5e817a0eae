"""Generation leases on every backend: runs for one centre take turns (CRW-13, issue 13)."""

from __future__ import annotations

import socket
import subprocess
import sys
from pathlib import Path

import pytest
from website_store_support import (
    MAIN,
    OPEN,
    SERIES,
    all_request,
    build_board,
    clock,
    credentials,
    web,
)

from cambridge_results.errors import GenerationInProgress
from cambridge_results.storage.port import Store
from cambridge_results.website import GenerationRequest
from cambridge_results.website.publication import LEASE_SECONDS
from cambridge_results.website.tables import WEBSITE_GENERATION_LEASES

LEASES = WEBSITE_GENERATION_LEASES.name


def _hold(store: Store, holder: str) -> None:
    """Another run (999) holds GB100's lease until ``LEASE_SECONDS`` after ``OPEN``."""
    with store.unit_of_work(actor="test:lease") as uow:
        uow.insert(
            LEASES,
            {
                "centre": "GB100",
                "run": 999,
                "holder": holder,
                "taken_at": OPEN,
                "expires_at": OPEN.add(seconds=LEASE_SECONDS),
            },
        )


def _leases(store: Store) -> int:
    with store.unit_of_work(actor="test:read", read_only=True) as uow:
        return uow.count(LEASES)


def _request(out: Path) -> GenerationRequest:
    return GenerationRequest(centres="GB100", series=SERIES, mode="all", out_dir=out)


def test_a_run_is_refused_while_another_host_holds_the_lease_and_runs_once_it_expired(
    store: Store, tmp_path: Path
) -> None:
    """CRW-13: GenerationInProgress and nothing written; after the expiry the run goes."""
    build_board(store)
    web(store).set_access(MAIN, "GB100", SERIES, all_request())
    _hold(store, "elsewhere.example 4242 12345 cafe")
    fixed = clock()
    website = web(store, clock=fixed, hasher_name="test-cheap", workers=0)
    out = tmp_path / "letters"
    with pytest.raises(GenerationInProgress) as refused:
        website.generate_letters(MAIN, _request(out))
    assert refused.value.rule == "CRW-13"
    assert credentials(store) == {}
    assert not out.exists() or list(out.iterdir()) == []
    fixed.advance(seconds=LEASE_SECONDS + 1)
    report = website.generate_letters(MAIN, _request(out))
    assert report.printed == report.letters == 6
    assert _leases(store) == 0  # given back at the end


def test_the_lease_of_a_dead_process_on_this_host_is_taken_at_once(
    store: Store, tmp_path: Path
) -> None:
    """CRW-13: a killed run does not block the next one until its lease expires."""
    build_board(store)
    web(store).set_access(MAIN, "GB100", SERIES, all_request())
    gone = subprocess.Popen([sys.executable, "-c", "pass"])
    gone.wait()
    _hold(store, f"{socket.gethostname()} {gone.pid} - beef")
    website = web(store, clock=clock(), hasher_name="test-cheap", workers=0)
    report = website.generate_letters(MAIN, _request(tmp_path / "letters"))
    assert report.printed == 6
    assert _leases(store) == 0
