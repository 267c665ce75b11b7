"""Commands of the notify service. The caller's inbox comes from the bearer token (a member's, a unit's,
the office's), never from the body, so no one marks or archives another's notifications."""

from __future__ import annotations

from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from contracts.bounded import STORABLE, BoundedList, Count, DerivedIdentifier, Identifier, OrgName
from contracts.notify.vocabulary import Category, ChannelName, Digest

# Ids of notifications the caller marks: at most 50 at once (a page of the inbox).
NotificationIds = BoundedList[DerivedIdentifier]
Hour = Annotated[Count, Field(ge=0, le=23)]
Weekday = Annotated[Count, Field(ge=0, le=6)]
MinuteOfDay = Annotated[Count, Field(ge=0, le=1439)]
# A webhook URL as typed: 1-500 characters; the handler checks the scheme and, in production, the host.
WebhookUrl = Annotated[str, StringConstraints(min_length=1, max_length=500), STORABLE]


class Command(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class MarkNotificationsRead(Command):
    """Mark some of the caller's notifications read (all unread ones when `notification_ids` is empty)."""

    notification_ids: NotificationIds = Field(default_factory=list)


class ArchiveNotification(Command):
    notification_id: DerivedIdentifier


class CategoryChoice(Command):
    category: Category
    channels: BoundedList[ChannelName] = Field(description="empty: unsubscribe from the category")


class SetNotificationPreferences(Command):
    """The caller's preferences; quiet hours in Asia/Shanghai (both ends or neither), digest time."""

    categories: BoundedList[CategoryChoice] = Field(default_factory=list)
    digest: Digest = Digest.none
    digest_hour: Hour = 18
    digest_weekday: Weekday = 4
    quiet_from: MinuteOfDay | None = None
    quiet_until: MinuteOfDay | None = None


class RegisterWebhookEndpoint(Command):
    """An outside system (e.g. the county OA) receiving notifications of some categories, signed per the
    Standard Webhooks specification."""

    endpoint_id: Identifier
    name: OrgName
    url: WebhookUrl
    categories: BoundedList[Category] = Field(min_length=1)


class DisableWebhookEndpoint(Command):
    endpoint_id: Identifier
