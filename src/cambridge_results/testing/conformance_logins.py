"""The login conformance kit: what every storage backend must do for logins (LOG-01..LOG-06).

A backend turns the whole kit on with one fixture, the URL of a store::

    class TestLoginsOnSQLite(LoginsConformance):
        @pytest.fixture
        def login_store_url(self, tmp_path: Path) -> str:
            return f"sqlite:///{tmp_path / 'logins.db'}"

The suite opens and migrates that store for each test.  Its parts:

* :mod:`~cambridge_results.testing.conformance_logins_repositories`: each
  login repository's contract, through ``store.run``, raced from threads;
* :mod:`~cambridge_results.testing.conformance_logins_flows`: the
  :class:`~cambridge_results.logins.Logins` use cases under racing threads;
* :mod:`~cambridge_results.testing.conformance_logins_races`: races in real
  processes (:func:`race_wrong_logins`, :func:`race_redemptions`), for
  stores several processes share;
* :mod:`~cambridge_results.testing.logins_kit`: the fixture, the counting
  hasher and the helpers they share.

Every test uses keys, ids and digests of its own (random), so the kit also
runs against one shared database (a PostgreSQL server for the whole test
session) without cleaning up between tests.
"""

from __future__ import annotations

from cambridge_results.testing import _missing_extra

try:
    # The suites below are pytest classes; say which extra is missing.
    import pytest  # noqa: F401
except ModuleNotFoundError as exc:
    raise _missing_extra(exc) from exc

from cambridge_results.testing.conformance_logins_flows import LoginFlowsConformance
from cambridge_results.testing.conformance_logins_races import (
    LoginRace,
    race_redemptions,
    race_wrong_logins,
    wrong_logins_in_threads,
)
from cambridge_results.testing.conformance_logins_repositories import (
    LoginRepositoriesConformance,
)
from cambridge_results.testing.logins_kit import CountingHasher, LoginsBackend, counting_logins

__all__ = [
    "CountingHasher",
    "LoginFlowsConformance",
    "LoginRace",
    "LoginRepositoriesConformance",
    "LoginsBackend",
    "LoginsConformance",
    "counting_logins",
    "race_redemptions",
    "race_wrong_logins",
    "wrong_logins_in_threads",
]


class LoginsConformance(LoginRepositoriesConformance, LoginFlowsConformance):
    """Every login contract on the store at ``login_store_url`` (the one fixture to override)."""
