"""Research and inspection (调查研究, 委员视察): the year's research topics, parties' and groups' applications for
them (党派团体申报调研课题), the team, and the report whose recommendations are tracked items of kind
`research_recommendation`. Field days are `research-participation-recorded` (`participation`), which the
members service scores."""

from __future__ import annotations

from pydantic import Field

from contracts.bounded import (
    RecordedDate,
    RecordedId,
    RecordedList,
    RecordedLongText,
    RecordedTitle,
    RecordedYear,
    Roster,
)
from contracts.labels import LabeledEnum
from contracts.registry import DomainEvent, event_type
from contracts.surveys.participation import ResearchKind
from contracts.topics import SURVEYS


class ResearchTopicKind(LabeledEnum):
    research = ("research", "调研")
    experiential = ("experiential", "体验式调研")
    embedded_inspection = ("embedded_inspection", "融入性视察")

    @property
    def participation(self) -> ResearchKind:
        """How the scorecard counts a field day of the topic: research, or inspection."""
        return ResearchKind.inspection if self is ResearchTopicKind.embedded_inspection else ResearchKind.research


@event_type("research-topic-planned", version=1, topic=SURVEYS)
class ResearchTopicPlanned(DomainEvent):
    topic_id: RecordedId
    year: RecordedYear
    title: RecordedTitle
    kind: ResearchTopicKind
    open_for_application: bool = True


@event_type("research-application-recorded", version=1, topic=SURVEYS)
class ResearchApplicationRecorded(DomainEvent):
    """A party or group applied for the topic."""

    topic_id: RecordedId
    application_id: RecordedId
    organization_id: RecordedId
    applied_on: RecordedDate
    plan: RecordedLongText = ""


@event_type("research-application-decided", version=1, topic=SURVEYS)
class ResearchApplicationDecided(DomainEvent):
    """The office approved the application (the organization takes the topic on) or declined it."""

    topic_id: RecordedId
    application_id: RecordedId
    organization_id: RecordedId
    approved: bool
    reason: RecordedLongText
    decided_on: RecordedDate


@event_type("research-team-formed", version=1, topic=SURVEYS)
class ResearchTeamFormed(DomainEvent):
    topic_id: RecordedId
    member_ids: Roster
    organization_ids: RecordedList[RecordedId] = Field(default_factory=list)


@event_type("research-reported", version=1, topic=SURVEYS)
class ResearchReported(DomainEvent):
    """The topic's report and the tracked items (one per recommendation) it opened."""

    topic_id: RecordedId
    report_id: RecordedId
    reported_on: RecordedDate
    summary: RecordedLongText
    item_ids: RecordedList[RecordedId] = Field(default_factory=list, description="one per recommendation")
