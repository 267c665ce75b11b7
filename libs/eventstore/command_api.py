"""The HTTP command API every service offers inside the cluster (the gateway is its main caller).

POST /commands/{name} with a JSON body, `Authorization: Bearer <token>` (the end user's, forwarded) and an
optional `Idempotency-Key`. Answers with what was written (stream, version, event ids, positions, the
store checkpoint) so the caller can wait for its views to reach it. Refusals name the broken rule."""

from __future__ import annotations

import asyncio
import dataclasses
import hashlib
import json
import logging
import os
import uuid
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Generic, TypeVar

import asyncpg
from pydantic import BaseModel, TypeAdapter, ValidationError
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from contracts.bounded import IdempotencyKey
from contracts.clock import local_date, utc_now
from contracts.envelope import Role
from contracts.service import OCCURRED_ON, backdatable_model
from eventstore import backdating
from eventstore.body_limit import COMMAND_BODY_LIMIT, BodyLimit
from eventstore.command_outcome import CommandOutcome
from eventstore.database_unavailable import unavailable_handlers
from eventstore.errors import ConcurrencyError, DomainError
from eventstore.idempotent_request import IdempotentRequest, KeyTaken
from eventstore.in_flight import DEFAULT_MAX_IN_FLIGHT, InFlightLimit, command_overloaded
from eventstore.store import CommandContext, EventStore

C = TypeVar("C", bound=BaseModel)
log = logging.getLogger("eventstore.command_api")

# The contract's bound on keys (printable ASCII, at most 200): a key is stored and echoed in errors.
IDEMPOTENCY_KEY: TypeAdapter[str] = TypeAdapter(IdempotencyKey)

# The correlation id of a command sent with an idempotency key is derived from the key (scoped to committee and
# actor), so its events can be found again: by a retry whose first attempt's process died between committing
# them and recording the answer, and by an audit counting what each key did.
IDEMPOTENT_CORRELATION = uuid.UUID("5b1f6f0e-3c59-4d0c-9a8e-6f2d0e7d4a11")


def correlation_for(scoped_key: str) -> uuid.UUID:
    """The correlation id of the command with this scoped key (`committee:actor:key`)."""
    return uuid.uuid5(IDEMPOTENT_CORRELATION, scoped_key)


Handler = Callable[[C, CommandContext], Awaitable[CommandOutcome]]


@dataclass(frozen=True)
class CommandSpec(Generic[C]):
    name: str
    model: type[C]
    handler: Handler[C]
    summary: str = ""
    roles: frozenset[Role] | None = None  # who may send it (checked before the body is read); None: anyone
    backdatable: bool = False  # takes `occurred_on`, the day the step happened (`eventstore.backdating`)

    @property
    def input_model(self) -> type[BaseModel]:
        return backdatable_model(self.model) if self.backdatable else self.model


def without_occurred_on(model: type[C], command: BaseModel) -> tuple[C, Any]:
    """The command as its handler takes it, and the `occurred_on` it was sent with (None: not back-dated).
    The fields are validated already; they are copied, not validated again."""
    if type(command) is model:
        return command, None
    fields = {k: getattr(command, k) for k in model.model_fields}
    return model.model_construct(command.model_fields_set - {OCCURRED_ON}, **fields), getattr(command, OCCURRED_ON)


def parse(model: type[C], body: bytes) -> C:
    """The command in `body`. pydantic's JSON parser refuses some text outright (a lone surrogate) without
    naming the field; Python's keeps it, so the field's own rule refuses it by name."""
    try:
        return model.model_validate_json(body or b"{}")
    except ValidationError as err:
        if not all(e["type"] == "json_invalid" for e in err.errors()):
            raise
        try:
            data = json.loads(body)
        except ValueError:
            raise err from None
        return model.model_validate(data)


def body_limit() -> Middleware:
    """The command APIs' cap on request bodies."""
    return Middleware(BodyLimit, limit=COMMAND_BODY_LIMIT)


def in_flight_limit(limit: int = DEFAULT_MAX_IN_FLIGHT) -> Middleware:
    """The command APIs' bound on concurrent requests (503 + Retry-After beyond it); outermost, before
    `body_limit()`, so a shed request is not read."""
    return Middleware(InFlightLimit, limit=limit, error=command_overloaded)


def _error(status: int, code: str, message: str, **extra: Any) -> JSONResponse:
    return JSONResponse({"error": {"code": code, "message": message, **extra}}, status_code=status)


class CommandAPI:
    def __init__(self, service: str, store: EventStore, commands: Sequence[CommandSpec[Any]],
                 authenticate: Callable[[str | None], Any], clock: Callable[[], datetime] = utc_now) -> None:
        """`authenticate` turns the Authorization header into a principal (`actor`, `committee_id`) or
        raises; the runtime passes its bearer-token check. `clock` is the service's (the unit of work's): it
        says which day is today for a back-dated step."""
        self.service = service
        self.store = store
        self.commands = {c.name: c for c in commands}
        self._authenticate = authenticate
        self.clock = clock

    def app(self, max_in_flight: int = DEFAULT_MAX_IN_FLIGHT) -> Starlette:
        return Starlette(routes=self.routes(), middleware=[in_flight_limit(max_in_flight), body_limit()],
                         exception_handlers=unavailable_handlers())

    def routes(self) -> list[Route]:
        """For a service that serves more than commands on one app (give that app `in_flight_limit()` and
        `body_limit()` too)."""
        return [
            Route("/commands/{name}", self.handle, methods=["POST"]),
            Route("/openapi.json", self.openapi, methods=["GET"]),
            Route("/healthz", self.health, methods=["GET"]),
            Route("/readyz", self.ready, methods=["GET"]),
        ]

    async def health(self, request: Request) -> JSONResponse:
        # The pid lets a supervisor tell its own child from a stale process still holding the port.
        return JSONResponse({"status": "ok", "service": self.service, "pid": os.getpid()})

    async def ready(self, request: Request) -> JSONResponse:
        try:
            async with self.store.pool.acquire() as conn:
                await conn.fetchval("SELECT 1")
        except (OSError, asyncpg.PostgresError) as err:
            return JSONResponse({"status": "unavailable", "reason": str(err)}, status_code=503)
        return JSONResponse({"status": "ready", "service": self.service})

    async def handle(self, request: Request) -> JSONResponse:
        name = request.path_params["name"]
        spec = self.commands.get(name)
        if spec is None:
            return _error(404, "unknown_command", f"{self.service} has no command {name!r}")
        try:
            principal = self._authenticate(request.headers.get("authorization"))
        except Exception as err:  # every authentication failure is a 401, whatever raised it
            return _error(401, "unauthenticated", str(err))
        if spec.roles is not None and principal.actor.role not in spec.roles:
            allowed = ", ".join(sorted(r.value for r in spec.roles))
            return _error(403, "not_authorized", f"{name} is for {allowed}, not {principal.actor.role.value}")
        body = await request.body()
        try:
            command, occurred_on = without_occurred_on(spec.model, parse(spec.input_model, body))
        except ValidationError as err:
            fields = [".".join(str(p) for p in e["loc"]) for e in err.errors()]
            detail = "; ".join(f"{'.'.join(str(p) for p in e['loc'])}: {e['msg']}" for e in err.errors())
            return _error(400, "invalid_command", f"{name}: {detail}", fields=fields)
        ctx = CommandContext(actor=principal.actor, committee_id=principal.committee_id)
        if occurred_on is not None:
            try:
                at = backdating.check(occurred_on, principal.actor.role, local_date(self.clock()))
            except DomainError as err:
                status = 403 if err.rule == "backdating_not_allowed" else 422
                return _error(status, err.rule, err.message, fields=err.fields, details=err.details)
            ctx = dataclasses.replace(ctx, occurred_at=at)
        key = request.headers.get("idempotency-key")
        if key is not None:
            try:
                IDEMPOTENCY_KEY.validate_python(key)
            except ValidationError as err:
                return _error(400, "invalid_command", f"{name}: Idempotency-Key: {err.errors()[0]['msg']}",
                              fields=["Idempotency-Key"])
        if key:
            return await self._idempotent(key, spec, command, ctx, body)
        return await self._run(spec, command, ctx)

    async def _run(self, spec: CommandSpec[Any], command: BaseModel, ctx: CommandContext) -> JSONResponse:
        outcome = await self._outcome(spec, command, ctx)
        return JSONResponse(outcome.answer()) if isinstance(outcome, CommandOutcome) else outcome

    async def _outcome(self, spec: CommandSpec[Any], command: BaseModel,
                       ctx: CommandContext) -> CommandOutcome | JSONResponse:
        """What the handler wrote, or the refusal's answer."""
        try:
            return await spec.handler(command, ctx)
        except ConcurrencyError as err:
            return _error(409, "concurrent_change", str(err))
        except DomainError as err:
            status = 403 if err.rule == "not_authorized" else 422
            extra: dict[str, Any] = {"fields": err.fields} if err.fields else {}
            if err.details:
                extra["details"] = err.details
            return _error(status, err.rule, err.message, **extra)

    # A claim left by an attempt from before answers were recorded with the events (`response` NULL), not
    # answered in this long, is taken to have died with its process.
    ABANDONED_AFTER_SECONDS = 60
    # How long a retry waits for such a claim's answer.
    RETRY_WAIT_SECONDS = 10.0

    async def _idempotent(self, key: str, spec: CommandSpec[Any], command: BaseModel, ctx: CommandContext,
                          body: bytes) -> JSONResponse:
        """Run the command with its key recorded, with the answer, in the command's own transaction (see
        `eventstore.idempotent_request`). When the key turns out to be taken, or the command is refused (perhaps
        because an earlier attempt acted), the recorded answer is replayed; the same key with another request
        is refused. No connection is held while the command runs, so concurrent requests cannot exhaust the
        pool."""
        scoped = f"{ctx.committee_id}:{ctx.actor.id}:{key}"
        table = f"{self.store.schema}.idempotency"
        digest = hashlib.sha256(spec.name.encode() + b"\0" + body).digest()
        request = IdempotentRequest(table, scoped, spec.name, digest)
        ctx = dataclasses.replace(ctx, correlation_id=correlation_for(scoped), idempotency=request)
        loop = asyncio.get_running_loop()
        deadline = loop.time() + self.RETRY_WAIT_SECONDS
        while True:
            try:
                outcome = await self._outcome(spec, command, ctx)
            except KeyTaken:
                outcome = None
            if isinstance(outcome, CommandOutcome):
                answer = outcome.answer()
                text = json.dumps(answer)
                if request.answer is None:
                    # A handler that wrote without the kernel's unit of work: its answer is recorded after it, so a
                    # retry that arrives while it runs is not recognised. Every service handler writes through one.
                    if outcome.written is not None:
                        log.error("%s %s wrote outside a unit of work; its idempotency key is recorded after it",
                                  self.service, spec.name)
                    await self.store.pool.execute(
                        f"INSERT INTO {table} (key, command, request, response) VALUES ($1, $2, $3, $4::text::jsonb) "
                        "ON CONFLICT (key) DO NOTHING", scoped, spec.name, request.digest, text)
                elif request.answer != text:  # the handler answered more than its unit of work recorded
                    await self.store.pool.execute(f"UPDATE {table} SET response = $2::text::jsonb WHERE key = $1",
                                                  scoped, text)
                return JSONResponse(answer)
            response = outcome
            row = await self.store.pool.fetchrow(f"SELECT request, response, created_at < now() - "
                                                 f"make_interval(secs => $2) AS abandoned FROM {table} WHERE key = $1",
                                                 scoped, self.ABANDONED_AFTER_SECONDS)
            if row is None and response is not None:
                return response  # refused, and no attempt with this key acted
            if row is None:
                continue  # the key's claim from before answers were recorded was removed meanwhile: act
            if bytes(row["request"]) != request.digest:
                return _error(422, "idempotency_key_reused",
                              f"idempotency key {key!r} was already used for a different request")
            if row["response"] is not None:
                replayed = row["response"]
                return JSONResponse(json.loads(replayed) if isinstance(replayed, str) else replayed,
                                    headers={"Idempotent-Replay": "true"})
            if row["abandoned"]:
                recovered = await self._take_over(table, ctx)
                if recovered is not None:
                    return JSONResponse(recovered, headers={"Idempotent-Replay": "true"})
                continue
            if loop.time() > deadline:
                return _error(409, "request_in_progress", f"a request with idempotency key {key!r} is still running")
            await asyncio.sleep(0.05)  # an attempt from before answers were recorded with the events still runs

    async def _take_over(self, table: str, ctx: CommandContext) -> dict[str, Any] | None:
        """An abandoned claim: the answer rebuilt from the events its attempt committed (recorded now), or
        None with the claim removed, so that this attempt acts."""
        assert ctx.idempotency is not None
        async with self.store.pool.acquire() as conn:
            recovered = await self._committed_answer(conn, ctx)
            if recovered is None:
                await conn.execute(f"DELETE FROM {table} WHERE key = $1 AND response IS NULL", ctx.idempotency.key)
            else:
                await conn.execute(f"UPDATE {table} SET response = $2::text::jsonb WHERE key = $1",
                                   ctx.idempotency.key, json.dumps(recovered))
        return recovered

    async def _committed_answer(self, conn: asyncpg.Connection, ctx: CommandContext) -> dict[str, Any] | None:
        """The answer of a command that committed its events under `ctx`'s correlation id, rebuilt from them
        (its `result`, which only the lost answer held, is empty); None if it wrote nothing."""
        rows = await conn.fetch(
            "SELECT event_id, stream_id, stream_version, position, tx_id::text::bigint AS tx "
            f"FROM {self.store.schema}.events "
            "WHERE metadata->>'correlation_id' = $1 AND metadata->>'causation_id' IS NULL ORDER BY position",
            str(ctx.correlation_id))
        if not rows:
            return None
        last = rows[-1]
        return {"stream_id": last["stream_id"], "stream_version": last["stream_version"],
                "event_ids": [str(r["event_id"]) for r in rows], "positions": [r["position"] for r in rows],
                "checkpoint": {"tx_id": last["tx"], "position": last["position"]}, "result": {}, "recovered": True}

    async def openapi(self, request: Request) -> JSONResponse:
        return JSONResponse(self.openapi_document())

    def openapi_document(self) -> dict[str, Any]:
        paths: dict[str, Any] = {}
        schemas: dict[str, Any] = {}
        for name, spec in sorted(self.commands.items()):
            schema = spec.input_model.model_json_schema(ref_template="#/components/schemas/{model}")
            schemas.update(schema.pop("$defs", {}))
            schemas[spec.model.__name__] = schema
            paths[f"/commands/{name}"] = {"post": {
                "operationId": name, "summary": spec.summary or (spec.model.__doc__ or name).strip(),
                "parameters": [{"name": "Idempotency-Key", "in": "header", "required": False,
                                "schema": IDEMPOTENCY_KEY.json_schema()}],
                "requestBody": {"required": True, "content": {"application/json": {
                    "schema": {"$ref": f"#/components/schemas/{spec.model.__name__}"}}}},
                "responses": {
                    "200": {"description": "written"},
                    "400": {"description": "malformed command"},
                    "401": {"description": "no valid bearer token"},
                    "403": {"description": "not allowed for this caller"},
                    "409": {"description": "concurrent change; retry"},
                    "413": {"description": "request body over the command APIs' limit (error.code request_too_large)"},
                    "422": {"description": "refused by a rule (error.code names it)"},
                    "503": {"description": "the process is at its in-flight limit, or its database cannot be reached "
                                           "(error.code overloaded or unavailable); retry after Retry-After"},
                },
            }}
        return {"openapi": "3.1.0", "info": {"title": f"{self.service} commands", "version": "1"},
                "paths": paths, "components": {"schemas": schemas,
                                               "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}}},
                "security": [{"bearer": []}]}
