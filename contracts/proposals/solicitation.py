"""Solicitation of proposals (提案征集): reference topics published for a submission window."""

from __future__ import annotations

from contracts import topics
from contracts.bounded import (
    BoundedList,
    RecordedDate,
    RecordedListItem,
    RecordedShortText,
    RecordedTitle,
    RecordedYear,
)
from contracts.proposals.common import Id, Value
from contracts.proposals.enums import Category
from contracts.registry import DomainEvent, event_type


class ReferenceTopic(Value):
    """One entry of the reference list (提案征集参考要目)."""

    title: RecordedTitle
    category: Category
    description: RecordedListItem = ""


@event_type("solicitation-published", version=1, topic=topics.PROPOSALS)
class SolicitationPublished(DomainEvent):
    solicitation_id: Id
    year: RecordedYear
    title: RecordedShortText
    topics: BoundedList[ReferenceTopic]
    opens_on: RecordedDate
    closes_on: RecordedDate
