"""The enquiry floor benchmark records what the store really sends (issue 15's measurements).

``benchmarks/enquiry_floor.py`` replays the store's own statements bare; if the
store ever runs them where its recorder does not look, the replay times
nothing and the floor it prints is meaningless.  These run it small.
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

BENCHMARK = Path(__file__).parents[2] / "benchmarks" / "enquiry_floor.py"


def test_the_enquiry_floor_records_every_statement_of_a_create_and_submit() -> None:
    """A create + submit is recorded with its two transactions' statements (about 17), not none."""
    done = subprocess.run(
        [sys.executable, str(BENCHMARK), "--enquiries", "8", "--repeat", "1"],
        capture_output=True,
        text=True,
        check=False,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr
    found = re.search(r"statements sent a create \+ submit.*: ([0-9.]+)", done.stdout)
    assert found is not None, done.stdout
    assert 10 <= float(found[1]) <= 30, done.stdout
    replayed = re.search(r"its statements replayed bare\s+([0-9,.]+)", done.stdout)
    assert replayed is not None, done.stdout
