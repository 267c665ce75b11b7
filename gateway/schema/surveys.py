"""The consultation plan, its sessions and outcomes, and the tracked items (surveys service), as clients
read them. Who may read what: `gateway/read/surveys.py`."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING, Any

import strawberry

from contracts.clock import today
from contracts.surveys import consultation as sc
from contracts.surveys import consultation_plan as sp
from contracts.surveys import tracking as st
from gateway import policy
from gateway.read import surveys as sv
from gateway.schema.enums import mirror
from gateway.schema.types import Member, Organization, Unit, ctx, members, unit

if TYPE_CHECKING:  # to the type checker these are the plain values the resolvers pass around
    ConsultationKind = str
    OutcomeRecipient = str
    TrackedSubject = str
    ProgressStatus = str
    Verdict = str
else:
    ConsultationKind = mirror(sc.ConsultationKind)
    OutcomeRecipient = mirror(sp.OutcomeRecipient)
    TrackedSubject = mirror(st.TrackedSubject)
    ProgressStatus = mirror(st.ProgressStatus)
    Verdict = mirror(st.Verdict)

_KIND_LABELS = {k.value: k.label_zh for k in sc.ConsultationKind}


def _ids(values: Any) -> list[strawberry.ID]:
    return [strawberry.ID(str(v)) for v in values or []]


@strawberry.type(description="An item of the yearly consultation plan (年度协商计划), as last recorded.")
class ConsultationPlanItem:
    id: strawberry.ID
    year: int
    kind: ConsultationKind
    label_zh: str = strawberry.field(description="the kind's Chinese label, e.g. 专题协商")
    title: str
    lead: str = strawberry.field(description="who leads it (牵头)")
    leader_member_id: strawberry.ID | None
    participating_unit_ids: list[strawberry.ID]
    planned_month: int | None = strawberry.field(description="1-12, in the plan's year")
    counterpart_unit_id: strawberry.ID | None
    sectors: list[str]
    proposal_ids: list[strawberry.ID]
    liaison_group: str | None
    notes: str
    amendment: int = strawberry.field(description="0 as drafted, else the amendment that last recorded it")
    withdrawn: bool
    sessions: int = strawberry.field(description="sessions scheduled from this item")
    held: bool = strawberry.field(description="a session of this item has been held")
    carried_over_to: int | None = strawberry.field(
        default=None, description="carried over (结转) to the plan of this year: no longer held from this plan")
    carried_over_from: int | None = strawberry.field(
        default=None, description="carried over from the plan of this year")
    carried_over_reason: str | None = strawberry.field(default=None, description="why it was carried over")

    @classmethod
    def of(cls, r: Any) -> ConsultationPlanItem:
        return cls(id=strawberry.ID(r["item_id"]), year=r["year"], kind=r["kind"],
                   label_zh=_KIND_LABELS.get(r["kind"], r["kind"]), title=r["title"], lead=r["lead"],
                   leader_member_id=r["leader_member_id"], participating_unit_ids=_ids(r["participating_unit_ids"]),
                   planned_month=r["planned_month"], counterpart_unit_id=r["counterpart_unit_id"],
                   sectors=list(r["sectors"]), proposal_ids=_ids(r["proposal_ids"]), liaison_group=r["liaison_group"],
                   notes=r["notes"], amendment=r["amendment"], withdrawn=r["withdrawn"], sessions=r["sessions"],
                   held=r["held"], carried_over_to=r["carried_over_to"], carried_over_from=r["carried_over_from"],
                   carried_over_reason=r["carried_over_reason"])

    @strawberry.field
    async def leader(self, info: strawberry.Info) -> Member | None:
        if not self.leader_member_id:
            return None
        found = await members(info, [str(self.leader_member_id)])
        return found[0] if found else None


@strawberry.type(description="The yearly consultation & supervision plan (年度协商监督计划) of a committee.")
class ConsultationPlan:
    year: int
    title: str
    adopted: bool = strawberry.field(description="adopted by the chair meeting (主席会议审议通过)")
    adopted_on: date | None
    adopted_at_meeting: str | None
    amendments: int
    last_amendment_reason: str | None
    items: list[ConsultationPlanItem]


@strawberry.type(description="A county leader's instruction (领导批示) on a consultation outcome.")
class OutcomeInstruction:
    id: strawberry.ID
    leader: str = strawberry.field(description="who instructed, e.g. 县委书记王某")
    level: OutcomeRecipient = strawberry.field(description="the county party committee or the county government")
    text: str
    instructed_on: date | None


@strawberry.type(description="An outcome (协商成果) a session sent to the county party committee and government.")
class ConsultationOutcome:
    id: strawberry.ID
    consultation_id: strawberry.ID
    kind: ConsultationKind | None
    title: str
    held_on: date | None
    sent_to: list[str]
    implementation_due: date | None
    sent_on: date | None = None
    parent_outcome_id: strawberry.ID | None = strawberry.field(
        default=None, description="the outcome of the same session this one is part of")
    proposal_ids: list[strawberry.ID] = strawberry.field(default_factory=list,
                                                         description="the proposals it grew from")
    opinion_report_ids: list[strawberry.ID] = strawberry.field(
        default_factory=list, description="the public-opinion reports (社情民意信息) it grew from")

    @classmethod
    def of(cls, r: Any) -> ConsultationOutcome:
        return cls(id=strawberry.ID(r["outcome_id"]), consultation_id=strawberry.ID(r["consultation_id"]),
                   kind=r["kind"], title=r["title"], held_on=r["held_on"], sent_to=list(r["sent_to"]),
                   implementation_due=r["implementation_due"], sent_on=r["sent_on"],
                   parent_outcome_id=r["parent_outcome_id"], proposal_ids=_ids(r["proposal_ids"]),
                   opinion_report_ids=_ids(r["opinion_report_ids"]))

    @strawberry.field(description="The county leaders' instructions on it, oldest first.")
    async def instructions(self, info: strawberry.Info) -> list[OutcomeInstruction]:
        rows = await ctx(info).loaders.outcome_instructions.load(str(self.id))
        return [OutcomeInstruction(id=strawberry.ID(r["instruction_id"]), leader=r["leader"], level=r["level"],
                                   text=r["text"], instructed_on=r["instructed_on"]) for r in rows]

    @strawberry.field(description="Its tracking to implementation (its parts' progress adds up in "
                                  "computedProgress), if the caller may see it.")
    async def tracking(self, info: strawberry.Info) -> TrackedItem | None:
        row = await ctx(info).loaders.tracked_item.load(str(self.id))
        found = visible_items(info, [row], today())
        return found[0] if found else None


@strawberry.type(description="A consultation session scheduled from an item of the adopted plan, and held.")
class Consultation:
    id: strawberry.ID
    year: int
    item_id: strawberry.ID | None
    kind: ConsultationKind | None
    label_zh: str | None
    title: str
    lead: str | None
    counterpart_unit_id: strawberry.ID | None
    scheduled_on: date | None
    venue: str
    held: bool
    held_on: date | None
    participant_member_ids: list[strawberry.ID]
    summary: str
    invited_member_ids: list[strawberry.ID] = strawberry.field(default_factory=list)
    invited_organization_ids: list[strawberry.ID] = strawberry.field(
        default_factory=list, description="parties and groups (党派团体) invited")
    invited_unit_ids: list[strawberry.ID] = strawberry.field(default_factory=list,
                                                             description="departments invited")
    uninvited_participant_ids: list[strawberry.ID] = strawberry.field(
        default_factory=list, description="members who took part without an invitation by name")

    @classmethod
    def of(cls, r: Any) -> Consultation:
        return cls(id=strawberry.ID(r["consultation_id"]), year=r["year"], item_id=r["item_id"], kind=r["kind"],
                   label_zh=_KIND_LABELS.get(r["kind"]) if r["kind"] else None, title=r["title"], lead=r["lead"],
                   counterpart_unit_id=r["counterpart_unit_id"], scheduled_on=r["scheduled_on"], venue=r["venue"],
                   held=r["held"], held_on=r["held_on"], participant_member_ids=_ids(r["participant_member_ids"]),
                   summary=r["summary"], invited_member_ids=_ids(r["invited_member_ids"]),
                   invited_organization_ids=_ids(r["invited_organization_ids"]),
                   invited_unit_ids=_ids(r["invited_unit_ids"]),
                   uninvited_participant_ids=_ids(r["uninvited_participant_ids"]))

    @strawberry.field
    async def participants(self, info: strawberry.Info) -> list[Member]:
        return await members(info, [str(x) for x in self.participant_member_ids])

    @strawberry.field
    async def invited_members(self, info: strawberry.Info) -> list[Member]:
        return await members(info, [str(x) for x in self.invited_member_ids])

    @strawberry.field
    async def invited_organizations(self, info: strawberry.Info) -> list[Organization]:
        ids = [str(x) for x in self.invited_organization_ids]
        rows = await ctx(info).loaders.organization.load_many(ids)
        return [Organization.of(r) if r else Organization(id=strawberry.ID(i), name=i, kind=None)
                for i, r in zip(ids, rows, strict=True)]

    @strawberry.field
    async def invited_units(self, info: strawberry.Info) -> list[Unit]:
        ids = [str(x) for x in self.invited_unit_ids]
        rows = await ctx(info).loaders.unit.load_many(ids)
        return [Unit.of(r) if r else Unit(id=strawberry.ID(i), name=i) for i, r in zip(ids, rows, strict=True)]

    @strawberry.field
    async def outcomes(self, info: strawberry.Info) -> list[ConsultationOutcome]:
        rows = await ctx(info).loaders.consultation_outcomes.load(str(self.id))
        return [ConsultationOutcome.of(r) for r in rows]


@strawberry.type(description="A responsible department's latest progress report on a tracked item.")
class TrackedItemProgress:
    unit_id: strawberry.ID
    round: int
    status: ProgressStatus
    progress: int = strawberry.field(description="percent, 0-100")
    reported_on: date | None
    text: str
    reports: int

    @strawberry.field
    async def unit(self, info: strawberry.Info) -> Unit | None:
        return await unit(info, str(self.unit_id))


@strawberry.type(description="A dated step of the work a department reported (e.g. 2026-05-10: 完成管网招标).")
class TrackedItemMilestone:
    unit_id: strawberry.ID
    round: int
    reached_on: date
    text: str


@strawberry.type(description="A look-back (回头看) at a tracked item found implemented: whether it holds.")
class TrackedItemLookback:
    round: int = strawberry.field(description="the round that was found implemented")
    outcome: Verdict
    looked_back_on: date | None
    notes: str


# A parent's children nest a few levels at most; deeper (or a cycle in bad data) counts as no further children.
MAX_DEPTH = 8


async def computed_progress(info: strawberry.Info, row: Any, depth: int = 0) -> float | None:
    """Decidim's accountability: a parent's progress is the mean of its children's (see `gateway.read.surveys`);
    an item without children has its latest reported percent."""
    children = await ctx(info).loaders.tracked_children.load(row["item_id"]) if depth < MAX_DEPTH else []
    if not children:
        return None if row["progress"] is None else float(row["progress"])
    values = [await computed_progress(info, c, depth + 1) for c in children]
    return round(sum(v or 0.0 for v in values) / len(values), 2)


def visible_items(info: strawberry.Info, rows: list[Any], as_of: date) -> list[TrackedItem]:
    """The rows the caller may see (`policy.sees_tracked_item`), each once, as tracked items."""
    viewer = ctx(info).viewer
    seen: dict[str, Any] = {}
    for r in rows:
        if r is not None and r["item_id"] not in seen and policy.sees_tracked_item(viewer, list(r["unit_ids"])):
            seen[r["item_id"]] = r
    return [TrackedItem.of(r, as_of) for r in seen.values()]


async def items_of(info: strawberry.Info, subject: str, item_ids: list[str], source_ids: list[str],
                   as_of: date) -> list[TrackedItem]:
    """The tracked items (of a subject) a record opened: those its events list by id, and those naming it as
    their source."""
    loaders = ctx(info).loaders
    listed = await loaders.tracked_item.load_many(item_ids)
    sourced = [r for rows in await loaders.tracked_by_source.load_many(source_ids) for r in rows
               if r["subject"] == subject]
    return visible_items(info, [*listed, *sourced], as_of)


@strawberry.type(description="A tracked item (成果运用, 督办, 整改): a consultation outcome, rectification or "
                             "research recommendation sent to the departments responsible, tracked to a verdict.")
class TrackedItem:
    id: strawberry.ID
    kind: TrackedSubject | None
    source_id: strawberry.ID | None = strawberry.field(
        description="the consultation session, supervision report or research topic")
    parent_item_id: strawberry.ID | None
    title: str
    summary: str
    unit_ids: list[strawberry.ID] = strawberry.field(description="the departments responsible")
    sent_on: date | None
    due_working_days: int | None
    due: date | None = strawberry.field(description="the current round's due date")
    round: int = strawberry.field(description="1 for the first sending, +1 for each reopening")
    status: ProgressStatus | None = strawberry.field(description="the latest report's status in the current round")
    progress: int | None = strawberry.field(description="the latest report's percent in the current round")
    last_reported_on: date | None
    reports: int
    follow_ups: int
    last_followed_up_on: date | None
    verdict: Verdict | None = strawberry.field(description="the office's latest verdict (落实情况)")
    verdict_on: date | None
    open: bool = strawberry.field(description="no verdict yet on the current round")
    reopened_count: int
    lookback_count: int = strawberry.field(default=0, description="look-backs (回头看) recorded")
    last_lookback_outcome: Verdict | None = strawberry.field(default=None,
                                                             description="what the latest look-back found")
    last_looked_back_on: date | None = None
    row: strawberry.Private[Any] = None
    as_of: strawberry.Private[date | None] = None

    @classmethod
    def of(cls, r: Any, as_of: date) -> TrackedItem:
        return cls(id=strawberry.ID(r["item_id"]), kind=r["subject"], source_id=r["source_id"],
                   parent_item_id=r["parent_item_id"], title=r["title"], summary=r["summary"],
                   unit_ids=_ids(r["unit_ids"]), sent_on=r["sent_on"], due_working_days=r["due_working_days"],
                   due=r["due"], round=r["round"], status=r["status"], progress=r["progress"],
                   last_reported_on=r["last_reported_on"], reports=r["reports"], follow_ups=r["follow_ups"],
                   last_followed_up_on=r["last_followed_up_on"], verdict=r["verdict"], verdict_on=r["verdict_on"],
                   open=not r["closed"], reopened_count=r["reopened_count"], lookback_count=r["lookback_count"],
                   last_lookback_outcome=r["last_lookback_outcome"], last_looked_back_on=r["last_looked_back_on"],
                   row=r, as_of=as_of)

    @strawberry.field
    async def units(self, info: strawberry.Info) -> list[Unit]:
        ids = [str(u) for u in self.unit_ids]
        rows = await ctx(info).loaders.unit.load_many(ids)
        return [Unit.of(r) if r else Unit(id=strawberry.ID(i), name=i) for i, r in zip(ids, rows, strict=True)]

    @strawberry.field(description="Each responsible department's latest report.")
    async def unit_progress(self, info: strawberry.Info) -> list[TrackedItemProgress]:
        rows = await ctx(info).loaders.tracked_units.load(str(self.id))
        return [TrackedItemProgress(unit_id=strawberry.ID(r["unit_id"]), round=r["round"], status=r["status"],
                                    progress=r["progress"], reported_on=r["reported_on"], text=r["text"],
                                    reports=r["reports"]) for r in rows]

    @strawberry.field(description="Open, past its due date, and some responsible department has not reported it "
                                  "done in the current round, as of the given day (default: the query's asOf).")
    async def overdue(self, info: strawberry.Info, as_of: date | None = None) -> bool:
        rows = await ctx(info).loaders.tracked_units.load(str(self.id))
        day = as_of or self.as_of
        assert day is not None
        return sv.is_overdue(self.row, rows, day)

    @strawberry.field(description="The milestones the departments reported, by date (each once).")
    async def milestones(self, info: strawberry.Info) -> list[TrackedItemMilestone]:
        rows = await ctx(info).loaders.tracked_milestones.load(str(self.id))
        return [TrackedItemMilestone(unit_id=strawberry.ID(r["unit_id"]), round=r["round"],
                                     reached_on=r["reached_on"], text=r["text"]) for r in rows]

    @strawberry.field(description="The look-backs (回头看) at the item, oldest first.")
    async def lookbacks(self, info: strawberry.Info) -> list[TrackedItemLookback]:
        rows = await ctx(info).loaders.tracked_lookbacks.load(str(self.id))
        return [TrackedItemLookback(round=r["round"], outcome=r["outcome"], looked_back_on=r["looked_back_on"],
                                    notes=r["notes"]) for r in rows]

    @strawberry.field(description="The items this one is the parent of (those the caller may see).")
    async def children(self, info: strawberry.Info) -> list[TrackedItem]:
        rows = await ctx(info).loaders.tracked_children.load(str(self.id))
        return visible_items(info, rows, self.as_of or today())

    @strawberry.field(description="Percent, 0-100: for a parent, the mean of its children's computed progress "
                                  "(a child not yet reported counts 0); otherwise the latest reported percent.")
    async def computed_progress(self, info: strawberry.Info) -> float | None:
        return await computed_progress(info, self.row)
