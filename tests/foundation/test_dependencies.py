"""Dependencies point one way: the pure rules load no storage or PDF library (SPEC section 0)."""

from __future__ import annotations

import json
import subprocess
import sys

FORBIDDEN = ("sqlite3", "_sqlite3", "psycopg", "fpdf")

# Imports every module under cambridge_results.rules (found with pkgutil, so
# rule modules added later are covered) and reports which forbidden top-level
# modules ended up loaded.
PROBE = """
import importlib, json, pkgutil, sys
{extra}
import cambridge_results.rules as rules
names = [m.name for m in pkgutil.walk_packages(rules.__path__, rules.__name__ + ".")]
for name in names:
    importlib.import_module(name)
loaded = sorted({{m.split(".")[0] for m in sys.modules}} & set({forbidden!r}))
print(json.dumps({{"modules": names, "loaded": loaded}}))
"""


def _probe(extra: str = "") -> dict[str, list[str]]:
    code = PROBE.format(extra=extra, forbidden=FORBIDDEN)
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    result: dict[str, list[str]] = json.loads(done.stdout)
    return result


def test_importing_every_rule_module_loads_no_sqlite_psycopg_or_fpdf() -> None:
    """The issue: importing cambridge_results.rules loads none of sqlite3, psycopg, fpdf."""
    result = _probe()
    assert "cambridge_results.rules.website.release" in result["modules"]
    assert result["loaded"] == []


def test_the_probe_does_see_a_forbidden_import() -> None:
    """The check above can fail: a process that imports sqlite3 is reported."""
    assert _probe("import sqlite3")["loaded"] == ["_sqlite3", "sqlite3"]
