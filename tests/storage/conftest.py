"""Fixtures for the storage tests."""

from __future__ import annotations

import importlib.util
import os

# Until the testing helpers land, the hypothesis entry point named in
# pyproject.toml (cambridge_results.testing._hypothesis_hook) does not exist
# and importing hypothesis would fail; skip plugin loading only in that case.
try:
    _HOOK = importlib.util.find_spec("cambridge_results.testing._hypothesis_hook")
except ModuleNotFoundError:
    _HOOK = None
if _HOOK is None:
    os.environ.setdefault("HYPOTHESIS_NO_PLUGINS", "1")
