"""cambridge_results: an exam board's results-administration rules as a library.

The candidate results website (CRW), Cambridge Associates (ASC), logins (LOG)
and enquiries about results (EAR), as pure rules over validated value
objects, with use cases over pluggable storage.  Rule IDs refer to the rules
catalogue, docs/rules.md.
"""

from cambridge_results.clock import Clock, FixedClock, SystemClock
from cambridge_results.decisions import Decision, Reason
from cambridge_results.errors import (
    CambridgeResultsError,
    InvalidValue,
    PolicyError,
    RefusedByRule,
    StorageError,
)
from cambridge_results.policy import Policy, example_2026, international_2023, load_policy

#: The library's version; pyproject.toml reads it from here (``[tool.hatch.version]``).
__version__ = "0.1.0"

__all__ = [
    "CambridgeResultsError",
    "Clock",
    "Decision",
    "FixedClock",
    "InvalidValue",
    "Policy",
    "PolicyError",
    "Reason",
    "RefusedByRule",
    "StorageError",
    "SystemClock",
    "__version__",
    "example_2026",
    "international_2023",
    "load_policy",
]
