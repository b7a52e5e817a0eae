"""A board's kept worker pool logs at the level the library's logger has when a run starts.

A worker filters its records with its own ``cambridge_results`` logger,
set when it started (docs/logging.md).  A board keeps its workers for all
its runs, so a run that finds the parent's level changed since then starts
new workers: the level a run logs at is always the parent's (CRW-10).
"""

from __future__ import annotations

import logging
import os
from pathlib import Path

import pytest
from website_store_support import MAIN, POLICY, SERIES, all_request, build_board, clock

from cambridge_results.board import open_board
from cambridge_results.website import GenerationRequest

LIBRARY = "cambridge_results"


def _workers_debug(caplog: pytest.LogCaptureFixture) -> list[logging.LogRecord]:
    return [
        r
        for r in caplog.records
        if r.name == "cambridge_results.website.workers"
        and r.levelno == logging.DEBUG
        and r.process != os.getpid()
    ]


def test_a_kept_pool_follows_the_libraries_level_from_one_run_to_the_next(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """CRW-10: a run at INFO gets no DEBUG from the workers; after the level is set to DEBUG
    the next run's workers send theirs; back at INFO, none again."""
    url = f"sqlite:///{tmp_path / 'levels.db'}"
    with open_board(
        url, policy=POLICY, clock=clock(), hasher_name="test-cheap", workers=1
    ) as board:
        build_board(board.store)
        board.website.set_access(MAIN, "GB100", SERIES, all_request())
        seen = []
        for run, level in enumerate((logging.INFO, logging.DEBUG, logging.INFO)):
            caplog.clear()
            with caplog.at_level(level, logger=LIBRARY):
                report = board.website.generate_letters(
                    MAIN,
                    GenerationRequest(
                        centres="GB100", series=SERIES, mode="all", out_dir=tmp_path / str(run)
                    ),
                )
                assert report.letters == report.printed > 0
            seen.append(len(_workers_debug(caplog)))
    assert seen[0] == 0
    assert seen[1] > 0
    assert seen[2] == 0
