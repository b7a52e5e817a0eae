"""The storage conformance suite, shipped for every backend (ours and third parties').

A backend turns it all on with one class in its own test suite::

    from cambridge_results.storage.sqlite import SQLiteStore
    from cambridge_results.testing.conformance import StoreConformance

    class TestSQLiteStore(StoreConformance):
        make_store = staticmethod(
            lambda path, migrations: SQLiteStore(path / "store.db", migrations=migrations)
        )

``make_store(path, migrations)`` gets an empty directory of the test's own
and the migrations to apply (the library's plus a ``things`` test table);
called twice with the same directory, a persistent backend opens the same
data again.  The suite closes the stores it makes.

What a backend cannot do is a declared capability, not a skipped test name:
tests that need :data:`~cambridge_results.storage.port.PERSISTENT` or
:data:`~cambridge_results.storage.port.MULTI_PROCESS` skip, saying so, when
``store.capabilities`` lacks it.  Multi-process tests reopen the store in
child processes with ``open_store(store.url, migrations=...)``, so the
backend's scheme must be registered (built in, or by entry point).

A test suite that opens its backends through a ``make_store`` fixture (the
library's own tests/conftest.py does, over memory, SQLite and PostgreSQL)
puts :class:`MakeStoreFromFixture` first in the bases instead of setting
``make_store``.

The mixins can be used one by one, each from its module:
:class:`PrimitiveConformance` and :class:`EventConformance`
(``conformance_primitives``), :class:`BatchConformance`
(``conformance_batches``: ``select_many``, ``write_many``, ``bump``,
``insert_later``), :class:`SavepointConformance`
(``conformance_savepoints``), :class:`ProvisionalConformance`
(``conformance_provisional``: ``insert_if_absent``, provisional units of
work), :class:`RepositoryConformance`
(``conformance_repositories``), :class:`MigrationConformance` and
:class:`MultiProcessConformance` (``conformance_processes``),
:class:`StatefulConformance` (``conformance_stateful``),
:class:`UpdateWhereConformance` (``conformance_update_where``); the ``things``
table, its migrations and the shared base are in ``conformance_base``.
"""

from cambridge_results.testing import _missing_extra

try:
    # The suites below are pytest classes driven by hypothesis; say which extra is missing.
    import hypothesis  # noqa: F401
    import pytest  # noqa: F401
except ModuleNotFoundError as exc:
    raise _missing_extra(exc) from exc

from cambridge_results.testing.conformance_base import MakeStoreFromFixture
from cambridge_results.testing.conformance_batches import BatchConformance
from cambridge_results.testing.conformance_primitives import EventConformance, PrimitiveConformance
from cambridge_results.testing.conformance_processes import (
    MigrationConformance,
    MultiProcessConformance,
)
from cambridge_results.testing.conformance_provisional import ProvisionalConformance
from cambridge_results.testing.conformance_repositories import RepositoryConformance
from cambridge_results.testing.conformance_savepoints import SavepointConformance
from cambridge_results.testing.conformance_stateful import StatefulConformance
from cambridge_results.testing.conformance_update_where import UpdateWhereConformance

__all__ = ["MakeStoreFromFixture", "StoreConformance"]


class StoreConformance(
    PrimitiveConformance,
    BatchConformance,
    EventConformance,
    SavepointConformance,
    ProvisionalConformance,
    RepositoryConformance,
    MigrationConformance,
    MultiProcessConformance,
    StatefulConformance,
    UpdateWhereConformance,
):
    """Every conformance test.  Subclass it and set ``make_store``; see the module docstring."""
