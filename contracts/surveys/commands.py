"""Commands of the surveys service, as the HTTP command API accepts them (one JSON body each): the yearly
consultation plan, its sessions and outcomes, democratic supervision topics and their reports, research
topics and their reports, and the tracking every outcome shares with supervision rectifications and research
recommendations.

The actor, the committee and the time are never part of a command: they come from the bearer token and the
service's clock. Ids of new aggregates may be chosen by the client (so a retried call can name the same
aggregate) or are generated. Past facts are `PastDate`s (not after today in China)."""

from __future__ import annotations

from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field

from contracts.bounded import (
    AnyDate,
    BoundedList,
    Count,
    DerivedIdentifier,
    Identifier,
    IdList,
    ListItem,
    LongText,
    OptionalListItem,
    OptionalLongText,
    OrgName,
    PastDate,
    ReasonText,
    Reference,
    Roster,
    ShortText,
    Venue,
    Year,
)
from contracts.surveys.consultation import ConsultationKind
from contracts.surveys.consultation_plan import OutcomeRecipient
from contracts.surveys.research import ResearchTopicKind
from contracts.surveys.supervision import SupervisionActivityKind
from contracts.surveys.tracking import FollowUpMethod, Percent, ProgressStatus, Verdict

NewId = Field(default=None, description="optional; generated if absent")  # with `Identifier | None`
Reason = Field(description="always kept with the decision")  # with `ReasonText`
# The year of a plan: the platform's years (the tighter lower bound is kept, as for proposals).
PlanYear = Annotated[Year, Field(ge=2000)]
# A month of the plan's year: 1-12.
Month = Annotated[Count, Field(ge=1, le=12)]
# Working days until something is due: 1 to 250 (about a year of working days).
WorkingDays = Annotated[Count, Field(ge=1, le=250)]
# The id of a tracked item: a consultation outcome's id today; items other records open may derive theirs.
ItemId = DerivedIdentifier


class Command(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


# ---- the yearly consultation & supervision plan -------------------------------------------------------------

class PlanItemInput(Command):
    """One item of the plan. By kind: a counterpart consultation (对口协商) names `counterpart_unit_id`, a sector
    consultation (界别协商) `sectors`, a proposal-handling consultation (提案办理协商) `proposal_ids`, a grassroots
    consultation (基层协商) `liaison_group`; a topic consultation (专题协商) none of them."""

    item_id: Identifier
    kind: ConsultationKind
    title: ShortText
    lead: OrgName = Field(description="who leads it (牵头), e.g. 经济委员会")
    leader_member_id: Identifier | None = Field(default=None, description="the chair-meeting member leading it")
    participating_unit_ids: IdList = Field(default_factory=list, description="departments taking part")
    planned_month: Month
    counterpart_unit_id: Identifier | None = None
    sectors: BoundedList[Reference] = Field(default_factory=list, description="sectors (界别), e.g. 经济界")
    proposal_ids: IdList = Field(default_factory=list)
    liaison_group: Reference | None = Field(default=None, description="the township liaison group (乡镇政协联络组)")
    notes: OptionalListItem = ""


class DraftConsultationPlan(Command):
    """The office drafts the year's consultation & supervision plan (年度协商监督计划) with its items."""

    year: PlanYear
    title: ShortText
    items: BoundedList[PlanItemInput] = Field(min_length=1)


class AmendConsultationPlan(Command):
    """Add or revise items (by `item_id`) and withdraw others, with the reason; after adoption too."""

    year: PlanYear
    reason: ReasonText = Reason
    items: BoundedList[PlanItemInput] = Field(default_factory=list, description="items added or revised")
    withdraw_item_ids: IdList = Field(default_factory=list)


class AdoptConsultationPlan(Command):
    """The chair meeting (主席会议) adopted the plan."""

    year: PlanYear
    adopted_on: PastDate
    meeting: ShortText = Field(description="e.g. 十六届县政协第十二次主席会议")


class CarryOverPlanItems(Command):
    """Items of the year's adopted plan not held (and not withdrawn) carried over (结转) to next year's plan,
    with the reason. Next year's plan must still be a draft; without one, the carry-over drafts it (titled
    `next_plan_title`, or `<year+1>年度协商监督计划`), so the items wait there for its adoption."""

    year: PlanYear = Field(description="the year whose plan the items are in")
    item_ids: IdList = Field(min_length=1)
    reason: ReasonText = Reason
    next_plan_title: ShortText | None = Field(default=None, description="if next year's plan is drafted by it")


# ---- consultation sessions and their outcomes -----------------------------------------------------------------

class ScheduleConsultation(Command):
    """Schedule a session from an item of the year's adopted plan."""

    consultation_id: Identifier | None = NewId
    year: PlanYear
    item_id: Identifier
    scheduled_on: AnyDate
    venue: Venue = ""
    invited_member_ids: Roster = Field(default_factory=list, description="members invited by name")
    invited_organization_ids: IdList = Field(default_factory=list, description="parties and groups (党派团体)")
    invited_unit_ids: IdList = Field(default_factory=list, description="departments invited")


class HoldConsultation(Command):
    """The session took place. Participants need not have been invited (a member may come in another's place
    or on their own initiative): those not invited by name are recorded as such, not refused."""

    consultation_id: Identifier
    held_on: PastDate
    participant_member_ids: Roster = Field(default_factory=list)
    speaker_member_ids: Roster = Field(default_factory=list, description="members who spoke at it (会上发言)")
    written_opinion_member_ids: Roster = Field(
        default_factory=list, description="members who sent written opinions (书面发言), present or not")
    summary: OptionalListItem = ""


class RecordConsultationOutcome(Command):
    """An outcome of a held session (协商成果/意见), sent to the county party committee and/or government and
    to the departments responsible for it, due in working days; it is tracked until implemented."""

    consultation_id: Identifier
    outcome_id: Identifier | None = NewId
    title: ShortText
    text: LongText
    sent_to: BoundedList[OutcomeRecipient] = Field(default_factory=list)
    sent_on: PastDate
    responsible_unit_ids: IdList = Field(default_factory=list)
    due_working_days: WorkingDays = 60
    parent_outcome_id: Identifier | None = Field(
        default=None, description="an outcome of the same session this one is part of; its progress adds up "
        "from its parts'")
    proposal_ids: IdList = Field(default_factory=list, description="the proposals it grew from")
    opinion_report_ids: IdList = Field(default_factory=list,
                                       description="the public-opinion reports (社情民意信息) it grew from")


class RecordOutcomeInstruction(Command):
    """A county leader's instruction on an outcome (领导批示), as the office received it."""

    consultation_id: Identifier
    outcome_id: Identifier
    instruction_id: Identifier | None = NewId
    leader: ShortText = Field(description="who instructed, e.g. 县委书记王某")
    level: OutcomeRecipient = Field(description="the county party committee or the county government")
    text: LongText
    instructed_on: PastDate


# ---- tracking (成果运用, 跟进督促落实, 整改) -----------------------------------------------------------------

class ReportedMilestone(Command):
    reached_on: PastDate
    text: ListItem


class ReportTrackedItemProgress(Command):
    """A responsible department reports its progress: where it stands on the ladder, how far in percent
    (not started: 0; done: 100), what it did and when."""

    item_id: ItemId
    status: ProgressStatus
    progress: Percent
    text: LongText
    reported_on: PastDate
    milestones: BoundedList[ReportedMilestone] = Field(default_factory=list)


class FollowUpTrackedItem(Command):
    """The office follows up with the departments (跟进督促); without `unit_ids`, with all of them."""

    item_id: ItemId
    method: FollowUpMethod
    followed_up_on: PastDate
    unit_ids: IdList = Field(default_factory=list)
    note: OptionalLongText = ""


class RecordTrackedItemVerdict(Command):
    """The office's verdict, once at least one report has come back: implemented, partly or not."""

    item_id: ItemId
    verdict: Verdict
    notes: OptionalLongText = ""


class ReopenTrackedItem(Command):
    """After a verdict of partly or not, follow-up starts again, due in working days."""

    item_id: ItemId
    reason: ReasonText = Reason
    due_working_days: WorkingDays = 20


class RecordTrackedItemLookback(Command):
    """A look-back (回头看) at an item found implemented: does it hold? Partly or not reopens follow-up, due in
    working days."""

    item_id: ItemId
    outcome: Verdict
    looked_back_on: PastDate
    notes: OptionalLongText = ""
    due_working_days: WorkingDays = 20


# ---- democratic supervision (民主监督) -------------------------------------------------------------------------

class OpenSupervisionTopic(Command):
    """A special supervision topic (专项民主监督) of the year, on the departments supervised, with its team."""

    supervision_id: Identifier | None = NewId
    year: PlanYear
    title: ShortText
    unit_ids: IdList = Field(description="the departments supervised")
    team_member_ids: Roster = Field(default_factory=list, description="the supervisors and members of the team")


class LogSupervisionActivity(Command):
    """A supervision activity took place: an inspection, a forum, a hearing or a questionnaire."""

    supervision_id: Identifier
    activity_id: Identifier | None = NewId
    kind: SupervisionActivityKind
    held_on: PastDate
    participant_member_ids: Roster = Field(default_factory=list)
    unit_ids: IdList = Field(default_factory=list, description="the supervised departments it concerned")
    summary: OptionalLongText = ""


class FindingInput(Command):
    """A finding of the report, and the rectification it asks of the departments named (整改), due in working
    days; it is tracked as its own item `<report_id>.<finding_id>`."""

    finding_id: Identifier
    title: ShortText
    text: LongText
    unit_ids: IdList = Field(default_factory=list, description="the departments asked to rectify")
    due_working_days: WorkingDays = 60


class ReportSupervision(Command):
    """The topic's supervision report (监督报告) with its findings, sent to the departments on `sent_on`."""

    supervision_id: Identifier
    report_id: Identifier | None = NewId
    reported_on: PastDate
    summary: LongText
    findings: BoundedList[FindingInput] = Field(default_factory=list)


class RecordAppraisalParticipation(Command):
    """A special supervisor (特约监督员) took part in a round of a department's democratic appraisal (民主评议)."""

    appraisal_id: Identifier
    round_id: Identifier
    member_id: Identifier
    unit_id: Identifier
    held_on: PastDate


# ---- research and inspection (调查研究, 委员视察) --------------------------------------------------------------

class PlanResearchTopic(Command):
    """A research topic of the year (调研课题): research, experiential research or embedded inspection."""

    topic_id: Identifier | None = NewId
    year: PlanYear
    title: ShortText
    kind: ResearchTopicKind
    open_for_application: bool = Field(default=True, description="parties and groups may apply for it")


class ApplyForResearchTopic(Command):
    """A party or group (党派团体) applies to take on the topic (申报调研课题); the office records it."""

    topic_id: Identifier
    application_id: Identifier | None = NewId
    organization_id: Identifier
    applied_on: PastDate
    plan: OptionalLongText = ""


class DecideResearchApplication(Command):
    """The office approves an application (the topic is then taken) or declines it, with the reason."""

    topic_id: Identifier
    application_id: Identifier
    approved: bool
    reason: ReasonText = Reason


class FormResearchTeam(Command):
    """The topic's team: members and the organizations taking part."""

    topic_id: Identifier
    member_ids: Roster = Field(min_length=1)
    organization_ids: IdList = Field(default_factory=list)


class LogResearchFieldDay(Command):
    """A field day (调研/视察) of the topic, with the team members who took part."""

    topic_id: Identifier
    activity_id: Identifier | None = NewId
    held_on: PastDate
    member_ids: Roster = Field(min_length=1)
    summary: OptionalLongText = ""


class RecommendationInput(Command):
    """A recommendation of the report, sent to the departments named, due in working days; tracked as its own
    item `<report_id>.<recommendation_id>`."""

    recommendation_id: Identifier
    title: ShortText
    text: LongText
    unit_ids: IdList = Field(default_factory=list, description="the departments it is sent to")
    due_working_days: WorkingDays = 60


class ReportResearch(Command):
    """The topic's research (or inspection) report with its recommendations (调研报告, 视察报告)."""

    topic_id: Identifier
    report_id: Identifier | None = NewId
    reported_on: PastDate
    summary: LongText
    recommendations: BoundedList[RecommendationInput] = Field(default_factory=list)
