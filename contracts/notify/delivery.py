"""How one notification ended on one channel. Attempts refused before handover are retried and not
recorded one by one; these are the ends the office's delivery status shows."""

from __future__ import annotations

from pydantic import Field

from contracts.bounded import Count, RecordedId, RecordedListItem
from contracts.labels import LabeledEnum
from contracts.notify.vocabulary import ChannelName
from contracts.registry import DomainEvent, event_type
from contracts.topics import NOTIFY


class DeliveryEnd(LabeledEnum):
    failed = ("failed", "发送失败")
    unknown = ("unknown", "状态不明")  # may have been handed over: never retried blindly
    gone = ("gone", "接收端已注销")  # a webhook endpoint answered 410 and was disabled
    suppressed = ("suppressed", "地址多次退信，已停发")


@event_type("notification-delivered", version=1, topic=NOTIFY)
class NotificationDelivered(DomainEvent):
    """Handed over to the mail server, the SMS provider or the webhook endpoint."""

    notification_id: RecordedId
    channel: ChannelName
    attempts: Count
    digest_id: RecordedId | None = Field(default=None, description="the digest it travelled in")


@event_type("notification-delivery-failed", version=1, topic=NOTIFY)
class NotificationDeliveryFailed(DomainEvent):
    notification_id: RecordedId
    channel: ChannelName
    end: DeliveryEnd
    attempts: Count
    detail: RecordedListItem = Field(default="", description="the server's answer; never an address")
