"""A third-party storage backend: the memory store under its own scheme."""

from __future__ import annotations

from collections.abc import Sequence

from cambridge_results.board.schema import SCHEMA
from cambridge_results.errors import InvalidValue
from cambridge_results.storage.memory import MemoryStore
from cambridge_results.storage.migrations import Migration

__all__ = ["PluginStore"]


class PluginStore(MemoryStore):
    """``teststore://``: found only through the ``cambridge_results.storage`` entry point."""

    def __init__(self, *, migrations: Sequence[Migration], migrate: bool) -> None:
        super().__init__(migrations=migrations, migrate=migrate)
        self.url = "teststore://"

    @classmethod
    def from_url(
        cls, url: str, *, migrations: Sequence[Migration] | None = None, migrate: bool = True
    ) -> PluginStore:
        """Open ``teststore://``."""
        if url != "teststore://":
            raise InvalidValue("url", "the test store's URL is teststore://")
        return cls(migrations=SCHEMA if migrations is None else migrations, migrate=migrate)
