"""The Associate's page: controls over its Associate Centres (ASC-01..08).

"Use defaults" with the default delay and contact choice, the default
contact details, one row per Associate Centre (give access, delay, contact
Default / Centre defined), the letters that went stale and their
regeneration.  Every change is an
:class:`~cambridge_results.associates.Associates` method made as the
signed-in :class:`~cambridge_results.principals.AssociateOfficer`.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from starlette.datastructures import FormData
from starlette.requests import Request
from starlette.responses import Response

from cambridge_results import CambridgeResultsError
from cambridge_results.associates import (
    AssociateCentreChange,
    AssociateContactChange,
    AssociateDefaults,
)
from cambridge_results.principals import AssociateOfficer
from cambridge_results.storage.port import UnitOfWork
from cambridge_results.values import Associate, Centre, ExamSeries
from cambridge_results.values.access import ContactChoice
from cambridge_results.values.instants import minute_text
from cambridge_results.website import GenerationMode, GenerationRequest
from crw_example.centre import chosen_series, series_options
from crw_example.web import field, officer, redirect, render, state

__all__ = [
    "associate_centre",
    "associate_contact",
    "associate_defaults",
    "associate_generate",
    "associate_page",
]

CONTACT_CHOICES = (
    (ContactChoice.DEFAULT, "Default"),
    (ContactChoice.CENTRE_DEFINED, "Centre defined"),
)


def _associate_officer(request: Request) -> AssociateOfficer | None:
    who = officer(request)
    return who if isinstance(who, AssociateOfficer) else None


def _back(series: ExamSeries) -> str:
    return f"/associate?{urlencode({'series': series.code})}"


def _organisation(request: Request, who: AssociateOfficer) -> tuple[Associate, list[Centre]]:
    """The Associate and its Associate Centres, read through the store's repositories."""

    def read(uow: UnitOfWork) -> tuple[Associate, list[Centre]]:
        return uow.associates.get(who.associate), uow.centres.of_associate(who.associate)

    return state(request).demo.board.context.read(read, actor=str(who))


def associate_page(request: Request, form: FormData | None) -> Response:
    """The Associate's controls for the chosen series, with each centre's stale letters."""
    who = _associate_officer(request)
    if who is None:
        return redirect(request, "/signin")
    board = state(request).demo.board
    series = chosen_series(request)
    associate, centres = _organisation(request, who)
    controls = board.associates.get_settings(who, who.associate, series)
    rows: list[dict[str, Any]] = []
    stale_total = 0
    for centre in centres:
        settings = board.website.centre_settings(who, centre.number, series)
        stale = board.website.list_stale_letters(who, centre.number, series)
        stale_total += len(stale)
        rows.append(
            {
                "centre": centre,
                "row": controls.row(centre.number),
                "effective": settings.effective,
                "visible_from": minute_text(
                    settings.visible_from(board.policy), board.policy.timezone
                ),
                "stale": stale,
            }
        )
    return render(
        request,
        "associate.html",
        {
            "series": series,
            "series_options": series_options(request),
            "associate": associate,
            "controls": controls,
            "rows": rows,
            "contact_choices": CONTACT_CHOICES,
            "stale_total": stale_total,
            "jobs": state(request).jobs.latest(who),
        },
    )


def _saved(request: Request, series: ExamSeries, revoked: int) -> Response:
    extra = f"; {revoked} login details revoked" if revoked else ""
    return redirect(request, _back(series), f"Saved{extra}.")


def associate_defaults(request: Request, form: FormData | None) -> Response:
    """Save "Use defaults", the default delay and the default contact choice (ASC-02, 04, 05)."""
    who = _associate_officer(request)
    if who is None:
        return redirect(request, "/signin")
    series = chosen_series(request, field(form, "series"))
    try:
        result = state(request).demo.board.associates.set_defaults(
            who,
            AssociateDefaults(
                associate=who.associate,
                series=series,
                use_defaults=field(form, "use_defaults") == "yes",
                default_delay=field(form, "default_delay") or "no delay",
                default_contact=field(form, "default_contact"),
            ),
        )
    except CambridgeResultsError as exc:
        return redirect(request, _back(series), f"Not saved: {exc}")
    return _saved(request, series, result.revoked)


def associate_contact(request: Request, form: FormData | None) -> Response:
    """Save the Associate's default contact details (ASC-05, CRW-04)."""
    who = _associate_officer(request)
    if who is None:
        return redirect(request, "/signin")
    series = chosen_series(request, field(form, "series"))
    try:
        state(request).demo.board.associates.set_contact(
            who,
            AssociateContactChange(
                associate=who.associate,
                name=field(form, "name"),
                phone=field(form, "phone") or None,
                email=field(form, "email") or None,
            ),
        )
    except CambridgeResultsError as exc:
        return redirect(request, _back(series), f"Not saved: {exc}")
    return redirect(request, _back(series), "Default contact details saved.")


def associate_centre(request: Request, form: FormData | None) -> Response:
    """Save one Associate Centre's row: access, delay (blank: the centre's own), contact."""
    who = _associate_officer(request)
    if who is None:
        return redirect(request, "/signin")
    series = chosen_series(request, field(form, "series"))
    try:
        result = state(request).demo.board.associates.set_centre(
            who,
            AssociateCentreChange(
                associate=who.associate,
                series=series,
                centre=field(form, "centre"),
                give_access=field(form, "give_access") == "yes",
                delay=field(form, "delay") or None,
                contact=field(form, "contact"),
            ),
        )
    except CambridgeResultsError as exc:
        return redirect(request, _back(series), f"Not saved: {exc}")
    return _saved(request, series, result.revoked)


def associate_generate(request: Request, form: FormData | None) -> Response:
    """Generate letters for the Associate Centres: the stale ones, or those without any."""
    who = _associate_officer(request)
    if who is None:
        return redirect(request, "/signin")
    app = state(request)
    series = chosen_series(request, field(form, "series"))
    _, centres = _organisation(request, who)
    mode = field(form, "mode") or GenerationMode.STALE.value
    try:
        generation = GenerationRequest(
            centres=[c.number for c in centres],
            series=series,
            mode=mode,
            out_dir=app.out_dir / str(who.associate),
        )
    except CambridgeResultsError as exc:
        return redirect(request, _back(series), f"Not started: {exc}")
    what = "Stale letters" if generation.mode is GenerationMode.STALE else "New letters"
    title = f"{what} for the Associate Centres of {who.associate}, {series}"
    job = app.jobs.start(who, title, app.demo.board.website.generate_letters, generation)
    return redirect(request, f"/jobs/{job.id}")
