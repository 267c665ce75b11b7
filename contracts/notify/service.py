"""The notify service as the platform sees it: the inbox, preferences and webhook endpoints — its
commands, who may send each, and its topic. Notifications themselves come from other services' facts, not
from commands.

Anyone with an inbox (members, leaders, unit staff, the office) reads, archives and sets preferences for
their own; the office or an admin registers and disables webhook endpoints."""

from contracts import topics
from contracts.notify import commands as c
from contracts.roles import OFFICE_OR_ADMIN, PEOPLE
from contracts.service import ServiceContract, command

COMMANDS = (
    command("mark-notifications-read", c.MarkNotificationsRead, PEOPLE),
    command("archive-notification", c.ArchiveNotification, PEOPLE),
    command("set-notification-preferences", c.SetNotificationPreferences, PEOPLE),
    command("register-webhook-endpoint", c.RegisterWebhookEndpoint, OFFICE_OR_ADMIN),
    command("disable-webhook-endpoint", c.DisableWebhookEndpoint, OFFICE_OR_ADMIN),
)

SERVICE = ServiceContract("notify", 8104, topics.NOTIFY, COMMANDS,
                          "notifications: inbox, reminders on working days, email, SMS and webhooks")
