"""Solicitation of proposals (提案征集): reference topics published for a submission window."""

from __future__ import annotations

from datetime import date

from pydantic import Field

from contracts import topics
from contracts.proposals.common import Id, Value
from contracts.proposals.enums import Category
from contracts.registry import DomainEvent, event_type


class ReferenceTopic(Value):
    """One entry of the reference list (提案征集参考要目)."""

    title: str = Field(min_length=1)
    category: Category
    description: str = ""


@event_type("solicitation-published", version=1, topic=topics.PROPOSALS)
class SolicitationPublished(DomainEvent):
    solicitation_id: Id
    year: int
    title: str
    topics: list[ReferenceTopic]
    opens_on: date
    closes_on: date
