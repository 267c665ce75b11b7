"""Event types used only by the kernel's own tests, in a registry of their own."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any, Protocol

from contracts.envelope import Actor, Role
from contracts.registry import DomainEvent, EventRegistry, event_type, upcaster
from eventstore.command_outcome import CommandOutcome
from eventstore.decider import Decider
from eventstore.issued import Issued
from eventstore.store import CommandContext, EventStore
from eventstore.unit_of_work import Tx, UnitOfWork

SAMPLES = EventRegistry()
TOPIC = "samples.events"


@event_type("sample-noted", version=1, topic=TOPIC, registry=SAMPLES)
class SampleNoted(DomainEvent):
    n: int
    text: str = ""


@event_type("visit-sampled", version=2, topic=TOPIC, registry=SAMPLES)
class VisitSampled(DomainEvent):
    """v1 had one `roles` string, comma-separated; v2 has a list and the township."""

    visitor_id: str
    roles: list[str]
    township_id: str | None = None


@upcaster("visit-sampled", from_version=1, registry=SAMPLES)
def _visit_v1_to_v2(data: dict[str, Any]) -> dict[str, Any]:
    roles = [r.strip() for r in data.pop("roles", "").split(",") if r.strip()]
    return {**data, "roles": roles, "township_id": None}


def ctx(committee: str = "county-a") -> CommandContext:
    return CommandContext(actor=Actor(id="office-1", role=Role.office_staff), committee_id=committee)


class NoteCommand(Protocol):
    stream: str
    n: int


# A stream of notes, counted; each `note` command adds one.
NOTES: Decider[int, Issued[Any]] = Decider(initial=lambda: 0,
                                          decide=lambda _, issued: [SampleNoted(n=issued.command.n)],
                                          evolve=lambda count, _: count + 1)


def note_handler(store: EventStore, *, before: Callable[[], Awaitable[None]] | None = None
                 ) -> Callable[[Any, CommandContext], Awaitable[CommandOutcome]]:
    """A command API handler that notes `n` on `stream` through the kernel's unit of work, as every service's
    handlers write; `before` runs inside the transaction, after the stream is loaded."""
    uow = UnitOfWork(store)

    async def note(cmd: NoteCommand, ctx: CommandContext) -> CommandOutcome:
        async def work(tx: Tx) -> dict[str, Any]:
            loaded = await tx.load(cmd.stream, NOTES)
            if before is not None:
                await before()
            tx.decide(loaded, NOTES, cmd)
            return {}

        return await uow.run(ctx, work)

    return note
