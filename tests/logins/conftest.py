"""Fixtures for the login tests; the helpers live in ``logins_support``."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

# pytest runs with --import-mode=importlib, which puts no test directory on
# sys.path; the helper module has a name unique to this directory.
sys.path.insert(0, str(Path(__file__).parent))

from logins_support import LoginWorld, make_world


@pytest.fixture
def world() -> LoginWorld:
    """A login world with one account, USERNAME / PASSWORD."""
    w = make_world()
    w.add_account()
    return w
