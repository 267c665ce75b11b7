"""Webhook endpoints of other county systems (e.g. the government's OA). The URL and signing secret are kept
privately by the service, never in an event."""

from __future__ import annotations

from contracts.bounded import RecordedId, RecordedList, RecordedListItem, RecordedOrgName
from contracts.notify.vocabulary import Category
from contracts.registry import DomainEvent, event_type
from contracts.topics import NOTIFY


@event_type("webhook-endpoint-registered", version=1, topic=NOTIFY)
class WebhookEndpointRegistered(DomainEvent):
    endpoint_id: RecordedId
    name: RecordedOrgName
    categories: RecordedList[Category]


@event_type("webhook-endpoint-disabled", version=1, topic=NOTIFY)
class WebhookEndpointDisabled(DomainEvent):
    endpoint_id: RecordedId
    reason: RecordedListItem = ""
    gone: bool = False  # the endpoint answered 410
