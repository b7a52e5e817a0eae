"""The centre's "Candidate results website administration" (CRW-01..13).

One page per series: the "Edit status" form (NONE / ALL / SELECTED, the
agreement, the contact and the delay), the candidate list in ascending
candidate-number order with search and ticks, and letter generation.
Every call is a :class:`~cambridge_results.website.Website` method made as
the signed-in :class:`~cambridge_results.principals.CentreOfficer`.
"""

from __future__ import annotations

from urllib.parse import urlencode

from starlette.datastructures import FormData
from starlette.requests import Request
from starlette.responses import Response

from cambridge_results import CambridgeResultsError
from cambridge_results.principals import CentreOfficer
from cambridge_results.rules.website.access import AccessRequest
from cambridge_results.values import ExamSeries
from cambridge_results.values.access import AccessMode
from cambridge_results.values.instants import minute_text
from cambridge_results.website import (
    CandidateQuery,
    CandidateSelection,
    GenerationMode,
    GenerationRequest,
)
from crw_example.web import field, officer, redirect, render, state

__all__ = ["centre_access", "centre_generate", "centre_page", "centre_ticks", "chosen_series"]

#: The generation choices the page offers, in the order shown.
GENERATE_CHOICES = (
    (GenerationMode.NEW, "Candidates who have no login details yet"),
    (GenerationMode.STALE, "Letters that no longer match the settings"),
    (GenerationMode.ALL, "Everyone with access (new passwords; old letters stop working)"),
)


def chosen_series(request: Request, text: str | None = None) -> ExamSeries:
    """The series the page is for: the form's or the query's, else the sample's."""
    app = state(request)
    wanted = text or request.query_params.get("series")
    known = [c.series for c in app.demo.board.policy.series]
    for series in known:
        if wanted in (series.code, str(series)):
            return series
    return app.demo.sample.series


def series_options(request: Request) -> list[ExamSeries]:
    """Every series the policy has a calendar for, newest first."""
    return sorted((c.series for c in state(request).demo.board.policy.series), reverse=True)


def _centre_officer(request: Request) -> CentreOfficer | None:
    who = officer(request)
    return who if isinstance(who, CentreOfficer) else None


def _back(series: ExamSeries, query: str = "") -> str:
    params = {"series": series.code} | ({"q": query} if query else {})
    return f"/centre?{urlencode(params)}"


def centre_page(request: Request, form: FormData | None) -> Response:
    """The administration page for the signed-in centre and the chosen series."""
    who = _centre_officer(request)
    if who is None:
        return redirect(request, "/signin")
    board = state(request).demo.board
    series = chosen_series(request)
    query = request.query_params.get("q", "").strip()
    context: dict[str, object] = {
        "series": series,
        "series_options": series_options(request),
        "query": query,
        "modes": list(AccessMode),
        "generate_choices": GENERATE_CHOICES,
        "jobs": state(request).jobs.latest(who),
    }
    try:
        settings = board.website.centre_settings(who, who.centre, series)
        listing = board.website.list_candidates(
            who, CandidateQuery(centre=who.centre, series=series, query=query or None)
        )
    except CambridgeResultsError as exc:
        return render(request, "centre.html", context | {"problem": str(exc)}, status=400)
    visible = settings.visible_from(board.policy)
    return render(
        request,
        "centre.html",
        context
        | {
            "settings": settings,
            "listing": listing,
            "visible_from": minute_text(visible, board.policy.timezone),
            "selected_mode": settings.own.mode is AccessMode.SELECTED,
        },
    )


def _optional(text: str) -> str | None:
    return text or None


def centre_access(request: Request, form: FormData | None) -> Response:
    """Save the "Edit status" form (CRW-01, CRW-04, CRW-05); every problem is shown at once."""
    who = _centre_officer(request)
    if who is None:
        return redirect(request, "/signin")
    series = chosen_series(request, field(form, "series"))
    try:
        mode = AccessMode(field(form, "mode"))
    except ValueError:
        return redirect(request, _back(series), "Choose NO, ALL or SELECTED candidates.")
    access = AccessRequest(
        mode=mode,
        agreed_to_manage_queries=field(form, "agreed") == "yes",
        contact_name=_optional(field(form, "contact_name")),
        phone=_optional(field(form, "phone")),
        email=_optional(field(form, "email")),
        delay=_optional(field(form, "delay")),
    )
    try:
        result = state(request).demo.board.website.set_access(who, who.centre, series, access)
    except CambridgeResultsError as exc:
        return redirect(request, _back(series), f"Not saved: {exc}")
    revoked = f"; {result.revoked} login details revoked" if result.revoked else ""
    return redirect(request, _back(series), f"Status saved{revoked}.")


def centre_ticks(request: Request, form: FormData | None) -> Response:
    """Save the ticks of the candidates shown (CRW-07, CRW-08): ticked in, unticked out."""
    who = _centre_officer(request)
    if who is None or form is None:
        return redirect(request, "/signin")
    series = chosen_series(request, field(form, "series"))
    shown = {v for v in form.getlist("shown") if isinstance(v, str)}
    ticked = {v for v in form.getlist("tick") if isinstance(v, str)} & shown
    website = state(request).demo.board.website
    try:
        added = removed = revoked = 0
        if ticked:
            selection = CandidateSelection(
                centre=who.centre, series=series, candidates=sorted(ticked)
            )
            added = len(website.tick_candidates(who, selection).changed)
        if shown - ticked:
            selection = CandidateSelection(
                centre=who.centre, series=series, candidates=sorted(shown - ticked)
            )
            result = website.untick_candidates(who, selection)
            removed, revoked = len(result.changed), result.revoked
    except CambridgeResultsError as exc:
        return redirect(request, _back(series, field(form, "q")), f"Not saved: {exc}")
    message = f"Saved: {added} ticked, {removed} unticked"
    message += f", {revoked} login details revoked." if revoked else "."
    return redirect(request, _back(series, field(form, "q")), message)


def centre_generate(request: Request, form: FormData | None) -> Response:
    """Start generating letters for the centre (CRW-07..13) and go to its progress page."""
    who = _centre_officer(request)
    if who is None:
        return redirect(request, "/signin")
    app = state(request)
    series = chosen_series(request, field(form, "series"))
    try:
        generation = GenerationRequest(
            centres=who.centre,
            series=series,
            mode=field(form, "mode") or GenerationMode.NEW.value,
            out_dir=app.out_dir / str(who.centre),
        )
    except CambridgeResultsError as exc:
        return redirect(request, _back(series), f"Not started: {exc}")
    what = {GenerationMode.NEW: "New", GenerationMode.STALE: "Stale", GenerationMode.ALL: "All"}
    title = f"{what.get(generation.mode, 'New')} letters for centre {who.centre}, {series}"
    job = app.jobs.start(who, title, app.demo.board.website.generate_letters, generation)
    return redirect(request, f"/jobs/{job.id}")
