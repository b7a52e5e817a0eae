"""Public test helpers for apps built on cambridge_results.

- :mod:`cambridge_results.testing.strategies`: hypothesis strategies for every
  value object and for policies (also registered for ``st.from_type`` through
  the ``hypothesis`` entry point).
- :class:`FixedClock`: a clock that stays where a test puts it.
- :mod:`cambridge_results.testing.conformance`: the storage conformance suite
  that every backend, third-party ones included, runs unchanged.
- :mod:`cambridge_results.testing.conformance_website`: the website repositories'
  conformance suite.
- :mod:`cambridge_results.testing.conformance_logins`: the login ports'
  conformance suite and the multi-process login races.
- :mod:`cambridge_results.testing.concurrency`: a compare-and-set workload
  whose result must be a serial replay of its recorded history.
- :mod:`cambridge_results.testing.crash`: a kill harness that SIGKILLs a
  writer process at random points and checks what survived.
- :mod:`cambridge_results.testing.postgres` and ``postgres_server``: a
  throwaway PostgreSQL server and a schema per test on it.

Import those by their full module names.

``strategies`` and ``conformance`` are imported on first use, so importing
this package needs neither hypothesis nor pytest.  The modules that need them
say so when they are missing: ``pip install 'cambridge_results[testing]'``.
"""

from __future__ import annotations

import importlib
from types import ModuleType
from typing import TYPE_CHECKING

from cambridge_results.clock import FixedClock

if TYPE_CHECKING:
    from cambridge_results.testing import strategies

__all__ = ["FixedClock", "conformance", "strategies"]

#: What installs the test tools the kit needs (hypothesis and pytest).
INSTALL_HINT = "pip install 'cambridge_results[testing]'"


def _missing_extra(exc: ModuleNotFoundError) -> ModuleNotFoundError:
    """The error for a kit module whose test tool is not installed: it names the extra."""
    return ModuleNotFoundError(
        f"cambridge_results.testing needs {exc.name or 'a test tool'}, which is not installed; "
        f"install the testing extra: {INSTALL_HINT}",
        name=exc.name,
    )


# Submodules loaded on first attribute access.  ``conformance`` is the storage
# conformance suite (cambridge_results/testing/conformance.py); it needs pytest,
# and ``strategies`` needs hypothesis, which apps without tests do not install.
_LAZY = frozenset({"conformance", "strategies"})


def __getattr__(name: str) -> ModuleType:
    if name in _LAZY:
        module = importlib.import_module(f"{__name__}.{name}")
        globals()[name] = module
        return module
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
