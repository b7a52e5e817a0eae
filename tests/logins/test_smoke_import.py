"""Importing the rules loads no storage or PDF driver."""

import subprocess
import sys


def test_importing_login_rules_loads_no_driver() -> None:
    """The login rules import neither sqlite3, psycopg nor fpdf (SPEC section 0)."""
    code = (
        "import sys; import cambridge_results.rules.lockout, cambridge_results.rules.login, "
        "cambridge_results.rules.reset, cambridge_results.rules.reports, "
        "cambridge_results.rules.passwords, cambridge_results.rules.results_view; "
        "print(sorted(m for m in ('sqlite3', 'psycopg', 'fpdf', 'smtplib', 'secrets') "
        "if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
