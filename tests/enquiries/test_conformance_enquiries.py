"""The enquiry repositories' conformance suite on the built-in memory and SQLite backends."""

from __future__ import annotations

from cambridge_results.storage.memory import MemoryStore
from cambridge_results.storage.sqlite import SQLiteStore
from cambridge_results.testing.conformance_enquiries import EnquiryStoreConformance


class TestMemoryEnquiries(EnquiryStoreConformance):
    """Every enquiry conformance test on ``memory://``."""

    make_store = staticmethod(lambda path, migrations: MemoryStore(migrations=migrations))


class TestSQLiteEnquiries(EnquiryStoreConformance):
    """Every enquiry conformance test on a real SQLite file."""

    make_store = staticmethod(
        lambda path, migrations: SQLiteStore(path / "store.db", migrations=migrations)
    )
