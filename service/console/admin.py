"""The admin's pages: everyone's audit trail (filtered by officer, date and kind; CSV export),
officers' accounts (create, list, disable) and API tokens (create, list, revoke). Behind the
session guard and the admin guard."""

from __future__ import annotations

import asyncio
import csv
import datetime as dt
import io
import secrets
from typing import Any

import asyncpg
from litestar import Request, Response, get, post
from litestar.response import Redirect, Template

from service.access.audit import KINDS
from service.access.passwords import MIN_LENGTH, hash_password
from service.access.tokens import token_hash
from service.console.batch import safe_cell
from service.console.pages import console, language, officer, page
from service.console.texts import TEXTS
from service.errors import Unavailable

_TRAIL_ROWS = 500
_EXPORT_ROWS = 100_000
_ROLES = ("helpdesk", "admin")
_TOKEN_ROLES = ("helpdesk", "sms", "admin")


def _filters(request: Request[Any, Any, Any]) -> dict[str, Any]:
    params = request.query_params
    officer = params.get("officer", "").strip()[:64] or None
    kind = params.get("kind", "").strip()
    since = _day(params.get("since", ""))
    until = _day(params.get("until", ""))
    return {
        "operator": officer,
        "action": kind if kind in KINDS else None,
        "since": since,
        "until": until + dt.timedelta(days=1) if until else None,
    }


def _day(text: str) -> dt.datetime | None:
    try:
        day = dt.date.fromisoformat(text.strip()[:10])
    except ValueError:
        return None
    return dt.datetime(day.year, day.month, day.day, tzinfo=dt.UTC)


@get("/audit", include_in_schema=False)
async def audit_trail(request: Request[Any, Any, Any]) -> Template:
    filters = _filters(request)
    rows = await console(request).audit.trail(**filters, max_rows=_TRAIL_ROWS)
    return page(request, "console_audit.html", rows=rows, kinds=KINDS, params=dict(request.query_params))


@get("/audit.csv", include_in_schema=False)
async def audit_export(request: Request[Any, Any, Any]) -> Response[str]:
    rows = await console(request).audit.trail(**_filters(request), max_rows=_EXPORT_ROWS)
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    columns = [
        "id",
        "at",
        "operator",
        "token_name",
        "action",
        "route",
        "region",
        "subject",
        "results",
        "outcome",
    ]
    writer.writerow(columns)
    for row in rows:
        writer.writerow([safe_cell("" if row[name] is None else str(row[name])) for name in columns])
    return Response(
        out.getvalue(),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": 'attachment; filename="audit.csv"'},
    )


@get("/operators", include_in_schema=False)
async def operators(request: Request[Any, Any, Any]) -> Template:
    return await _operators_page(request)


async def _operators_page(request: Request[Any, Any, Any], status: int = 200, **context: Any) -> Template:
    rows = await console(request).store.rows("list-operators")
    return page(request, "console_operators.html", status, rows=rows, roles=_ROLES, **context)


@post("/operators", include_in_schema=False)
async def operator_create(request: Request[Any, Any, Any]) -> Template | Redirect:
    form = await request.form()
    username = str(form.get("username", "")).strip()[:64]
    scope = str(form.get("scope", "")).strip()[:20]
    role = str(form.get("role", "helpdesk"))
    password = str(form.get("password", ""))[:1024]
    texts = TEXTS[language(request)]
    problem = None
    if not username or role not in _ROLES or not scope:
        problem = texts["fault_heading"]
    elif not officer(request).covers(scope):
        problem = _outside(request)
    elif len(password) < MIN_LENGTH:
        problem = (
            "Kata sandi minimal 10 karakter."
            if language(request) == "id"
            else "A password needs 10+ characters."
        )
    if problem is None:
        hashed = await asyncio.to_thread(hash_password, password)
        try:
            await console(request).store.run(
                "insert-operator", username=username, password_hash=hashed, role=role, scope=scope
            )
        except Unavailable as error:  # the store's word for a driver error: which one?
            problem = _operator_problem(error, language(request))
            if problem is None:
                raise
    if problem is not None:
        return await _operators_page(
            request, 422, error=problem, values={"username": username, "scope": scope}
        )
    return Redirect("/helpdesk/admin/operators", status_code=303)


def _outside(request: Request[Any, Any, Any]) -> str:
    scope = officer(request).scope
    if language(request) == "id":
        return f"Wilayah harus di dalam wilayah Anda ({scope})."
    return f"The region must lie inside your own ({scope})."


def _operator_problem(error: Exception, chosen: str) -> str | None:
    cause = error.__cause__
    if isinstance(cause, asyncpg.UniqueViolationError):
        return "Nama pengguna sudah ada." if chosen == "id" else "That username exists already."
    if isinstance(cause, asyncpg.ForeignKeyViolationError):
        return "Wilayah tidak dikenal." if chosen == "id" else "Unknown region."
    return None


@post("/operators/disable", include_in_schema=False, status_code=303)
async def operator_disable(request: Request[Any, Any, Any]) -> Redirect:
    username = str((await request.form()).get("username", "")).strip()[:64]
    await console(request).store.value("disable-operator", username=username)
    return Redirect("/helpdesk/admin/operators", status_code=303)


@get("/tokens", include_in_schema=False)
async def tokens(request: Request[Any, Any, Any]) -> Template:
    return await _tokens_page(request)


async def _tokens_page(request: Request[Any, Any, Any], status: int = 200, **context: Any) -> Template:
    rows = await console(request).store.rows("list-tokens")
    return page(request, "console_tokens.html", status, rows=rows, roles=_TOKEN_ROLES, **context)


@post("/tokens", include_in_schema=False)
async def token_create(request: Request[Any, Any, Any]) -> Template:
    form = await request.form()
    name = str(form.get("name", "")).strip()[:100]
    role = str(form.get("role", ""))
    scope = str(form.get("scope", "")).strip()[:20] or None
    if not name or role not in _TOKEN_ROLES:
        return await _tokens_page(request, 422, error=TEXTS[language(request)]["fault_heading"])
    if officer(request).scope is not None and (scope is None or not officer(request).covers(scope)):
        # An admin of one region hands out no wider access than their own.
        return await _tokens_page(request, 403, error=_outside(request))
    token = f"dpt_{role}_{secrets.token_urlsafe(32)}"
    try:
        await console(request).store.value(
            "create-token", token_name=name, role=role, scope=scope, token_hash=token_hash(token)
        )
    except Unavailable as error:
        if isinstance(error.__cause__, asyncpg.ForeignKeyViolationError):
            message = "Wilayah tidak dikenal." if language(request) == "id" else "Unknown region."
            return await _tokens_page(request, 422, error=message)
        raise
    # Shown once, on this page only (no-store); only its hash is kept.
    return await _tokens_page(request, 201, new_token=token)


@post("/tokens/revoke", include_in_schema=False, status_code=303)
async def token_revoke(request: Request[Any, Any, Any]) -> Redirect:
    raw = str((await request.form()).get("token_id", "")).strip()
    if raw.isdigit() and len(raw) < 10:
        await console(request).store.value("revoke-token", token_id=int(raw))
        console(request).tokens.forget()
    return Redirect("/helpdesk/admin/tokens", status_code=303)


ADMIN_ROUTES = [
    audit_trail,
    audit_export,
    operators,
    operator_create,
    operator_disable,
    tokens,
    token_create,
    token_revoke,
]
