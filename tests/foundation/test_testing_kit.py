"""The public testing kit: plain imports, and strategies that draw only valid values."""

from __future__ import annotations

import re
import subprocess
import sys
import unicodedata
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import cambridge_results.testing as kit
from cambridge_results.rendering.fonts import FontSet
from cambridge_results.testing import strategies as crst
from cambridge_results.testing.strategies.values import _bundled_fonts
from cambridge_results.values import Candidate, ExamSeries, validate_email


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


def test_contact_strategies_pass_the_health_checks_on_a_fresh_run(tmp_path: Path) -> None:
    """Issue 14: on an empty .hypothesis directory, crst.contact_details() and
    st.from_type(ContactDetails) failed HealthCheck.too_slow (the email strategy)."""
    code = (
        "from hypothesis import given, settings, strategies as st\n"
        "from cambridge_results.testing import strategies as crst\n"
        "from cambridge_results.values import ContactDetails\n"
        "for strategy in (crst.contact_details(), st.from_type(ContactDetails),\n"
        "                 crst.email_addresses()):\n"
        "    given(strategy)(settings(max_examples=50)(lambda value: None))()\n"
        "print('healthy')\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=False, cwd=tmp_path
    )
    assert done.stdout.strip() == "healthy", done.stderr


@settings(max_examples=60)
@given(crst.email_addresses())
def test_drawn_email_addresses_are_accepted(address: str) -> None:
    """email_addresses() draws only what validate_email accepts."""
    assert validate_email(address) == address


@settings(max_examples=80)
@given(crst.candidates(renderable=True))
def test_renderable_candidates_have_names_the_bundled_fonts_draw(candidate: Candidate) -> None:
    """Issue 14: candidates(renderable=True) draws only names the bundled fonts render."""
    fonts = _bundled_fonts()
    assert fonts.missing(candidate.given_name) == ()
    assert fonts.missing(candidate.family_name) == ()


@settings(max_examples=40)
@given(crst.person_names(fonts=FontSet()))
def test_names_for_a_font_set_are_drawn_by_it(name: str) -> None:
    """person_names(fonts=...) draws names that FontSet has every character of."""
    assert FontSet().missing(unicodedata.normalize("NFC", name)) == ()


def test_the_unrestricted_names_include_some_the_fonts_cannot_draw() -> None:
    """Without fonts, names of every script are drawn, so the option is not a no-op."""
    fonts = _bundled_fonts()
    found: list[str] = []

    @settings(max_examples=300, database=None)
    @given(crst.person_names())
    def collect(name: str) -> None:
        if fonts.missing(name):
            found.append(name)

    collect()
    assert found


def test_the_documented_conformance_mixin_pattern_type_checks(tmp_path: Path) -> None:
    """Issue 14: docs/storage.md's `make_store = staticmethod(...)` passes mypy --strict."""
    docs = (Path(__file__).parents[2] / "docs" / "storage.md").read_text(encoding="utf-8")
    blocks = re.findall(r"```python\n(.*?)```", docs, flags=re.S)
    (example,) = [b for b in blocks if "make_store = staticmethod(" in b]
    lambda_form = example.replace(
        "make_store = staticmethod(open_my_store)",
        "make_store = staticmethod(\n"
        "        lambda path, migrations: open_store(f'x:///{path}', migrations=migrations)\n"
        "    )",
    )
    (tmp_path / "named.py").write_text(example, encoding="utf-8")
    (tmp_path / "lambda_form.py").write_text(lambda_form, encoding="utf-8")
    root = Path(__file__).parents[2]
    done = subprocess.run(
        [sys.executable, "-m", "mypy", "--strict", "--no-incremental",
         str(tmp_path / "named.py"), str(tmp_path / "lambda_form.py")],
        capture_output=True, text=True, check=False, cwd=root,
    )  # fmt: skip
    assert done.returncode == 0, done.stdout
