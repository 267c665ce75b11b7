"""Commands of questionnaires (问卷): publish, invite, respond, close."""

from __future__ import annotations

from contracts.service import CommandContract

QUESTIONNAIRE_COMMANDS: tuple[CommandContract, ...] = ()
