"""The website package: its public names, and what importing it does not load."""

from __future__ import annotations

import json
import subprocess
import sys

import cambridge_results.website as website


def test_every_public_name_resolves_and_is_documented() -> None:
    """Each name in ``cambridge_results.website.__all__`` imports and has a docstring."""
    for name in website.__all__:
        value = getattr(website, name)
        assert value.__doc__, name
    assert "Website" in dir(website)


def test_opening_storage_loads_no_feature_and_the_schema_loads_no_fpdf() -> None:
    """Storage imports no feature; the board's schema loads the features' tables, not fpdf."""
    code = (
        "import json, sys; from cambridge_results.storage import FOUNDATION, open_store; "
        "open_store('memory://', migrations=(FOUNDATION,)); "
        "before = sorted(m for m in sys.modules if m.startswith(('cambridge_results.website', "
        "'cambridge_results.enquiries', 'cambridge_results.logins', 'fpdf'))); "
        "from cambridge_results.board.schema import SCHEMA; "
        "open_store('memory://', migrations=SCHEMA); "
        "print(json.dumps([before, sorted(m for m in sys.modules if m.startswith('fpdf'))]))"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert json.loads(done.stdout) == [[], []]


def test_opening_storage_and_the_website_does_not_load_fpdf() -> None:
    """The letter renderer is loaded by name when a run starts, not when the website is imported."""
    code = (
        "import json, sys; from cambridge_results.storage import open_store; "
        "from cambridge_results.board.schema import SCHEMA; "
        "import cambridge_results.website; "
        "open_store('memory://', migrations=SCHEMA); "
        "print(json.dumps(sorted(m for m in sys.modules "
        "if m.startswith(('cambridge_results.rendering.fpdf', 'fpdf')))))"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert json.loads(done.stdout) == []
