"""The yearly consultation & supervision plan (年度协商监督计划) and the consultation sessions held from it.

A plan is the committee's plan of one year: drafted by the office with its items, adopted by the chair meeting
(主席会议), amended with a reason. A session is scheduled from an item of an adopted plan and held; its outcomes
are `consultation-outcome-recorded` (contracts.surveys.consultation), each tracked to implementation
(contracts.surveys.tracking). Members and departments appear by id only."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from contracts.bounded import (
    BoundedList,
    Count,
    RecordedDate,
    RecordedId,
    RecordedList,
    RecordedListItem,
    RecordedLongText,
    RecordedShortText,
    RecordedTitle,
    RecordedYear,
    Roster,
)
from contracts.labels import LabeledEnum
from contracts.registry import DomainEvent, event_type
from contracts.surveys.consultation import ConsultationKind
from contracts.topics import SURVEYS


class OutcomeRecipient(LabeledEnum):
    """Where a consultation outcome (协商成果) is sent; the values are what `consultation-outcome-recorded`
    carries in `sent_to`."""

    county_party_committee = ("county_party_committee", "县委")
    county_government = ("county_government", "县政府")


class PlanItem(BaseModel):
    """One item of the plan, as recorded. Which of the kind's fields are filled depends on the kind: a
    counterpart consultation names its department, a sector consultation its sectors, a proposal-handling
    consultation its proposals, a grassroots consultation its township liaison group."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    item_id: RecordedId
    kind: ConsultationKind
    title: RecordedTitle
    lead: RecordedShortText = Field(description="who leads it (牵头), e.g. a special committee")
    leader_member_id: RecordedId | None = Field(default=None, description="the chair-meeting member leading it")
    participating_unit_ids: RecordedList[RecordedId] = Field(default_factory=list)
    planned_month: Count = Field(description="1-12, in the plan's year")
    counterpart_unit_id: RecordedId | None = None
    sectors: RecordedList[RecordedShortText] = Field(default_factory=list)
    proposal_ids: RecordedList[RecordedId] = Field(default_factory=list)
    liaison_group: RecordedShortText | None = None
    notes: RecordedListItem = ""
    carried_over_from: RecordedYear | None = Field(
        default=None, description="the year whose plan it was carried over from (结转), if it was")


@event_type("consultation-plan-drafted", version=1, topic=SURVEYS)
class ConsultationPlanDrafted(DomainEvent):
    """The office drafted the plan of a year; its items follow as `consultation-plan-item-recorded`."""

    year: RecordedYear
    title: RecordedTitle


@event_type("consultation-plan-item-recorded", version=1, topic=SURVEYS)
class ConsultationPlanItemRecorded(DomainEvent):
    """An item of the plan as drafted or amended (it replaces an earlier record of the same item id)."""

    year: RecordedYear
    amendment: Count = Field(description="0 in the draft, else the amendment that recorded it")
    item: PlanItem


@event_type("consultation-plan-adopted", version=1, topic=SURVEYS)
class ConsultationPlanAdopted(DomainEvent):
    """The chair meeting adopted the plan (主席会议审议通过)."""

    year: RecordedYear
    adopted_on: RecordedDate
    meeting: RecordedShortText = Field(description="the chair meeting that adopted it")
    item_ids: RecordedList[RecordedId]


@event_type("consultation-plan-amended", version=1, topic=SURVEYS)
class ConsultationPlanAmended(DomainEvent):
    """The plan was amended, with the reason kept; recorded items follow as `consultation-plan-item-recorded`."""

    year: RecordedYear
    amendment: Count
    reason: RecordedLongText
    after_adoption: bool
    recorded_item_ids: RecordedList[RecordedId] = Field(default_factory=list)
    withdrawn_item_ids: RecordedList[RecordedId] = Field(default_factory=list)


@event_type("consultation-scheduled", version=1, topic=SURVEYS)
class ConsultationScheduled(DomainEvent):
    """A consultation session was scheduled from an item of the adopted plan (the item as it stood then)."""

    consultation_id: RecordedId
    year: RecordedYear
    item: PlanItem
    scheduled_on: RecordedDate
    venue: RecordedShortText = ""
    invited_member_ids: Roster = Field(default_factory=list, description="members invited by name")
    # The command's bound (50 each), not the looser recorded one: the event carries a plan item and a roster
    # already, and its worst case must stay under the largest proposal's (contracts/tests/test_message_size.py).
    invited_organization_ids: BoundedList[RecordedId] = Field(
        default_factory=list, description="parties and groups (党派团体) invited")
    invited_unit_ids: BoundedList[RecordedId] = Field(default_factory=list, description="departments invited")


@event_type("consultation-held", version=1, topic=SURVEYS)
class ConsultationHeld(DomainEvent):
    """The session took place, with the members who took part, those who spoke at it and those who sent
    written opinions (the members service scores the last two; attending earns nothing by itself, as at any
    meeting). Speakers are among the participants; a written opinion may come from a member not present."""

    consultation_id: RecordedId
    held_on: RecordedDate
    participant_member_ids: Roster = Field(default_factory=list)
    speaker_member_ids: Roster = Field(default_factory=list)
    written_opinion_member_ids: Roster = Field(default_factory=list)
    summary: RecordedListItem = ""
    uninvited_participant_ids: Roster = Field(
        default_factory=list, description="participants the session had not invited by name (it invited some)")


@event_type("consultation-plan-item-held", version=1, topic=SURVEYS)
class ConsultationPlanItemHeld(DomainEvent):
    """On the plan's stream, with `consultation-held`: a session of the item was held, so the plan knows its
    items done (an item held is not carried over to next year)."""

    year: RecordedYear
    item_id: RecordedId
    consultation_id: RecordedId
    held_on: RecordedDate


@event_type("consultation-plan-items-carried-over", version=1, topic=SURVEYS)
class ConsultationPlanItemsCarriedOver(DomainEvent):
    """Items of the plan of `year`, not held, carried over (结转) to the plan of `to_year`, with the reason.
    Recorded on both plans' streams; on the next year's it is followed by the items as recorded there
    (`consultation-plan-item-recorded`, each `carried_over_from` this year)."""

    year: RecordedYear = Field(description="the year the items were planned in")
    to_year: RecordedYear
    item_ids: RecordedList[RecordedId]
    reason: RecordedLongText
    carried_on: RecordedDate
