"""What the proposals handlers and workers are built from: the kernel's pieces for this service, its read
model and its deadline watcher."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from uuid import uuid4

import asyncpg
from starlette.routing import Route

from contracts.proposals import HolidayScheduleRecorded
from eventstore.service import ServiceParts
from eventstore.store import EventStore
from eventstore.workdays import WorkCalendar
from proposals import streams
from proposals.queries import ProposalQueries
from proposals.read_model import ProposalsReadModel
from proposals.watcher import DeadlineWatcher


def new_id() -> str:
    return uuid4().hex


async def committee_calendar(store: EventStore, committee_id: str,
                             conn: asyncpg.Connection | None = None) -> WorkCalendar:
    """The committee's working days: the holiday schedules its office recorded over the package's."""
    history = await store.read_stream(streams.holiday_schedule(committee_id), conn=conn)
    return WorkCalendar.from_events(e.event for e in history if isinstance(e.event, HolidayScheduleRecorded))


@dataclass
class ProposalsParts(ServiceParts):
    read_model: ProposalsReadModel
    ids: Callable[[], str] = new_id
    watcher: DeadlineWatcher = field(init=False)

    def wake_watcher(self) -> None:
        self.watcher.wake()

    def routes(self) -> list[Route]:
        return ProposalQueries(self.read_model, self.pool, self.runtime.authenticate).routes()
