"""The yearly consultation & supervision plan (年度协商监督计划): drafted by the office with its items, adopted
by the chair meeting, amended with a reason (before or after adoption). One plan per committee and year.

Each item is of a kind, and the kind says which of its fields it fills: a counterpart consultation names
its department, a sector consultation its sectors, a proposal-handling consultation its proposals, a
grassroots consultation its township liaison group; a topic consultation none of these.

Carrying over (结转): items of an adopted plan neither held nor withdrawn move to next year's plan, with the
reason. Next year's plan must still be a draft (the chair meeting adopts it with them); without one, the
carry-over drafts it. The item stays in this year's plan, marked carried over: no session is scheduled or held
from it here any more (`plan_item_carried_over`). The plan knows its items held from
`consultation-plan-item-held`, which holding a session records on the plan's stream."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date
from enum import StrEnum

from contracts.bounded import MAX_RECORDED_ITEMS
from contracts.registry import DomainEvent
from contracts.roles import OFFICE, OFFICE_OR_LEADERSHIP
from contracts.surveys import commands as c
from contracts.surveys.consultation import ConsultationKind
from contracts.surveys.consultation_plan import (
    ConsultationPlanAdopted,
    ConsultationPlanAmended,
    ConsultationPlanDrafted,
    ConsultationPlanItemHeld,
    ConsultationPlanItemRecorded,
    ConsultationPlanItemsCarriedOver,
    PlanItem,
)
from eventstore.decider import Decider
from eventstore.issued import Issued, require_role
from surveys.domain.refusals import distinct, not_after_today, refuse, require_reason

# The field each kind must fill; a kind fills none of the others'.
KIND_FIELD: Mapping[ConsultationKind, str | None] = {
    ConsultationKind.topic: None,
    ConsultationKind.counterpart: "counterpart_unit_id",
    ConsultationKind.sector: "sectors",
    ConsultationKind.proposal_handling: "proposal_ids",
    ConsultationKind.grassroots: "liaison_group",
}
KIND_FIELDS = tuple(f for f in KIND_FIELD.values() if f)
# A plan holds at most as many items as an event may list (consultation-plan-adopted names them all).
MAX_PLAN_ITEMS = MAX_RECORDED_ITEMS


class PlanStatus(StrEnum):
    none = "none"
    draft = "draft"
    adopted = "adopted"


@dataclass(frozen=True)
class PlanState:
    year: int = 0
    status: PlanStatus = PlanStatus.none
    title: str = ""
    items: Mapping[str, PlanItem] = field(default_factory=dict)  # the plan's items now, by id
    amendments: int = 0
    adopted_on: date | None = None
    withdrawn: frozenset[str] = frozenset()  # items withdrawn (and not recorded again since)
    held: frozenset[str] = frozenset()  # items a session was held from
    carried_over: Mapping[str, int] = field(default_factory=dict)  # item id -> the year it was carried to

    def item(self, item_id: str) -> PlanItem | None:
        return self.items.get(item_id)


@dataclass(frozen=True)
class CarryOver:
    """Decided on this year's plan; the handler passes next year's as it stands."""

    command: c.CarryOverPlanItems
    next_plan: PlanState


@dataclass(frozen=True)
class CarryIn:
    """Decided on next year's plan, after `CarryOver` was: the items as this year's plan holds them."""

    command: c.CarryOverPlanItems
    carried: ConsultationPlanItemsCarriedOver
    items: tuple[PlanItem, ...]


@dataclass(frozen=True)
class ItemHeld:
    """A session of the item was held (the handler decides it after the session's own rules)."""

    consultation_id: str
    item_id: str
    held_on: date


Events = list[DomainEvent]


def decide(state: PlanState, issued: Issued[object]) -> Sequence[DomainEvent]:
    command = issued.command
    if isinstance(command, c.DraftConsultationPlan):
        return _draft(state, command, issued)
    if isinstance(command, CarryIn):
        return _carry_in(state, command, issued)
    if state.status is PlanStatus.none:
        raise refuse("plan_not_found", "this committee has no consultation plan of that year", fields=["year"])
    if isinstance(command, c.AmendConsultationPlan):
        return _amend(state, command, issued)
    if isinstance(command, c.AdoptConsultationPlan):
        return _adopt(state, command, issued)
    if isinstance(command, CarryOver):
        return _carry_over(state, command, issued)
    if isinstance(command, ItemHeld):
        return _item_held(state, command)
    raise TypeError(f"a consultation plan takes no command {type(command).__name__}")


def _draft(state: PlanState, cmd: c.DraftConsultationPlan, issued: Issued[object]) -> Events:
    require_role(issued, OFFICE, "drafting the consultation plan")
    if state.status is not PlanStatus.none:
        raise refuse("plan_exists", f"the consultation plan of {cmd.year} exists; amend it instead", fields=["year"])
    items = _items(cmd.items)
    return [ConsultationPlanDrafted(year=cmd.year, title=cmd.title),
            *(ConsultationPlanItemRecorded(year=cmd.year, amendment=0, item=i) for i in items)]


def _amend(state: PlanState, cmd: c.AmendConsultationPlan, issued: Issued[object]) -> Events:
    require_role(issued, OFFICE, "amending the consultation plan")
    require_reason(cmd.reason)
    if not cmd.items and not cmd.withdraw_item_ids:
        raise refuse("amendment_empty", "an amendment records or withdraws at least one item",
                     fields=["items", "withdraw_item_ids"])
    items = _items(cmd.items)
    withdrawn = distinct(cmd.withdraw_item_ids, "items withdrawn", "withdraw_item_ids")
    unknown = [i for i in withdrawn if i not in state.items]
    if unknown:
        raise refuse("plan_item_not_found", f"the plan has no item {', '.join(unknown)}",
                     fields=["withdraw_item_ids"], item_ids=unknown)
    both = sorted({i.item_id for i in items} & set(withdrawn))
    if both:
        raise refuse("item_recorded_and_withdrawn", f"an amendment does not both record and withdraw {both[0]}",
                     fields=["items", "withdraw_item_ids"])
    after = (set(state.items) | {i.item_id for i in items}) - set(withdrawn)
    if not after:
        raise refuse("plan_without_items", "the plan would have no item left", fields=["withdraw_item_ids"])
    if len(after) > MAX_PLAN_ITEMS:
        raise refuse("plan_too_large", f"a plan holds at most {MAX_PLAN_ITEMS} items", fields=["items"])
    number = state.amendments + 1
    return [ConsultationPlanAmended(year=state.year, amendment=number, reason=cmd.reason,
                                    after_adoption=state.status is PlanStatus.adopted,
                                    recorded_item_ids=[i.item_id for i in items], withdrawn_item_ids=withdrawn),
            *(ConsultationPlanItemRecorded(year=state.year, amendment=number, item=i) for i in items)]


def _adopt(state: PlanState, cmd: c.AdoptConsultationPlan, issued: Issued[object]) -> Events:
    require_role(issued, OFFICE_OR_LEADERSHIP, "recording the chair meeting's adoption")
    if state.status is PlanStatus.adopted:
        raise refuse("plan_already_adopted", f"the plan of {state.year} was adopted on {state.adopted_on}; "
                     "amend it with a reason instead")
    not_after_today(cmd.adopted_on, issued.today, "the adoption", "adopted_on")
    return [ConsultationPlanAdopted(year=state.year, adopted_on=cmd.adopted_on, meeting=cmd.meeting,
                                    item_ids=list(state.items))]


def _carry_over(state: PlanState, cmd: CarryOver, issued: Issued[object]) -> Events:
    require_role(issued, OFFICE, "carrying plan items over to next year")
    o, nxt, to_year = cmd.command, cmd.next_plan, state.year + 1
    if state.status is not PlanStatus.adopted:
        raise refuse("plan_not_adopted", f"the consultation plan of {state.year} is not adopted: only items of "
                     "an adopted plan are carried over", fields=["year"])
    require_reason(o.reason)
    ids = distinct(o.item_ids, "items carried over", "item_ids")
    for rule, what, found in (
            ("plan_item_withdrawn", "was withdrawn from the plan", [i for i in ids if i in state.withdrawn]),
            ("plan_item_not_found", "is not in the plan",
             [i for i in ids if i not in state.items and i not in state.withdrawn]),
            ("plan_item_held", "was held this year", [i for i in ids if i in state.held]),
            ("plan_item_already_carried_over", "was carried over already",
             [i for i in ids if i in state.carried_over])):
        if found:
            raise refuse(rule, f"item {', '.join(found)} {what}: only items neither held nor withdrawn are "
                         "carried over, once", fields=["item_ids"], item_ids=found)
    if nxt.status is PlanStatus.adopted:
        raise refuse("next_plan_adopted", f"the plan of {to_year} is adopted already: carry items over before "
                     "the chair meeting adopts it, or amend it with a reason", fields=["year"])
    clash = [i for i in ids if i in nxt.items]
    if clash:
        raise refuse("plan_item_exists", f"the plan of {to_year} has an item {', '.join(clash)} already",
                     fields=["item_ids"], item_ids=clash)
    if len(set(nxt.items) | set(ids)) > MAX_PLAN_ITEMS:
        raise refuse("plan_too_large", f"a plan holds at most {MAX_PLAN_ITEMS} items", fields=["item_ids"])
    return [ConsultationPlanItemsCarriedOver(year=state.year, to_year=to_year, item_ids=ids, reason=o.reason,
                                             carried_on=issued.today)]


def carried_items(state: PlanState, carried: ConsultationPlanItemsCarriedOver) -> tuple[PlanItem, ...]:
    """The items a carry-over names, as this year's plan holds them."""
    return tuple(state.items[i] for i in carried.item_ids)


def _carry_in(state: PlanState, cmd: CarryIn, issued: Issued[object]) -> Events:
    require_role(issued, OFFICE, "carrying plan items over to next year")
    year = cmd.carried.to_year
    events: Events = []
    if state.status is PlanStatus.none:
        events.append(ConsultationPlanDrafted(year=year, title=cmd.command.next_plan_title
                                              or f"{year}年度协商监督计划"))
    events.append(cmd.carried)
    # Recorded as part of the draft as it stands (the amendment it is at: 0 before any).
    events.extend(ConsultationPlanItemRecorded(year=year, amendment=state.amendments,
                                               item=i.model_copy(update={"carried_over_from": cmd.carried.year}))
                  for i in cmd.items)
    return events


def _item_held(state: PlanState, cmd: ItemHeld) -> Events:
    to_year = state.carried_over.get(cmd.item_id)
    if to_year is not None:
        raise refuse("plan_item_carried_over", f"item {cmd.item_id} was carried over to the plan of {to_year}: "
                     "its session is held from that plan", fields=["consultation_id"], to_year=to_year)
    return [ConsultationPlanItemHeld(year=state.year, item_id=cmd.item_id, consultation_id=cmd.consultation_id,
                                     held_on=cmd.held_on)]


def _items(given: Sequence[c.PlanItemInput]) -> list[PlanItem]:
    """The items as recorded, each filling exactly its kind's field; refusals name `items.<i>.<field>`."""
    distinct([i.item_id for i in given], "plan items", "items")
    out = []
    for n, item in enumerate(given):
        needed = KIND_FIELD[item.kind]
        filled = {f for f in KIND_FIELDS if getattr(item, f)}
        if needed and needed not in filled:
            raise refuse("plan_item_incomplete", f"a {item.kind.value} consultation ({item.kind.label_zh}) names "
                         f"its {needed}", fields=[f"items.{n}.{needed}"], kind=item.kind.value)
        extra = sorted(filled - {needed})
        if extra:
            raise refuse("plan_item_field_not_for_kind", f"a {item.kind.value} consultation has no {extra[0]}",
                         fields=[f"items.{n}.{extra[0]}"], kind=item.kind.value)
        for name in ("participating_unit_ids", "sectors", "proposal_ids"):
            distinct(getattr(item, name), name.replace("_", " "), f"items.{n}.{name}")
        out.append(PlanItem(item_id=item.item_id, kind=item.kind, title=item.title, lead=item.lead,
                            leader_member_id=item.leader_member_id,
                            participating_unit_ids=list(item.participating_unit_ids),
                            planned_month=item.planned_month, counterpart_unit_id=item.counterpart_unit_id,
                            sectors=list(item.sectors), proposal_ids=list(item.proposal_ids),
                            liaison_group=item.liaison_group, notes=item.notes))
    return out


def evolve(state: PlanState, event: DomainEvent) -> PlanState:
    match event:
        case ConsultationPlanDrafted():
            return PlanState(year=event.year, status=PlanStatus.draft, title=event.title)
        case ConsultationPlanItemRecorded():
            return replace(state, items={**state.items, event.item.item_id: event.item},
                           withdrawn=state.withdrawn - {event.item.item_id})
        case ConsultationPlanAdopted():
            return replace(state, status=PlanStatus.adopted, adopted_on=event.adopted_on)
        case ConsultationPlanAmended():
            gone = set(event.withdrawn_item_ids)
            return replace(state, amendments=event.amendment, withdrawn=state.withdrawn | gone,
                           items={k: v for k, v in state.items.items() if k not in gone})
        case ConsultationPlanItemHeld():
            return replace(state, held=state.held | {event.item_id})
        case ConsultationPlanItemsCarriedOver():
            if event.year != state.year:  # next year's stream: its items follow as item-recorded
                return state
            carried = {**state.carried_over, **dict.fromkeys(event.item_ids, event.to_year)}
            return replace(state, carried_over=carried)
    raise TypeError(f"a consultation plan has no event {type(event).__name__}")


PLAN: Decider[PlanState, Issued[object]] = Decider(initial=PlanState, decide=decide, evolve=evolve)
