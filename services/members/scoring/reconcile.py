"""A member's ledger stream (`ledger-{committee}-{year}-{member_id}`, see `members.streams`) as a decider:
its state is what was published, the command is the card the scoring function computes now, and the
events are the difference (awards, withdrawals, flags, grade).

Reconciling the same card twice yields nothing the second time, so re-scoring is idempotent, and the
ledger's total always equals the card's total."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from decimal import Decimal

from contracts.members.enums import FlagTiming, WithdrawalReason
from contracts.members.scoring import (
    DutyPointsAwarded,
    DutyPointsWithdrawn,
    MemberFlagCleared,
    MemberFlagged,
    MemberGraded,
)
from contracts.registry import DomainEvent
from eventstore.decider import Decider
from members.scoring.score import CardItem, MemberCard


@dataclass(frozen=True)
class LedgerState:
    items: dict[str, DutyPointsAwarded] = field(default_factory=dict)
    flags: dict[str, MemberFlagged] = field(default_factory=dict)
    graded: MemberGraded | None = None

    @property
    def total(self) -> Decimal:
        return sum((i.points for i in self.items.values()), Decimal(0))


@dataclass(frozen=True)
class Reconcile:
    """Bring the ledger to `card`; `graded_year`: the year was graded, so grades and at-grading flags
    are published; `reason`: why an item changed if the change is not a corrected fact."""

    card: MemberCard
    graded_year: bool
    reason: WithdrawalReason = WithdrawalReason.recalculated


def evolve(state: LedgerState, event: DomainEvent) -> LedgerState:
    if isinstance(event, DutyPointsAwarded):
        return replace(state, items={**state.items, event.item_id: event})
    if isinstance(event, DutyPointsWithdrawn):
        return replace(state, items={k: v for k, v in state.items.items() if k != event.item_id})
    if isinstance(event, MemberFlagged):
        return replace(state, flags={**state.flags, event.flag: event})
    if isinstance(event, MemberFlagCleared):
        return replace(state, flags={k: v for k, v in state.flags.items() if k != event.flag})
    if isinstance(event, MemberGraded):
        return replace(state, graded=event)
    return state


def _award(item: CardItem, version: int) -> DutyPointsAwarded:
    return DutyPointsAwarded(
        item_id=item.item_id, member_id=item.member_id, year=item.year, category=item.category,
        points=item.points, nominal_points=item.nominal_points, rule=item.rule, rule_label_zh=item.rule_label_zh,
        rulebook_version=version, source_event_id=item.source_event_id, source_event_type=item.source_event_type,
        source_service=item.source_service, occurred_on=item.occurred_on)


def _same(awarded: DutyPointsAwarded, item: CardItem) -> bool:
    # The rulebook version alone does not reissue an item: unchanged points stay as they were awarded.
    return (awarded.points, awarded.nominal_points, awarded.rule, awarded.category, awarded.source_event_id) == (
        item.points, item.nominal_points, item.rule, item.category, item.source_event_id)


def decide(state: LedgerState, command: Reconcile) -> Sequence[DomainEvent]:
    card = command.card
    version = card.rulebook_version
    wanted = {i.item_id: i for i in card.items if i.points != 0}
    events: list[DomainEvent] = []
    for item_id, awarded in sorted(state.items.items()):
        item = wanted.get(item_id)
        if item is not None and _same(awarded, item):
            continue
        if not card.in_office:
            reason = WithdrawalReason.left_roster
        elif item is not None and item.source_event_id != awarded.source_event_id:
            reason = WithdrawalReason.fact_superseded
        else:
            reason = command.reason
        events.append(DutyPointsWithdrawn(
            item_id=item_id, member_id=awarded.member_id, year=awarded.year, category=awarded.category,
            points=awarded.points, rule=awarded.rule, rulebook_version=version,
            source_event_id=awarded.source_event_id, source_event_type=awarded.source_event_type, reason=reason))
    for item_id, item in wanted.items():
        current = state.items.get(item_id)
        if current is None or not _same(current, item):
            events.append(_award(item, version))

    shown = {f.flag: f for f in card.flags if f.evaluated is FlagTiming.live or command.graded_year}
    for flag_id in sorted(set(state.flags) - set(shown)):
        events.append(MemberFlagCleared(member_id=card.member_id, year=card.year, flag=flag_id,
                                        rulebook_version=version))
    for flag_id, flag in shown.items():
        raised = state.flags.get(flag_id)
        if raised is None or (raised.count, raised.max_grade) != (flag.count, flag.max_grade):
            events.append(MemberFlagged(member_id=card.member_id, year=card.year, flag=flag_id,
                                        label_zh=flag.label_zh, count=flag.count, max_grade=flag.max_grade,
                                        evidence_event_ids=list(flag.evidence_event_ids), rulebook_version=version))

    if command.graded_year and card.in_office and card.grade is not None and card.grade_by_points is not None:
        flags = sorted(f.flag for f in card.flags)
        previous = state.graded
        if previous is None or (previous.total, previous.grade, previous.flags) != (card.total, card.grade, flags):
            events.append(MemberGraded(member_id=card.member_id, year=card.year, total=card.total, grade=card.grade,
                                       grade_by_points=card.grade_by_points, flags=flags, rulebook_version=version))
    return events


ledger = Decider[LedgerState, Reconcile](initial=LedgerState, decide=decide, evolve=evolve)
