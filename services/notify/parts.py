"""The notify service's own parts, built once from the kernel's pieces: the reminder worker, the delivery
worker with its channels and the contact lookup, and the read routes (the inbox, the one-click
unsubscribe)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from eventstore.service import ServiceParts, ServiceRuntime
from notify.channels.base import Channel
from notify.channels.email import EmailChannel
from notify.channels.webhook import WebhookChannel
from notify.contacts import Contacts, MembersContacts
from notify.deliveries import DeliveryWorker
from notify.reminders import ReminderWorker

# Settings the runtime may pass in `HostConfig.options`.
CHANNELS = "channels"  # {"email": Channel, "sms": Channel, "webhook": Channel}; tests pass fakes
CONTACTS = "contacts"  # a `notify.contacts.Contacts`; default: the members service's contact endpoint
POLL_SECONDS = "poll_seconds"  # the workers' poll, should nothing wake them
MAX_BOUNCES = "max_bounces"  # mail to an address stops after this many bounces


@dataclass
class NotifyParts(ServiceParts):
    reminders: ReminderWorker
    deliveries: DeliveryWorker
    channels: Mapping[str, Channel] = field(default_factory=dict)

    @classmethod
    async def build(cls, runtime: ServiceRuntime) -> NotifyParts:
        options = runtime.options
        poll = float(options.get(POLL_SECONDS, 30.0))
        contacts: Contacts = options.get(CONTACTS) or MembersContacts.from_env()
        deliveries = DeliveryWorker(runtime.pool, runtime.schema, runtime.clock, {}, contacts,
                                    poll_seconds=poll, max_bounces=int(options.get(MAX_BOUNCES, 3)))
        # The real channels unless the runtime hands others (tests: fakes). SMS needs a provider adapter: passed in.
        deliveries.channels = options.get(CHANNELS) or {
            "email": EmailChannel(), "webhook": WebhookChannel(deliveries.webhook_secret)}
        return cls(runtime, ReminderWorker(runtime.pool, runtime.schema, runtime.clock, poll_seconds=poll),
                   deliveries, deliveries.channels)
