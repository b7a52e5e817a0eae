"""What every page shares: the app's state, templates, the signed-in principal, forms.

Handlers are plain functions ``handler(request, form) -> Response``; the
library's calls block (storage, hashing, PDFs), so :func:`page` reads the
form on the event loop and runs the handler on Starlette's thread pool.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from pathlib import Path
from typing import Any

import attrs
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import FormData
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.templating import Jinja2Templates

from cambridge_results.principals import AssociateOfficer, CentreOfficer
from cambridge_results.values.instants import minute_text
from crw_example.demo import Demo
from crw_example.jobs import Jobs

__all__ = [
    "AppState",
    "Handler",
    "Officer",
    "field",
    "officer",
    "page",
    "redirect",
    "render",
    "state",
]

TEMPLATES = Jinja2Templates(directory=str(Path(__file__).parent / "templates"))

#: The principals who use the administration pages.
Officer = CentreOfficer | AssociateOfficer
Handler = Callable[[Request, FormData | None], Response]


@attrs.frozen(kw_only=True)
class AppState:
    """What the app holds for its lifetime: the demo board, where letters go, the jobs."""

    demo: Demo
    out_dir: Path
    jobs: Jobs = attrs.field(factory=Jobs)


def state(request: Request) -> AppState:
    """The app's state (set by :func:`crw_example.app.create_app`)."""
    value: AppState = request.app.state.crw
    return value


def page(handler: Handler) -> Callable[[Request], Awaitable[Response]]:
    """An endpoint running ``handler`` off the event loop, with the POSTed form if any."""

    async def endpoint(request: Request) -> Response:
        form = await request.form() if request.method == "POST" else None
        return await run_in_threadpool(handler, request, form)

    return endpoint


def field(form: FormData | None, name: str) -> str:
    """A form field as text, stripped; ``""`` when absent."""
    value = None if form is None else form.get(name)
    return value.strip() if isinstance(value, str) else ""


def officer(request: Request) -> Officer | None:
    """The officer signed in to the administration pages, if any."""
    who = request.session.get("officer")
    if not isinstance(who, dict):
        return None
    if who.get("kind") == "centre":
        return CentreOfficer(centre=who["number"])
    if who.get("kind") == "associate":
        return AssociateOfficer(associate=who["number"])
    return None


def redirect(request: Request, url: str, message: str | None = None) -> RedirectResponse:
    """See other ``url`` (303, so a refresh does not post again), flashing ``message``."""
    if message:
        request.session["flash"] = message
    return RedirectResponse(url, status_code=303)


def render(
    request: Request, template: str, context: Mapping[str, Any], *, status: int = 200
) -> Response:
    """``template`` with ``context``, the signed-in officer, the clock and any flash message."""
    app = state(request)
    board = app.demo.board
    flash = request.session.pop("flash", None)
    return TEMPLATES.TemplateResponse(
        request,
        template,
        {
            "officer": officer(request),
            "now": minute_text(board.clock.now(), board.policy.timezone),
            "timezone": board.policy.timezone,
            "fixed_clock": app.demo.fixed_clock is not None,
            "flash": flash,
            **context,
        },
        status_code=status,
    )
