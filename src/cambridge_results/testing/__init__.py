"""Public test helpers for apps built on cambridge_results.

- :class:`FixedClock`: a clock that stays where a test puts it.
- :mod:`cambridge_results.testing.strategies`: hypothesis strategies for every
  value object and for policies (also registered for ``st.from_type`` through
  the ``hypothesis`` entry point).
- :mod:`cambridge_results.testing.conformance`: the storage conformance suite
  that every backend, third-party ones included, runs unchanged (its mixins
  live in the ``conformance_*`` modules beside it).
- :mod:`cambridge_results.testing.conformance_website`,
  :mod:`~cambridge_results.testing.conformance_enquiries` and
  :mod:`~cambridge_results.testing.conformance_logins`: the features'
  repositories' and ports' conformance suites.
- :mod:`cambridge_results.testing.concurrency`: a compare-and-set workload
  whose result must be a serial replay of its recorded history.
- :mod:`cambridge_results.testing.crash`: a kill harness that SIGKILLs a
  writer process at random points and checks what survived.
- :mod:`cambridge_results.testing.postgres_server` and ``postgres``: a
  throwaway PostgreSQL server, and a schema per test on it.

Import the submodules by their full names: this package imports none of
them, so importing it needs neither hypothesis nor pytest.  The modules that
need them say so when they are missing: ``pip install 'cambridge_results[testing]'``.
"""

from __future__ import annotations

from cambridge_results.clock import FixedClock

__all__ = ["FixedClock"]

#: What installs the test tools the kit needs (hypothesis and pytest).
INSTALL_HINT = "pip install 'cambridge_results[testing]'"


def _missing_extra(exc: ModuleNotFoundError) -> ModuleNotFoundError:
    """The error for a kit module whose test tool is not installed: it names the extra."""
    return ModuleNotFoundError(
        f"cambridge_results.testing needs {exc.name or 'a test tool'}, which is not installed; "
        f"install the testing extra: {INSTALL_HINT}",
        name=exc.name,
    )
