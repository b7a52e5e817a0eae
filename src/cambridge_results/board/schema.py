"""The schema of a whole board: every feature's migrations, in the order they shipped.

This is the composition root of storage: storage knows only its foundation,
each feature declares its own tables and migrations, and this module lists
them.  To add a table, a column or an index, declare a
:class:`~cambridge_results.storage.migrations.Migration` with the next
version number beside the feature's code and append it here; never edit or
reorder a migration that has shipped (docs/storage.md).
"""

from __future__ import annotations

from cambridge_results.enquiries.tables import ENQUIRY_MIGRATION
from cambridge_results.logins.tables import CANDIDATE_LOGIN_MIGRATION, LOGIN_MIGRATION
from cambridge_results.reports.tables import REPORTS_MIGRATION
from cambridge_results.storage.foundation import FOUNDATION
from cambridge_results.storage.migrations import Migration
from cambridge_results.website.tables import WEBSITE_MIGRATION, WEBSITE_PUBLICATION_MIGRATION

__all__ = ["SCHEMA"]

#: Every migration of the library, in order.  Append only.
SCHEMA: tuple[Migration, ...] = (
    FOUNDATION,
    LOGIN_MIGRATION,
    WEBSITE_MIGRATION,
    ENQUIRY_MIGRATION,
    CANDIDATE_LOGIN_MIGRATION,
    REPORTS_MIGRATION,
    WEBSITE_PUBLICATION_MIGRATION,
)
