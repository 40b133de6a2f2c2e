"""The triage web app: ``create_app(datastore, policy)`` builds it (tests build their own). Routes are
thin: they read through ``pages``, write through ``scanner.triage.writes`` (each write one transaction
with its audit entry), and render Jinja2 templates. State changes are POSTs only, each checked for
its CSRF token here and for its origin by ``security.Guard``.
"""

from __future__ import annotations

import contextlib
from pathlib import Path
from typing import Any, AsyncIterator
from urllib.parse import urlencode

from starlette.applications import Starlette
from starlette.datastructures import FormData
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles
from starlette.templating import Jinja2Templates

from scanner.errors import UsageError
from scanner.serve import pages, security, verification
from scanner.serve.database import Database
from scanner.store.db import Store
from scanner.triage import writes
from scanner.triage.states import STATES, Change, owner_name

HERE = Path(__file__).resolve().parent
templates = Jinja2Templates(directory=str(HERE / "templates"))
templates.env.globals.update(STATES=STATES, SEVERITIES=pages.SEVERITIES, LIVE=verification.LIVE,
                             INVALID=verification.INVALID, UNVERIFIED=verification.UNVERIFIED,
                             PRESENT=verification.PRESENT, UNASSIGNED=pages.UNASSIGNED,
                             VERIFIED_FILTERS=tuple(verification.VERIFIED_FILTERS))


class Unusable(Exception):
    """A request the app refuses with a message (a 400 page)."""


def _session(request: Request) -> security.Session:
    return request.state.session  # type: ignore[no-any-return]


def render(request: Request, template: str, status: int = 200, **context: Any) -> Response:
    policy: security.Policy = request.app.state.policy
    summary = request.app.state.db.summary
    base = {"csrf": _session(request).csrf, "who": policy.who(), "token": policy.token is not None,
            "signed_in": bool(getattr(request.state, "signed_in", False)),
            "datastore": request.app.state.db.path.name,
            "behind": summary.built_at.strftime("%H:%M:%S UTC") if summary.behind and summary.built_at else None}
    return templates.TemplateResponse(request, template, {**base, **context}, status_code=status)


async def _form(request: Request) -> FormData:
    """The request's form, once its CSRF token is checked (403 otherwise)."""
    form = await request.form()
    token = form.get("csrf")
    if not security.csrf_ok(_session(request), token if isinstance(token, str) else None):
        raise HTTPException(403, "the form's CSRF token is missing or stale: reload the page")
    return form


def _text(form: FormData, name: str) -> str:
    value = form.get(name)
    return value.strip() if isinstance(value, str) else ""


def _number(request: Request, name: str = "page") -> int:
    try:
        return max(1, int(request.query_params.get(name, "1")))
    except ValueError:
        return 1


def _db(request: Request) -> Database:
    return request.app.state.db  # type: ignore[no-any-return]


def _who(request: Request) -> str:
    return request.app.state.policy.who()  # type: ignore[no-any-return]


def page_url(request: Request, number: int) -> str:
    items = [(k, v) for k, v in request.query_params.multi_items() if k != "page"]
    return f"{request.url.path}?{urlencode([*items, ('page', str(number))])}"


async def overview(request: Request) -> Response:
    summary = _db(request).summary
    data = await _db(request).read(lambda s: pages.overview(s.db, summary.tally))
    return render(request, "overview.html", o=data)


def _filters(request: Request) -> pages.QueueFilters:
    q = request.query_params
    return pages.QueueFilters.of(q.getlist("state"), q.getlist("owner"), q.getlist("identity"),
                                 q.getlist("severity"), q.getlist("verified"), q.getlist("repository"),
                                 q.get("since", ""), q.get("until", ""))


async def queue(request: Request) -> Response:
    filters = _filters(request)
    number = _number(request)

    def read(store: Store) -> tuple[pages.Page, dict[str, Any]]:
        return pages.queue(store.db, filters, number), pages.choices(store.db)

    page, choices = await _db(request).read(read)
    return render(request, "queue.html", page=page, f=filters, choices=choices, back=str(request.url.path) +
                  ("?" + request.url.query if request.url.query else ""),
                  page_url=lambda n: page_url(request, n))


async def credential(request: Request) -> Response:
    given, number = request.path_params["fingerprint"], _number(request)

    def read(store: Store) -> tuple[str, dict[str, Any] | None]:
        fp = pages.find(store.db, given)
        return fp, pages.credential(store.db, fp, number)

    try:
        fp, data = await _db(request).read(read)
    except UsageError:
        raise HTTPException(404, "no such credential in this datastore") from None
    if fp != given:
        return RedirectResponse(f"/credential/{fp}", status_code=303)
    if data is None:
        raise HTTPException(404, "no such credential in this datastore")
    return render(request, "credential.html", c=data, page_url=lambda n: page_url(request, n))


def _back(form: FormData, default: str) -> str:
    """Where to go after a write: a path of this app, never another site."""
    target = _text(form, "back")
    return target if target.startswith("/") and not target.startswith("//") and "\\" not in target else default


async def set_state(request: Request) -> Response:
    fp = request.path_params["fingerprint"]
    form = await _form(request)
    change = Change.of(_text(form, "state"), _text(form, "reason"), _text(form, "expires") or None)
    who = _who(request)
    await _db(request).write(lambda s: writes.set_state(s, [fp], change, who))
    return RedirectResponse(f"/credential/{fp}", status_code=303)


async def assign(request: Request) -> Response:
    fp = request.path_params["fingerprint"]
    form = await _form(request)
    owner = None if _text(form, "unassign") else owner_name(_text(form, "owner"))
    who = _who(request)
    await _db(request).write(lambda s: writes.assign(s, [fp], owner, who))
    return RedirectResponse(f"/credential/{fp}", status_code=303)


async def note(request: Request) -> Response:
    fp = request.path_params["fingerprint"]
    form = await _form(request)
    text, who = _text(form, "text"), _who(request)
    await _db(request).write(lambda s: writes.add_note(s, fp, text, who))
    return RedirectResponse(f"/credential/{fp}", status_code=303)


async def bulk(request: Request) -> Response:
    form = await _form(request)
    chosen = [v for v in form.getlist("fingerprint") if isinstance(v, str) and v.strip()]
    if not chosen:
        raise UsageError("select at least one credential")
    action, who = _text(form, "action"), _who(request)
    if action == "state":
        change = Change.of(_text(form, "state"), _text(form, "reason"), _text(form, "expires") or None)
        await _db(request).write(lambda s: writes.set_state(s, chosen, change, who))
    elif action == "assign":
        owner = None if _text(form, "owner") == pages.UNASSIGNED else owner_name(_text(form, "owner"))
        await _db(request).write(lambda s: writes.assign(s, chosen, owner, who))
    else:
        raise UsageError("choose an action: set state, or assign")
    return RedirectResponse(_back(form, "/queue"), status_code=303)


async def identity(request: Request) -> Response:
    label, number = request.path_params["label"], _number(request)
    page = await _db(request).read(lambda s: pages.identity(s.db, label, number))
    if not page.total:
        raise HTTPException(404, "no credential of this identity")
    return render(request, "identity.html", label=label, page=page, back=str(request.url.path),
                  page_url=lambda n: page_url(request, n))


async def owner(request: Request) -> Response:
    name, number = request.path_params["name"], _number(request)
    page = await _db(request).read(lambda s: pages.owner(s.db, name, number))
    return render(request, "owner.html", name=name, page=page, back=str(request.url.path),
                  page_url=lambda n: page_url(request, n))


async def search(request: Request) -> Response:
    q = request.query_params.get("q", "")
    found = await _db(request).read(lambda s: pages.search(s.db, q))
    return render(request, "search.html", s=found)


async def audit_log(request: Request) -> Response:
    who, number = request.query_params.get("who", ""), _number(request)
    page = await _db(request).read(lambda s: pages.audit_log(s.db, number, who))
    return render(request, "audit.html", page=page, actor=who, page_url=lambda n: page_url(request, n))


async def login(request: Request) -> Response:
    target = request.query_params.get("next", "/")
    target = target if target.startswith("/") and not target.startswith("//") else "/"
    policy: security.Policy = request.app.state.policy
    if request.method == "GET":
        return render(request, "login.html", next=target, failed=False)
    form = await _form(request)
    target = _back(form, "/")
    if not policy.token_ok(_text(form, "token")):
        return render(request, "login.html", status=401, next=target, failed=True)
    sessions: security.Sessions = request.state.sessions
    sessions.drop(_session(request))
    fresh = sessions.new(authenticated=True)  # a new id once signed in (no session fixation)
    response = RedirectResponse(target, status_code=303)
    name, value = security.cookie_header(fresh)
    response.raw_headers.append((name, value))
    return response


async def logout(request: Request) -> Response:
    await _form(request)
    request.state.sessions.drop(_session(request))
    return RedirectResponse("/login" if request.app.state.policy.token else "/", status_code=303)


async def favicon(request: Request) -> Response:
    return Response(status_code=204)  # no icon (and no 404 in the browser's console)


async def _usage_error(request: Request, exc: Exception) -> Response:
    return render(request, "error.html", status=400, message=str(exc))


async def _http_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, HTTPException)
    if not hasattr(request.state, "session"):
        return Response(exc.detail, status_code=exc.status_code, media_type="text/plain")
    return render(request, "error.html", status=exc.status_code, message=exc.detail)


def create_app(datastore: Path, policy: security.Policy) -> Any:
    """The app over ``datastore`` (which must exist), guarded by ``policy``. Opens the datastore now:
    a missing or unusable one is a usage error before the server starts."""
    db = Database(Path(datastore))
    db.check()

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        yield
        db.close()

    routes = [
        Route("/", overview), Route("/queue", queue), Route("/search", search), Route("/audit", audit_log),
        Route("/credential/{fingerprint}", credential),
        Route("/credential/{fingerprint}/state", set_state, methods=["POST"]),
        Route("/credential/{fingerprint}/assign", assign, methods=["POST"]),
        Route("/credential/{fingerprint}/note", note, methods=["POST"]),
        Route("/bulk", bulk, methods=["POST"]),
        Route("/identity/{label:path}", identity), Route("/owner/{name:path}", owner),
        Route("/favicon.ico", favicon), Route("/login", login, methods=["GET", "POST"]), Route("/logout", logout, methods=["POST"]),
        Mount("/static", StaticFiles(directory=str(HERE / "static")), name="static"),
    ]
    app = Starlette(routes=routes, lifespan=lifespan,
                    exception_handlers={UsageError: _usage_error, HTTPException: _http_error})
    app.state.db = db
    app.state.policy = policy
    return security.Guard(app, policy, security.Sessions())
