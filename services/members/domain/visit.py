"""两访三做: the visit aggregate (stream `visit:{committee}:{visit_id}`), the yearly visit plan (stream
`visit-plan:{committee}:{year}`) and the plan's progress (a pure function of plan, roster and visits)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import date
from typing import Any

from contracts.members.commands import LinkVisitOutcome, LogVisit, SetVisitPlan
from contracts.members.enums import VisitKind, VisitOutcomeKind
from contracts.members.visit import VisitLogged, VisitOutcomeLinked, VisitPlanSet
from contracts.registry import DomainEvent
from eventstore.decider import Decider
from eventstore.errors import DomainError
from members.domain.common import (
    Command,
    MemberView,
    no_duplicates,
    require_active_members,
    require_office,
    require_self_or_office,
)


def visit_stream(committee_id: str, visit_id: str) -> str:
    return f"visit:{committee_id}:{visit_id}"


def visit_plan_stream(committee_id: str, year: int) -> str:
    return f"visit-plan:{committee_id}:{year}"


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


def _log(state: VisitState, cmd: Command[LogVisit]) -> list[DomainEvent]:
    b = cmd.body
    require_self_or_office(cmd, b.visitor_member_id, "log this visit")
    if state.logged is not None:
        raise DomainError("visit_already_logged", f"visit {b.visit_id} is already logged")
    if b.visited_on > cmd.today:
        raise DomainError("date_in_future", "a visit is logged once it has happened")
    require_active_members(cmd, [b.visitor_member_id])
    visitor = cmd.members[b.visitor_member_id]
    visited = no_duplicates(b.visited_member_ids, "visited member")
    no_duplicates([r.value for r in b.roles], "role")
    if b.kind is VisitKind.chair_visits_member:
        if visitor.chair_role is None:
            raise DomainError("visitor_not_chair_meeting_member", "only chair-meeting members visit grassroots members")
        if not visited:
            raise DomainError("visit_needs_members", "name the members visited")
        require_active_members(cmd, visited)
        not_grassroots = [m for m in visited if cmd.members[m].chair_role is not None]
        if not_grassroots:
            raise DomainError("visited_not_grassroots", f"chair-meeting members are not grassroots members: "
                              f"{', '.join(not_grassroots)}")
    else:
        if b.visited_sector is None:
            raise DomainError("visit_needs_sector", "name the sector whose people were visited")
        if b.visited_sector is not visitor.sector:
            raise DomainError("not_own_sector", f"members visit the people of their own sector "
                              f"({visitor.sector.label_zh})")
    return [VisitLogged(**b.model_dump())]


def _visit_decide(state: VisitState, cmd: Command[Any]) -> Sequence[DomainEvent]:
    b = cmd.body
    if isinstance(b, LogVisit):
        return _log(state, cmd)
    if isinstance(b, LinkVisitOutcome):
        if state.logged is None:
            raise DomainError("unknown_visit", f"no visit {b.visit_id}")
        require_self_or_office(cmd, state.logged.visitor_member_id, "link this visit")
        if (b.outcome_kind, b.outcome_id) in state.outcomes:
            raise DomainError("outcome_already_linked", "the visit is already linked to it")
        return [VisitOutcomeLinked(visit_id=b.visit_id, outcome_kind=b.outcome_kind, outcome_id=b.outcome_id)]
    raise TypeError(type(b).__name__)


visit = Decider[VisitState, Command[Any]](VisitState, _visit_decide, _visit_evolve)


def _plan_decide(version: int, cmd: Command[Any]) -> Sequence[DomainEvent]:
    b = cmd.body
    if not isinstance(b, SetVisitPlan):
        raise TypeError(type(b).__name__)
    require_office(cmd, "set the visit plan")
    chairs = list(b.pairings)
    require_active_members(cmd, chairs)
    not_chair = [c for c in chairs if cmd.members[c].chair_role is None]
    if not_chair:
        raise DomainError("pairing_needs_chair_member", f"not chair-meeting members: {', '.join(not_chair)}")
    paired = [m for ms in b.pairings.values() for m in ms]
    twice = sorted({m for m in paired if paired.count(m) > 1})
    if twice:
        raise DomainError("member_paired_twice", f"paired with more than one chair member: {', '.join(twice)}")
    require_active_members(cmd, paired)
    return [VisitPlanSet(year=b.year, plan_version=version + 1,
                         grassroots_visited_by_chair=b.grassroots_visited_by_chair,
                         sector_visits_per_member=b.sector_visits_per_member, pairings=b.pairings)]


def _plan_evolve(version: int, event: DomainEvent) -> int:
    return event.plan_version if isinstance(event, VisitPlanSet) else version


visit_plan = Decider[int, Command[Any]](lambda: 0, _plan_decide, _plan_evolve)


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
