"""两访三做: the visit aggregate (stream `visit-{committee}-{visit_id}`), the yearly visit plan (stream
`visitPlan-{committee}-{year}`) and the plan's progress (a pure function of plan, roster and visits)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import date
from typing import Any

from contracts.members.commands import LinkVisitOutcome, LogVisit, SetVisitPlan
from contracts.members.enums import VisitKind, VisitOutcomeKind
from contracts.members.member_view import MemberView
from contracts.members.visit import VisitLogged, VisitOutcomeLinked, VisitPlanSet
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
    require_self_or_office,
)


@dataclass(frozen=True)
class VisitState:
    logged: VisitLogged | None = None
    outcomes: frozenset[tuple[VisitOutcomeKind, str]] = frozenset()


def _visit_evolve(state: VisitState, event: DomainEvent) -> VisitState:
    if isinstance(event, VisitLogged):
        return VisitState(event)
    if isinstance(event, VisitOutcomeLinked):
        return replace(state, outcomes=state.outcomes | {(event.outcome_kind, event.outcome_id)})
    return state


def _log(state: VisitState, issued: Issued[LogVisit]) -> list[DomainEvent]:
    b = issued.command
    require_self_or_office(issued, b.visitor_member_id, "logging this visit")
    if state.logged is not None:
        raise DomainError("visit_already_logged", f"visit {b.visit_id} is already logged", fields=["visit_id"])
    require_not_future(issued, b.visited_on, "visited_on", "a visit")
    require_active_members(issued, [b.visitor_member_id], "visitor_member_id")
    require_joined_by(issued, [b.visitor_member_id], b.visited_on, "visited_on", "visitor_member_id")
    visitor = issued.members[b.visitor_member_id]
    visited = no_duplicates(b.visited_member_ids, "visited member", "visited_member_ids")
    no_duplicates([r.value for r in b.roles], "role", "roles")
    if b.kind is VisitKind.chair_visits_member:
        if visitor.chair_role is None:
            raise DomainError("visitor_not_chair_meeting_member", "only chair-meeting members visit grassroots members",
                              fields=["visitor_member_id"])
        if not visited:
            raise DomainError("visit_needs_members", "name the members visited", fields=["visited_member_ids"])
        require_active_members(issued, visited, "visited_member_ids")
        require_joined_by(issued, visited, b.visited_on, "visited_on", "visited_member_ids")
        not_grassroots = [m for m in visited if issued.members[m].chair_role is not None]
        if not_grassroots:
            raise DomainError("visited_not_grassroots", f"chair-meeting members are not grassroots members: "
                              f"{', '.join(not_grassroots)}", fields=["visited_member_ids"])
    else:
        if b.visited_sector is None:
            raise DomainError("visit_needs_sector", "name the sector whose people were visited",
                              fields=["visited_sector"])
        if b.visited_sector is not visitor.sector:
            raise DomainError("not_own_sector", f"members visit the people of their own sector "
                              f"({visitor.sector.label_zh})", fields=["visited_sector"])
    return [VisitLogged(**b.model_dump())]


def _visit_decide(state: VisitState, issued: Issued[Any]) -> Sequence[DomainEvent]:
    b = issued.command
    if isinstance(b, LogVisit):
        return _log(state, issued)
    if isinstance(b, LinkVisitOutcome):
        if state.logged is None:
            raise DomainError("unknown_visit", f"no visit {b.visit_id}", fields=["visit_id"])
        require_self_or_office(issued, state.logged.visitor_member_id, "linking this visit")
        if (b.outcome_kind, b.outcome_id) in state.outcomes:
            raise DomainError("outcome_already_linked", "the visit is already linked to it", fields=["outcome_id"])
        return [VisitOutcomeLinked(visit_id=b.visit_id, outcome_kind=b.outcome_kind, outcome_id=b.outcome_id)]
    raise TypeError(type(b).__name__)


visit = Decider[VisitState, Issued[Any]](VisitState, _visit_decide, _visit_evolve)


def _plan_decide(version: int, issued: Issued[Any]) -> Sequence[DomainEvent]:
    b = issued.command
    if not isinstance(b, SetVisitPlan):
        raise TypeError(type(b).__name__)
    require_office(issued, "setting the visit plan")
    chairs = list(b.pairings)
    require_active_members(issued, chairs, "pairings")
    not_chair = [c for c in chairs if issued.members[c].chair_role is None]
    if not_chair:
        raise DomainError("pairing_needs_chair_member", f"not chair-meeting members: {', '.join(not_chair)}",
                          fields=[f"pairings.{c}" for c in not_chair])
    paired = [m for ms in b.pairings.values() for m in ms]
    twice = sorted({m for m in paired if paired.count(m) > 1})
    if twice:
        raise DomainError("member_paired_twice", f"paired with more than one chair member: {', '.join(twice)}",
                          fields=["pairings"])
    require_active_members(issued, paired, "pairings")
    return [VisitPlanSet(year=b.year, plan_version=version + 1,
                         grassroots_visited_by_chair=b.grassroots_visited_by_chair,
                         sector_visits_per_member=b.sector_visits_per_member, pairings=b.pairings)]


def _plan_evolve(version: int, event: DomainEvent) -> int:
    return event.plan_version if isinstance(event, VisitPlanSet) else version


visit_plan = Decider[int, Issued[Any]](lambda: 0, _plan_decide, _plan_evolve)


@dataclass(frozen=True)
class VisitRecord:
    visitor_member_id: str
    kind: VisitKind
    visited_member_ids: tuple[str, ...]
    visited_on: date


@dataclass(frozen=True)
class PlanProgress:
    year: int
    grassroots_total: int
    grassroots_visited: int
    grassroots_not_visited: tuple[str, ...]
    members_total: int
    members_meeting_sector_target: int
    members_behind_sector_target: tuple[str, ...]
    pairings_total: int
    pairings_done: int

    @property
    def grassroots_coverage(self) -> float:
        return self.grassroots_visited / self.grassroots_total if self.grassroots_total else 1.0

    @property
    def sector_coverage(self) -> float:
        return self.members_meeting_sector_target / self.members_total if self.members_total else 1.0


def plan_progress(plan: VisitPlanSet, roster: Iterable[MemberView], visits: Iterable[VisitRecord]) -> PlanProgress:
    """Progress against the plan: grassroots members (not chair-meeting members) visited by a chair-meeting
    member; members who made their sector visits; pairings that happened."""
    active = [m for m in roster if m.active]
    year_visits = [v for v in visits if v.visited_on.year == plan.year]
    grassroots = sorted(m.member_id for m in active if m.chair_role is None)
    by_chair = [v for v in year_visits if v.kind is VisitKind.chair_visits_member]
    visited = {m for v in by_chair for m in v.visited_member_ids}
    sector_counts: dict[str, int] = {}
    for v in year_visits:
        if v.kind is VisitKind.member_visits_sector:
            sector_counts[v.visitor_member_id] = sector_counts.get(v.visitor_member_id, 0) + 1
    everyone = sorted(m.member_id for m in active)
    behind = tuple(m for m in everyone if sector_counts.get(m, 0) < plan.sector_visits_per_member)
    done_pairs = {(v.visitor_member_id, m) for v in by_chair for m in v.visited_member_ids}
    pairs = [(c, m) for c, ms in plan.pairings.items() for m in ms]
    return PlanProgress(
        year=plan.year, grassroots_total=len(grassroots),
        grassroots_visited=sum(1 for m in grassroots if m in visited),
        grassroots_not_visited=tuple(m for m in grassroots if m not in visited),
        members_total=len(everyone), members_meeting_sector_target=len(everyone) - len(behind),
        members_behind_sector_target=behind, pairings_total=len(pairs),
        pairings_done=sum(1 for p in pairs if p in done_pairs))
