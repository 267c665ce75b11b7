"""A person's (or a unit's) notification preferences: channels per category, digest, quiet hours."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from contracts.bounded import Count, RecordedId, RecordedList
from contracts.notify.vocabulary import Category, ChannelName, Digest, RecipientKind
from contracts.registry import DomainEvent, event_type
from contracts.topics import NOTIFY


class CategoryChannels(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    category: Category
    channels: RecordedList[ChannelName] = Field(description="empty: unsubscribed from the category")


@event_type("notification-preferences-set", version=1, topic=NOTIFY)
class NotificationPreferencesSet(DomainEvent):
    """The whole preference set after the change (a later one replaces it)."""

    recipient_kind: RecipientKind
    recipient_id: RecordedId
    categories: RecordedList[CategoryChannels] = Field(description="categories not named keep the defaults")
    digest: Digest
    digest_hour: Count = Field(description="hour of day in Asia/Shanghai the digest goes out, 0-23")
    digest_weekday: Count = Field(description="weekly digests: 0 Monday … 6 Sunday")
    quiet_from: Count | None = Field(default=None, description="minute of day quiet hours start (Asia/Shanghai)")
    quiet_until: Count | None = Field(default=None, description="minute of day they end")
    via_unsubscribe_link: bool = Field(default=False, description="set by the one-click link, without login")
