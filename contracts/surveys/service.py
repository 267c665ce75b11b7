"""The surveys service as the platform sees it: the yearly consultation & supervision plan, consultation
sessions and their outcomes, democratic supervision topics and research topics with their reports, and the
tracking of outcomes, rectifications and recommendations to implementation — its commands, who may send
each, and its topic.

Office staff run the plan (carrying items over to next year too), schedule and record, and record the
county leaders' instructions on outcomes; the chair meeting's adoption is recorded by leadership or by
the office for it; the departments' staff report progress on the items sent to their own unit (the decider
checks the unit); leaders may follow up as the office does (领导督办)."""

from contracts import topics
from contracts.roles import OFFICE, OFFICE_OR_LEADERSHIP, UNIT
from contracts.service import ServiceContract, command
from contracts.surveys import commands as c
from contracts.surveys.appraisal_service import APPRAISAL_COMMANDS
from contracts.surveys.questionnaire_service import QUESTIONNAIRE_COMMANDS

COMMANDS = (
    command("draft-consultation-plan", c.DraftConsultationPlan, OFFICE),
    command("amend-consultation-plan", c.AmendConsultationPlan, OFFICE),
    command("adopt-consultation-plan", c.AdoptConsultationPlan, OFFICE_OR_LEADERSHIP),
    command("carry-over-plan-items", c.CarryOverPlanItems, OFFICE),
    command("schedule-consultation", c.ScheduleConsultation, OFFICE),
    command("hold-consultation", c.HoldConsultation, OFFICE),
    command("record-consultation-outcome", c.RecordConsultationOutcome, OFFICE, backdatable=True),
    # The office records the leaders' instructions as they come back on its outcomes (leaders have accounts as
    # the committee's own leadership, not the county's).
    command("record-outcome-instruction", c.RecordOutcomeInstruction, OFFICE),
    command("report-tracked-item-progress", c.ReportTrackedItemProgress, UNIT),
    command("follow-up-tracked-item", c.FollowUpTrackedItem, OFFICE_OR_LEADERSHIP, backdatable=True),
    command("record-tracked-item-verdict", c.RecordTrackedItemVerdict, OFFICE, backdatable=True),
    command("reopen-tracked-item", c.ReopenTrackedItem, OFFICE),
    command("record-tracked-item-lookback", c.RecordTrackedItemLookback, OFFICE, backdatable=True),
    # Supervision and research: the office runs topics, records reports, decides applications. Activities,
    # field days and appraisal participation are logged by the office too, not by members for themselves:
    # they earn scorecard points (the members service scores them), so the office records them from its
    # sign-in sheets, as it records meeting attendance. Parties and groups have no accounts: the office
    # records their applications.
    command("open-supervision-topic", c.OpenSupervisionTopic, OFFICE),
    command("log-supervision-activity", c.LogSupervisionActivity, OFFICE, backdatable=True),
    command("report-supervision", c.ReportSupervision, OFFICE, backdatable=True),
    command("record-appraisal-participation", c.RecordAppraisalParticipation, OFFICE),
    command("plan-research-topic", c.PlanResearchTopic, OFFICE),
    command("apply-for-research-topic", c.ApplyForResearchTopic, OFFICE),
    command("decide-research-application", c.DecideResearchApplication, OFFICE),
    command("form-research-team", c.FormResearchTeam, OFFICE),
    command("log-research-field-day", c.LogResearchFieldDay, OFFICE, backdatable=True),
    command("report-research", c.ReportResearch, OFFICE, backdatable=True),
    *APPRAISAL_COMMANDS,
    *QUESTIONNAIRE_COMMANDS,
)

SERVICE = ServiceContract("surveys", 8103, topics.SURVEYS, COMMANDS,
                          "consultation, supervision and research; their outcomes tracked to implementation")
