"""The shipped conformance suites, unchanged on PostgreSQL (a real server, a schema per test)."""

from __future__ import annotations

import pytest

from cambridge_results.testing.conformance import StoreConformance
from cambridge_results.testing.conformance_enquiries import EnquiryStoreConformance
from cambridge_results.testing.conformance_website import WebsiteRepositoryConformance
from cambridge_results.testing.postgres import PostgresSchemas

POSTGRES = PostgresSchemas()


@pytest.fixture(scope="module", autouse=True)
def _server(postgres_url: str) -> None:
    """Point the factory at the session's PostgreSQL server (skipped or failed without one)."""
    POSTGRES.bind(postgres_url)


class TestPostgresStore(StoreConformance):
    """Every conformance test on PostgreSQL."""

    make_store = staticmethod(POSTGRES)


class TestPostgresWebsite(WebsiteRepositoryConformance):
    """The website repositories' conformance tests on PostgreSQL (CRW-12 unique usernames)."""

    make_store = staticmethod(POSTGRES)


class TestPostgresEnquiries(EnquiryStoreConformance):
    """The enquiry repositories' conformance tests on PostgreSQL (EAR-06 partial unique index)."""

    make_store = staticmethod(POSTGRES)
