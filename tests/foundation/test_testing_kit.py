"""The public testing kit: plain imports, and strategies that draw only valid values."""

from __future__ import annotations

import subprocess
import sys

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import cambridge_results.testing as kit
from cambridge_results.testing import strategies as crst
from cambridge_results.values import Candidate, ExamSeries


def test_importing_the_kit_needs_neither_hypothesis_nor_pytest() -> None:
    """Apps without tests can import FixedClock; the submodules load only when imported."""
    code = (
        "import sys, cambridge_results.testing as kit; "
        "print(sorted(m for m in ('hypothesis', 'pytest') if m in sys.modules)); "
        "import cambridge_results.testing.strategies as s; print(s.__name__)"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.split("\n")[:2] == ["[]", "cambridge_results.testing.strategies"]


@pytest.mark.parametrize(
    ("module", "missing"),
    [
        ("strategies", "hypothesis"),
        ("conformance", "hypothesis"),
        ("conformance", "pytest"),
        ("conformance_logins", "pytest"),
        ("conformance_website", "pytest"),
        ("conformance_enquiries", "pytest"),
    ],
)
def test_a_kit_module_without_its_test_tool_names_the_extra_that_installs_it(
    module: str, missing: str
) -> None:
    """Issue 14: not a bare ModuleNotFoundError but one that says pip install '...[testing]'."""
    code = (
        f"import sys; sys.modules[{missing!r}] = None\n"
        "try:\n"
        f"    import cambridge_results.testing.{module}\n"
        "except ModuleNotFoundError as exc:\n"
        "    print(exc.name); print(exc)\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    name, message = done.stdout.split("\n")[:2]
    assert name == missing
    assert f"needs {missing}" in message
    assert "pip install 'cambridge_results[testing]'" in message


def test_the_kit_exports_the_clock_and_loads_no_submodule_lazily() -> None:
    """The package's one name is FixedClock; there is no lazy attribute loader."""
    assert kit.__all__ == ["FixedClock"]
    assert not hasattr(kit, "__getattr__")
    assert crst.__name__ == "cambridge_results.testing.strategies"


def test_every_public_strategy_has_a_docstring() -> None:
    """Public names are documented."""
    for name in crst.__all__:
        assert getattr(crst, name).__doc__, name


@settings(max_examples=40)
@given(crst.exam_series_texts())
def test_drawn_series_texts_parse(text: str) -> None:
    """exam_series_texts() draws only text ExamSeries.parse accepts."""
    assert ExamSeries.parse(text).code[:4] == text[:4] or text[-4:].isdigit()


@settings(max_examples=20)
@given(crst.centre_numbers(), st.data())
def test_candidates_drawn_for_a_centre_belong_to_it(centre: object, data: st.DataObject) -> None:
    """candidates(centre=...) draws candidates of that centre; their UCI embeds it."""
    candidate: Candidate = data.draw(crst.candidates(centre=centre))  # type: ignore[arg-type]
    assert candidate.centre == centre
    if candidate.uci is not None:
        assert candidate.uci.value.startswith(str(centre))
