"""Forward-only, versioned schema migrations made of declarative steps.

A :class:`Migration` is a version number, a stable name and a tuple of
steps: :class:`CreateTable`, :class:`AddIndex`, :class:`AddColumn`, and the
escape hatch :class:`RawSQL` (one statement list per SQL dialect).  The one
ordered registry is :data:`cambridge_results.board.schema.SCHEMA`;
a feature adds its tables by appending a migration there (docs/storage.md).

The current shape of every table is *derived* from the migrations
(:func:`build_catalog`), so a table defined in migration 3 and widened in
migration 7 is described once, by those two steps, for every backend.

Backends apply each pending migration in its own transaction and stamp the
``schema_version`` table with its version and name.  A database stamped with
a version the code does not know raises :class:`SchemaTooNew`; one whose
recorded names differ from the code's raises :class:`StorageError`.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence

import attrs

from cambridge_results.errors import InvalidValue, SchemaTooNew, StorageError
from cambridge_results.storage.schema import Column, Index, Table, UniqueIndex

__all__ = [
    "AddColumn",
    "AddIndex",
    "Catalog",
    "CreateTable",
    "Migration",
    "RawSQL",
    "Step",
    "build_catalog",
    "check_history",
    "check_registry",
]


@attrs.frozen
class CreateTable:
    """Create ``table`` with its indexes (and append-only guard)."""

    table: Table


@attrs.frozen
class AddIndex:
    """Add a unique or plain index to an existing table.

    Adding a unique index to a table whose rows already break it fails with
    :class:`DuplicateError` and the migration is rolled back.
    """

    table: str
    index: UniqueIndex | Index


@attrs.frozen
class AddColumn:
    """Add a column to an existing table; it must be nullable or have a default."""

    table: str
    column: Column

    def __attrs_post_init__(self) -> None:
        if not self.column.nullable and self.column.default is None:
            raise InvalidValue(
                f"AddColumn {self.table}.{self.column.name}",
                "a column added later must be nullable or have a default",
            )
        if self.column.auto:
            raise InvalidValue(f"AddColumn {self.table}.{self.column.name}", "cannot be auto")


def _statements(
    value: Mapping[str, str | Sequence[str]],
) -> tuple[tuple[str, tuple[str, ...]], ...]:
    out = []
    for dialect, sql in sorted(value.items()):
        statements = (sql,) if isinstance(sql, str) else tuple(sql)
        out.append((dialect, statements))
    return tuple(out)


@attrs.frozen
class RawSQL:
    """Hand-written SQL, per dialect name (``"sqlite"``, ``"postgresql"``).

    For what the declarative steps cannot say and the primitives never see
    (an expression index, a trigger as defence in depth).  Non-SQL stores
    (memory) skip it, so it must not change what the primitives observe.  A
    SQL store whose dialect has no entry refuses to migrate.
    """

    statements: tuple[tuple[str, tuple[str, ...]], ...] = attrs.field(converter=_statements)

    def for_dialect(self, dialect: str) -> tuple[str, ...]:
        """The statements for ``dialect``; :class:`StorageError` if there are none."""
        for name, statements in self.statements:
            if name == dialect:
                return statements
        raise StorageError(f"a raw SQL migration step has no statements for {dialect}")


Step = CreateTable | AddIndex | AddColumn | RawSQL


def _steps(values: Iterable[Step]) -> tuple[Step, ...]:
    return tuple(values)


@attrs.frozen(kw_only=True)
class Migration:
    """One schema version: ``Migration(version=2, name="logins", steps=(...))``."""

    version: int
    name: str
    steps: tuple[Step, ...] = attrs.field(converter=_steps)

    def __attrs_post_init__(self) -> None:
        if isinstance(self.version, bool) or not isinstance(self.version, int):
            raise InvalidValue("migration.version", "must be a whole number")
        if self.version < 1:
            raise InvalidValue("migration.version", "starts at 1")
        if not isinstance(self.name, str) or not self.name.strip():
            raise InvalidValue("migration.name", "must be a non-empty name")
        for step in self.steps:
            if not isinstance(step, CreateTable | AddIndex | AddColumn | RawSQL):
                raise InvalidValue("migration.steps", f"{type(step).__name__} is not a step")


#: Table name to its current definition.
Catalog = dict[str, Table]


def check_registry(migrations: Sequence[Migration]) -> None:
    """Versions must run 1, 2, 3, ... and names must be unique."""
    names: set[str] = set()
    for position, migration in enumerate(migrations, start=1):
        if migration.version != position:
            raise InvalidValue(
                "migrations",
                f"migration {migration.name!r} has version {migration.version}, "
                f"expected {position} (versions run 1, 2, 3, ... in registry order)",
            )
        if migration.name in names:
            raise InvalidValue("migrations", f"two migrations are named {migration.name!r}")
        names.add(migration.name)


def apply_step(catalog: Catalog, step: Step, where: str = "migration") -> None:
    """Fold one step into ``catalog`` (in place), refusing steps that do not fit."""
    if isinstance(step, CreateTable):
        if step.table.name in catalog:
            raise InvalidValue(where, f"table {step.table.name} already exists")
        catalog[step.table.name] = step.table
    elif isinstance(step, AddIndex):
        table = _existing(catalog, step.table, where)
        if isinstance(step.index, UniqueIndex):
            uniques: tuple[UniqueIndex, ...] = (*table.unique, step.index)
            catalog[table.name] = attrs.evolve(table, unique=uniques)
        else:
            indexes: tuple[Index, ...] = (*table.indexes, step.index)
            catalog[table.name] = attrs.evolve(table, indexes=indexes)
    elif isinstance(step, AddColumn):
        table = _existing(catalog, step.table, where)
        catalog[table.name] = attrs.evolve(table, columns=(*table.columns, step.column))


def _existing(catalog: Catalog, name: str, where: str) -> Table:
    try:
        return catalog[name]
    except KeyError:
        raise InvalidValue(where, f"table {name} does not exist") from None


def build_catalog(migrations: Sequence[Migration], upto: int | None = None) -> Catalog:
    """The tables as they are after ``migrations`` (up to version ``upto``)."""
    check_registry(migrations)
    catalog: Catalog = {}
    for migration in migrations:
        if upto is not None and migration.version > upto:
            break
        for number, step in enumerate(migration.steps, start=1):
            apply_step(catalog, step, f"migration {migration.version} step {number}")
    return catalog


def check_history(recorded: Mapping[int, str], migrations: Sequence[Migration]) -> int:
    """The database's current version, after checking it against the code's registry.

    ``recorded`` maps each applied version to its name, as stamped in
    ``schema_version``.
    """
    current = max(recorded, default=0)
    known = len(migrations)
    if current > known:
        raise SchemaTooNew(
            f"the database is at schema version {current} ({recorded[current]!r}) but this "
            f"version of cambridge_results knows versions up to {known}; upgrade the library"
        )
    for version, name in recorded.items():
        expected = migrations[version - 1].name
        if name != expected:
            raise StorageError(
                f"the database's schema version {version} is {name!r} but the code's is "
                f"{expected!r}: this database was migrated by a different registry"
            )
    return current
