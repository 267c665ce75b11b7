"""The surveys contracts keep the platform's rules: every command field bounded, every event accepting what
the command that produces it accepted, every command paired with its handler, and the contracts the members
service scores unchanged."""

from __future__ import annotations

from typing import Any

import pytest
from pydantic import BaseModel

from contracts import clock, topics
from contracts.bounded import not_after_today
from contracts.envelope import Role
from contracts.registry import REGISTRY
from contracts.surveys import commands as c
from contracts.surveys import (
    consultation,
    consultation_plan,
    instructions,
    participation,
    research,
    supervision,
    tracking,
)
from contracts.surveys.appraisal_service import APPRAISAL_COMMANDS
from contracts.surveys.questionnaire_service import QUESTIONNAIRE_COMMANDS
from contracts.surveys.service import SERVICE
from contracts.tests.schemas import models_of, unbounded
from contracts.tests.test_events_accept_what_commands_produce import TODAY, _adapter, _extremes
from surveys.service import DEFINITION

COMMAND_MODELS = [m for m in models_of(c) if m.__name__ != "Command"]

# Each command and what its decider writes from it (services/surveys/domain), with the fields they share
# under other names (command field, event field).
PRODUCES: list[tuple[type[BaseModel], type[BaseModel], dict[str, str]]] = [
    (c.DraftConsultationPlan, consultation_plan.ConsultationPlanDrafted, {}),
    (c.PlanItemInput, consultation_plan.PlanItem, {}),
    (c.AmendConsultationPlan, consultation_plan.ConsultationPlanAmended, {"withdraw_item_ids": "withdrawn_item_ids"}),
    (c.AdoptConsultationPlan, consultation_plan.ConsultationPlanAdopted, {}),
    (c.CarryOverPlanItems, consultation_plan.ConsultationPlanItemsCarriedOver, {}),
    (c.CarryOverPlanItems, consultation_plan.ConsultationPlanDrafted, {"next_plan_title": "title"}),
    (c.ScheduleConsultation, consultation_plan.ConsultationScheduled, {}),
    (c.HoldConsultation, consultation_plan.ConsultationHeld, {}),
    (c.RecordConsultationOutcome, consultation.ConsultationOutcomeRecorded, {}),
    (c.RecordOutcomeInstruction, instructions.ConsultationOutcomeInstructionRecorded, {}),
    (c.RecordConsultationOutcome, tracking.TrackedItemOpened,
     {"outcome_id": "item_id", "consultation_id": "source_id", "text": "summary", "responsible_unit_ids": "unit_ids"}),
    (c.ReportTrackedItemProgress, tracking.TrackedItemProgressReported, {}),
    (c.ReportedMilestone, tracking.Milestone, {}),
    (c.FollowUpTrackedItem, tracking.TrackedItemFollowedUp, {}),
    (c.RecordTrackedItemVerdict, tracking.TrackedItemVerdictRecorded, {}),
    (c.ReopenTrackedItem, tracking.TrackedItemReopened, {}),
    (c.RecordTrackedItemLookback, tracking.TrackedItemLookedBack, {}),
    (c.RecordTrackedItemLookback, tracking.TrackedItemReopened, {}),
    (c.OpenSupervisionTopic, supervision.SupervisionTopicOpened, {}),
    (c.LogSupervisionActivity, supervision.SupervisionActivityLogged, {}),
    (c.ReportSupervision, supervision.SupervisionReported, {"findings": "(counted)"}),
    (c.ReportSupervision, supervision.SupervisionReportRecorded, {}),
    (c.FindingInput, tracking.TrackedItemOpened, {"finding_id": "item_id", "text": "summary"}),
    (c.FindingInput, supervision.SupervisionReported, {}),
    (c.RecordAppraisalParticipation, participation.AppraisalParticipationRecorded, {}),
    (c.PlanResearchTopic, research.ResearchTopicPlanned, {}),
    (c.ApplyForResearchTopic, research.ResearchApplicationRecorded, {}),
    (c.DecideResearchApplication, research.ResearchApplicationDecided, {}),
    (c.FormResearchTeam, research.ResearchTeamFormed, {}),
    (c.LogResearchFieldDay, participation.ResearchParticipationRecorded, {}),
    (c.RecommendationInput, tracking.TrackedItemOpened, {"recommendation_id": "item_id", "text": "summary"}),
    (c.ReportResearch, research.ResearchReported, {}),
]
CASES = [(command, event, name, renamed.get(name, name)) for command, event, renamed in PRODUCES
         for name in sorted(command.model_fields) if renamed.get(name, name) in event.model_fields]


def test_every_command_model_is_in_the_table_and_paired_with_its_handler() -> None:
    assert {m for m, _, _ in PRODUCES} == set(COMMAND_MODELS)
    # Questionnaires and appraisal keep their own tables (test_questionnaire_contracts, test_appraisal_contracts).
    surveys = {cc.model for cc in SERVICE.commands if cc not in QUESTIONNAIRE_COMMANDS and cc not in APPRAISAL_COMMANDS}
    assert surveys == set(COMMAND_MODELS) - {c.PlanItemInput, c.ReportedMilestone, c.FindingInput,
                                             c.RecommendationInput}
    assert set(DEFINITION.handlers) == {cc.name for cc in SERVICE.commands}
    assert (SERVICE.name, SERVICE.port, SERVICE.topic) == ("surveys", 8103, topics.SURVEYS)


@pytest.mark.parametrize("model", COMMAND_MODELS, ids=lambda m: m.__name__)
def test_every_command_field_is_bounded(model: type[BaseModel]) -> None:
    assert list(unbounded(model.model_json_schema())) == []


def test_past_facts_are_past_dates() -> None:
    past = {(m.__name__, n) for m in COMMAND_MODELS for n, f in m.model_fields.items()
            if any(getattr(v, "func", None) is not_after_today for v in f.metadata)}
    assert past == {("AdoptConsultationPlan", "adopted_on"), ("HoldConsultation", "held_on"),
                    ("RecordConsultationOutcome", "sent_on"), ("ReportTrackedItemProgress", "reported_on"),
                    ("ReportedMilestone", "reached_on"), ("FollowUpTrackedItem", "followed_up_on"),
                    ("RecordTrackedItemLookback", "looked_back_on"), ("LogSupervisionActivity", "held_on"),
                    ("ReportSupervision", "reported_on"), ("RecordAppraisalParticipation", "held_on"),
                    ("ApplyForResearchTopic", "applied_on"), ("LogResearchFieldDay", "held_on"),
                    ("ReportResearch", "reported_on"), ("RecordOutcomeInstruction", "instructed_on")}


@pytest.mark.parametrize(("command", "event", "name", "recorded_as"), CASES,
                         ids=[f"{c.__name__}.{n}->{e.__name__}.{r}" for c, e, n, r in CASES])
def test_the_event_field_takes_every_value_the_command_field_took(
        command: type[BaseModel], event: type[BaseModel], name: str, recorded_as: str,
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(clock, "today", lambda: TODAY)
    given, recorded = _adapter(command, name), _adapter(event, recorded_as)
    taken = 0
    for value in _extremes(command, name):
        try:
            accepted = given.validate_python(value)
        except Exception:  # a value the command refuses is no value to copy
            continue
        taken += 1
        dumped: Any = given.dump_python(accepted, mode="json")
        recorded.validate_python(dumped)
    assert taken > 0, "no extreme value of the command's field was valid: the test checked nothing"


def test_the_contracts_the_members_service_scores_are_kept_and_only_grew_optional_fields() -> None:
    # The fields of version 1 as first published; a field added since must have a default, so every event
    # stored before it still reads (no upcaster needed).
    first_published = {
        "consultation-outcome-recorded": {"consultation_id", "held_on", "implementation_due", "kind", "outcome_id",
                                          "participant_member_ids", "sent_to", "title"},
        "supervision-reported": {"findings", "member_ids", "rectification_due", "report_id", "reported_on",
                                 "supervision_id", "topic_title", "unit_ids"},
        "research-participation-recorded": {"activity_id", "held_on", "kind", "member_ids", "title"},
        "appraisal-participation-recorded": {"appraisal_id", "held_on", "member_id", "round_id", "unit_id"},
    }
    fields = {name: REGISTRY.model(name).model_fields for name in first_published}
    for name, published in first_published.items():
        assert published <= set(fields[name]), f"{name} lost a field"
        added = {n: f for n, f in fields[name].items() if n not in published}
        assert all(not f.is_required() for f in added.values()), f"{name} gained a required field"
    assert set(fields["research-participation-recorded"]) - first_published["research-participation-recorded"] == {
        "topic_id"}
    assert REGISTRY.model("consultation-outcome-recorded") is consultation.ConsultationOutcomeRecorded
    assert REGISTRY.model("supervision-reported") is supervision.SupervisionReported
    assert REGISTRY.model("research-participation-recorded") is participation.ResearchParticipationRecorded
    assert all(REGISTRY.current_version(n) == 1 for n in fields)


def test_every_surveys_event_is_on_the_surveys_topic_in_the_past_tense() -> None:
    names = REGISTRY.topics()[topics.SURVEYS]
    assert {"tracked-item-opened", "tracked-item-progress-reported", "tracked-item-followed-up",
            "tracked-item-verdict-recorded", "tracked-item-reopened", "consultation-plan-drafted",
            "consultation-plan-item-recorded", "consultation-plan-adopted", "consultation-plan-amended",
            "consultation-scheduled", "consultation-held", "consultation-outcome-recorded",
            "tracked-item-looked-back", "supervision-topic-opened", "supervision-activity-logged",
            "supervision-reported", "supervision-report-recorded", "appraisal-participation-recorded",
            "research-topic-planned", "research-application-recorded", "research-application-decided",
            "research-team-formed", "research-participation-recorded", "research-reported",
            "consultation-plan-item-held", "consultation-plan-items-carried-over",
            "consultation-outcome-instruction-recorded"} <= set(names)
    assert all(n.rsplit("-", 1)[-1] in {"recorded", "opened", "reported", "up", "reopened", "drafted", "adopted",
                                         "amended", "scheduled", "held", "back", "logged", "planned", "decided",
                                         "formed", "over", "published", "sent", "submitted", "closed", "issued",
                                         "voided"} for n in names)


def test_roles_follow_who_does_the_work() -> None:
    roles = {cc.name: cc.roles for cc in SERVICE.commands}
    assert roles["report-tracked-item-progress"] == {Role.unit_staff}
    assert roles["adopt-consultation-plan"] == {Role.office_staff, Role.leadership}
    assert roles["record-tracked-item-verdict"] == {Role.office_staff}
    # Supervision and research records earn members points: the office keeps them, not members themselves.
    assert all(roles[n] == {Role.office_staff} for n in (
        "carry-over-plan-items", "record-outcome-instruction",
        "record-tracked-item-lookback", "open-supervision-topic", "log-supervision-activity", "report-supervision",
        "record-appraisal-participation", "plan-research-topic", "apply-for-research-topic",
        "decide-research-application", "form-research-team", "log-research-field-day", "report-research"))
    # A member sends only their own questionnaire response.
    assert roles.pop("submit-questionnaire-response") == {Role.member}
    assert all(Role.member not in r and Role.admin not in r for r in roles.values())
