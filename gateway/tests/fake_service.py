"""A stand-in for a service's command API, built from the real kernel (CommandAPI, EventStore, Relay) with
a few test commands, so forwarding, idempotency, refusals and read-your-writes run end to end through
PostgreSQL and Kafka without depending on a service's domain rules."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

import asyncpg
from pydantic import BaseModel, ConfigDict, Field
from starlette.types import ASGIApp, Receive, Scope, Send

from contracts.envelope import Role
from contracts.proposals import Category, ProposalSubmitted
from eventstore.command_api import CommandAPI, CommandOutcome, CommandSpec
from eventstore.errors import DomainError, NotAuthorized
from eventstore.store import CommandContext, EventStore
from gateway.commands.catalog import CommandInfo
from runtime.auth import bearer

SERVICE = "fake"


class FakeSubmit(BaseModel):
    """Submit a proposal (test stand-in)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    proposal_id: str = Field(min_length=1)
    title: str = Field(min_length=1)
    year: int = 2026
    category: Category = Category.education
    lead_member_id: str | None = None
    cosigner_member_ids: list[str] = Field(default_factory=list)


class FakeRefuse(BaseModel):
    """Always refused by a rule."""

    reason: str = ""


def specs(store: EventStore) -> list[CommandSpec[Any]]:
    async def submit(cmd: FakeSubmit, ctx: CommandContext) -> CommandOutcome:
        if ctx.actor.role not in (Role.member, Role.office_staff, Role.admin):
            raise NotAuthorized(f"a {ctx.actor.role.value} may not submit proposals")
        event = ProposalSubmitted(proposal_id=cmd.proposal_id, year=cmd.year,
                                  submitter_kind="joint" if cmd.cosigner_member_ids else "individual",  # type: ignore[arg-type]
                                  lead_member_id=cmd.lead_member_id or ctx.actor.member_id,
                                  cosigner_member_ids=cmd.cosigner_member_ids, category=cmd.category, title=cmd.title)
        written = await store.append(f"proposal:{ctx.committee_id}:{cmd.proposal_id}", 0, [event], ctx)
        return CommandOutcome(written, {"proposal_id": cmd.proposal_id, "actor": ctx.actor.id})

    async def refuse(cmd: FakeRefuse, ctx: CommandContext) -> CommandOutcome:
        raise DomainError("title_too_short", "a title needs at least five characters", minimum=5)

    async def forbid(cmd: FakeRefuse, ctx: CommandContext) -> CommandOutcome:
        raise NotAuthorized("only the office may do this")

    return [
        CommandSpec("fake-submit", FakeSubmit, submit),
        CommandSpec("fake-refuse", FakeRefuse, refuse),
        CommandSpec("fake-forbid", FakeRefuse, forbid),
        CommandSpec("fake-flaky-submit", FakeSubmit, submit),
    ]


def catalog() -> list[CommandInfo]:
    """The fake commands as the gateway's catalog lists them (service `fake`)."""
    return [CommandInfo(SERVICE, s.name, s.model, s.summary) for s in specs(EventStore.__new__(EventStore))]


class Flaky:
    """ASGI middleware: the first request of each idempotency key to `fake-flaky-submit` fails with 503
    before reaching the command API (as a restarting pod would), so the gateway must retry."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app
        self.failed_keys: set[str] = set()
        self.requests = 0  # to fake-flaky-submit
        self.calls: list[str] = []  # every command request, by path

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and "/commands/" in scope["path"]:
            self.calls.append(scope["path"])
        if scope["type"] == "http" and scope["path"].endswith("/commands/fake-flaky-submit"):
            self.requests += 1
            headers = {k.decode().lower(): v.decode() for k, v in scope["headers"]}
            key = headers.get("idempotency-key", "")
            if key not in self.failed_keys:
                self.failed_keys.add(key)
                await send({"type": "http.response.start", "status": 503,
                            "headers": [(b"content-type", b"application/json")]})
                await send({"type": "http.response.body", "body": b'{"error": {"code": "unavailable", '
                                                                  b'"message": "restarting"}}'})
                return
        await self.app(scope, receive, send)


def app(store: EventStore) -> Flaky:
    return Flaky(CommandAPI(SERVICE, store, specs(store), authenticate=bearer).app())


Counter = Callable[[asyncpg.Pool, str], Awaitable[int]]


async def events_in(pool: asyncpg.Pool, schema: str, stream_prefix: str = "") -> int:
    return int(await pool.fetchval(f"SELECT count(*) FROM {schema}.events WHERE stream_id LIKE $1",
                                   f"{stream_prefix}%"))
