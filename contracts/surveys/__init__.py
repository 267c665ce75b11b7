"""Events of the surveys service (`surveys.internal`; public forms: `public.py`): consultation, supervision and
appraisal, research and inspection, and the outcome tracking they share. The members service scores the
participation and supervision events; they and `consultation-outcome-recorded` keep their type names and fields.

Modules: `consultation` (outcomes), `consultation_plan` (the yearly plan and its sessions), `tracking`
(one tracked item's life: sent, reported, followed up, verdict, reopened), `instructions` (county leaders'
instructions on an outcome), `supervision` (topics, activities, reports), `research` (topics, applications,
teams, reports), `participation`, `questionnaire` (questionnaires: form in `questionnaire_form`,
commands in `questionnaire_commands`), `appraisal` (secret-ballot appraisal rounds; canonical ballots and
boards in `appraisal_board`, commands in `appraisal_commands`);
`commands` and `service` are the service's command models and contract."""

from contracts.surveys import (
    appraisal,
    consultation,
    consultation_plan,
    instructions,
    participation,
    questionnaire,
    research,
    supervision,
    tracking,
)

__all__ = ["appraisal", "consultation", "consultation_plan", "instructions", "participation", "questionnaire",
           "research", "supervision", "tracking"]
