"""Duty records that are one fact each: training, charity, awards, liaison visits (streams
`training-{committee}-{id}`, `charity-…`, `award-…`, `liaisonVisit-…`). Recorded by office staff, once per id,
for active members who had joined by the record's date."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from contracts.members.commands import GrantAward, RecordCharity, RecordLiaisonVisit, RecordTraining
from contracts.members.duty import AwardGranted, CharityRecorded, TrainingRecorded
from contracts.members.organization import LiaisonVisitRecorded
from contracts.registry import DomainEvent
from eventstore.decider import Decider
from eventstore.errors import DomainError
from eventstore.issued import Issued
from members.domain.common import (
    no_duplicates,
    require_active_members,
    require_joined_by,
    require_not_future,
    require_office,
)
from members.streams import RECORDS


def _members_on(issued: Issued[Any], member_ids: list[str], field: str, day_field: str) -> None:
    """The members a record names: each once, registered, active, and a member by the record's date."""
    ids = no_duplicates(member_ids, "member", field)
    require_active_members(issued, ids, field)
    require_joined_by(issued, ids, getattr(issued.command, day_field), day_field, field)


def _decide(recorded: bool, issued: Issued[Any]) -> Sequence[DomainEvent]:
    b = issued.command
    require_office(issued, "recording duty activities")
    if recorded:
        _, id_field = RECORDS[type(b)]
        raise DomainError("already_recorded", "this record id is already used", fields=[id_field])
    if isinstance(b, RecordTraining):
        require_not_future(issued, b.held_on, "held_on", "a training")
        _members_on(issued, b.member_ids, "member_ids", "held_on")
        return [TrainingRecorded(**b.model_dump())]
    if isinstance(b, RecordCharity):
        require_not_future(issued, b.done_on, "done_on", "a charity activity")
        _members_on(issued, b.member_ids, "member_ids", "done_on")
        return [CharityRecorded(**b.model_dump())]
    if isinstance(b, GrantAward):
        require_not_future(issued, b.granted_on, "granted_on", "an award")
        if not b.member_ids and not b.organization_ids:
            raise DomainError("award_needs_recipient", "an award goes to members or organizations",
                              fields=["member_ids", "organization_ids"])
        _members_on(issued, b.member_ids, "member_ids", "granted_on")
        return [AwardGranted(**b.model_dump())]
    if isinstance(b, RecordLiaisonVisit):
        require_not_future(issued, b.visited_on, "visited_on", "a liaison visit")
        if (b.contact_id is None) == (b.visited_member_id is None):
            raise DomainError("visit_one_target", "a liaison visit is to one contact or one member's enterprise",
                              fields=["contact_id", "visited_member_id"])
        _members_on(issued, b.visitor_member_ids, "visitor_member_ids", "visited_on")
        return [LiaisonVisitRecorded(**b.model_dump())]
    raise TypeError(type(b).__name__)


def _evolve(recorded: bool, event: DomainEvent) -> bool:
    return True


record = Decider[bool, Issued[Any]](lambda: False, _decide, _evolve)
