"""The surveys service, declared once: its contract and its handlers. `runtime.service_host` runs it (the
store, the unit of work, the command API, the relay to surveys.events); working days come from the kernel's
calendar (`eventstore.workdays`, the holidays package's schedules)."""

from __future__ import annotations

import contracts  # noqa: F401 - registers every public event type
from contracts.surveys.service import SERVICE
from eventstore.service import ServiceDefinition
from surveys.handlers import HANDLERS
from surveys.parts import SurveysParts

DEFINITION: ServiceDefinition[SurveysParts] = ServiceDefinition(
    contract=SERVICE,
    build=SurveysParts.build,
    handlers=HANDLERS,
)
