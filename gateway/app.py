"""Composition root of the gateway: `build_gateway(config)` makes the pool, the projector (one consumer of
every public topic into the views), the live hub, the command forwarder and the ASGI app; `start()` sets
up the views and starts the projector; `stop()` stops everything.

    gateway = await build_gateway(GatewayConfig.from_env())
    await gateway.start()          # then serve gateway.app (ASGI) — GraphQL at /graphql
    ...
    await gateway.stop()
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import asyncpg
import strawberry
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route, WebSocketRoute
from starlette.websockets import WebSocket
from strawberry.asgi import GraphQL
from strawberry.exceptions import ConnectionRejectionError
from strawberry.subscriptions import GRAPHQL_TRANSPORT_WS_PROTOCOL
from strawberry.types.unset import UNSET

from eventstore.body_limit import GRAPHQL_BODY_LIMIT, BodyLimit, graphql_error
from eventstore.database_unavailable import unavailable_handlers
from eventstore.db import create_pool
from eventstore.in_flight import InFlightLimit, graphql_overloaded
from gateway.auth import from_header
from gateway.commands.catalog import CommandInfo
from gateway.commands.forward import Forwarder
from gateway.config import GatewayConfig
from gateway.context import Context, Services
from gateway.exports.route import route as export_route
from gateway.limits import InputTooDeep, decode_json
from gateway.live import LiveHub
from gateway.printouts.route import route as print_route
from gateway.projector import Projector
from gateway.read.contacts import ContactDirectory
from gateway.read.notifications import NotifyReader
from gateway.read.proposals_routes import ProposalsReader
from gateway.read.surveys_routes import SurveysReader, public_board_route
from gateway.schema.build import build_schema
from gateway.service_client import service_client
from runtime import settings


class GatewayGraphQL(GraphQL):  # type: ignore[type-arg]
    """Strawberry's ASGI view with the gateway's context: the caller from the bearer token of the request,
    or, on a WebSocket, from `connection_init` (falling back to the upgrade request's header)."""

    def __init__(self, schema: strawberry.Schema, services: Services) -> None:
        development = services.config.development
        super().__init__(schema, graphql_ide="graphiql" if development else None,
                         allow_queries_via_get=development,
                         subscription_protocols=(GRAPHQL_TRANSPORT_WS_PROTOCOL,))
        self.services = services

    def decode_json(self, data: str | bytes) -> object:
        return decode_json(data)  # refuses JSON nested too deep before decoding it

    async def run(self, request: Any, context: Any = UNSET, root_value: Any = UNSET) -> Any:  # type: ignore[override]
        try:
            return await super().run(request, context, root_value)
        except InputTooDeep as err:
            return JSONResponse(err.body(), status_code=400)

    async def get_context(self, request: Any, response: Any) -> Context:  # type: ignore[override]
        if isinstance(request, WebSocket):
            return Context(self.services, request=request, response=response)
        return Context(self.services, from_header(request.headers.get("authorization")), request, response)

    async def on_ws_connect(self, context: Context) -> Any:  # type: ignore[override]
        viewer = context.authenticate_connection()
        if not viewer.authenticated and context.request is not None:
            header = context.request.headers.get("authorization")
            if header:
                context.connection_params = {**(context.connection_params or {}), "Authorization": header}
                viewer = context.authenticate_connection()
        if not viewer.authenticated:
            raise ConnectionRejectionError({"message": viewer.problem or "a bearer token is required"})
        return {"role": viewer.role.value, "committee": viewer.committee_id}


@dataclass
class Gateway:
    config: GatewayConfig
    pool: asyncpg.Pool
    projector: Projector
    hub: LiveHub
    forwarder: Forwarder
    schema: strawberry.Schema
    app: Starlette
    run_projector: bool = True
    _started: bool = False

    async def start(self) -> None:
        await self.projector.start(consume=self.run_projector)
        self._started = True

    async def stop(self) -> None:
        if self._started:
            await self.projector.stop()
        self._started = False
        await self.forwarder.aclose()
        await self.pool.close()


async def build_gateway(config: GatewayConfig, *, catalog: Sequence[CommandInfo] | None = None,
                        run_projector: bool = True, pool_max_size: int = 10) -> Gateway:
    pool = await create_pool(config.dsn, max_size=pool_max_size)
    hub = LiveHub()
    projector = Projector(pool, config, hub)
    forwarder = Forwarder(config.service_urls, service_client(config.command_timeout_seconds),
                          attempts=config.command_attempts)
    contacts = ContactDirectory(forwarder.client, config.service_urls.get("members"))
    services = Services(pool=pool, config=config, hub=hub, projector=projector, forwarder=forwarder,
                        contacts=contacts, notify=NotifyReader(forwarder.client, config.service_urls.get("notify")),
                        surveys=SurveysReader(forwarder.client, config.service_urls.get("surveys")),
                        proposals=ProposalsReader(forwarder.client, config.service_urls.get("proposals")))
    schema = build_schema(catalog, development=config.development)
    graphql = GatewayGraphQL(schema, services)

    async def health(request: Request) -> JSONResponse:
        return JSONResponse({"status": "ok", "service": "gateway", "pid": os.getpid()})

    async def ready(request: Request) -> JSONResponse:
        try:
            await pool.fetchval("SELECT 1")
        except (OSError, asyncpg.PostgresError) as err:
            return JSONResponse({"status": "unavailable", "reason": str(err)}, status_code=503)
        return JSONResponse({"status": "ready", "service": "gateway"})

    app = Starlette(routes=[
        Route("/graphql", graphql, methods=["GET", "POST"]),
        WebSocketRoute("/graphql", graphql),
        Route("/healthz", health, methods=["GET"]),
        Route("/readyz", ready, methods=["GET"]),
        export_route(services),  # GET /exports/{year}/{name}.xlsx (gateway/exports)
        print_route(services),  # GET /print/{document}/{key}.html (gateway/printouts)
        public_board_route(services.surveys),  # GET /appraisal-boards/{committee}/{id}/board.json: no login
    ], middleware=[Middleware(InFlightLimit, limit=settings.max_in_flight(), error=graphql_overloaded),
                   Middleware(BodyLimit, limit=GRAPHQL_BODY_LIMIT, error=graphql_error)],
        exception_handlers=unavailable_handlers())
    return Gateway(config, pool, projector, hub, forwarder, schema, app, run_projector)


async def migrate(config: GatewayConfig) -> None:
    """What `yizheng migrate gateway` runs: the gateway's view tables and inbox (idempotent)."""
    from gateway.projector import setup_views
    from gateway.views import all_views

    pool = await create_pool(config.dsn, max_size=2)
    try:
        await setup_views(pool, config.schema, all_views(config.schema))
    finally:
        await pool.close()
