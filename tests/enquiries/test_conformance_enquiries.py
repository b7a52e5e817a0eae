"""The enquiry repositories' conformance suite on every backend, through the test harness."""

from __future__ import annotations

from cambridge_results.testing.conformance_base import MakeStoreFromFixture
from cambridge_results.testing.conformance_enquiries import EnquiryStoreConformance


class TestEnquiries(MakeStoreFromFixture, EnquiryStoreConformance):
    """Every enquiry conformance test on memory, SQLite and PostgreSQL (EAR-06's partial index)."""
