"""Finding letter renderers by name: built-ins plus the ``cambridge_results.renderers`` group.

As fsspec does for filesystems: a built-in table ``name -> "module:attribute"``
and an entry-point group through which third parties add renderers.  A
renderer that fails to load is reported when asked for, not when another is.
"""

from __future__ import annotations

import importlib
from importlib.metadata import entry_points
from typing import Any

from cambridge_results.errors import RenderError
from cambridge_results.rendering.protocol import LetterRenderer

__all__ = [
    "BUILTIN_RENDERERS",
    "ENTRY_POINT_GROUP",
    "available_renderers",
    "load_renderer",
    "renderer_target",
]

#: The entry-point group third-party renderers register in, as ``name = "module:Class"``.
ENTRY_POINT_GROUP = "cambridge_results.renderers"

#: Renderers that ship with the library.
BUILTIN_RENDERERS: dict[str, str] = {
    "fpdf2": "cambridge_results.rendering.fpdf_letters:FpdfLetterRenderer",
}


def available_renderers() -> dict[str, str]:
    """Every renderer name and where it lives; built-ins win over entry points of the same name."""
    found = {ep.name: ep.value for ep in entry_points(group=ENTRY_POINT_GROUP)}
    return {**found, **BUILTIN_RENDERERS}


def _load(target: str) -> Any:
    module_name, _, attribute = target.partition(":")
    module = importlib.import_module(module_name)
    obj: Any = module
    for part in attribute.split(".") if attribute else ():
        obj = getattr(obj, part)
    return obj


def renderer_target(name: str) -> str:
    """Where the renderer called ``name`` comes from (``module:factory``), without loading
    it; :class:`~cambridge_results.errors.RenderError` for an unknown name."""
    known = available_renderers()
    target = known.get(name)
    if target is None:
        raise RenderError(f"no renderer named {name!r}; known: {', '.join(sorted(known))}")
    return target


def load_renderer(name: str = "fpdf2", **options: Any) -> LetterRenderer:
    """A renderer by name, built with ``options`` (e.g. ``fallback_fonts=[...]``).

    Raises :class:`~cambridge_results.errors.RenderError` for an unknown name,
    a plugin that fails to import or build, or one that is not a
    :class:`~cambridge_results.rendering.protocol.LetterRenderer`.
    """
    target = renderer_target(name)
    try:
        factory = _load(target)
        renderer = factory(**options)
    except RenderError:
        raise
    except Exception as exc:  # a broken plugin must not look like our own bug
        raise RenderError(f"renderer {name!r} ({target}) failed to load: {exc}") from exc
    if not isinstance(renderer, LetterRenderer):
        raise RenderError(f"renderer {name!r} ({target}) does not implement LetterRenderer")
    return renderer
