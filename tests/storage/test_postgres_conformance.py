"""The website and enquiry conformance suites on PostgreSQL, through the test harness.

Their memory and SQLite runs live beside the features' own tests; the
storage suite runs on every backend in test_conformance.py.
"""

from __future__ import annotations

import pytest

from cambridge_results.testing.conformance_base import MakeStoreFromFixture
from cambridge_results.testing.conformance_enquiries import EnquiryStoreConformance
from cambridge_results.testing.conformance_website import WebsiteRepositoryConformance

pytestmark = pytest.mark.backends("postgresql")


class TestPostgresWebsite(MakeStoreFromFixture, WebsiteRepositoryConformance):
    """The website repositories' conformance tests on PostgreSQL (CRW-12 unique usernames)."""


class TestPostgresEnquiries(MakeStoreFromFixture, EnquiryStoreConformance):
    """The enquiry repositories' conformance tests on PostgreSQL (EAR-06 partial unique index)."""
