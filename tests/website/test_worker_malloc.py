"""A worker warns when its environment makes argon2id slow (CRW-10, docs/scaling.md).

Dask's nanny starts every worker with ``MALLOC_TRIM_THRESHOLD_`` set; on
glibc that turns off the adaptive mmap threshold, and every argon2id hash
then maps and faults in its memory afresh.  The library cannot change a
caller's workers, so a worker says so in its log, once per hasher it loads.
"""

from __future__ import annotations

import concurrent.futures
import logging
import platform
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from website_store_support import MAIN, POLICY, SERIES, all_request, build_board, clock

from cambridge_results.board import open_board
from cambridge_results.hashing import Argon2idHasher, ScryptHasher, hasher_for
from cambridge_results.website import GenerationRequest
from cambridge_results.website.workers import malloc_warning

pytestmark = pytest.mark.skipif(
    platform.libc_ver()[0] != "glibc", reason="the malloc settings are glibc's"
)

FIXED = ("MALLOC_TRIM_THRESHOLD_", "MALLOC_TOP_PAD_", "MALLOC_MMAP_THRESHOLD_", "MALLOC_MMAP_MAX_")
OTHER = ("PATH", "HOME", "MALLOC_ARENA_MAX", "PYTHONHASHSEED", "MALLOC_CHECK_")
ASVS_FLOOR = Argon2idHasher()


def test_dasks_trim_threshold_gets_a_warning_naming_it_and_the_hash_memory() -> None:
    """CRW-10: the variable Dask's nanny sets is named, with the memory each hash maps."""
    warning = malloc_warning({"MALLOC_TRIM_THRESHOLD_": "65536"}, ASVS_FLOOR)
    assert warning is not None
    assert warning.startswith("MALLOC_TRIM_THRESHOLD_ in this process's environment")
    assert "19456 KiB" in warning
    assert "docs/scaling.md" in warning


@given(st.sets(st.sampled_from(FIXED + OTHER)))
def test_a_warning_comes_exactly_when_a_threshold_is_fixed(names: set[str]) -> None:
    """CRW-10: any of glibc's four threshold settings, and only they, make the warning."""
    environ = dict.fromkeys(names, "1")
    warning = malloc_warning(environ, ASVS_FLOOR)
    assert (warning is not None) == bool(names & set(FIXED))
    if warning is not None:
        assert all((name in warning) == (name in names) for name in FIXED)


@pytest.mark.parametrize(
    ("tunables", "warned"),
    [
        ("glibc.malloc.trim_threshold=65536", True),
        ("glibc.malloc.arena_max=2:glibc.malloc.mmap_threshold=1048576", True),
        ("glibc.malloc.arena_max=2", False),
        ("glibc.malloc.tcache_count=0", False),
    ],
)
def test_glibc_tunables_fixing_a_threshold_get_the_warning(tunables: str, warned: bool) -> None:
    """CRW-10: the same settings made through GLIBC_TUNABLES are found; others are not."""
    warning = malloc_warning({"GLIBC_TUNABLES": tunables}, ASVS_FLOOR)
    assert (warning is not None) is warned


@pytest.mark.parametrize(
    "hasher",
    [
        ScryptHasher(),  # 128 MiB: always mapped afresh, adaptive threshold or not
        Argon2idHasher(memory_kib=64 * 1024),  # above the adaptive threshold's ceiling
        Argon2idHasher(memory_kib=64),  # below the first threshold: never mapped
        hasher_for(POLICY.credentials, "test-cheap"),
    ],
    ids=repr,
)
def test_hashers_the_threshold_does_not_slow_get_no_warning(hasher: object) -> None:
    """CRW-10: only an argon2id hash of 128 KiB to 32 MiB depends on the adaptive threshold."""
    assert malloc_warning({"MALLOC_TRIM_THRESHOLD_": "65536"}, hasher) is None  # type: ignore[arg-type]


def _generate(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> list[str]:
    """Run GB100's letters on a one-thread executor with argon2id; the workers' warnings."""
    url = f"sqlite:///{tmp_path / 'malloc.db'}"
    board = open_board(url, policy=POLICY, clock=clock())
    try:
        build_board(board.store)
        board.website.set_access(MAIN, "GB100", SERIES, all_request())
    finally:
        board.close()
    with concurrent.futures.ThreadPoolExecutor(max_workers=1) as pool:
        board = open_board(
            url, policy=POLICY, clock=clock(), hasher_name="argon2id", executor=pool, workers=1
        )
        with board, caplog.at_level(logging.WARNING, logger="cambridge_results.website.workers"):
            report = board.website.generate_letters(
                MAIN,
                GenerationRequest(
                    centres="GB100", series=SERIES, mode="all", out_dir=tmp_path / "out"
                ),
            )
    assert report.letters == report.printed > 0
    return [r.getMessage() for r in caplog.records if r.name == "cambridge_results.website.workers"]


def test_a_worker_with_the_threshold_set_logs_the_warning_once_and_still_generates(
    tmp_path: Path, caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    """CRW-10: the worker thread that loads the hasher warns once; every letter is made."""
    monkeypatch.setenv("MALLOC_TRIM_THRESHOLD_", "65536")
    warnings = _generate(tmp_path, caplog)
    assert len(warnings) == 1
    assert "MALLOC_TRIM_THRESHOLD_" in warnings[0]


def test_a_worker_without_it_logs_nothing(
    tmp_path: Path, caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    """CRW-10: no malloc setting, no warning."""
    for name in FIXED:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.delenv("GLIBC_TUNABLES", raising=False)
    assert _generate(tmp_path, caplog) == []
