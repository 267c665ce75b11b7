"""Commands of the surveys service, as the HTTP command API accepts them (one JSON body each): the yearly
consultation plan, its sessions and outcomes, and the tracking every outcome shares with supervision
rectifications and research recommendations.

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


# ---- consultation sessions and their outcomes -----------------------------------------------------------------

class ScheduleConsultation(Command):
    """Schedule a session from an item of the year's adopted plan."""

    consultation_id: Identifier | None = NewId
    year: PlanYear
    item_id: Identifier
    scheduled_on: AnyDate
    venue: Venue = ""


class HoldConsultation(Command):
    """The session took place."""

    consultation_id: Identifier
    held_on: PastDate
    participant_member_ids: Roster = Field(default_factory=list)
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
