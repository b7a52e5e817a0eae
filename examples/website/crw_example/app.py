"""The Starlette application: routes, the demo sign-in, generation progress and downloads.

``create_app(demo, out_dir=...)`` builds it over an open demo board;
``python -m crw_example`` (see ``__main__``) seeds a SQLite file and serves it.
"""

from __future__ import annotations

import secrets
from importlib import resources
from pathlib import Path

import pendulum
from starlette.applications import Starlette
from starlette.datastructures import FormData
from starlette.middleware import Middleware
from starlette.middleware.sessions import SessionMiddleware
from starlette.requests import Request
from starlette.responses import FileResponse, PlainTextResponse, Response
from starlette.routing import Route

from crw_example import candidate
from crw_example.associate import (
    associate_centre,
    associate_contact,
    associate_defaults,
    associate_generate,
    associate_page,
)
from crw_example.centre import centre_access, centre_generate, centre_page, centre_ticks
from crw_example.demo import Demo
from crw_example.web import AppState, field, officer, page, redirect, render, state

__all__ = ["create_app"]


def home(request: Request, form: FormData | None) -> Response:
    """The start page: the two websites this example serves."""
    return render(request, "home.html", {})


def signin(request: Request, form: FormData | None) -> Response:
    """Act as a centre's or an Associate's exams officer (the demo's stand-in for real staff
    authentication, which a real app brings itself)."""
    sample = state(request).demo.sample
    if form is None:
        return render(
            request,
            "signin.html",
            {"centres": sample.centres, "associate": sample.associate},
        )
    choice = field(form, "who")
    kind, _, number = choice.partition(":")
    numbers = {str(c.number) for c in sample.centres}
    if (kind == "centre" and number in numbers) or (
        kind == "associate" and number == str(sample.associate.number)
    ):
        request.session["officer"] = {"kind": kind, "number": number}
        return redirect(request, f"/{kind}")
    return redirect(request, "/signin", "Choose who you are.")


def signout(request: Request, form: FormData | None) -> Response:
    """Forget the officer signed in to the administration pages."""
    request.session.pop("officer", None)
    return redirect(request, "/", "Signed out.")


def job_page(request: Request, form: FormData | None) -> Response:
    """How far a generation run has got; refreshes itself until it has finished (CRW-10)."""
    who = officer(request)
    job = None if who is None else state(request).jobs.get(request.path_params["job"], who)
    if job is None:
        return PlainTextResponse("No such generation run.", status_code=404)
    percent = 100 if job.finished else (100 * job.done // job.total if job.total else 0)
    files = [(i, p.name, p.stat().st_size) for i, p in enumerate(job.files())]
    back = f"/{'centre' if 'centre' in job.owner else 'associate'}"
    return render(
        request, "job.html", {"job": job, "percent": percent, "files": files, "back": back}
    )


def job_file(request: Request, form: FormData | None) -> Response:
    """A file a run wrote (combined PDF or zip), only to the officer who started it."""
    who = officer(request)
    job = None if who is None else state(request).jobs.get(request.path_params["job"], who)
    files = () if job is None else job.files()
    index = request.path_params["index"]
    if not 0 <= index < len(files):
        return PlainTextResponse("No such file.", status_code=404)
    path = files[index]
    kind = "application/zip" if path.suffix == ".zip" else "application/pdf"
    return FileResponse(path, media_type=kind, filename=path.name)


FONTS = resources.files("cambridge_results.rendering") / "fonts"


def font(request: Request, form: FormData | None) -> Response:
    """One of the library's bundled Noto fonts (SIL OFL 1.1), for names in any script."""
    name = request.path_params["name"]
    path = FONTS / name
    if not name.endswith(".ttf") or "/" in name or not path.is_file():
        return PlainTextResponse("No such font.", status_code=404)
    return Response(
        path.read_bytes(),
        media_type="font/ttf",
        headers={"Cache-Control": "public, max-age=86400"},
    )


def set_clock(request: Request, form: FormData | None) -> Response:
    """Move the demo's fixed clock (shown only when the demo runs on one)."""
    app = state(request)
    clock = app.demo.fixed_clock
    back = field(form, "back") or "/"
    if clock is None:
        return redirect(request, back)
    try:
        at = pendulum.parse(field(form, "at"), tz=app.demo.board.policy.timezone)
    except ValueError:
        return redirect(request, back, "Give a date and time like 2026-08-20 09:00.")
    if not isinstance(at, pendulum.DateTime):
        return redirect(request, back, "Give a date and time like 2026-08-20 09:00.")
    clock.set(at)
    return redirect(request, back, "Clock moved.")


def create_app(demo: Demo, *, out_dir: Path, secret_key: str | None = None) -> Starlette:
    """The example app over ``demo``, writing letters under ``out_dir``."""
    out_dir.mkdir(parents=True, exist_ok=True)
    routes = [
        Route("/", page(home)),
        Route("/signin", page(signin), methods=["GET", "POST"]),
        Route("/signout", page(signout), methods=["POST"]),
        Route("/centre", page(centre_page)),
        Route("/centre/access", page(centre_access), methods=["POST"]),
        Route("/centre/ticks", page(centre_ticks), methods=["POST"]),
        Route("/centre/generate", page(centre_generate), methods=["POST"]),
        Route("/associate", page(associate_page)),
        Route("/associate/defaults", page(associate_defaults), methods=["POST"]),
        Route("/associate/contact", page(associate_contact), methods=["POST"]),
        Route("/associate/centre", page(associate_centre), methods=["POST"]),
        Route("/associate/generate", page(associate_generate), methods=["POST"]),
        Route("/jobs/{job}", page(job_page)),
        Route("/jobs/{job}/files/{index:int}", page(job_file)),
        Route("/demo/clock", page(set_clock), methods=["POST"]),
        Route("/fonts/{name}", page(font)),
        *candidate.routes(),
    ]
    middleware = [
        # SameSite=strict: no other site can post a form with this session (CSRF).
        Middleware(
            SessionMiddleware,
            secret_key=secret_key or secrets.token_hex(32),
            same_site="strict",
            session_cookie="crw_session",
        )
    ]
    app = Starlette(routes=routes, middleware=middleware)
    app.state.crw = AppState(demo=demo, out_dir=out_dir)
    return app
