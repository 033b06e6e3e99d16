"""Logging in and out of the console, its language switch and its stylesheet.

Login is a form (CSRF-protected like every form): a throttled password check, then a new
session id (never the one the browser brought, so a planted id is useless), in an HttpOnly,
SameSite=Strict cookie for /helpdesk only, marked Secure over https."""

from __future__ import annotations

import asyncio
from typing import Any

from litestar import Request, Response, get, post
from litestar.datastructures import Cookie
from litestar.exceptions import NotFoundException
from litestar.params import FromPath
from litestar.response import Redirect, Template

from service.access.passwords import check_password
from service.console.pages import (
    ASSETS,
    SESSION_COOKIE,
    address,
    console,
    language,
    page,
    safe_next,
)
from service.console.texts import TEXTS
from service.language import LANGUAGES
from service.web.pages import LANGUAGE_COOKIE

_YEAR = 365 * 24 * 3600


def session_cookie(request: Request[Any, Any, Any], value: str, max_age: int) -> Cookie:
    return Cookie(
        key=SESSION_COOKIE,
        value=value,
        max_age=max_age,
        path="/helpdesk",
        httponly=True,
        samesite="strict",
        secure=request.url.scheme == "https",
    )


@get("/login", include_in_schema=False)
async def login_form(request: Request[Any, Any, Any]) -> Template:
    return page(request, "console_login.html", next=safe_next(request.query_params.get("next")), error=None)


@post("/login", include_in_schema=False, status_code=303)
async def login(request: Request[Any, Any, Any]) -> Template | Redirect:
    form = await request.form()
    username = str(form.get("username", "")).strip()[:64]
    password = str(form.get("password", ""))[:1024]
    target = safe_next(str(form.get("next", "")) or None)
    found = console(request)
    where = address(request)
    texts = TEXTS[language(request)]
    wait = await found.sessions.login_wait(username, where)
    if wait:
        return page(
            request, "console_login.html", 429, {"Retry-After": str(wait)},
            next=target, error=texts["login_wait"].format(seconds=wait), username=username,
        )  # fmt: skip
    record = await found.store.row("operator-by-username", username=username) if username else None
    usable = record is not None and record["disabled_at"] is None
    # Argon2 takes tens of milliseconds of CPU: off the event loop, so other requests go on.
    checked = await asyncio.to_thread(
        check_password, record["password_hash"] if usable and record else None, password
    )
    if not checked.ok or record is None:
        await found.sessions.login_failed(username, where)
        return page(
            request, "console_login.html", 401,
            next=target, error=texts["login_failed"], username=username,
        )  # fmt: skip
    if checked.upgraded:
        await found.store.run(
            "upgrade-operator-password",
            username=record["username"], password_hash=checked.upgraded, old_hash=record["password_hash"],
        )  # fmt: skip
    await found.sessions.login_succeeded(username, where)
    await found.sessions.end(request.cookies.get(SESSION_COOKIE))  # whatever id came along is dropped
    session_id = await found.sessions.create(record["username"])
    cookie = session_cookie(request, session_id, found.settings.console_absolute_seconds)
    return Redirect(target, status_code=303, cookies=[cookie])


@post("/logout", include_in_schema=False, status_code=303)
async def logout(request: Request[Any, Any, Any]) -> Redirect:
    await console(request).sessions.end(request.cookies.get(SESSION_COOKIE))
    return Redirect("/helpdesk/login", status_code=303, cookies=[session_cookie(request, "", 0)])


@get("/bahasa/{chosen:str}", include_in_schema=False)
async def switch_language(request: Request[Any, Any, Any], chosen: FromPath[str]) -> Redirect:
    value = chosen if chosen in LANGUAGES else language(request)
    cookie = Cookie(key=LANGUAGE_COOKIE, value=value, max_age=_YEAR, samesite="lax", httponly=True)
    return Redirect("/helpdesk", status_code=303, cookies=[cookie])


@get("/static/{name:str}", include_in_schema=False)
async def console_static(name: FromPath[str]) -> Response[bytes]:
    found = ASSETS.get(name)
    if found is None:
        raise NotFoundException
    headers = {"Cache-Control": "public, max-age=31536000, immutable", "X-Content-Type-Options": "nosniff"}
    return Response(found[1], media_type="text/css", headers=headers)


PUBLIC_ROUTES = [login_form, login, logout, switch_language, console_static]
