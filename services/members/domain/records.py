"""Duty records that are one fact each: training, charity, awards, liaison visits (streams
`training:…`, `charity:…`, `award:…`, `liaison-visit:…`). Recorded by office staff, once per id."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

from pydantic import BaseModel

from contracts.members.commands import GrantAward, RecordCharity, RecordLiaisonVisit, RecordTraining
from contracts.members.duty import AwardGranted, CharityRecorded, TrainingRecorded
from contracts.members.organization import LiaisonVisitRecorded
from contracts.registry import DomainEvent
from eventstore.decider import Decider
from eventstore.errors import DomainError
from members.domain.common import Command, no_duplicates, require_active_members, require_office

_ID = r"^[A-Za-z0-9_.\-]+$"


def record_stream(committee_id: str, body: BaseModel) -> str:
    kind, key = {
        RecordTraining: ("training", "training_id"), RecordCharity: ("charity", "charity_id"),
        GrantAward: ("award", "award_id"), RecordLiaisonVisit: ("liaison-visit", "liaison_visit_id"),
    }[type(body)]
    return f"{kind}:{committee_id}:{getattr(body, key)}"


def _not_future(cmd: Command[Any], day: date) -> None:
    if day > cmd.today:
        raise DomainError("date_in_future", f"{day} has not happened yet")


def _decide(recorded: bool, cmd: Command[Any]) -> Sequence[DomainEvent]:
    b = cmd.body
    require_office(cmd, "record duty activities")
    if recorded:
        raise DomainError("already_recorded", "this record id is already used")
    if isinstance(b, RecordTraining):
        _not_future(cmd, b.held_on)
        require_active_members(cmd, no_duplicates(b.member_ids, "member"))
        return [TrainingRecorded(**b.model_dump())]
    if isinstance(b, RecordCharity):
        _not_future(cmd, b.done_on)
        require_active_members(cmd, no_duplicates(b.member_ids, "member"))
        return [CharityRecorded(**b.model_dump())]
    if isinstance(b, GrantAward):
        _not_future(cmd, b.granted_on)
        if not b.member_ids and not b.organization_ids:
            raise DomainError("award_needs_recipient", "an award goes to members or organizations")
        require_active_members(cmd, no_duplicates(b.member_ids, "member"))
        return [AwardGranted(**b.model_dump())]
    if isinstance(b, RecordLiaisonVisit):
        _not_future(cmd, b.visited_on)
        if (b.contact_id is None) == (b.visited_member_id is None):
            raise DomainError("visit_one_target", "a liaison visit is to one contact or one member's enterprise")
        require_active_members(cmd, no_duplicates(b.visitor_member_ids, "visitor"))
        return [LiaisonVisitRecorded(**b.model_dump())]
    raise TypeError(type(b).__name__)


def _evolve(recorded: bool, event: DomainEvent) -> bool:
    return True


record = Decider[bool, Command[Any]](lambda: False, _decide, _evolve)
