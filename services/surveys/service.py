"""The surveys service, declared once: its contract and its handlers. `runtime.service_host` runs it (the
store, the unit of work, the command API, the relay to surveys.internal). Working days (rectification and
outcome due dates) are counted on the committee's calendar as its office recorded it in the proposals service:
the kernel's `holiday-calendar` consumer keeps those schedules here, and the deciders read them from it. The
appraisal keeps its ballot box and sealed boards in tables of its own (`surveys.appraisal.box`)."""

from __future__ import annotations

import asyncpg

import contracts  # noqa: F401 - registers every public event type
from contracts.surveys.service import SERVICE
from eventstore.holiday_calendar import holiday_calendar_consumer, recorded_calendar
from eventstore.service import ServiceDefinition
from surveys.appraisal.box import install as install_appraisal
from surveys.appraisal.handlers import APPRAISAL_HANDLERS
from surveys.appraisal.routes import AppraisalRoutes
from surveys.handlers import HANDLERS
from surveys.parts import SurveysParts
from surveys.questionnaire.handlers import QUESTIONNAIRE_HANDLERS
from surveys.questionnaire.routes import QuestionnaireRoutes
from surveys.questionnaire.tables import install as install_questionnaires


async def _install(conn: asyncpg.Connection, schema: str) -> None:
    await install_appraisal(conn, schema)
    await install_questionnaires(conn, schema)


DEFINITION: ServiceDefinition[SurveysParts] = ServiceDefinition(
    contract=SERVICE,
    build=SurveysParts.build,
    handlers={**HANDLERS, **APPRAISAL_HANDLERS, **QUESTIONNAIRE_HANDLERS},
    consumers=(holiday_calendar_consumer(),),
    calendar=recorded_calendar,
    # The appraisal's ballot box and sealed boards, and its routes (credentials, casting, board, tally).
    # Questionnaires: their responses, tickets by hash, and routes (form, results, export, ticket, anonymous response).
    routes=lambda parts: [*AppraisalRoutes(parts).routes(), *QuestionnaireRoutes(parts).routes()],
    install=lambda conn, schema: _install(conn, schema),
)
