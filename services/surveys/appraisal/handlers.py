"""Handlers of the appraisal commands (contracts.surveys.appraisal_service)."""

from __future__ import annotations

from eventstore.service import Handler
from surveys.parts import SurveysParts

APPRAISAL_HANDLERS: dict[str, Handler[SurveysParts]] = {}
