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
them, so importing it needs neither hypothesis nor pytest.
"""

from __future__ import annotations

from cambridge_results.clock import FixedClock

__all__ = ["FixedClock"]
