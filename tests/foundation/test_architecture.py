"""The architecture holds: writes through store.run, small modules, one application shape.

The layers and the absence of import cycles are import-linter's job
(``.importlinter``, run by scripts/test); these tests keep what it cannot see.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

import cambridge_results
from cambridge_results.associates import Associates
from cambridge_results.enquiries import Enquiries
from cambridge_results.errors import InvalidValue
from cambridge_results.logins import Logins
from cambridge_results.logins.outbox import InMemoryOutbox
from cambridge_results.rendering.fpdf_enquiry_letters import FpdfEnquiryLetterRenderer
from cambridge_results.reports import Reports
from cambridge_results.website import Website

SRC = Path(cambridge_results.__file__).parent
#: Where units of work may be opened by hand: the port itself and the testing kit.
BRACKET_OWNERS = ("storage", "testing")
#: No module is longer than this (a module has one job).
MAX_LINES = 600


def _modules() -> list[Path]:
    return sorted(SRC.rglob("*.py"))


def _opens_a_unit_of_work(tree: ast.AST) -> list[int]:
    return [
        node.lineno
        for node in ast.walk(tree)
        if isinstance(node, ast.Call)
        and isinstance(node.func, ast.Attribute)
        and node.func.attr == "unit_of_work"
    ]


def test_no_application_code_opens_a_unit_of_work_by_hand() -> None:
    """Every write outside storage goes through store.run (Context.write), which retries."""
    found = {
        str(path.relative_to(SRC)): lines
        for path in _modules()
        if path.relative_to(SRC).parts[0] not in BRACKET_OWNERS
        and (lines := _opens_a_unit_of_work(ast.parse(path.read_text(encoding="utf-8"))))
    }
    assert found == {}


def test_no_module_is_over_600_lines() -> None:
    """Small modules with one job each."""
    long = {
        str(path.relative_to(SRC)): n
        for path in _modules()
        if (n := len(path.read_text(encoding="utf-8").splitlines())) > MAX_LINES
    }
    assert long == {}


def _required_options(kind: type) -> dict[str, object]:
    """What each application object needs besides its context."""
    if kind is Logins:
        return {"outbox": InMemoryOutbox()}
    if kind is Enquiries:
        return {"letter_renderer": FpdfEnquiryLetterRenderer()}
    return {}


@pytest.mark.parametrize("kind", [Website, Associates, Logins, Reports, Enquiries])
def test_every_application_object_is_built_over_a_context(kind: type) -> None:
    """One shape: ``Feature(context, ...)``; anything but a Context is the library's error."""
    with pytest.raises(InvalidValue) as refused:
        kind("sqlite:///results.db", **_required_options(kind))
    assert refused.value.field == "context"
