"""Members' part in research, inspection and democratic appraisal, as the scorecard counts it."""

from __future__ import annotations

from datetime import date

from pydantic import Field

from contracts.labels import LabeledEnum
from contracts.registry import DomainEvent, event_type
from contracts.topics import SURVEYS


class ResearchKind(LabeledEnum):
    research = ("research", "调查研究")
    inspection = ("inspection", "委员视察")


@event_type("research-participation-recorded", version=1, topic=SURVEYS)
class ResearchParticipationRecorded(DomainEvent):
    """Members took part in a research topic (调研) or an inspection (视察)."""

    activity_id: str
    kind: ResearchKind
    title: str = Field(min_length=1)
    held_on: date
    member_ids: list[str] = Field(min_length=1)


@event_type("appraisal-participation-recorded", version=1, topic=SURVEYS)
class AppraisalParticipationRecorded(DomainEvent):
    """A special supervisor (特约监督员) took part in a democratic appraisal round (民主评议)."""

    appraisal_id: str
    round_id: str
    member_id: str
    unit_id: str
    held_on: date
