"""Importing the rules loads no storage or PDF driver; the login tables import cleanly."""

import subprocess
import sys

import pytest


def test_importing_login_rules_loads_no_driver() -> None:
    """The login rules import neither sqlite3, psycopg nor fpdf (SPEC section 0)."""
    code = (
        "import sys; import cambridge_results.rules.logins.lockout, "
        "cambridge_results.rules.logins.login, "
        "cambridge_results.rules.logins.reset, cambridge_results.rules.reports.criteria, "
        "cambridge_results.rules.logins.passwords, cambridge_results.rules.website.results_view; "
        "print(sorted(m for m in ('sqlite3', 'psycopg', 'fpdf', 'smtplib', 'secrets') "
        "if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


@pytest.mark.parametrize(
    "module",
    [
        "cambridge_results.logins.tables",
        "cambridge_results.logins.repositories",
        "cambridge_results.board.schema",
        "cambridge_results.testing.conformance_logins",
    ],
)
def test_the_login_tables_import_first_without_a_cycle(module: str) -> None:
    """The logins migration's tables and the registry import in any order."""
    code = (
        f"import {module}; from cambridge_results.board.schema import SCHEMA; "
        "print([m.name for m in SCHEMA])"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert "'logins'" in done.stdout
