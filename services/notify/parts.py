"""The notify service's own parts, built once from the kernel's pieces: the reminder worker, the delivery
worker with its channels and the contact lookup, and the read routes (the inbox, the one-click
unsubscribe)."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field

from eventstore.service import ServiceParts, ServiceRuntime
from notify.channels.aliyun_sms import AliyunSmsProvider
from notify.channels.base import Channel
from notify.channels.email import EmailChannel
from notify.channels.settings import SmsSettings, sms_provider
from notify.channels.sms import SmsChannel
from notify.channels.webhook import SecretLookup, WebhookChannel
from notify.contacts import Contacts, MembersContacts
from notify.deliveries import DeliveryWorker
from notify.reminders import ReminderWorker

# Settings the runtime may pass in `HostConfig.options`.
CHANNELS = "channels"  # {"email": Channel, "sms": Channel, "webhook": Channel}; default `real_channels`
CONTACTS = "contacts"  # a `notify.contacts.Contacts`; default: the members service's contact endpoint
POLL_SECONDS = "poll_seconds"  # the workers' poll, should nothing wake them
MAX_BOUNCES = "max_bounces"  # mail to an address stops after this many bounces
SENDERS = "senders"  # messages in flight at once (default: YIZHENG_NOTIFY_SENDERS, else 4)


def _senders(options: Mapping[str, object]) -> int:
    raw = options.get(SENDERS) or os.environ.get("YIZHENG_NOTIFY_SENDERS", "").strip() or 4
    try:
        return max(1, int(str(raw)))
    except ValueError:
        raise ValueError(f"YIZHENG_NOTIFY_SENDERS={raw!r} is not a whole number") from None


def real_channels(webhook_secret: SecretLookup) -> dict[str, Channel]:
    """Email to the SMTP relay, webhooks, and SMS through the configured provider: in development the
    Aliyun-shaped request to the local SMS sink `yizheng run` starts, in production Aliyun SMS with the
    credentials it requires (settings read now, so a production without them refuses to start)."""
    channels: dict[str, Channel] = {"email": EmailChannel(), "webhook": WebhookChannel(webhook_secret)}
    if sms_provider() == "aliyun":
        config = SmsSettings.from_env()
        channels["sms"] = SmsChannel(AliyunSmsProvider(config), config)
    return channels


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
        deliveries = DeliveryWorker(runtime.pool, runtime.schema, runtime.clock, {}, contacts, store=runtime.store,
                                    poll_seconds=poll, max_bounces=int(options.get(MAX_BOUNCES, 3)),
                                    senders=_senders(options))
        # The real channels unless the runtime hands others (tests: fakes).
        deliveries.channels = options.get(CHANNELS) or real_channels(deliveries.webhook_secret)
        return cls(runtime, ReminderWorker(runtime.pool, runtime.schema, runtime.clock, poll_seconds=poll),
                   deliveries, deliveries.channels)
