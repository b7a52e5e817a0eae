"""Choosing a backend by URL: a built-in table plus the ``cambridge_results.storage`` entry points.

A URL's scheme (the part before ``://``) picks the backend.  Built-in
schemes map to ``"module:attr"`` strings, imported only when used; a third
party registers more in its ``pyproject.toml``::

    [project.entry-points."cambridge_results.storage"]
    mystore = "mypackage.store:MyStore"

The target is a class with a ``from_url(url, *, migrations, migrate)``
classmethod, or a function with that signature, returning a
:class:`~cambridge_results.storage.port.Store`.  Built-in schemes cannot be
shadowed by plugins.  A plugin that fails to load is reported as
:class:`BackendNotFound` naming the plugin and the cause, for its scheme
only; every other scheme keeps working.
"""

from __future__ import annotations

import importlib.metadata
import pkgutil
import re
from collections.abc import Sequence
from typing import Any

from cambridge_results.errors import BackendNotFound, InvalidValue
from cambridge_results.storage.migrations import Migration
from cambridge_results.storage.port import Store

__all__ = [
    "BUILTIN_BACKENDS",
    "ENTRY_POINT_GROUP",
    "INSTALL_HINTS",
    "available_backends",
    "open_store",
    "scheme_of",
]

#: The entry-point group third-party backends register in.
ENTRY_POINT_GROUP = "cambridge_results.storage"

#: Built-in schemes, imported lazily.
BUILTIN_BACKENDS: dict[str, str] = {
    "memory": "cambridge_results.storage.memory:MemoryStore",
    "sqlite": "cambridge_results.storage.sqlite:SQLiteStore",
    "postgresql": "cambridge_results.storage.postgres:PostgresStore",
    "postgres": "cambridge_results.storage.postgres:PostgresStore",
}

#: What to install when a built-in backend's driver is missing.
INSTALL_HINTS: dict[str, str] = {
    "postgresql": "pip install 'cambridge_results[postgres]'",
    "postgres": "pip install 'cambridge_results[postgres]'",
}

_SCHEME = re.compile(r"[a-z][a-z0-9+.-]*", re.ASCII)


def scheme_of(url: object) -> str:
    """The scheme of a store URL (``"sqlite"`` for ``sqlite:///x.db``)."""
    if not isinstance(url, str):
        raise InvalidValue("url", f"must be text, not {type(url).__name__}")
    scheme, sep, _ = url.partition("://")
    if not sep or not _SCHEME.fullmatch(scheme):
        raise InvalidValue("url", "a store URL looks like memory://, sqlite:///results.db")
    return scheme


def _plugins(scheme: str | None = None) -> list[importlib.metadata.EntryPoint]:
    found = importlib.metadata.entry_points(group=ENTRY_POINT_GROUP)
    return [ep for ep in found if scheme is None or ep.name == scheme]


def available_backends() -> dict[str, str]:
    """Every known scheme and its target, built-in first; nothing is imported."""
    table = dict(BUILTIN_BACKENDS)
    for ep in _plugins():
        table.setdefault(ep.name, ep.value)
    return table


def _describe(ep: importlib.metadata.EntryPoint) -> str:
    dist = ep.dist.name if ep.dist is not None else "an unknown distribution"
    return f"the storage plugin {ep.name} = {ep.value!r} from {dist}"


def _factory(target: Any) -> Any:
    from_url = getattr(target, "from_url", None) if isinstance(target, type) else None
    return from_url if from_url is not None else target


def _load(scheme: str) -> tuple[Any, str]:
    builtin = BUILTIN_BACKENDS.get(scheme)
    if builtin is not None:
        try:
            return _factory(pkgutil.resolve_name(builtin)), f"the built-in {scheme} backend"
        except ImportError as exc:
            hint = INSTALL_HINTS.get(scheme)
            advice = f"; install it with: {hint}" if hint else ""
            raise BackendNotFound(
                f"the {scheme} backend cannot be imported ({exc}){advice}"
            ) from exc
    plugins = _plugins(scheme)
    if not plugins:
        known = ", ".join(sorted(available_backends()))
        raise BackendNotFound(f"no storage backend for {scheme}://; known schemes: {known}")
    if len({ep.value for ep in plugins}) > 1:
        claims = "; ".join(_describe(ep) for ep in plugins)
        raise BackendNotFound(f"several plugins claim {scheme}://: {claims}")
    ep = plugins[0]
    try:
        return _factory(ep.load()), _describe(ep)
    except Exception as exc:
        # A broken plugin must not take the library down: report it for its scheme only.
        raise BackendNotFound(
            f"{_describe(ep)} failed to load: {type(exc).__name__}: {exc}"
        ) from exc


def open_store(url: str, *, migrations: Sequence[Migration], migrate: bool = True) -> Store:
    """Open the store a URL names, applying pending migrations unless ``migrate=False``.

    ``migrations`` is the schema to bring the store to: a whole board's is
    :data:`cambridge_results.board.schema.SCHEMA` (storage itself knows only
    its :data:`~cambridge_results.storage.foundation.FOUNDATION`).  Raises
    :class:`BackendNotFound` for an unknown scheme, a missing driver or a
    broken plugin, and :class:`SchemaTooNew` for a database written by a
    newer library.
    """
    scheme = scheme_of(url)
    if not url.isascii():
        try:
            url.encode("utf-8")
        except UnicodeEncodeError:
            raise InvalidValue("url", "is not valid Unicode text (a lone surrogate)") from None
    factory, origin = _load(scheme)
    store = factory(url, migrations=migrations, migrate=migrate)
    if not isinstance(store, Store):
        raise BackendNotFound(f"{origin} returned {type(store).__name__}, which is not a Store")
    return store
