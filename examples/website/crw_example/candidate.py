"""The candidate results website: log in with the letter, see provisional results.

Thin on purpose: the library decides everything.  The pages make exactly
two library calls:

- ``board.logins.log_in(LoginRequest(username=..., password=...))``: the
  generic "Incorrect Login Details" answer, or the lockout with when to try
  again (LOG-01, LOG-02), or success with the signed-in candidate;
- ``board.website.candidate_results(candidate, CandidateResultsRequest(series=...))``:
  no access (CRW-06), the refusal with the time results can be seen from
  (LOG-03, CRW-05), or the provisional results (CRW-11).

:func:`signed_in` and :func:`view_request` are the two places that depend
on the shape of the library's answer and request.
"""

from __future__ import annotations

from starlette.datastructures import FormData
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from cambridge_results import CambridgeResultsError
from cambridge_results.logins import LoginRequest, LoginResult
from cambridge_results.principals import CandidateUser
from cambridge_results.values import ExamSeries
from cambridge_results.website import CandidateResultsRequest
from crw_example.web import page, redirect, render, state

__all__ = ["routes", "signed_in", "view_request"]

SITE = "Candidate results website"


def signed_in(result: LoginResult) -> CandidateUser | None:
    """The candidate a successful login names (the letter's centre, number and series)."""
    return result.candidate


def view_request(who: CandidateUser, fallback: ExamSeries) -> CandidateResultsRequest:
    """What the results view is asked: the series of the letter the candidate logged in with."""
    return CandidateResultsRequest(series=who.series or fallback)


def _candidate(request: Request) -> CandidateUser | None:
    data = request.session.get("candidate")
    if not isinstance(data, dict):
        return None
    return CandidateUser(**data)


def login(request: Request, form: FormData | None) -> Response:
    """The login form; a refusal shows the library's message (generic, or locked until when)."""
    context: dict[str, object] = {"site": SITE}
    if form is None:
        return render(request, "candidate_login.html", context)
    username = form.get("username")
    password = form.get("password")
    try:
        result = state(request).demo.board.logins.log_in(
            LoginRequest(
                username=username if isinstance(username, str) else "",
                password=password if isinstance(password, str) else "",
            )
        )
    except CambridgeResultsError as exc:
        return render(
            request, "candidate_login.html", context | {"refused": [exc.message]}, status=400
        )
    who = signed_in(result) if result.ok else None
    if who is None:
        messages = [r.message for r in result.decision.reasons] or ["Incorrect Login Details"]
        return render(request, "candidate_login.html", context | {"refused": messages}, status=401)
    request.session["candidate"] = {
        "centre": str(who.centre),
        "number": str(who.number),
        **({"series": who.series.code} if who.series is not None else {}),
    }
    return redirect(request, "/results")


def logout(request: Request, form: FormData | None) -> Response:
    """Forget the signed-in candidate."""
    request.session.pop("candidate", None)
    return redirect(request, "/results/login", "Logged out.")


def results(request: Request, form: FormData | None) -> Response:
    """The candidate's results: "results from <time>" before release, provisional after."""
    who = _candidate(request)
    if who is None:
        return redirect(request, "/results/login")
    app = state(request)
    answer = app.demo.board.website.candidate_results(
        who, view_request(who, app.demo.sample.series)
    )
    return render(
        request,
        "candidate_results.html",
        {
            "site": SITE,
            "candidate": who,
            "view": answer.view,
            "reasons": [r.message for r in answer.decision.reasons],
        },
    )


def routes() -> list[Route]:
    """The candidate website's routes, under ``/results``."""
    return [
        Route("/results/login", page(login), methods=["GET", "POST"]),
        Route("/results/logout", page(logout), methods=["POST"]),
        Route("/results", page(results)),
    ]
