"""Where CI requires PostgreSQL, a PostgreSQL test that skips is a failure, not a quiet skip."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

ROOT_CONFTEST = Path(__file__).parents[1] / "conftest.py"
SKIPPING_TESTS = '''
import pytest

@pytest.mark.parametrize("x", [pytest.param(1, marks=pytest.mark.postgres)])
def test_a_postgres_test_that_skips(x):
    """Skips, as a PostgreSQL test would without a server."""
    pytest.skip("no server here")

def test_another_test_that_skips():
    """Skips, and is not a PostgreSQL test."""
    pytest.skip("not needed")
'''


def test_a_skipped_postgres_test_fails_where_postgres_is_required(tmp_path: Path) -> None:
    """With CAMBRIDGE_RESULTS_REQUIRE_POSTGRES=1 the skip fails, saying why; other skips stay."""
    shutil.copy(ROOT_CONFTEST, tmp_path / "conftest.py")
    (tmp_path / "test_skipping.py").write_text(SKIPPING_TESTS, encoding="utf-8")
    env = {**os.environ, "CAMBRIDGE_RESULTS_REQUIRE_POSTGRES": "1"}
    command = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", str(tmp_path)]
    result = subprocess.run(command, capture_output=True, text=True, env=env, cwd=tmp_path)
    assert "1 failed, 1 skipped" in result.stdout, result.stdout + result.stderr
    assert "CAMBRIDGE_RESULTS_REQUIRE_POSTGRES=1 requires it to run" in result.stdout
