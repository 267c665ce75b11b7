"""GraphQL types of the notify service's data as people read it: an inbox item with its "why you got this"
and, for the office, each delivery's status; the caller's preferences; webhook endpoints; the reminders
escalated in a month. Built from the notify service's read routes (`gateway.read.notifications`, where the
choice of asking notify rather than projecting is explained)."""

from __future__ import annotations

import enum
from datetime import date, datetime
from typing import TYPE_CHECKING, Any

import strawberry

from contracts.envelope import Role
from contracts.notify import reminders as nr
from contracts.notify import vocabulary as nv
from gateway import policy
from gateway.auth import Viewer
from gateway.errors import ServiceUnavailable, Unauthenticated
from gateway.read.notifications import NotifyReader
from gateway.read.pagination import Page, page_size
from gateway.schema.connection import Connection, connection
from gateway.schema.enums import mirror
from gateway.schema.types import ctx

if TYPE_CHECKING:
    NotificationCategory = str
    NotificationUrgency = str
    NotificationChannel = str
    RecipientKind = str
    DigestMode = str
    ReminderStepKind = str
else:
    # The names the generated command inputs already give these enums (`gateway.commands.inputs`).
    NotificationCategory = mirror(nv.Category, "NotifyCategory")
    NotificationUrgency = mirror(nv.Urgency, "NotificationUrgency")
    NotificationChannel = mirror(nv.ChannelName, "ChannelName")
    RecipientKind = mirror(nv.RecipientKind, "RecipientKind")
    DigestMode = mirror(nv.Digest, "Digest")
    ReminderStepKind = mirror(nr.StepKind, "ReminderStepKind")


@strawberry.enum(description="Where a delivery (one notification on one channel to one target) stands.")
class DeliveryStatus(enum.Enum):
    pending = strawberry.enum_value("pending", description="待发送")
    deferred = strawberry.enum_value("deferred", description="延后发送（汇总、免打扰时段或稍后重试）")
    sending = strawberry.enum_value("sending", description="发送中")
    sent = strawberry.enum_value("sent", description="已发送")
    unknown = strawberry.enum_value("unknown", description="状态不明，需人工核实")
    failed = strawberry.enum_value("failed", description="发送失败")


@strawberry.enum(description="An inbox item's state.")
class NotificationState(enum.Enum):
    unread = strawberry.enum_value("unread", description="未读")
    read = strawberry.enum_value("read", description="已读")
    archived = strawberry.enum_value("archived", description="已归档")


def _at(text: str | None) -> datetime | None:
    return datetime.fromisoformat(text) if text else None


@strawberry.type(description="One notification on one channel to one target (a member, a unit, a webhook "
                             "endpoint — never an address).")
class NotificationDelivery:
    id: strawberry.ID
    notification_id: strawberry.ID
    channel: NotificationChannel
    target_id: strawberry.ID
    status: DeliveryStatus
    end: str = strawberry.field(description="the notify service's own state: pending, digest, sending, sent, "
                                            "retry, unknown, failed, gone (endpoint answered 410), suppressed "
                                            "(the address bounced too often)")
    attempts: int
    not_before: datetime = strawberry.field(description="when it may go out (a deferred one waits until then)")
    detail: str = strawberry.field(description="the receiving server's last answer")
    template: str | None = strawberry.field(default=None, description="the notification's template (in the "
                                                                      "office's delivery list)")
    title: str | None = strawberry.field(default=None, description="the notification's title (in the office's "
                                                                   "delivery list)")
    recipient_kind: RecipientKind | None = None
    recipient_id: strawberry.ID | None = None
    notified_at: datetime | None = None

    @classmethod
    def of(cls, d: dict[str, Any]) -> NotificationDelivery:
        return cls(id=strawberry.ID(d["delivery_id"]), notification_id=strawberry.ID(d["notification_id"]),
                   channel=d["channel"], target_id=strawberry.ID(d["target_id"]), status=DeliveryStatus(d["status"]),
                   end=d["end"], attempts=d["attempts"], not_before=datetime.fromisoformat(d["not_before"]),
                   detail=d["detail"], template=d.get("template"), title=d.get("title"),
                   recipient_kind=d.get("recipient_kind"),
                   recipient_id=strawberry.ID(d["recipient_id"]) if d.get("recipient_id") else None,
                   notified_at=_at(d.get("created_at")))


@strawberry.type(description="A notification in the caller's inbox.")
class Notification:
    id: strawberry.ID
    template: str
    category: NotificationCategory
    urgency: NotificationUrgency
    title: str = strawberry.field(description="as the notification's email gives it")
    summary: str = strawberry.field(description="the first paragraph of the notification's text")
    reason: str = strawberry.field(description="why you got this (e.g. 你是该提案的提案人)")
    state: NotificationState
    read: bool
    archived: bool
    created_at: datetime
    read_at: datetime | None
    subject_id: strawberry.ID = strawberry.field(description="what it is about: a proposal, a meeting, an item")
    source_type: str = strawberry.field(description="the fact it came from (an event type, or reminder)")
    recipient_kind: RecipientKind
    recipient_id: strawberry.ID
    deliveries: list[NotificationDelivery] | None = strawberry.field(
        description="each delivery's status and attempts: for office staff (null for everyone else)")

    @classmethod
    def of(cls, n: dict[str, Any]) -> Notification:
        details = n.get("delivery_details")
        return cls(id=strawberry.ID(n["notification_id"]), template=n["template"], category=n["category"],
                   urgency=n["urgency"], title=n["title"], summary=n["summary"], reason=n["reason"],
                   state=NotificationState(n["state"]), read=n["state"] != "unread",
                   archived=n["state"] == "archived", created_at=datetime.fromisoformat(n["created_at"]),
                   read_at=_at(n.get("read_at")), subject_id=strawberry.ID(n["subject_id"]),
                   source_type=n["source_type"], recipient_kind=n["recipient_kind"],
                   recipient_id=strawberry.ID(n["recipient_id"]),
                   deliveries=None if details is None else [NotificationDelivery.of(d) for d in details])


@strawberry.type(description="The channels chosen for one category (none: unsubscribed; the inbox is kept).")
class CategoryPreference:
    category: NotificationCategory
    channels: list[NotificationChannel]


@strawberry.type(description="The caller's notification preferences.")
class NotificationPreferences:
    chosen: bool = strawberry.field(description="false: never set, these are the committee's defaults")
    categories: list[CategoryPreference] = strawberry.field(
        description="categories chosen; a category not listed travels on the rule's channels")
    digest: DigestMode
    digest_hour: int = strawberry.field(description="hour of day (Asia/Shanghai) digests go out")
    digest_weekday: int = strawberry.field(description="weekly digests: 0 Monday … 6 Sunday")
    quiet_from: int | None = strawberry.field(description="minute of day quiet hours start (Asia/Shanghai)")
    quiet_until: int | None = strawberry.field(description="minute of day quiet hours end")

    @classmethod
    def of(cls, p: dict[str, Any]) -> NotificationPreferences:
        return cls(chosen=bool(p["set"]),
                   categories=[CategoryPreference(category=k, channels=list(v))
                               for k, v in sorted(p["categories"].items())],
                   digest=p["digest"], digest_hour=p["digest_hour"], digest_weekday=p["digest_weekday"],
                   quiet_from=p["quiet_from"], quiet_until=p["quiet_until"])


@strawberry.type(description="An outside system receiving notifications of some categories, signed per the "
                             "Standard Webhooks specification (the signing secret is shown once, at registration).")
class WebhookEndpoint:
    id: strawberry.ID
    name: str
    url: str
    categories: list[NotificationCategory]
    enabled: bool
    disabled_reason: str | None = strawberry.field(description="why it was disabled (null while enabled)")
    gone: bool = strawberry.field(description="disabled because the endpoint answered 410 Gone")

    @classmethod
    def of(cls, w: dict[str, Any]) -> WebhookEndpoint:
        return cls(id=strawberry.ID(w["endpoint_id"]), name=w["name"], url=w["url"], categories=w["categories"],
                   enabled=w["enabled"], disabled_reason=w["disabled_reason"], gone=w["gone"])


@strawberry.type(description="One escalation step of a deadline reminder ladder that fired.")
class ReminderEscalation:
    step_id: strawberry.ID
    task_id: strawberry.ID
    kind: ReminderStepKind
    subject_id: strawberry.ID
    due: date | None
    escalated_at: datetime
    to_ids: list[strawberry.ID] = strawberry.field(description="the office, or the supervising leaders told")


@strawberry.type(description="Deadline reminders escalated in a month (督办): to the office, to the supervising "
                             "leaders.")
class ReminderEscalations:
    month: str = strawberry.field(description="YYYY-MM, in Asia/Shanghai")
    to_office: int
    to_leaders: int
    items: list[ReminderEscalation]

    @classmethod
    def of(cls, e: dict[str, Any]) -> ReminderEscalations:
        return cls(month=e["month"], to_office=e["to_office"], to_leaders=e["to_leaders"], items=[
            ReminderEscalation(step_id=strawberry.ID(i["step_id"]), task_id=strawberry.ID(i["task_id"]),
                               kind=i["kind"], subject_id=strawberry.ID(i["subject_id"]),
                               due=date.fromisoformat(i["due"]) if i.get("due") else None,
                               escalated_at=datetime.fromisoformat(i["escalated_at"]),
                               to_ids=[strawberry.ID(x) for x in i["to_ids"]]) for i in e["items"]])


# ---- reading ------------------------------------------------------------------------------------------------

def reader(info: strawberry.Info) -> NotifyReader:
    found = ctx(info).services.notify
    if found is None:
        raise ServiceUnavailable("no address configured for the notify service")
    return found


def token_of(viewer: Viewer) -> str:
    if viewer.token is None:
        raise Unauthenticated("a bearer token is required")
    return viewer.token


def page_of(body: dict[str, Any], n: int, after: str | None) -> Page[dict[str, Any]]:
    items = list(body["items"])[:n]
    return Page(items, [i["cursor"] for i in items], bool(body["has_next"]) or len(body["items"]) > n,
                after is not None, int(body["total"]))


async def inbox(info: strawberry.Info, first: int | None, after: str | None, unread_only: bool,
                archived: bool) -> Connection[Notification]:
    c = ctx(info)
    viewer = policy.require(c.viewer, "notifications")
    n = page_size(first)
    body = await reader(info).inbox(token_of(viewer), first=max(n, 1), after=after, unread_only=unread_only,
                                    archived=archived)
    return connection(page_of(body, n, after), Notification.of)


async def deliveries(info: strawberry.Info, status: DeliveryStatus | None, first: int | None,
                     after: str | None) -> Connection[NotificationDelivery]:
    c = ctx(info)
    viewer = policy.require(c.viewer, "notificationDeliveries")
    n = page_size(first)
    body = await reader(info).deliveries(token_of(viewer), status=str(status.value) if status else None,
                                         first=max(n, 1), after=after)
    return connection(page_of(body, n, after), NotificationDelivery.of)


def addressed_to(viewer: Viewer, data: dict[str, Any]) -> bool:
    """Whether a `notification-created` event is for the caller's own inbox (the notify service's
    `inbox_of`: a member's, leaders being members; a unit's; the office's)."""
    kind, rid = data.get("recipient_kind"), data.get("recipient_id")
    if viewer.role in (Role.member, Role.leadership):
        return kind == "member" and viewer.member_id is not None and rid == viewer.member_id
    if viewer.role is Role.unit_staff:
        return kind == "unit" and viewer.unit_id is not None and rid == viewer.unit_id
    if viewer.role is Role.office_staff:
        return kind == "office"
    return False
