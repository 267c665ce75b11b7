"""The surveys service, declared once: its contract and its handlers. `runtime.service_host` runs it (the
store, the unit of work, the command API, the relay to surveys.internal). Working days (rectification and
outcome due dates) are counted on the committee's calendar as its office recorded it in the proposals service:
the kernel's `holiday-calendar` consumer keeps those schedules here, and the deciders read them from it."""

from __future__ import annotations

import contracts  # noqa: F401 - registers every public event type
from contracts.surveys.service import SERVICE
from eventstore.holiday_calendar import holiday_calendar_consumer, recorded_calendar
from eventstore.service import ServiceDefinition
from surveys.appraisal.handlers import APPRAISAL_HANDLERS
from surveys.handlers import HANDLERS
from surveys.parts import SurveysParts
from surveys.questionnaire.handlers import QUESTIONNAIRE_HANDLERS

DEFINITION: ServiceDefinition[SurveysParts] = ServiceDefinition(
    contract=SERVICE,
    build=SurveysParts.build,
    handlers={**HANDLERS, **APPRAISAL_HANDLERS, **QUESTIONNAIRE_HANDLERS},
    consumers=(holiday_calendar_consumer(),),
    calendar=recorded_calendar,
)
