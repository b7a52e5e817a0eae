"""open_store(url, migrations=...): built-in schemes, install hints, entry-point plugins."""

from __future__ import annotations

import importlib
import importlib.util
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from cambridge_results.board.schema import SCHEMA
from cambridge_results.errors import BackendNotFound, InvalidValue
from cambridge_results.storage import available_backends, open_store
from cambridge_results.storage.memory import MemoryStore
from cambridge_results.storage.sqlite import SQLiteStore
from cambridge_results.testing.conformance_batches import BatchConformance
from cambridge_results.testing.conformance_primitives import PrimitiveConformance
from cambridge_results.testing.conformance_repositories import RepositoryConformance

PLUGIN_DIST = Path(__file__).parent / "plugin_dist"


@pytest.fixture(scope="session")
def teststore_plugin(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """Install the test plugin distribution with pip into a directory prepended to sys.path.

    Discovery then goes through importlib.metadata exactly as for any
    installed package; the running venv itself is left untouched.
    """
    target = tmp_path_factory.mktemp("plugin-site")
    command = [
        sys.executable,
        "-m",
        "pip",
        "install",
        "--quiet",
        "--disable-pip-version-check",
        "--no-deps",
        "--target",
        str(target),
        str(PLUGIN_DIST),
    ]
    if importlib.util.find_spec("hatchling") is not None:
        command.append("--no-build-isolation")
    result = subprocess.run(command, capture_output=True, text=True, check=False)
    if result.returncode != 0:
        pytest.fail(f"could not install the test plugin:\n{result.stdout}\n{result.stderr}")
    with pytest.MonkeyPatch.context() as patch:
        # syspath_prepend also invalidates import caches, and the context undoes it.
        patch.syspath_prepend(str(target))
        try:
            yield target
        finally:
            for name in [m for m in sys.modules if m.startswith("cr_teststore")]:
                del sys.modules[name]


def test_memory_urls_open_a_fresh_memory_store() -> None:
    """``memory://`` gives a new, migrated, empty MemoryStore each time."""
    first, second = (
        open_store("memory://", migrations=SCHEMA),
        open_store("memory://", migrations=SCHEMA),
    )
    assert isinstance(first, MemoryStore)
    assert first is not second
    assert first.schema_version() >= 1


def test_sqlite_urls_open_the_named_file(tmp_path: Path) -> None:
    """``sqlite:///`` plus a path opens (and creates) that file; its url reopens it."""
    store = open_store(f"sqlite:///{tmp_path}/results.db", migrations=SCHEMA)
    assert isinstance(store, SQLiteStore)
    assert (tmp_path / "results.db").exists()
    assert store.url == f"sqlite:///{tmp_path.resolve()}/results.db"
    store.close()
    again = open_store(store.url, migrations=SCHEMA)
    assert isinstance(again, SQLiteStore)
    assert again.path == store.path
    again.close()


@pytest.mark.parametrize(
    "url",
    ["results.db", "sqlite:/x.db", "://x", "Memory://", 42, "sqlite:///:memory:", "memory://x"],
)
def test_malformed_urls_are_invalid_values(url: object) -> None:
    """A URL without a scheme, or one its backend does not accept, is InvalidValue."""
    with pytest.raises(InvalidValue):
        open_store(url, migrations=SCHEMA)  # type: ignore[arg-type]


def test_an_unknown_scheme_names_the_known_ones() -> None:
    """An unregistered scheme is BackendNotFound listing what is available."""
    with pytest.raises(BackendNotFound, match=r"known schemes: .*memory.*sqlite"):
        open_store("nosuchstore://x", migrations=SCHEMA)


def test_a_missing_postgres_driver_gives_the_install_hint(monkeypatch: pytest.MonkeyPatch) -> None:
    """Without psycopg, postgresql:// says to install the postgres extra."""
    # None in sys.modules makes the import machinery raise ImportError for it.
    monkeypatch.setitem(sys.modules, "psycopg", None)
    monkeypatch.delitem(sys.modules, "cambridge_results.storage.postgres", raising=False)
    with pytest.raises(BackendNotFound, match=r"pip install 'cambridge_results\[postgres\]'"):
        open_store("postgresql://localhost/results", migrations=SCHEMA)


def test_an_installed_plugin_is_found_by_its_entry_point(teststore_plugin: Path) -> None:
    """A distribution registering ``teststore`` in the entry-point group is opened by URL."""
    assert available_backends()["teststore"] == "cr_teststore:PluginStore"
    store = open_store("teststore://", migrations=SCHEMA)
    assert type(store).__name__ == "PluginStore"
    assert store.url == "teststore://"
    with store.unit_of_work(actor="test") as uow:
        assert uow.centres.all() == []


def test_a_broken_plugin_is_reported_for_its_scheme_only(teststore_plugin: Path) -> None:
    """A plugin that fails to import is BackendNotFound naming it and the cause; others work."""
    with pytest.raises(BackendNotFound) as caught:
        open_store("brokenstore://", migrations=SCHEMA)
    message = str(caught.value)
    assert "brokenstore" in message
    assert "cambridge-results-teststore" in message
    assert "cr_teststore_missing_dependency" in message
    assert isinstance(caught.value.__cause__, ImportError)
    assert isinstance(open_store("memory://", migrations=SCHEMA), MemoryStore)
    assert type(open_store("teststore://", migrations=SCHEMA)).__name__ == "PluginStore"


def test_plugins_cannot_shadow_a_built_in_scheme(teststore_plugin: Path) -> None:
    """The test plugin also claims ``memory``; the built-in memory store still wins."""
    assert type(open_store("memory://", migrations=SCHEMA)) is MemoryStore
    assert available_backends()["memory"] == "cambridge_results.storage.memory:MemoryStore"


@pytest.mark.usefixtures("teststore_plugin")
class TestPluginStoreConformance(PrimitiveConformance, BatchConformance, RepositoryConformance):
    """A third-party backend runs the shipped suite with one line."""

    make_store = staticmethod(
        lambda path, migrations: open_store("teststore://", migrations=migrations)
    )
