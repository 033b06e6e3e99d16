"""The console's frame: its services as the app's lifespan built them, pages in the resident
page's look (base.html and app.css, extended) in the officer's language, the session guards
every desk and admin route carries, and errors as console pages."""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from litestar import Request, Response
from litestar.connection import ASGIConnection
from litestar.datastructures import ResponseHeader
from litestar.handlers import BaseRouteHandler
from litestar.response import Redirect, Template

from service.access.audit import Audit
from service.access.guards import require_admin
from service.access.sessions import Sessions
from service.access.tokens import Principal, Tokens
from service.console.desk import Desk
from service.console.texts import TEXTS
from service.edge.errors import as_domain_error, error_headers
from service.errors import RateLimited, Unavailable
from service.language import Language
from service.protection.addresses import Networks, client_address
from service.protection.ratelimit import RateLimiter
from service.search.finder import NameFinder
from service.settings import Settings
from service.store import Store
from service.voters.published import Published
from service.web.pages import ASSET_URLS, LANGUAGE_COOKIE, SECURITY_HEADERS

TEMPLATE_DIR = Path(__file__).parent / "templates"
STATIC_DIR = Path(__file__).parent / "static"
SESSION_COOKIE = "dpt_konsol"
CONSOLE_HEADERS = [*SECURITY_HEADERS, ResponseHeader(name="X-Frame-Options", value="DENY")]
_LOCAL_NEXT = re.compile(r"/helpdesk(?:/[A-Za-z0-9_.-]+)*/?")


def _assets() -> dict[str, tuple[str, bytes]]:
    found = {}
    for path in STATIC_DIR.iterdir():
        data = path.read_bytes()
        found[f"{path.stem}.{hashlib.sha256(data).hexdigest()[:10]}{path.suffix}"] = (path.name, data)
    return found


ASSETS = _assets()
CONSOLE_CSS = next(
    f"/helpdesk/static/{hashed}" for hashed, (name, _) in ASSETS.items() if name == "console.css"
)


@dataclass(frozen=True, slots=True)
class Console:
    """The console's services in one worker (built by the app's lifespan, on its pools)."""

    settings: Settings
    store: Store
    sessions: Sessions
    desk: Desk
    audit: Audit
    finder: NameFinder
    published: Published
    limiter: RateLimiter
    tokens: Tokens


def console(connection: ASGIConnection[Any, Any, Any, Any]) -> Console:
    found: Console = connection.app.state.console
    return found


def language(connection: ASGIConnection[Any, Any, Any, Any]) -> Language:
    return "en" if connection.cookies.get(LANGUAGE_COOKIE) == "en" else "id"


def address(connection: ASGIConnection[Any, Any, Any, Any]) -> str:
    client = connection.scope.get("client")
    forwarded = connection.headers.get("x-forwarded-for")
    return client_address(
        client[0] if client else "", forwarded, Networks(console(connection).settings.trusted_proxies)
    )


def officer(request: Request[Any, Any, Any]) -> Principal:
    """The officer the session guard settled for this request."""
    found: Principal = request.state.officer
    return found


def page(
    request: Request[Any, Any, Any],
    name: str,
    status: int = 200,
    headers: dict[str, str] | None = None,
    **context: Any,
) -> Template:
    chosen = language(request)
    found = console(request).published.dataset
    return Template(
        template_name=name,
        context={
            "t": TEXTS[chosen],
            "lang": chosen,
            "other_lang": "en" if chosen == "id" else "id",
            "css": ASSET_URLS["app.css"],
            "console_css": CONSOLE_CSS,
            "officer": getattr(request.state, "officer", None),
            "dataset": found.info if found else None,
            **context,
        },
        status_code=status,
        headers=headers,
    )


def safe_next(target: str | None) -> str:
    """Where to go after login: a console path only, never another site (no open redirect)."""
    if target and _LOCAL_NEXT.fullmatch(target) and ".." not in target:
        return target
    return "/helpdesk"


class LoginRequired(Exception):
    """No live session (none, expired, ended) or the account was disabled."""


async def officer_guard(connection: ASGIConnection[Any, Any, Any, Any], _: BaseRouteHandler) -> None:
    """Every desk and admin route: a live session of an enabled account, checked against
    PostgreSQL on each request, so a disabled officer or a changed scope counts at once."""
    found = console(connection)
    session_id = connection.cookies.get(SESSION_COOKIE)
    session = await found.sessions.get(session_id)
    if session is None:
        raise LoginRequired
    record = await found.store.row("operator-by-username", username=session.username)
    if record is None or record["disabled_at"] is not None:
        await found.sessions.end(session_id)
        raise LoginRequired
    connection.state.officer = Principal(None, record["role"], record["scope"], operator=record["username"])


async def admin_guard(connection: ASGIConnection[Any, Any, Any, Any], _: BaseRouteHandler) -> None:
    principal: Principal = connection.state.officer
    require_admin(principal)


def login_redirect(request: Request[Any, Any, Any], _: Exception) -> Response[Any]:
    target = "/helpdesk/login"
    if request.method == "GET" and request.url.path != "/helpdesk":
        target += "?next=" + request.url.path
    return Redirect(target, status_code=303)


def error_page(request: Request[Any, Any, Any], error: Exception) -> Response[Any]:
    """Any error inside the console as a console page in the officer's language."""
    domain = as_domain_error(request, error)
    texts = TEXTS[language(request)]
    if isinstance(domain, Unavailable):
        heading = texts["busy_heading"]
    elif domain.status == 404:
        heading = texts["not_found_heading"]
    elif domain.status in (401, 403, 429) or isinstance(domain, RateLimited):
        heading = texts["refused_heading"]
    else:
        heading = texts["fault_heading"]
    text = domain.message if language(request) == "id" else domain.message_en
    return page(
        request, "console_notice.html", domain.status, error_headers(domain),
        heading=heading, text=text, code=domain.code,
    )  # fmt: skip


EXCEPTION_HANDLERS: dict[type[Exception] | int, Any] = {LoginRequired: login_redirect, Exception: error_page}
