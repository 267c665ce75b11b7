"""Democratic supervision (民主监督): special supervision topics, their activities, and reports whose findings
are rectification requests to departments (each a tracked item of kind `rectification`)."""

from __future__ import annotations

from pydantic import Field

from contracts.bounded import (
    Count,
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


class SupervisionActivityKind(LabeledEnum):
    """How a supervision topic's team works (监督活动)."""

    inspection = ("inspection", "视察检查")
    forum = ("forum", "座谈会")
    hearing = ("hearing", "听证会")
    questionnaire = ("questionnaire", "问卷调查")


@event_type("supervision-topic-opened", version=1, topic=SURVEYS)
class SupervisionTopicOpened(DomainEvent):
    """A special supervision topic (专项民主监督) of the year, on the departments supervised, with its team."""

    supervision_id: RecordedId
    year: RecordedYear
    title: RecordedTitle
    unit_ids: RecordedList[RecordedId] = Field(description="the departments supervised")
    team_member_ids: Roster = Field(default_factory=list)


@event_type("supervision-activity-logged", version=1, topic=SURVEYS)
class SupervisionActivityLogged(DomainEvent):
    """A supervision activity took place (inspection, forum, hearing or questionnaire)."""

    supervision_id: RecordedId
    activity_id: RecordedId
    kind: SupervisionActivityKind
    held_on: RecordedDate
    participant_member_ids: Roster = Field(default_factory=list)
    unit_ids: RecordedList[RecordedId] = Field(default_factory=list)
    summary: RecordedLongText = ""


@event_type("supervision-report-recorded", version=1, topic=SURVEYS)
class SupervisionReportRecorded(DomainEvent):
    """The report's text and the tracked items (one rectification per finding) it opened; `supervision-reported`
    carries what the members service scores."""

    supervision_id: RecordedId
    report_id: RecordedId
    reported_on: RecordedDate
    summary: RecordedLongText
    item_ids: RecordedList[RecordedId] = Field(default_factory=list, description="one rectification per finding")
