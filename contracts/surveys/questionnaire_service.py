"""Commands of questionnaires (问卷): publish, invite, respond, close. The office runs the questionnaire; a
member sends their own identified response. An anonymous response is not a command: the command API takes
the caller from a login, so it goes to the service's ticket route (`surveys.questionnaire.routes`), with
`questionnaire_commands.SubmitAnonymousResponse` as its body."""

from __future__ import annotations

from contracts.roles import MEMBER, OFFICE
from contracts.service import CommandContract, command
from contracts.surveys import questionnaire_commands as q

QUESTIONNAIRE_COMMANDS: tuple[CommandContract, ...] = (
    command("publish-questionnaire", q.PublishQuestionnaire, OFFICE),
    command("invite-to-questionnaire", q.InviteToQuestionnaire, OFFICE),
    command("submit-questionnaire-response", q.SubmitQuestionnaireResponse, MEMBER),
    command("close-questionnaire", q.CloseQuestionnaire, OFFICE),
)
