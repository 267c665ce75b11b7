"""The notify service publishes nothing to other county systems: who was told what, when, and how people
choose to be told is the platform's own traffic, and a webhook endpoint's name describes an outsider's setup."""

from __future__ import annotations

from contracts.notify import delivery, notification, preferences, reminders, webhooks
from contracts.public import PUBLIC, withhold

_OWN_TRAFFIC = "a notification is the platform's own traffic to one person or unit"

VIEWS = [
    withhold(notification.NotificationCreated, because=_OWN_TRAFFIC),
    withhold(notification.NotificationsRead, because=_OWN_TRAFFIC),
    withhold(notification.NotificationArchived, because=_OWN_TRAFFIC),
    withhold(delivery.NotificationDelivered, because=_OWN_TRAFFIC),
    withhold(delivery.NotificationDeliveryFailed, because=_OWN_TRAFFIC),
    withhold(preferences.NotificationPreferencesSet, because="how a person chooses to be told is theirs"),
    withhold(reminders.RemindersScheduled, because=_OWN_TRAFFIC),
    withhold(reminders.RemindersCancelled, because=_OWN_TRAFFIC),
    withhold(reminders.ReminderEscalated, because=_OWN_TRAFFIC),
    withhold(webhooks.WebhookEndpointRegistered, because="a webhook endpoint describes an outsider's own setup"),
    withhold(webhooks.WebhookEndpointDisabled, because="a webhook endpoint describes an outsider's own setup"),
]
PUBLIC.declare(VIEWS)
