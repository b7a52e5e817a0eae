"""What a worker process of bulk generation loads, and how it keeps its heap (CRW-10).

A run's own pool is spawned afresh for every run, so what a worker imports
and how often its collector walks the heap are paid on every run
(docs/performance.md, "Where the work goes").
"""

from __future__ import annotations

import concurrent.futures
import gc
import json
import multiprocessing
import os
import subprocess
import sys

import pytest

import cambridge_results.website
from cambridge_results.website.workers import init_worker

_LOADED = """
import json, sys
import cambridge_results.website.workers
print(json.dumps(sorted(m for m in sys.modules if m.startswith("cambridge_results"))))
"""


def test_importing_the_worker_module_leaves_the_application_and_the_store_unloaded() -> None:
    """CRW-10: a worker imports what draws, hashes and renders, not the website's use cases."""
    out = subprocess.run(
        [sys.executable, "-c", _LOADED], check=True, capture_output=True, text=True
    ).stdout
    loaded = set(json.loads(out))
    assert "cambridge_results.website.workers" in loaded
    assert "cambridge_results.rendering.pdf_split" in loaded
    for unwanted in (
        "cambridge_results.website.application",
        "cambridge_results.website.pipeline",
        "cambridge_results.storage.port",
    ):
        assert unwanted not in loaded


def test_the_website_package_gives_its_public_names_on_first_use_and_refuses_others() -> None:
    """Every name in ``__all__`` resolves, is listed by ``dir``; an unknown one is an error."""
    for name in cambridge_results.website.__all__:
        value = getattr(cambridge_results.website, name)
        assert value.__name__ == name
        assert name in dir(cambridge_results.website)
    with pytest.raises(AttributeError, match="no_such_name"):
        _ = cambridge_results.website.no_such_name  # type: ignore[attr-defined]


def test_a_worker_of_the_runs_own_pool_freezes_what_it_loaded() -> None:
    """CRW-10: modules (and the renderer and hasher, when named) are kept out of the
    collector's walks; the process starting the pool is not changed."""
    before = (gc.get_threshold(), gc.get_freeze_count())
    spawn = multiprocessing.get_context("spawn")
    with concurrent.futures.ProcessPoolExecutor(
        1, mp_context=spawn, initializer=init_worker, initargs=(os.getpid(),)
    ) as pool:
        frozen = pool.submit(gc.get_freeze_count).result()
    assert frozen > 1000
    assert (gc.get_threshold(), gc.get_freeze_count()) == before
