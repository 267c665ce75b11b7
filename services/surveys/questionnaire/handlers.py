"""Handlers of the questionnaire commands (contracts.surveys.questionnaire_service)."""

from __future__ import annotations

from eventstore.service import Handler
from surveys.parts import SurveysParts

QUESTIONNAIRE_HANDLERS: dict[str, Handler[SurveysParts]] = {}
