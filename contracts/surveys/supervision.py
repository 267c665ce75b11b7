"""Democratic supervision (民主监督): special supervision reports with rectification requests to departments."""

from __future__ import annotations

from pydantic import Field

from contracts.bounded import Count, RecordedDate, RecordedId, RecordedList, RecordedTitle, Roster
from contracts.registry import DomainEvent, event_type
from contracts.topics import SURVEYS

# Members named are the members service's registered ids (`Roster`: the registry's pattern, up to the whole
# committee); other ids are `RecordedId`: the commands that will write them (supervision, research) are not written yet.


@event_type("supervision-reported", version=1, topic=SURVEYS)
class SupervisionReported(DomainEvent):
    """A supervision activity's report (专项民主监督) with findings and rectification requests (整改)."""

    supervision_id: RecordedId
    report_id: RecordedId
    topic_title: RecordedTitle
    reported_on: RecordedDate
    member_ids: Roster = Field(default_factory=list, description="supervisors and members who took part")
    unit_ids: RecordedList[RecordedId] = Field(default_factory=list, description="departments asked to rectify")
    findings: Count = 0
    rectification_due: RecordedDate | None = None
