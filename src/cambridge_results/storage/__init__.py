"""Storage: ``open_store(url)``, the unit of work, the schema and its migrations.

::

    from cambridge_results.storage import open_store

    store = open_store("sqlite:///results.db")     # or "memory://", "postgresql://..."
    with store.unit_of_work(actor="board:admin") as uow:
        uow.centres.add(centre)

Backends: :mod:`.memory` (``memory://``), :mod:`.sqlite` (``sqlite:///``),
PostgreSQL (``postgresql://``, optional extra), and third-party ones through
the ``cambridge_results.storage`` entry-point group.  docs/storage.md
explains the design and how to add tables and backends.
"""

from typing import TYPE_CHECKING, Any

from cambridge_results.storage.events import Event, EventLog
from cambridge_results.storage.migrations import (
    AddColumn,
    AddIndex,
    CreateTable,
    Migration,
    RawSQL,
    build_catalog,
)
from cambridge_results.storage.plugins import (
    BUILTIN_BACKENDS,
    ENTRY_POINT_GROUP,
    available_backends,
    open_store,
)
from cambridge_results.storage.port import MULTI_PROCESS, PERSISTENT, BaseStore, Store, UnitOfWork
from cambridge_results.storage.query import Ge, Gt, In, Le, Lt, Ne, Prefix
from cambridge_results.storage.schema import Column, ColumnType, Index, Row, Table, UniqueIndex

if TYPE_CHECKING:
    from cambridge_results.storage.versions import MIGRATIONS

__all__ = [
    "BUILTIN_BACKENDS",
    "ENTRY_POINT_GROUP",
    "MIGRATIONS",
    "MULTI_PROCESS",
    "PERSISTENT",
    "AddColumn",
    "AddIndex",
    "BaseStore",
    "Column",
    "ColumnType",
    "CreateTable",
    "Event",
    "EventLog",
    "Ge",
    "Gt",
    "In",
    "Index",
    "Le",
    "Lt",
    "Migration",
    "Ne",
    "Prefix",
    "RawSQL",
    "Row",
    "Store",
    "Table",
    "UniqueIndex",
    "UnitOfWork",
    "available_backends",
    "build_catalog",
    "open_store",
]


def __getattr__(name: str) -> Any:
    # The registry is imported on first use: it imports the features' table
    # modules (e.g. cambridge_results.logins.tables), which import this
    # package's schema; importing it eagerly here would make that a cycle.
    if name == "MIGRATIONS":
        from cambridge_results.storage.versions import MIGRATIONS

        return MIGRATIONS
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
