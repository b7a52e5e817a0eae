"""Sphinx configuration: the Markdown pages (MyST) and an API reference from the docstrings.

Build with warnings as errors, as ``scripts/test`` does::

    sphinx-build -W --keep-going -b html docs docs/_build/html

``api/index.rst`` lists packages, not modules: autosummary walks each one
(``:recursive:``), so a module added to a listed package is documented
without touching these files.  A new top-level module or package of
``cambridge_results`` must be listed there; the build warns (and so fails)
until it is.
"""

from __future__ import annotations

import pkgutil
import re
import shutil
from pathlib import Path

from pygments.lexers.special import TextLexer
from sphinx.application import Sphinx
from sphinx.util import logging

import cambridge_results

project = "cambridge_results"
author = "cambridge_results developers"
copyright = "cambridge_results developers"
release = cambridge_results.__version__
version = release

extensions = [
    "myst_parser",
    "sphinx.ext.autodoc",
    "sphinx.ext.autosummary",
    "sphinx.ext.napoleon",
]

source_suffix = {".rst": "restructuredtext", ".md": "markdown"}
root_doc = "index"
exclude_patterns = ["_build"]
templates_path = ["_templates"]

# Autosummary writes api/generated/*.rst at build time; they are not committed.  They are
# written afresh on every build, so a module that moved or went away leaves no stale page.
shutil.rmtree(Path(__file__).parent / "api" / "generated", ignore_errors=True)
autosummary_generate = True
autosummary_imported_members = False
autodoc_default_options = {
    "members": True,
    "show-inheritance": True,
    # A package's __all__ re-exports names its modules define; document each
    # name once, on the page of the module that defines it.
    "ignore-module-all": True,
}
autodoc_member_order = "bysource"
# Signatures carry the types; the descriptions stay the docstrings' own words.
autodoc_typehints = "signature"
autodoc_class_signature = "mixed"

# Headings become link targets, so pages can link to "rules.md#crw-05".
myst_heading_anchors = 3

# Sphinx's default theme: nothing more to install, and it builds the whole reference
# in half the time furo takes (scripts/test runs this build).
html_theme = "alabaster"
html_title = f"cambridge_results {release}"

# Sphinx warns when a short cross-reference matches several objects (``:mod:`.schema``` in
# storage/sql.py matches storage.schema and board.schema) and links the first; every
# other warning fails the build.
suppress_warnings = ["ref.python"]

API_INDEX = Path(__file__).parent / "api" / "index.rst"


def _unlisted_modules() -> list[str]:
    """Top-level public modules and packages of cambridge_results missing from api/index.rst."""
    listed = set(re.findall(r"^\s+(cambridge_results\.[a-z_.]+)\s*$", API_INDEX.read_text(), re.M))
    top = {f"cambridge_results.{m.name}" for m in pkgutil.iter_modules(cambridge_results.__path__)}
    return sorted(name for name in top - listed if not name.rsplit(".", 1)[1].startswith("_"))


def _check_api_index(app: Sphinx) -> None:
    for name in _unlisted_modules():
        logging.getLogger(__name__).warning(
            "%s is not in docs/api/index.rst: list it under its area", name
        )


def setup(app: Sphinx) -> None:
    # GitHub draws the ```mermaid diagrams in docs/enquiries.md; here they stay text.
    app.add_lexer("mermaid", TextLexer)
    app.connect("builder-inited", _check_api_index)
