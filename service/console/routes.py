"""The officer's desk: the checks page, a NIK, a name, a household (KK), a batch of NIKs, a
voter's printable notice, a TPS's printable list, and the officer's own history. Each route sits
behind the session guard; each look is scoped and audited by the desk before it is answered."""

from __future__ import annotations

import datetime as dt
from typing import Any

from litestar import Request, Response, Router, get, post
from litestar.datastructures import UploadFile
from litestar.middleware import DefineMiddleware
from litestar.params import FromPath
from litestar.response import Template

from service.access.gate import Caller
from service.console.admin import ADMIN_ROUTES
from service.console.batch import MAX_BYTES, Batch, BatchRow, batch_csv, decode_batch, read_batch
from service.console.login import PUBLIC_ROUTES
from service.console.notice import qr_svg
from service.console.pages import (
    CONSOLE_HEADERS,
    EXCEPTION_HANDLERS,
    admin_guard,
    console,
    language,
    officer,
    officer_guard,
    page,
)
from service.console.texts import TEXTS
from service.errors import InvalidInput
from service.schemas import SearchResult

_FORM_LIMIT = MAX_BYTES * 2 + 65536  # the pasted text and its hidden copy, or one upload
CONFIDENT_SCORE = 88.0  # service/README: a help-desk answer is confident at 88 and 4 ahead


@get("/", include_in_schema=False)
async def desk_home(request: Request[Any, Any, Any]) -> Template:
    return await _home(request)


async def _home(request: Request[Any, Any, Any], status: int = 200, **context: Any) -> Template:
    me = officer(request)
    defaults = {
        "region": me.scope or "",
        "kelurahan": me.scope if me.scope and me.scope.count(".") == 3 else "",
    }
    return page(request, "console_desk.html", status, values={**defaults, **context.pop("values", {})},
                errors=context.pop("errors", {}), **context)  # fmt: skip


def _message(request: Request[Any, Any, Any], error: InvalidInput) -> str:
    return error.message if language(request) == "id" else error.message_en


@post("/nik", include_in_schema=False)
async def nik_check(request: Request[Any, Any, Any]) -> Template:
    typed = str((await request.form()).get("nik", ""))[:64]
    try:
        answer = await console(request).desk.nik(officer(request), typed)
    except InvalidInput as invalid:
        return await _home(request, 422, values={"nik": typed}, errors={"nik": _message(request, invalid)})
    return page(request, "console_nik.html", answer=answer)


@post("/search", include_in_schema=False)
async def name_search(request: Request[Any, Any, Any]) -> Template:
    form = await request.form()
    values = {key: str(form.get(key, "")).strip()[:200] for key in ("name", "birth_date", "region")}
    found = console(request)
    me = officer(request)
    bucket = found.limiter.client("token", f"operator:{me.operator}")
    await found.limiter.admit(bucket)
    region = values["region"] or me.scope or ""
    try:
        results = await found.finder.find(
            values["name"], region, values["birth_date"] or None, Caller(me, (bucket,))
        )
    except InvalidInput as invalid:
        field = invalid.field if invalid.field in ("name", "birth_date") else "region"
        return await _home(request, 422, values=values, errors={field: _message(request, invalid)})
    texts = TEXTS[language(request)]
    explained = [(result, _why(index, result, results, texts)) for index, result in enumerate(results)]
    return page(request, "console_search.html", results=explained, query=values["name"], region=region)


def _why(index: int, result: SearchResult, results: list[SearchResult], texts: dict[str, str]) -> str:
    """Why a result is or is not confident, in the officer's words (the finder's rule, README)."""
    if result.confident:
        return texts["why_confident"]
    if index > 0:
        return texts["why_lower"]
    if (result.score or 0.0) < CONFIDENT_SCORE:
        return texts["why_score"]
    return texts["why_close"]


@post("/family", include_in_schema=False)
async def family_check(request: Request[Any, Any, Any]) -> Template:
    typed = str((await request.form()).get("kk", ""))[:64]
    try:
        members = await console(request).desk.family(officer(request), typed)
    except InvalidInput as invalid:
        # The typed KK is not put back into the form: the console never shows a KK number.
        return await _home(request, 422, errors={"kk": _message(request, invalid)})
    return page(request, "console_family.html", members=members)


async def _batch(request: Request[Any, Any, Any]) -> tuple[Batch, list[BatchRow], str]:
    form = await request.form()
    upload = form.get("file")
    data = b""
    if isinstance(upload, UploadFile):
        data = await upload.read(MAX_BYTES + 1)
    if not data.strip():
        data = str(form.get("lines", "")).encode()
    text = decode_batch(data)
    batch = read_batch(text)
    rows = await console(request).desk.batch(officer(request), batch.lines)
    return batch, rows, text


@post("/batch", include_in_schema=False, request_max_body_size=_FORM_LIMIT)
async def batch_check(request: Request[Any, Any, Any]) -> Template:
    batch, rows, text = await _batch(request)
    counts = {status: sum(1 for row in rows if row.status == status) for status in
              ("registered", "not_registered", "registered_elsewhere", "malformed")}  # fmt: skip
    return page(request, "console_batch.html", rows=rows, counts=counts, text=text, header=batch.header)


@post("/batch.csv", include_in_schema=False, request_max_body_size=_FORM_LIMIT)
async def batch_download(request: Request[Any, Any, Any]) -> Response[str]:
    batch, rows, _ = await _batch(request)
    stamp = dt.datetime.now(tz=dt.UTC).strftime("%Y%m%d-%H%M")
    return Response(
        batch_csv(batch, rows, language(request)),
        status_code=200,
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="cek-dpt-{stamp}.csv"'},
    )


@get("/notice/{voter_id:str}", include_in_schema=False)
async def notice(request: Request[Any, Any, Any], voter_id: FromPath[str]) -> Template:
    voter = await console(request).desk.notice(officer(request), voter_id[:32], "/helpdesk/notice")
    return page(request, "console_print_notice.html", voter=voter, qr=qr_svg(voter.map_url))


@get("/tps", include_in_schema=False)
async def tps_list(request: Request[Any, Any, Any]) -> Template:
    kelurahan = request.query_params.get("kelurahan", "").strip()[:20]
    raw_number = request.query_params.get("tps", "").strip()[:4]
    if not raw_number.isdigit() or not kelurahan:
        return await _home(request, 422, values={"kelurahan": kelurahan, "tps": raw_number}, errors={
            "tps": TEXTS[language(request)]["tps_label"] + " ?"})  # fmt: skip
    try:
        listed = await console(request).desk.tps_list(officer(request), kelurahan, int(raw_number))
    except InvalidInput as invalid:
        return await _home(request, 422, values={"kelurahan": kelurahan, "tps": raw_number},
                           errors={"tps": _message(request, invalid)})  # fmt: skip
    return page(request, "console_print_list.html", listed=listed)


@get("/history", include_in_schema=False)
async def history(request: Request[Any, Any, Any]) -> Template:
    rows = await console(request).audit.trail(
        operator=officer(request).operator, action=None, since=None, until=None, max_rows=200
    )
    return page(request, "console_history.html", rows=rows)


DESK_ROUTES = [
    desk_home,
    nik_check,
    name_search,
    family_check,
    batch_check,
    batch_download,
    notice,
    tps_list,
    history,
]


def console_routers(middleware: list[DefineMiddleware]) -> list[Router]:
    """The console's routes for the app factory: login and the like open to all, the desk behind
    a live session, the admin pages behind an admin's; all with CSRF and the console's headers."""
    common: dict[str, Any] = {
        "middleware": middleware,
        "response_headers": CONSOLE_HEADERS,
        "exception_handlers": EXCEPTION_HANDLERS,
    }
    return [
        Router(path="/helpdesk", route_handlers=PUBLIC_ROUTES, **common),
        Router(path="/helpdesk", route_handlers=DESK_ROUTES, guards=[officer_guard], **common),
        Router(
            path="/helpdesk/admin", route_handlers=ADMIN_ROUTES, guards=[officer_guard, admin_guard], **common
        ),
    ]
