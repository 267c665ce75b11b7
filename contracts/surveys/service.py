"""The surveys service as the platform sees it: the yearly consultation & supervision plan, consultation
sessions and their outcomes, and the tracking of outcomes to implementation — its commands, who may send
each, and its topic.

Office staff run the plan, schedule and record; the chair meeting's adoption is recorded by leadership or by
the office for it; the departments' staff report progress on the items sent to their own unit (the decider
checks the unit); leaders may follow up as the office does (领导督办)."""

from contracts import topics
from contracts.roles import OFFICE, OFFICE_OR_LEADERSHIP, UNIT
from contracts.service import ServiceContract, command
from contracts.surveys import commands as c

COMMANDS = (
    command("draft-consultation-plan", c.DraftConsultationPlan, OFFICE),
    command("amend-consultation-plan", c.AmendConsultationPlan, OFFICE),
    command("adopt-consultation-plan", c.AdoptConsultationPlan, OFFICE_OR_LEADERSHIP),
    command("schedule-consultation", c.ScheduleConsultation, OFFICE),
    command("hold-consultation", c.HoldConsultation, OFFICE),
    command("record-consultation-outcome", c.RecordConsultationOutcome, OFFICE),
    command("report-tracked-item-progress", c.ReportTrackedItemProgress, UNIT),
    command("follow-up-tracked-item", c.FollowUpTrackedItem, OFFICE_OR_LEADERSHIP),
    command("record-tracked-item-verdict", c.RecordTrackedItemVerdict, OFFICE),
    command("reopen-tracked-item", c.ReopenTrackedItem, OFFICE),
)

SERVICE = ServiceContract("surveys", 8103, topics.SURVEYS, COMMANDS,
                          "consultation plan, sessions and outcomes; outcomes tracked to implementation")
