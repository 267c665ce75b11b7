"""Events of the notify service (topic `notify.internal`): notifications created for a person, a unit or
the office, read and archived; their deliveries' outcomes; preferences set; webhook endpoints registered and
disabled; deadline reminders scheduled, cancelled, sent and escalated.

No event carries contact data (an email address, a mobile number, a webhook URL) or a message's text: they
name recipients by id, templates by id and the facts the notification came from.

Modules: `notification` (intake and inbox), `delivery` (outcomes per channel), `preferences`, `webhooks`,
`reminders`; `commands` and `service` are the service's command models and contract."""

from contracts.notify import delivery, notification, preferences, reminders, webhooks

__all__ = ["delivery", "notification", "preferences", "reminders", "webhooks"]
