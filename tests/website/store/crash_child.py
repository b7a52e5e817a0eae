"""A generation run in its own process, for the crash tests (run as a script, not collected).

Usage: ``python crash_child.py STORE_URL OUT_DIR MODE KILL_AFTER [GO_FILE]``.
Prints ``progress DONE BATCHES`` after each batch and, at the end, ``report
JSON``.  With ``KILL_AFTER`` > 0 the process SIGKILLs itself right after that
many batches were written (mid-run, before its files are renamed into place).
With ``GO_FILE`` it starts its run only once that file exists, so that several
children started together begin at the same moment.  A run refused because
another holds the centre's lease prints ``busy`` and exits with status 3.
The test-only pause point (``CAMBRIDGE_RESULTS_TEST_PAUSE``, see
``cambridge_results.website.publication``) comes from the environment.
"""

from __future__ import annotations

import json
import os
import signal
import sys
import time
from pathlib import Path

from cambridge_results.board.schema import SCHEMA

# Run as a script, this directory is sys.path[0]: website_store_support imports as it is.


def main() -> None:
    """Run one generation for GB100 with two worker processes."""
    from website_store_support import MAIN, POLICY, SERIES, clock, web

    from cambridge_results.errors import GenerationInProgress
    from cambridge_results.storage import open_store
    from cambridge_results.website import GenerationProgress, GenerationRequest

    url, out_dir, mode, kill_after = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
    store = open_store(url, migrations=SCHEMA)
    website = web(store, clock=clock(), policy=POLICY, hasher_name="test-cheap", workers=2)
    if len(sys.argv) > 5:
        go = Path(sys.argv[5])
        print("ready", flush=True)
        deadline = time.monotonic() + 120
        while not go.exists() and time.monotonic() < deadline:
            time.sleep(0.01)

    def progress(p: GenerationProgress) -> None:
        print(f"progress {p.done} {p.batches}", flush=True)
        if p.batches == kill_after:
            os.kill(os.getpid(), signal.SIGKILL)

    try:
        report = website.generate_letters(
            MAIN,
            GenerationRequest(
                centres="GB100",
                series=SERIES,
                mode=mode,
                out_dir=out_dir,
                batch_size=5,
                on_progress=progress,
            ),
        )
    except GenerationInProgress:
        print("busy", flush=True)
        store.close()
        sys.exit(3)
    summary = {
        "run": report.run,
        "letters": report.letters,
        "printed": report.printed,
        "recovered": report.recovered,
        "zip": str(report.zip_file),
        "pdfs": [str(p) for p in report.combined_pdfs],
    }
    print("report " + json.dumps(summary), flush=True)
    store.close()


if __name__ == "__main__":
    main()
