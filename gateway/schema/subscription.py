"""Subscriptions (graphql-transport-ws): the oversight event feed, changes to the caller's work queue, and
the caller's new notifications. All are fed by the projector: after each applied event, the live hub hands
it to the subscriptions of the same committee that it concerns, as the subscriber may read it (`policy.event_data`:
no value sealed from them, e.g. a proposer's rating before every proposer has rated; and to a unit's staff only
the fields its queries show of the fact, `policy.UNIT_STAFF_EVENT_FIELDS`, never the internal event whole)."""

from __future__ import annotations

from collections.abc import AsyncGenerator
from datetime import datetime

import strawberry

from contracts.envelope import Role
from gateway import policy
from gateway.auth import Viewer
from gateway.live import LiveEvent
from gateway.read import workqueue
from gateway.schema import notifications as nt
from gateway.schema.scalars import JSON
from gateway.schema.types import ctx
from gateway.schema.workqueue import WorkQueue, now, work_queue

NOTIFICATION_CREATED = "notification-created"


@strawberry.type(description="An event the gateway's views just applied.")
class FeedEvent:
    event_id: strawberry.ID
    type: str
    stream_id: str
    occurred_at: datetime
    data: JSON = strawberry.field(description="the event's payload as the caller may read it: no contact data, "
                                              "no value sealed from the caller (a proposer's ratings reach "
                                              "a unit only with evaluations-completed), and for a unit's staff "
                                              "only the fields its queries show of the fact")

    @classmethod
    def of(cls, ev: LiveEvent, viewer: Viewer) -> FeedEvent:
        """The event as `viewer` may read it (`policy.event_data`: sealed values removed; a unit's projection)."""
        return cls(event_id=strawberry.ID(str(ev.event_id)), type=ev.type, stream_id=ev.stream_id,
                   occurred_at=ev.occurred_at, data=JSON(policy.event_data(viewer, ev.type, ev.data)))


@strawberry.type(description="The caller's work queue after an event changed it.")
class WorkQueueChange:
    cause: FeedEvent
    queue: WorkQueue


def concerns(viewer: Viewer, ev: LiveEvent) -> bool:
    """Whether an applied event may change this caller's work queue."""
    if ev.committee_id != viewer.committee_id:
        return False
    a = ev.audience
    role = viewer.role
    if role in (Role.office_staff, Role.admin):
        return a.office
    if role is Role.unit_staff:
        return viewer.unit_id in a.units
    if role in (Role.member, Role.leadership):  # leadership: the key proposals they supervise
        return viewer.member_id is not None and viewer.member_id in a.members
    return False


@strawberry.type
class Subscription:
    @strawberry.subscription(description="Every event the views apply in the caller's committee, as it happens "
                                         "(leadership, office staff, admin). `types` narrows it.")
    async def oversight_feed(self, info: strawberry.Info,
                             types: list[str] | None = None) -> AsyncGenerator[FeedEvent, None]:
        c = ctx(info)
        viewer = policy.require(c.viewer, "oversightFeed")
        wanted = set(types or [])
        committee = viewer.committee_id

        def match(ev: LiveEvent) -> bool:
            return ev.committee_id == committee and (not wanted or ev.type in wanted)

        async with c.services.hub.subscribe(match) as queue:
            while True:
                yield FeedEvent.of(await queue.get(), viewer)

    @strawberry.subscription(description="The caller's work queue, each time an event changes it.")
    async def work_queue_changed(self, info: strawberry.Info) -> AsyncGenerator[WorkQueueChange, None]:
        c = ctx(info)
        viewer = policy.require(c.viewer, "workQueueChanged")

        def match(ev: LiveEvent) -> bool:
            # A fact whose values are sealed from the caller (a proposer's rating, to the unit) is not news the
            # caller's queries would show: it is not sent at all, not even that it happened.
            return concerns(viewer, ev) and not policy.sealed_from(viewer, ev.type, ev.data)

        async with c.services.hub.subscribe(match) as queue:
            while True:
                ev = await queue.get()
                c.refresh_loaders()  # each value is read afresh, not from the previous value's caches
                q = await workqueue.load(c.db, viewer, now())
                yield WorkQueueChange(cause=FeedEvent.of(ev, viewer), queue=work_queue(q))

    @strawberry.subscription(description="Each new notification in the caller's own inbox, as notify creates it.")
    async def notification_received(self, info: strawberry.Info) -> AsyncGenerator[nt.Notification, None]:
        c = ctx(info)
        viewer = policy.require(c.viewer, "notificationReceived")
        token = nt.token_of(viewer)

        def mine(ev: LiveEvent) -> bool:
            return ev.type == NOTIFICATION_CREATED and ev.committee_id == viewer.committee_id \
                and nt.addressed_to(viewer, ev.data)

        async with c.services.hub.subscribe(mine) as queue:
            while True:
                ev = await queue.get()
                # The item as the inbox shows it, read with the subscriber's own token (notify checks again).
                found = await nt.reader(info).notification(token, str(ev.data["notification_id"]))
                if found is not None:
                    yield nt.Notification.of(found)
