"""The app factory: the one place that wires settings, pools, routes and error handlers."""

from __future__ import annotations

import asyncio
import contextlib
import gc
import hashlib
import logging
from collections.abc import AsyncIterator
from typing import Any

import asyncpg
from litestar import Litestar, Request, Response, Router
from litestar.config.compression import CompressionConfig
from litestar.config.csrf import CSRFConfig
from litestar.middleware import DefineMiddleware
from litestar.middleware.compression import CompressionMiddleware
from litestar.middleware.csrf import CSRFMiddleware
from litestar.openapi import OpenAPIConfig
from litestar.openapi.plugins import SwaggerRenderPlugin
from litestar.plugins.jinja import JinjaTemplateEngine
from litestar.template.config import TemplateConfig

from service.access.audit import Audit
from service.access.gate import Gate
from service.access.sessions import Sessions
from service.access.tokens import Tokens
from service.api.datasets import dataset_quality_report, list_datasets
from service.api.health import live, metrics, ready
from service.api.nik import check_nik, nik_fast_path
from service.api.search import search_names
from service.cache.breaker import RedisBreaker
from service.cache.client import open_redis
from service.console.desk import Desk
from service.console.pages import TEMPLATE_DIR as CONSOLE_TEMPLATE_DIR
from service.console.pages import Console
from service.console.routes import console_routers
from service.edge.errors import as_domain_error, error_response, for_programs
from service.edge.services import Services
from service.nik.lookup import NikLookup
from service.nik.parse import kecamatan_prefixes
from service.observability.access import observe
from service.observability.logs import configure_logging
from service.observability.sampler import WorkerSampler
from service.protection.admission import Admission, guard
from service.protection.ratelimit import RateLimiter
from service.search.engine import NameSearch
from service.search.finder import NameFinder
from service.settings import Settings, load_settings
from service.sms.routes import inbound, kannel, twilio
from service.store import Store, pool_options
from service.store.replicas import open_replicas, reading_store
from service.voters.published import Published
from service.voters.regions import Regions
from service.web.pages import TEMPLATE_DIR, date_text, error_page, resident_pages, static

log = logging.getLogger(__name__)


async def open_pool(settings: Settings) -> asyncpg.Pool:
    """The worker's pool; when PostgreSQL is down at start the service still starts (and is not ready)."""

    async def create(min_size: int) -> asyncpg.Pool:
        return await asyncpg.create_pool(settings.database_url, min_size=min_size, **pool_options(settings))

    try:
        return await create(settings.db_pool_min)
    except (OSError, asyncpg.PostgresError, TimeoutError) as error:
        log.warning("database unreachable at start (%s); will keep trying", type(error).__name__)
        return await create(0)


def create_app(settings: Settings | None = None) -> Litestar:
    settings = settings or load_settings()
    configure_logging(settings.log_level)  # JSON lines without personal data (service/observability/logs.py)
    kecamatan_prefixes()  # built now rather than by the first request

    admission = Admission(
        settings.max_in_flight,
        settings.queue_seconds,
        settings.max_queued,
        settings.admission_target_lag_seconds,
        settings.body_read_seconds,
    )

    @contextlib.asynccontextmanager
    async def lifespan(app: Litestar) -> AsyncIterator[None]:
        store = Store(await open_pool(settings), settings.db_timeout_seconds)
        redis = open_redis(settings)
        breaker = RedisBreaker(settings.redis_breaker_seconds)  # one per worker: cache and limits
        published = Published(store, settings.dataset_poll_seconds)
        # Lookups and searches read from a replica that has the published version, else the primary.
        replicas = await open_replicas(settings)
        reads = reading_store(store, replicas, lambda: published.dataset.id if published.dataset else None)
        lookup = NikLookup(reads, redis, settings, published, breaker)
        tokens = Tokens(store)
        gate = Gate(tokens, RateLimiter.from_settings(redis, settings, breaker))
        regions = Regions(reads)
        audit = Audit(store, settings.nik_key)
        finder = NameFinder(NameSearch(reads), regions, published, audit, gate, secret=settings.nik_key)
        app.state.services = Services(settings, published, gate, lookup, finder, regions, admission)
        sessions = Sessions(
            redis,
            secret=settings.nik_key,
            idle_seconds=settings.console_idle_seconds,
            absolute_seconds=settings.console_absolute_seconds,
        )
        desk = Desk(reads, published, audit, secret=settings.nik_key)
        app.state.console = Console(
            settings, store, sessions, desk, audit, finder, published, gate.limiter, tokens
        )
        sampler = app.state.metrics = WorkerSampler(app.state.services)
        await published.refresh()
        # What is built by now lives as long as the worker. Frozen, the collector stops walking
        # it: a full collection, which cache misses set off every second or so, took 45-90 ms
        # with the loop stopped (the misses' p99); 2-30 ms frozen (loadtest/README.md).
        gc.collect()
        gc.freeze()
        watchers = [
            asyncio.create_task(published.watch()),
            asyncio.create_task(tokens.watch_revocations(settings.dataset_poll_seconds)),
            asyncio.create_task(admission.watch()),
            asyncio.create_task(replicas.watch(settings.dataset_poll_seconds)),
            asyncio.create_task(sampler.watch()),
        ]
        try:
            yield
        finally:
            for task in watchers:
                task.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await task
            sampler.stop()
            gc.unfreeze()  # collectable again (tests start and stop many apps in one process)
            await lookup.close()
            await gate.limiter.drain()
            await redis.aclose()
            await replicas.close()
            await store.close()

    # Page-only middleware is attached where it is needed, not to the whole app: every layer of
    # middleware costs each request a call, and the NIK lookup is the path that must be cheapest.
    # Only the resident page's forms use cookies (APIs and gateways authenticate otherwise), and
    # pages and search answers are worth compressing; a NIK answer (under 1 KB) never is.
    csrf = DefineMiddleware(
        CSRFMiddleware,
        config=CSRFConfig(
            secret=hashlib.sha256(b"dpt-csrf:" + settings.nik_key.encode()).hexdigest(),
            cookie_name="csrf",
            cookie_httponly=True,
            cookie_samesite="strict",
        ),
    )
    compress = DefineMiddleware(
        CompressionMiddleware,
        config=CompressionConfig(backend="gzip", minimum_size=1024, gzip_compress_level=6),
    )
    app = Litestar(
        route_handlers=[
            check_nik,
            Router(path="/", route_handlers=[search_names, static], middleware=[compress]),
            list_datasets,
            dataset_quality_report,
            live,
            ready,
            metrics,
            kannel,
            inbound,
            twilio,
            resident_pages([csrf, compress]),
            *console_routers([csrf, compress]),
        ],
        template_config=TemplateConfig(
            directory=[TEMPLATE_DIR, CONSOLE_TEMPLATE_DIR],
            engine=JinjaTemplateEngine,
            engine_callback=_jinja_filters,
        ),
        lifespan=[lifespan],
        exception_handlers={Exception: _error_answer},
        openapi_config=OpenAPIConfig(
            title="DPT lookup",
            version="1.0.0",
            description="Am I on the DPT, and at which TPS do I vote? NIKs travel only in request bodies.",
            path="/schema",
            render_plugins=[SwaggerRenderPlugin()],
        ),
        # Litestar's own request logging is off: the service logs no request bodies or queries.
        logging_config=None,
    )
    # The NIK lookup, the path that must be cheapest, is answered before Litestar's routing when
    # it can be (service/api/nik.py); its errors go through the same handler as every route's.
    app.asgi_handler = nik_fast_path(app.asgi_handler, _error_answer)
    # Admission control goes in front of Litestar's exception handling and routing (its own
    # middleware would only run after routing), so refusing a request costs as little as it can.
    app.asgi_handler = guard(app.asgi_handler, admission)
    # Outside the guard, so shed requests are counted, timed and logged too.
    own_paths = [route.path for route in app.routes if "{" not in route.path]
    app.asgi_handler = observe(app.asgi_handler, own_paths, access_log=settings.access_log)
    return app


def _error_answer(request: Request[Any, Any, Any], error: Exception) -> Response[Any]:
    """Every error in its channel's own form: JSON for programs, a page for people."""
    domain = as_domain_error(request, error)
    if for_programs(request.url.path):
        return error_response(domain)
    return error_page(request, domain)


def _jinja_filters(engine: JinjaTemplateEngine) -> None:
    engine.engine.filters["date_text"] = date_text


def app_from_env() -> Litestar:
    """Entry point for granian (`service.app:app_from_env`, factory mode)."""
    return create_app()
