"""Storage: ``open_store(url, migrations=...)``, the unit of work, the schema and its migrations.

::

    from cambridge_results.board.schema import SCHEMA
    from cambridge_results.storage import open_store

    store = open_store("sqlite:///results.db", migrations=SCHEMA)  # or "memory://", "postgresql://..."
    with store.unit_of_work(actor="board:admin") as uow:
        uow.centres.add(centre)

Backends: :mod:`.memory` (``memory://``), :mod:`.sqlite` (``sqlite:///``),
PostgreSQL (``postgresql://``, optional extra), and third-party ones through
the ``cambridge_results.storage`` entry-point group.  docs/storage.md
explains the design and how to add tables and backends.
"""

from cambridge_results.storage.events import Event, EventLog
from cambridge_results.storage.foundation import FOUNDATION
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
from cambridge_results.storage.port import (
    MULTI_PROCESS,
    PERSISTENT,
    SERIAL_WRITES,
    BaseStore,
    Store,
    UnitOfWork,
)
from cambridge_results.storage.query import Ge, Gt, In, Le, Lt, Ne, Prefix, Select
from cambridge_results.storage.schema import Column, ColumnType, Index, Row, Table, UniqueIndex

__all__ = [
    "BUILTIN_BACKENDS",
    "ENTRY_POINT_GROUP",
    "FOUNDATION",
    "MULTI_PROCESS",
    "PERSISTENT",
    "SERIAL_WRITES",
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
    "Select",
    "Store",
    "Table",
    "UniqueIndex",
    "UnitOfWork",
    "available_backends",
    "build_catalog",
    "open_store",
]
