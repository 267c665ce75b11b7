"""A notification's life in the inbox: created from a fact of another service (or a reminder), read,
archived. The recipient is named by kind and id; the text is the template's, rendered at delivery."""

from __future__ import annotations

from pydantic import Field

from contracts.bounded import RecordedId, RecordedList, RecordedListItem, RecordedMoment, RecordedShortText
from contracts.notify.vocabulary import Category, ChannelName, RecipientKind, Urgency
from contracts.registry import DomainEvent, event_type
from contracts.topics import NOTIFY


@event_type("notification-created", version=1, topic=NOTIFY)
class NotificationCreated(DomainEvent):
    """Someone is told of a fact: one notification per recipient and template, on the channels their
    preferences and the rule allow."""

    notification_id: RecordedId = Field(description="derived from (source event, recipient, template)")
    recipient_kind: RecipientKind
    recipient_id: RecordedId
    template: RecordedId = Field(description="e.g. proposal-assigned")
    category: Category
    urgency: Urgency
    channels: RecordedList[ChannelName]
    subject_id: RecordedId = Field(description="what it is about: a proposal, a meeting, a tracked item")
    reason: RecordedListItem = Field(description="why the recipient got it (“你是该提案的联名人”)")
    source_event_id: RecordedId = Field(description="the fact it came from")
    source_type: RecordedShortText
    reminder_id: RecordedId | None = Field(default=None, description="the reminder step that raised it")


@event_type("notifications-read", version=1, topic=NOTIFY)
class NotificationsRead(DomainEvent):
    recipient_kind: RecipientKind
    recipient_id: RecordedId
    notification_ids: RecordedList[RecordedId]
    read_at: RecordedMoment


@event_type("notification-archived", version=1, topic=NOTIFY)
class NotificationArchived(DomainEvent):
    recipient_kind: RecipientKind
    recipient_id: RecordedId
    notification_id: RecordedId
