"""Driving the service the way the gateway does: HTTP commands with bearer tokens, on a fake clock (the
platform's shared command client), and waiting for the read model to apply what a client wrote."""

from __future__ import annotations

from dataclasses import dataclass

from eventstore.projection import checkpoint_name
from eventstore.store import Checkpoint
from proposals.parts import ProposalsParts
from runtime.service_host import ServiceHost
from yizheng.testing import wait_until
from yizheng.testing.command_client import (
    COMMITTEE,
    OTHER_COMMITTEE,
    CommandClient,
    FakeClock,
    Refused,
    count_events,
    event_types,
    token,
)

ProposalsService = ServiceHost[ProposalsParts]


@dataclass
class Api(CommandClient):
    async def caught_up(self) -> None:
        """Wait until the read model has applied everything this client wrote."""
        await caught_up(self.service, self.last_checkpoint)


async def caught_up(service: ProposalsService, checkpoint: Checkpoint) -> None:
    async def reached() -> bool:
        await service.projectors["read_model"].catch_up()
        projection = service.projectors["read_model"].projection
        return await service.store.load_checkpoint(checkpoint_name(projection)) >= checkpoint

    await wait_until(reached, message=f"read model at {checkpoint}")


__all__ = ["COMMITTEE", "OTHER_COMMITTEE", "Api", "FakeClock", "ProposalsService", "Refused", "caught_up",
           "count_events", "event_types", "token"]
