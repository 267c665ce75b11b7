"""Members' part in research, inspection and democratic appraisal, as the scorecard counts it."""

from __future__ import annotations

from pydantic import Field

from contracts.bounded import RecordedDate, RecordedId, RecordedTitle, Roster
from contracts.labels import LabeledEnum
from contracts.registry import DomainEvent, event_type
from contracts.topics import SURVEYS

# Members named are the members service's registered ids (`Roster`: the registry's pattern, up to the whole
# committee); other ids are `RecordedId`: the commands that will write them (supervision, research) are not written yet.


class ResearchKind(LabeledEnum):
    research = ("research", "调查研究")
    inspection = ("inspection", "委员视察")


@event_type("research-participation-recorded", version=1, topic=SURVEYS)
class ResearchParticipationRecorded(DomainEvent):
    """Members took part in a research topic (调研) or an inspection (视察)."""

    activity_id: RecordedId
    # The research topic the field day belongs to. Absent only on events recorded before it was added
    # (then the topic is the event's stream, `researchTopic-<committee>-<topic>`).
    topic_id: RecordedId | None = None
    kind: ResearchKind
    title: RecordedTitle
    held_on: RecordedDate
    member_ids: Roster = Field(min_length=1)


@event_type("appraisal-participation-recorded", version=1, topic=SURVEYS)
class AppraisalParticipationRecorded(DomainEvent):
    """A special supervisor (特约监督员) took part in a democratic appraisal round (民主评议)."""

    appraisal_id: RecordedId
    round_id: RecordedId
    member_id: RecordedId
    unit_id: RecordedId
    held_on: RecordedDate
