"""Democratic supervision (民主监督): special supervision reports with rectification requests to departments."""

from __future__ import annotations

from datetime import date

from pydantic import Field

from contracts.registry import DomainEvent, event_type
from contracts.topics import SURVEYS


@event_type("supervision-reported", version=1, topic=SURVEYS)
class SupervisionReported(DomainEvent):
    """A supervision activity's report (专项民主监督) with findings and rectification requests (整改)."""

    supervision_id: str
    report_id: str
    topic_title: str = Field(min_length=1)
    reported_on: date
    member_ids: list[str] = Field(default_factory=list, description="supervisors and members who took part")
    unit_ids: list[str] = Field(default_factory=list, description="departments asked to rectify")
    findings: int = Field(ge=0, default=0)
    rectification_due: date | None = None
