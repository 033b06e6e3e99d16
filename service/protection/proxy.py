"""The front proxy: HAProxy in front of `dpt serve`, shedding the excess of a spike in C.

Refusing a request inside a worker still costs granian's HTTP parsing and a trip into Python:
about a quarter of what answering a cached lookup costs. At three times capacity, two refusals
per answer then eat half the machine (loadtest/README.md, spike). HAProxy refuses for a few
microseconds, so it goes in front:

- it takes in each request whole, body included, before the request counts against any bound
  (`option http-buffer-request`), and gives it `REQUEST_SECONDS` to arrive (`timeout
  http-request`); a slower one gets `408` and the connection is closed. A client that trickles
  its body a byte at a time so holds only a connection to HAProxy, which is cheap, never a slot
  in the service. (A body larger than HAProxy's buffer, 16 KiB, is passed on as it arrives; the
  service's own deadline, DPT_BODY_READ_SECONDS, bounds that one.);
- it lets at most `in_flight` requests per worker reach the service (`maxconn`), the rest wait in
  its queue, in order. Name searches (`POST /api/v1/search`, the page's `POST /cari`) cost many
  lookups each, so they have a bound and a queue of their own (`search_in_flight`,
  `search_queue`), onto the same servers: lookups keep their own slots whatever searches do;
- a request that finds `queue` requests already waiting is refused at once (with a queue of 0:
  one that finds every slot taken), and one that waits longer than `queue_ms`
  is refused then: `503` with `Retry-After` and the same bilingual answer the service gives (JSON
  for /api/ and /sms/, a page for people; a wait that ran out gets the JSON one);
- health checks, and metrics and the schema on the internal listener, bypass the bound, so
  operators see the workers under overload;
- its statistics (queue length, requests in flight) are on a Unix socket in the folder, and it
  logs nothing (no `log` line), so no request detail is written anywhere;
- it appends the client address to X-Forwarded-For (add HAProxy's address to
  DPT_TRUSTED_PROXIES), and keeps connections to the service open (`http-reuse always`);
- it sends each request to a backend machine that says it is ready (`option httpchk GET
  /health/ready` on every server, one `server` line per `--backend`); when none is ready (a
  PostgreSQL outage makes every machine unready at once), to the ones that are alive (`GET
  /health/live`), which still serve cached answers; a dead machine gets nothing;
- `/metrics` and `/schema` are refused (404) on the public listener, however the path is
  spelled (`//metrics`, `/%2fmetrics`, `/%6Detrics`: granian would route them all); they are
  served only on the internal listener (`internal`), with HAProxy's own Prometheus exporter at
  `/haproxy/metrics`;
- with `tls_cert` (one PEM file: certificate chain and key) it terminates TLS on the public
  listener, says so to the service (`X-Forwarded-Proto: https`), marks every cookie `Secure` and
  sends `Strict-Transport-Security`.

`dpt proxy` writes the configuration and the refusal bodies into a folder and runs HAProxy with
it (`--write-only` just writes them). HAProxy is Debian's package `haproxy`.
"""

from __future__ import annotations

from collections.abc import Iterable
from http import HTTPStatus
from pathlib import Path
from typing import NamedTuple

from service.errors import DomainError, Unavailable, error_body
from service.protection.admission import (
    ALWAYS_ADMITTED,
    BODY_TIMEOUT,
    MACHINE_PATHS,
    REFUSAL_FOR_PEOPLE,
    REFUSAL_FOR_PROGRAMS,
    Refusal,
)

CONFIG = "haproxy.cfg"
STATS_SOCKET = "haproxy.sock"  # `show stat` there: each backend's queue (qcur) and sessions (scur)
SEARCH_PATHS = ("/api/v1/search", "/cari")  # name searches (both only take POST)
INTERNAL_PATHS = ("/metrics", "/schema")  # for operators only: never on the public listener
HAPROXY_METRICS = "/haproxy/metrics"  # HAProxy's own Prometheus exporter, on the internal listener
# The whole request, headers and body, must arrive within this; a form or a lookup is one packet,
# so this leaves time for TCP retransmits on a poor mobile link and little for anything else.
REQUEST_SECONDS = 5
# The public listener refuses these paths as the service would read them: granian decodes `%6D`
# and `%2f`, and a doubled leading `/` still reaches the route (HAProxy 2.6's `normalize-uri` is
# still experimental, so the rule matches the decoded path, leading `/` and `.` aside, instead).
INTERNAL_RULE = "path,url_dec -m reg -i ^[/.]*(" + "|".join(path[1:] for path in INTERNAL_PATHS) + ")"


class ProxyPlan(NamedTuple):
    listen: str  # host:port HAProxy binds (the public listener)
    backends: tuple[str, ...]  # host:port of each `dpt serve`, one per machine
    workers: int  # `dpt serve --workers` on each machine
    in_flight: int = 8  # requests per worker let through at once
    queue: int = 8  # requests per worker that may wait; more are refused at once
    queue_ms: int = 50  # longest wait in the queue before a refusal
    threads: int | None = None  # HAProxy threads (default: one per core)
    # Name searches have slots of their own, besides `in_flight`: one at a time per worker. Two or
    # more at once in one worker answer no more per second but leave some waiting 100-500 ms. And
    # one waiting: a search takes tens of ms beside 8 lookups, so a longer queue outlasts
    # `queue_ms`, and a refusal that waited 50 ms first is no quick refusal (loadtest/README.md).
    search_in_flight: int = 1  # name searches per worker let through at once
    search_queue: int = 1  # name searches per worker that may wait; more are refused at once
    internal: str | None = None  # host:port of the operators' listener (/metrics, /schema)
    tls_cert: str | None = None  # PEM file (certificate chain + key): the public listener is https
    check_ms: int = 1000  # health-check interval; a machine is out after 2 failed checks, in after 2


def _refuse(refusal: Refusal, body: Path, condition: str) -> str:
    """An HAProxy rule answering `refusal` (its body read from `body`) when `condition` holds."""
    content_type = ""
    headers = []
    for name, value in refusal.start["headers"]:
        if name == b"content-type":
            content_type = value.decode()
        elif name != b"content-length":
            headers.append(f'hdr {name.decode()} "{value.decode()}"')
    return (
        f'http-request return status 503 content-type "{content_type}" file "{body}" '
        f"{' '.join(headers)} if {condition}"
    )


# HAProxy's own answers in the service's shape: when the service does not answer (502, 503, 504),
# `503 unavailable` with Retry-After; when a request does not arrive in time (408), the service's
# own `408 body_timeout`, as JSON whatever the path (HAProxy has one errorfile per status, and
# the timeout strikes before any rule could look at the path). A request HAProxy cannot parse
# still gets its built-in `400 Bad request` page: HAProxy 2.6 ignores `errorfile 400` for those
# (haproxy/haproxy#3032, fixed in 3.2).
UNAVAILABLE = Unavailable(
    "Layanan sedang tidak tersedia. Silakan coba lagi sebentar lagi.",
    "The service is unavailable right now. Please try again shortly.",
)
PROXY_ERRORS: dict[int, DomainError] = {
    408: BODY_TIMEOUT,
    502: UNAVAILABLE,
    503: UNAVAILABLE,
    504: UNAVAILABLE,
}


def _errorfile(status: int, headers: Iterable[tuple[bytes, bytes]], body: bytes) -> bytes:
    lines = [f"HTTP/1.1 {status} {HTTPStatus(status).phrase}".encode()]
    lines += [name + b": " + value for name, value in headers if name != b"content-length"]
    lines.append(b"content-length: " + str(len(body)).encode())
    return b"\r\n".join(lines) + b"\r\n\r\n" + body


def _error_errorfile(error: DomainError) -> bytes:
    headers = [(b"content-type", b"application/json"), (b"cache-control", b"no-store")]
    if error.retry_after:
        headers.append((b"retry-after", str(error.retry_after).encode()))
    if error.status == 408:  # HAProxy closes the connection after it; say so
        headers.append((b"connection", b"close"))
    return _errorfile(error.status, headers, error_body(error))


class _InternalOnly(DomainError):
    status = 404
    code = "not_found"


INTERNAL_ONLY = _InternalOnly("Halaman tidak ditemukan.", "Not found.")


def _busy(backend: str, queue: int) -> str:
    """The condition under which a request for `backend` finds no room: `queue` (all workers
    together) already waiting; with no queue at all, every slot taken."""
    return f"queue({backend}) ge {queue}" if queue else f"be_conn_free({backend}) le 0"


def _servers(plan: ProxyPlan, maxconn: int | None, check: str) -> str:
    """One `server` line per machine: checked here (`check`), or tracking backend `check`'s."""
    bound = f" maxconn {maxconn}" if maxconn else ""
    lines = []
    for number, backend in enumerate(plan.backends, start=1):
        health = "check" if check == "check" else f"track {check}/dpt{number}"
        lines.append(f"    server dpt{number} {backend}{bound} {health}")
    return "\n".join(lines)


def _tls(plan: ProxyPlan) -> tuple[str, str]:
    """The public bind's TLS options and the frontend rules that go with TLS."""
    if not plan.tls_cert:
        return "", ""
    rules = "\n    ".join(
        (
            "http-request set-header X-Forwarded-Proto https",
            'http-response set-header Strict-Transport-Security "max-age=31536000"',
            # Every cookie the service sets is Secure here, whatever scheme the service saw.
            r"http-response replace-header Set-Cookie '^((?:(?!; [Ss]ecure).)*)$' '\1; Secure'",
        )
    )
    return f' ssl crt "{plan.tls_cert}" alpn h2,http/1.1', f"\n    {rules}"


def _internal(plan: ProxyPlan) -> str:
    if not plan.internal:
        return ""
    return f"""
frontend dpt_internal
    bind {plan.internal}
    http-request use-service prometheus-exporter if {{ path {HAPROXY_METRICS} }}
    default_backend dpt_always
"""


def render(plan: ProxyPlan, folder: Path) -> str:
    """The HAProxy configuration of `plan`; its refusal bodies are files in `folder`."""
    machines = len(plan.backends)
    always = " ".join(ALWAYS_ADMITTED)
    machine = " ".join(MACHINE_PATHS)
    searches = " ".join(SEARCH_PATHS)
    overloaded_json, overloaded_html = folder / "overloaded.json", folder / "overloaded.html"
    refusals = "\n    ".join(
        (
            _refuse(REFUSAL_FOR_PROGRAMS, overloaded_json, "!always !search machine ready queue_full"),
            _refuse(REFUSAL_FOR_PEOPLE, overloaded_html, "!always !search !machine ready queue_full"),
            _refuse(REFUSAL_FOR_PROGRAMS, overloaded_json, "!always machine !ready live_queue_full"),
            _refuse(REFUSAL_FOR_PEOPLE, overloaded_html, "!always !machine !ready live_queue_full"),
            _refuse(REFUSAL_FOR_PROGRAMS, overloaded_json, "search machine ready search_queue_full"),
            _refuse(REFUSAL_FOR_PEOPLE, overloaded_html, "search !machine ready search_queue_full"),
        )
    )
    slots = plan.in_flight * plan.workers
    queue = plan.queue * plan.workers * machines
    search_queue = plan.search_queue * plan.workers * machines
    threads = f"    nbthread {plan.threads}\n" if plan.threads else ""
    errorfiles = "\n".join(f'    errorfile {status} "{folder / f"{status}.http"}"' for status in PROXY_ERRORS)
    bind_tls, tls_rules = _tls(plan)
    not_found = f'content-type application/json file "{folder / "not_found.json"}" hdr cache-control no-store'
    return f"""# Written by `dpt proxy`; see service/protection/proxy.py.
global
    stats socket "{folder / STATS_SOCKET}" mode 600 level user
{threads}
defaults
    mode http
    timeout connect 2s
    timeout client 30s
    timeout server 30s
    timeout http-request {REQUEST_SECONDS}s  # the whole request, body included (buffered below)
    timeout http-keep-alive 30s
    timeout queue {plan.queue_ms}ms
    option forwardfor
    option http-buffer-request
    http-reuse always
    option redispatch 1  # a connection refused (a machine just died) is retried on another one
    default-server inter {plan.check_ms}ms fall 2 rise 2
{errorfiles}

frontend dpt
    bind {plan.listen}{bind_tls}
    http-request return status 404 {not_found} if {{ {INTERNAL_RULE} }}{tls_rules}
    acl always path_beg {always}
    acl machine path_beg {machine}
    acl search path {searches}
    acl ready nbsrv(dpt) gt 0
    acl queue_full {_busy("dpt", queue)}
    acl live_queue_full {_busy("dpt_live", queue)}
    acl search_queue_full {_busy("dpt_search", search_queue)}
    {refusals}
    use_backend dpt_always if always
    use_backend dpt_live if !ready
    use_backend dpt_search if search
    default_backend dpt
{_internal(plan)}
backend dpt
    option httpchk GET /health/ready
    errorfile 503 "{folder / "overloaded.http"}"  # a queue wait that ran out
{_servers(plan, slots, "check")}

backend dpt_live  # when no machine is ready, the live ones still serve cached answers
    option httpchk GET /health/live
    errorfile 503 "{folder / "overloaded.http"}"
{_servers(plan, slots, "check")}

backend dpt_search
    errorfile 503 "{folder / "overloaded.http"}"
{_servers(plan, plan.search_in_flight * plan.workers, "dpt")}

backend dpt_always
{_servers(plan, None, "dpt_live")}
"""


def write_config(plan: ProxyPlan, folder: Path) -> Path:
    """Write haproxy.cfg and the refusal bodies into `folder`; return the configuration's path."""
    folder = folder.resolve()
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "overloaded.json").write_bytes(REFUSAL_FOR_PROGRAMS.body["body"])
    (folder / "overloaded.html").write_bytes(REFUSAL_FOR_PEOPLE.body["body"])
    start, body = REFUSAL_FOR_PROGRAMS
    (folder / "overloaded.http").write_bytes(_errorfile(start["status"], start["headers"], body["body"]))
    for status, error in PROXY_ERRORS.items():
        (folder / f"{status}.http").write_bytes(_error_errorfile(error))
    (folder / "not_found.json").write_bytes(error_body(INTERNAL_ONLY))
    path = folder / CONFIG
    path.write_text(render(plan, folder))
    return path
