"""The resident page: check a NIK or search by name, in plain HTML forms that work without
JavaScript, in Bahasa Indonesia or English.

Every form is posted, answered with a redirect, and the answer page is fetched with a plain GET,
so refresh and back behave. The NIK travels only in the POST body: the answer rides to the next
page in a short-lived signed cookie that holds the public (masked) answer and nothing else, so no
NIK is ever in a URL, the browser's history, or on the server.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import time
from pathlib import Path
from typing import Any

import msgspec
from litestar import Request, Response, Router, get, post
from litestar.datastructures import Cookie, ResponseHeader
from litestar.exceptions import NotFoundException
from litestar.middleware import DefineMiddleware
from litestar.params import FromPath
from litestar.response import Redirect, Template

from service.edge.caller import settle_caller
from service.edge.errors import error_headers
from service.edge.services import services
from service.errors import DomainError, InvalidInput, RateLimited, Unavailable
from service.language import LANGUAGES, Language
from service.nik.parse import parse_nik
from service.schemas import DatasetInfo, NikAnswer, SearchResult
from service.web.advice import advice, date_text
from service.web.texts import TEXTS

__all__ = ["TEMPLATE_DIR", "date_text", "error_page", "resident_pages", "static"]

STATIC_DIR = Path(__file__).parent / "static"
TEMPLATE_DIR = Path(__file__).parent / "templates"
LANGUAGE_COOKIE = "bahasa"
RESULT_COOKIE = "hasil"
RESULT_SECONDS = 600  # the answer page can be refreshed for ten minutes
YEAR = 365 * 24 * 3600
SECURITY_HEADERS = [
    # No script at all, nothing from any other origin, no framing.
    ResponseHeader(
        name="Content-Security-Policy",
        value=(
            "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; "
            "frame-ancestors 'none'; base-uri 'none'"
        ),
    ),
    ResponseHeader(name="X-Content-Type-Options", value="nosniff"),
    ResponseHeader(name="Referrer-Policy", value="no-referrer"),
    ResponseHeader(name="Cache-Control", value="no-store"),  # answers are personal
]


_decode_answer = msgspec.json.Decoder(NikAnswer).decode


class Candidate(msgspec.Struct, frozen=True):
    """What the search answer page shows of one result: small, so five fit in one cookie."""

    name: str  # masked
    tps: str
    address: str
    kelurahan: str
    kecamatan: str
    confident: bool

    @classmethod
    def of(cls, result: SearchResult) -> Candidate:
        region = result.region
        return cls(
            result.name, result.tps.label, result.tps.address, region.kelurahan.name, region.kecamatan.name,
            result.confident,
        )  # fmt: skip


class StoredResult(msgspec.Struct, frozen=True):
    """What the answer page shows: a NIK answer or name-search results, already public."""

    nik: NikAnswer | None = None
    search: list[Candidate] | None = None
    dataset: DatasetInfo | None = None
    issued: float = 0.0  # when it was sealed (Unix time): older than RESULT_SECONDS is refused


def static_assets() -> dict[str, tuple[str, bytes]]:
    """Static files by their content-hashed name (`app.1a2b3c4d.css`), cacheable for ever."""
    assets = {}
    for path in STATIC_DIR.iterdir():
        data = path.read_bytes()
        digest = hashlib.sha256(data).hexdigest()[:10]
        assets[f"{path.stem}.{digest}{path.suffix}"] = (path.name, data)
    return assets


ASSETS = static_assets()
ASSET_URLS = {original: f"/static/{hashed}" for hashed, (original, _) in ASSETS.items()}


def _language(request: Request[Any, Any, Any]) -> Language:
    chosen = request.cookies.get(LANGUAGE_COOKIE)
    return "en" if chosen == "en" else "id"


def _signing_key(request: Request[Any, Any, Any]) -> bytes:
    return hashlib.sha256(b"dpt-web-result:" + services(request).settings.nik_key.encode()).digest()


def _sealed(request: Request[Any, Any, Any], result: StoredResult) -> str:
    stamped = msgspec.structs.replace(result, issued=time.time())
    payload = base64.urlsafe_b64encode(msgspec.json.encode(stamped)).decode()
    mac = hmac.new(_signing_key(request), payload.encode(), hashlib.sha256).hexdigest()
    return f"{payload}.{mac}"


def _opened(request: Request[Any, Any, Any]) -> StoredResult | None:
    sealed = request.cookies.get(RESULT_COOKIE, "")
    payload, _, mac = sealed.rpartition(".")
    expected = hmac.new(_signing_key(request), payload.encode(), hashlib.sha256).hexdigest()
    if not payload or not hmac.compare_digest(mac.encode("utf-8", "replace"), expected.encode()):
        return None
    try:
        stored = msgspec.json.decode(base64.urlsafe_b64decode(payload), type=StoredResult)
    except (ValueError, msgspec.DecodeError):
        return None
    return stored if time.time() - stored.issued <= RESULT_SECONDS else None


def _redirect_with(request: Request[Any, Any, Any], path: str, result: StoredResult) -> Redirect:
    cookie = Cookie(
        key=RESULT_COOKIE,
        value=_sealed(request, result),
        max_age=RESULT_SECONDS,
        httponly=True,
        samesite="strict",
        secure=request.url.scheme == "https",
    )
    return Redirect(path, status_code=303, cookies=[cookie])


def _page(
    request: Request[Any, Any, Any],
    name: str,
    status: int = 200,
    headers: dict[str, str] | None = None,
    **context: Any,
) -> Template:
    language = _language(request)
    dataset = services(request).published.dataset
    return Template(
        template_name=name,
        context={
            "t": TEXTS[language],
            "lang": language,
            "other_lang": "en" if language == "id" else "id",
            "css": ASSET_URLS["app.css"],
            "dataset": dataset.info if dataset else None,
            **context,
        },
        status_code=status,
        headers=headers,
    )


async def _form_page(
    request: Request[Any, Any, Any],
    *,
    values: dict[str, str] | None = None,
    errors: dict[str, str] | None = None,
    status: int = 200,
) -> Template:
    values = values or {}
    found = services(request)
    kabkota = values.get("kabkota") or request.query_params.get("kabkota")
    regions = await found.regions.lists(found.published.dataset, kabkota)
    return _page(
        request,
        "index.html",
        status,
        values=values,
        errors=errors or {},
        kabkotas=regions.kabkotas,
        kabkota=regions.kabkota,
        kecamatans=regions.kecamatans,
    )


def error_page(request: Request[Any, Any, Any], error: DomainError) -> Template:
    """Any error a person meets, as a page in their language: too many requests and overload say
    when to try again; a refused form, a missing page or a fault say what happened."""
    texts = TEXTS[_language(request)]
    headers = error_headers(error)
    if isinstance(error, RateLimited):
        minutes = max(1, -(-int(error.retry_after or 60) // 60))
        heading, text = texts["limited_heading"], texts["limited_help"].format(minutes=minutes)
    elif isinstance(error, Unavailable):
        heading, text = texts["busy_heading"], texts["busy_help"].format(seconds=error.retry_after or 5)
    else:
        heading = {404: texts["not_found_heading"], 403: texts["refused_heading"]}.get(
            error.status, texts["fault_heading"]
        )
        text = error.message if _language(request) == "id" else error.message_en
        if error.status == 404:
            text = texts["not_found_help"]
    return _page(request, "notice.html", error.status, headers, heading=heading, text=text)


@get("/", include_in_schema=False)
async def home(request: Request[Any, Any, Any]) -> Template:
    return await _form_page(request)


@post("/cek", include_in_schema=False, status_code=303)
async def check(request: Request[Any, Any, Any]) -> Template | Redirect:
    form = await request.form()
    typed = str(form.get("nik", ""))[:64]
    found = services(request)
    caller = await settle_caller(request, public=True)
    try:
        answer = await found.lookup.answer(parse_nik(typed))
    except InvalidInput as invalid:
        message = invalid.message if _language(request) == "id" else invalid.message_en
        return await _form_page(request, values={"nik": typed}, errors={"nik": message}, status=422)
    await found.gate.settle(caller, answer)
    return _redirect_with(request, "/hasil", StoredResult(nik=_decode_answer(answer.body)))


@get("/hasil", include_in_schema=False)
async def check_result(request: Request[Any, Any, Any]) -> Template | Redirect:
    stored = _opened(request)
    if stored is None or stored.nik is None:
        return Redirect("/", status_code=303)
    return _page(request, "result.html", answer=stored.nik, advice=advice(stored.nik, _language(request)))


@post("/cari", include_in_schema=False, status_code=303)
async def search(request: Request[Any, Any, Any]) -> Template | Redirect:
    form = await request.form()
    values = {key: str(form.get(key, ""))[:200] for key in ("name", "birth_date", "region", "kabkota")}
    found = services(request)
    caller = await settle_caller(request, public=True)
    try:
        region = values["region"] or values["kabkota"]
        results = await found.finder.find(values["name"], region, values["birth_date"] or None, caller)
    except InvalidInput as invalid:
        message = invalid.message if _language(request) == "id" else invalid.message_en
        field = invalid.field if invalid.field in ("name", "birth_date") else "region"
        return await _form_page(request, values=values, errors={field: message}, status=422)
    dataset = found.published.dataset.info if found.published.dataset else None
    candidates = [Candidate.of(result) for result in results]
    return _redirect_with(request, "/hasil-cari", StoredResult(search=candidates, dataset=dataset))


@get("/hasil-cari", include_in_schema=False)
async def search_result(request: Request[Any, Any, Any]) -> Template | Redirect:
    stored = _opened(request)
    if stored is None or stored.search is None:
        return Redirect("/", status_code=303)
    return _page(request, "search.html", results=stored.search)


@get("/bahasa/{language:str}", include_in_schema=False)
async def switch_language(language: FromPath[str]) -> Redirect:
    chosen = language if language in LANGUAGES else "id"
    cookie = Cookie(key=LANGUAGE_COOKIE, value=chosen, max_age=YEAR, samesite="lax", httponly=True)
    return Redirect("/", status_code=303, cookies=[cookie])


@get("/static/{name:str}", include_in_schema=False)
async def static(name: FromPath[str]) -> Response[bytes]:
    found = ASSETS.get(name)
    if found is None:
        raise NotFoundException  # answered in the service's error shape (code not_found)
    original, data = found
    media_type = "text/css" if original.endswith(".css") else "application/octet-stream"
    headers = {"Cache-Control": "public, max-age=31536000, immutable", "X-Content-Type-Options": "nosniff"}
    return Response(data, media_type=media_type, headers=headers)


def resident_pages(middleware: list[DefineMiddleware]) -> Router:
    """The resident page's routes, behind `middleware` (CSRF protection and compression, which
    only the pages need: the lookup API does not pay for them)."""
    return Router(
        path="/",
        route_handlers=[home, check, check_result, search, search_result, switch_language],
        response_headers=SECURITY_HEADERS,
        middleware=middleware,
    )
