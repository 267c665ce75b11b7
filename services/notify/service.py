"""The notify service, declared once: the intake consumer over the public topics (facts -> notifications
by the committee's rules, reminders scheduled and cancelled), the reminder and delivery workers, the inbox
commands and routes, the one-click unsubscribe. `runtime.service_host` runs it (the store, the unit of work,
the command API, the relay to notify.internal, the consumer with its inbox and DLQ)."""

from __future__ import annotations

import contracts  # noqa: F401 - registers every public event type
from contracts import topics
from contracts.notify.service import SERVICE
from eventstore.holiday_calendar import holiday_calendar_consumer, recorded_calendar
from eventstore.service import ServiceDefinition, TopicConsumer
from notify.handlers import HANDLERS
from notify.intake import Intake, consumed_types
from notify.parts import NotifyParts
from notify.routes import Routes
from notify.tables import install

DEFINITION: ServiceDefinition[NotifyParts] = ServiceDefinition(
    contract=SERVICE,
    build=NotifyParts.build,
    handlers=HANDLERS,
    consumers=(
        TopicConsumer("intake", "notify: notifications and reminders from the proposals, members and surveys topics",
                      topics=(topics.PROPOSALS, topics.MEMBERS, topics.SURVEYS), make=Intake,
                      types=consumed_types()),
        # The committee's recorded holiday schedules, so reminders count the proposals service's working days.
        holiday_calendar_consumer(),
    ),
    workers=lambda parts: [parts.reminders, parts.deliveries],
    routes=lambda parts: Routes(parts.schema, parts.uow, parts.runtime.authenticate).routes(),
    install=install,
    calendar=recorded_calendar,
)
