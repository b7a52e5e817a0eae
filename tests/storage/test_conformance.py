"""The shipped storage conformance suite on every built-in backend (memory, SQLite, PostgreSQL)."""

from __future__ import annotations

from cambridge_results.testing.conformance import MakeStoreFromFixture, StoreConformance


class TestStore(MakeStoreFromFixture, StoreConformance):
    """Every storage conformance test, once per backend of the ``make_store`` fixture."""
