"""The website repositories' conformance suite on every backend, through the test harness."""

from __future__ import annotations

from cambridge_results.testing.conformance_base import MakeStoreFromFixture
from cambridge_results.testing.conformance_website import WebsiteRepositoryConformance


class TestWebsite(MakeStoreFromFixture, WebsiteRepositoryConformance):
    """Every website repository test on memory, SQLite and PostgreSQL (CRW-12 unique usernames)."""
