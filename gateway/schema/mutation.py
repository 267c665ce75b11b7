"""Mutations: one per command of every service, generated from the command catalog.

Each takes the command's generated input and an optional `idempotencyKey` (generated when absent; a client
that retries a mutation sends the same key and the service acts once). The answer is a union: the write
(`CommandAccepted`, after the gateway's views applied its events — read-your-writes, bounded), a refusal
naming the broken rule (`CommandRefused`), or a malformed command (`CommandInvalid`)."""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from typing import Annotated, Any

import strawberry

from gateway.commands.catalog import CommandInfo
from gateway.commands.inputs import input_for, to_json
from gateway.errors import ServiceUnavailable, Unauthenticated
from gateway.schema.query import Query
from gateway.schema.scalars import JSON
from gateway.schema.types import ctx


@strawberry.type(description="The command was carried out. Its events are in the views unless `caughtUp` is false.")
class CommandAccepted:
    service: str
    command: str
    event_ids: list[strawberry.ID]
    stream_id: str | None
    stream_version: int | None
    result: JSON = strawberry.field(description="what the service returned besides its events (e.g. a number)")
    idempotency_key: str
    replayed: bool = strawberry.field(
        description="the service answered a retry from its record: nothing was done twice")
    caught_up: bool = strawberry.field(description="the gateway's views applied every event before this answer")

    @strawberry.field(description="The views after this write (read-your-writes).")
    def query(self) -> Query:
        return Query()


@strawberry.type(description="A rule refused the command; nothing was written. `rule` is stable: switch on it.")
class CommandRefused:
    service: str
    command: str
    rule: str
    message: str
    status: int = strawberry.field(description="the service's HTTP status (403 not allowed, 409 conflict, 422 rule)")
    details: JSON | None = None


@strawberry.type(description="The command is malformed (a field missing or of the wrong shape); nothing was written.")
class CommandInvalid:
    service: str
    command: str
    message: str
    fields: list[str]


CommandResult = Annotated[CommandAccepted | CommandRefused | CommandInvalid,
                          strawberry.union("CommandResult", description="What became of a command.")]


async def forward(info: strawberry.Info, command: CommandInfo, body: dict[str, Any],
                  idempotency_key: str | None) -> Any:
    c = ctx(info)
    viewer = c.viewer
    if not viewer.authenticated or viewer.token is None:
        raise Unauthenticated(viewer.problem or "a bearer token is required")
    forwarder = c.services.forwarder
    if forwarder is None:
        raise ServiceUnavailable("this gateway forwards no commands")
    key = idempotency_key or str(uuid.uuid4())
    answer = await forwarder.send(command.service, command.name, body, token=viewer.token, idempotency_key=key)
    if not answer.ok:
        err = answer.error
        if answer.status == 400:
            return CommandInvalid(service=command.service, command=command.name, message=str(err.get("message", "")),
                                  fields=[str(f) for f in err.get("fields", [])])
        if answer.status == 404:
            raise ServiceUnavailable(f"the {command.service} service does not know {command.name!r}")
        return CommandRefused(service=command.service, command=command.name, rule=str(err.get("code", "refused")),
                              message=str(err.get("message", "")), status=answer.status,
                              details=err.get("details"))
    event_ids = [str(i) for i in answer.body.get("event_ids", [])]
    projector = c.services.projector
    caught_up = await projector.wait_applied(event_ids, c.services.config.read_your_writes_seconds,
                                             replayed=answer.replayed) if projector is not None else not event_ids
    c.refresh_loaders()  # what this request read before the write must not be served from the cache after it
    return CommandAccepted(service=command.service, command=command.name,
                           event_ids=[strawberry.ID(i) for i in event_ids], stream_id=answer.body.get("stream_id"),
                           stream_version=answer.body.get("stream_version"),
                           result=JSON(answer.body.get("result") or {}), idempotency_key=key,
                           replayed=answer.replayed, caught_up=caught_up)


def _resolver(command: CommandInfo, input_type: Any) -> Any:
    async def resolve(self: Any, info: strawberry.Info, input: Any,
                      idempotency_key: str | None = None) -> Any:
        return await forward(info, command, to_json(input), idempotency_key)

    resolve.__annotations__ = {
        "info": strawberry.Info,
        "input": input_type,
        "idempotency_key": Annotated[str | None, strawberry.argument(
            description="the same key on a retry makes the service act once; generated when absent")],
        "return": CommandResult,
    }
    resolve.__name__ = command.field_name
    return resolve


def build_mutation(catalog: Sequence[CommandInfo], extra: Mapping[str, Any] | None = None) -> type | None:
    """The Mutation root with one field per command, and the `extra` fields (mutations that call a service's
    own routes: `gateway.schema.route_mutations`); None when there is none."""
    if not catalog and not extra:
        return None
    fields: dict[str, Any] = dict(extra or {})
    for command in catalog:
        input_type = input_for(command.model, f"{command.type_prefix}Input")
        fields[command.field_name] = strawberry.mutation(_resolver(command, input_type), name=command.field_name,
                                                         description=command.description)
    return strawberry.type(type("Mutation", (), fields), description="Every command of the services, forwarded "
                           "with the caller's token; each answers once the gateway's views show the write.")
