"""Leadership oversight (领导督办) as clients read it: every figure carries the items it counts."""

from __future__ import annotations

from datetime import date
from typing import Any, Generic, TypeVar

import strawberry

from contracts.surveys import tracking as st
from gateway.read import oversight as o
from gateway.read import surveys as sv
from gateway.schema import appraisal as ap
from gateway.schema import enums as e
from gateway.schema import notifications as nt
from gateway.schema.scorecard import MemberFlag
from gateway.schema.surveys import ConsultationPlanItem, TrackedItem, TrackedSubject
from gateway.schema.types import Evaluation, Member, Proposal, Unit, ctx, member, members, unit

T = TypeVar("T")


@strawberry.type(description="A proposal–unit pair in the year's handling.")
class HandlingItem:
    proposal_id: strawberry.ID
    number: str | None
    title: str
    category: e.Category | None
    unit_id: strawberry.ID
    role: e.UnitRole
    round: int
    deadline: date | None
    replied_on: date | None
    result_class: e.ResultClass | None
    on_time: bool | None = strawberry.field(description="the first reply came by the deadline")
    met: bool
    days_overdue: int
    counted: bool = strawberry.field(description="counts in the figure's numerator")

    @classmethod
    def of(cls, r: o.HandlingRow, as_of: date, counted: bool = True) -> HandlingItem:
        return cls(proposal_id=strawberry.ID(r.proposal_id), number=r.number, title=r.title, category=r.category,
                   unit_id=strawberry.ID(r.unit_id), role=r.role, round=r.round, deadline=r.deadline,
                   replied_on=r.replied_on, result_class=r.result_class, on_time=r.first_on_time, met=r.met,
                   days_overdue=r.days_overdue(as_of), counted=counted)

    @strawberry.field
    async def proposal(self, info: strawberry.Info) -> Proposal | None:
        row = await ctx(info).loaders.proposal.load(self.proposal_id)
        return Proposal.of(row) if row else None

    @strawberry.field
    async def unit(self, info: strawberry.Info) -> Unit | None:
        return await unit(info, self.unit_id)


@strawberry.type(description="An evaluation counted by a satisfaction figure.")
class EvaluationItem:
    evaluation: Evaluation
    number: str | None
    title: str
    rehandled: bool = strawberry.field(description="the unit was asked to handle it again after this rating")
    counted: bool


def _evaluation_item(r: o.EvaluationRow, counted: bool) -> EvaluationItem:
    ev = Evaluation(proposal_id=strawberry.ID(r.proposal_id), unit_id=strawberry.ID(r.unit_id), round=r.round,
                    member_id=strawberry.ID(r.member_id), rating=r.rating, attitude=None, contact=None,  # type: ignore[arg-type]
                    comment=r.comment, evaluated_on=r.evaluated_on)
    return EvaluationItem(evaluation=ev, number=r.number, title=r.title, rehandled=r.rehandled, counted=counted)


@strawberry.type(description="A member counted by a visit-coverage figure.")
class CoverageItem:
    member_id: strawberry.ID
    name: str
    sector: e.Sector | None
    township_id: str | None
    sector_visits: int
    visited_by_chair: bool
    counted: bool

    @strawberry.field
    async def member(self, info: strawberry.Info) -> Member | None:
        return await member(info, self.member_id)


@strawberry.type(description="A rate: numerator of denominator, with every item of the denominator "
                             "(`counted` marks the numerator's).")
class Rate(Generic[T]):
    numerator: int
    denominator: int
    value: float | None = strawberry.field(description="numerator / denominator; null when nothing is counted")
    items: list[T]


def handling_rate(rate: o.Rate[o.HandlingRow], as_of: date) -> Rate[HandlingItem]:
    return Rate(numerator=rate.numerator, denominator=rate.denominator, value=rate.value,
                items=[HandlingItem.of(r, as_of, c) for r, c in rate.items])


def evaluation_rate(rate: o.Rate[o.EvaluationRow]) -> Rate[EvaluationItem]:
    return Rate(numerator=rate.numerator, denominator=rate.denominator, value=rate.value,
                items=[_evaluation_item(r, c) for r, c in rate.items])


def coverage_rate(rate: o.Rate[o.CoverageRow]) -> Rate[CoverageItem]:
    return Rate(numerator=rate.numerator, denominator=rate.denominator, value=rate.value,
                items=[CoverageItem(member_id=strawberry.ID(r.member_id), name=r.name, sector=r.sector,
                                    township_id=r.township_id, sector_visits=r.sector_visits,
                                    visited_by_chair=r.visited_by_chair, counted=c) for r, c in rate.items])


@strawberry.type(description="The share of replies of one result class (A solved/adopted, B in progress, "
                             "C for reference).")
class ClassShare:
    result_class: e.ResultClass
    count: int
    share: float | None
    items: list[HandlingItem]


@strawberry.type(description="The handling figures of one unit or one category.")
class HandlingFigures:
    unit_id: strawberry.ID | None
    category: e.Category | None
    assigned: int
    replied: int
    overdue: list[HandlingItem]
    reply_on_time: Rate[HandlingItem]
    meeting: Rate[HandlingItem]
    satisfaction: Rate[EvaluationItem]
    classes: list[ClassShare]

    @strawberry.field
    async def unit(self, info: strawberry.Info) -> Unit | None:
        return await unit(info, self.unit_id)


def figures(f: o.HandlingFigures, as_of: date, by_unit: bool) -> HandlingFigures:
    return HandlingFigures(
        unit_id=strawberry.ID(f.key) if by_unit else None, category=None if by_unit else (f.key or None),
        assigned=len(f.assigned), replied=f.replied,
        overdue=[HandlingItem.of(r, as_of) for r in f.overdue],
        reply_on_time=handling_rate(f.reply_on_time, as_of), meeting=handling_rate(f.meeting, as_of),
        satisfaction=evaluation_rate(f.satisfaction),
        classes=[ClassShare(result_class=k, count=len(rows),  # type: ignore[arg-type]
                            share=round(len(rows) / f.replied, 4) if f.replied else None,
                            items=[HandlingItem.of(r, as_of) for r in rows]) for k, rows in sorted(f.classes.items())],
    )


@strawberry.type(description="A unit's proposals past deadline without a reply.")
class UnitOverdue:
    unit_id: strawberry.ID
    count: int
    items: list[HandlingItem]

    @strawberry.field
    async def unit(self, info: strawberry.Info) -> Unit | None:
        return await unit(info, self.unit_id)


@strawberry.type(description="A key proposal (重点提案) and how its supervision is going.")
class KeyProposalProgress:
    proposal_id: strawberry.ID
    number: str | None
    title: str
    status: e.ProposalStatus
    supervising_leader_ids: list[strawberry.ID]
    reports: int
    last_reported_on: date | None

    @strawberry.field
    async def proposal(self, info: strawberry.Info) -> Proposal | None:
        row = await ctx(info).loaders.proposal.load(self.proposal_id)
        return Proposal.of(row) if row else None


@strawberry.type(description="A look-back (回头看) at a B-class commitment or a recommendation report.")
class Lookback:
    id: strawberry.ID
    subject: e.LookbackSubject
    due: date | None
    proposal_id: strawberry.ID | None
    commitment_id: strawberry.ID | None
    unit_id: strawberry.ID | None
    recommendation_id: strawberry.ID | None
    outcome: e.LookbackOutcome | None
    notes: str | None
    concluded_on: date | None

    @classmethod
    def of(cls, r: Any) -> Lookback:
        return cls(id=strawberry.ID(r["lookback_id"]), subject=r["subject"], due=r["due"], proposal_id=r["proposal_id"],
                   commitment_id=r["commitment_id"], unit_id=r["unit_id"], recommendation_id=r["recommendation_id"],
                   outcome=r["outcome"], notes=r["notes"], concluded_on=r["concluded_on"])


@strawberry.type
class LookbackResult:
    outcome: e.LookbackOutcome
    count: int
    items: list[Lookback]


@strawberry.type(description="Look-backs due and concluded.")
class LookbackFigures:
    due: list[Lookback] = strawberry.field(description="open look-backs whose date has come")
    results: list[LookbackResult]


@strawberry.type(description="Visit coverage of one sector or township (两访三做).")
class CoverageFigures:
    sector: e.Sector | None
    township_id: str | None
    visiting: Rate[CoverageItem] = strawberry.field(
        description="members who made the plan's number of sector visits this year")
    visited: Rate[CoverageItem] = strawberry.field(
        description="members (not chair-meeting members) visited by a chair-meeting member this year")


@strawberry.type(description="Leadership oversight of a year: what is late or undone, and the yearly figures. "
                             "Every figure lists the items it counts.")
class Oversight:
    year: int
    as_of: date
    data: strawberry.Private[o.Oversight]

    @strawberry.field(description="Deadline reminders escalated (督办) in the month of asOf, to the office and to "
                                  "the supervising leaders (from the notify service).")
    async def reminders_escalated(self, info: strawberry.Info) -> nt.ReminderEscalations:
        viewer = ctx(info).viewer
        body = await nt.reader(info).escalations(nt.token_of(viewer), self.as_of)
        return nt.ReminderEscalations.of(body)

    @strawberry.field(description="The latest closed democratic appraisal (民主评议) of this year or before: every "
                                  "department's satisfaction rate and rank, the top and bottom three, and the bottom "
                                  "three's rectifications; `kind` narrows it to law-enforcement departments or "
                                  "service windows.")
    async def latest_appraisal(self, info: strawberry.Info,
                               kind: ap.AppraisalKind | None = None) -> ap.LatestAppraisal | None:
        return await ap.latest(info, self.year, kind)

    @strawberry.field(description="Proposals past deadline without a reply, by unit.")
    def overdue_by_unit(self) -> list[UnitOverdue]:
        return [UnitOverdue(unit_id=strawberry.ID(k), count=len(v), items=[HandlingItem.of(r, self.as_of) for r in v])
                for k, v in self.data.overdue_by_unit().items()]

    @strawberry.field(description="Reply-on-time, meeting and satisfaction rates and A/B/C shares per unit.")
    def by_unit(self) -> list[HandlingFigures]:
        return [figures(f, self.as_of, True) for f in self.data.figures_by(lambda r: r.unit_id)]

    @strawberry.field(description="The same figures per proposal category.")
    def by_category(self) -> list[HandlingFigures]:
        return [figures(f, self.as_of, False) for f in self.data.figures_by(lambda r: r.category)]

    @strawberry.field(description="The same figures over the whole year.")
    def overall(self) -> HandlingFigures:
        found = self.data.figures_by(lambda r: "all")
        empty = o.Oversight(self.year, self.as_of)._figures("all", [], [])
        result = figures(found[0] if found else empty, self.as_of, False)
        result.category = None
        return result

    @strawberry.field(description="Evaluations rating a reply dissatisfied (不满意).")
    def dissatisfied(self) -> list[EvaluationItem]:
        return [_evaluation_item(r, True) for r in self.data.dissatisfied()]

    @strawberry.field
    def key_proposals(self) -> list[KeyProposalProgress]:
        return [KeyProposalProgress(proposal_id=strawberry.ID(r["proposal_id"]), number=r["number"], title=r["title"],
                                    status=r["status"],
                                    supervising_leader_ids=[strawberry.ID(x) for x in r["key_leaders"]],
                                    reports=r["reports"], last_reported_on=r["last_reported_on"])
                for r in self.data.key_proposals]

    @strawberry.field
    def lookbacks(self) -> LookbackFigures:
        results = [LookbackResult(outcome=k, count=len(v), items=[Lookback.of(r) for r in v])  # type: ignore[arg-type]
                   for k, v in self.data.lookback_results().items()]
        return LookbackFigures(due=[Lookback.of(r) for r in self.data.lookbacks_due()], results=results)

    @strawberry.field(description="B-class commitments past due without a concluded look-back.")
    def commitments_overdue(self) -> list[CommitmentItem]:
        return [CommitmentItem.of(r) for r in self.data.commitments_overdue()]

    @strawberry.field
    def visit_coverage_by_sector(self) -> list[CoverageFigures]:
        return [CoverageFigures(sector=g.key, township_id=None, visiting=coverage_rate(g.visiting),
                                visited=coverage_rate(g.visited))
                for g in self.data.coverage_by(lambda r: r.sector)]

    @strawberry.field
    def visit_coverage_by_township(self) -> list[CoverageFigures]:
        return [CoverageFigures(sector=None, township_id=g.key, visiting=coverage_rate(g.visiting),
                                visited=coverage_rate(g.visited))
                for g in self.data.coverage_by(lambda r: r.township_id)]

    @strawberry.field
    def members_flagged(self) -> list[MemberFlag]:
        return [MemberFlag.of(r) for r in self.data.flags]

    @strawberry.field(description="Steps of the year the office entered after the day they happened (from paper: "
                                  "a reply letter, a feedback form, a visit), oldest first; every figure counts "
                                  "them on the day they happened.")
    def backdated(self) -> BackdatedSteps:
        items = [BackdatedStep.of(r) for r in self.data.backdated]
        return BackdatedSteps(count=len(items), items=items)

    @strawberry.field(description="Replies of the year whose evaluation deadline passed with ratings missing (未评议), "
                                  "earliest deadline first: how many, how many proposers did not rate, and who. "
                                  "Satisfaction rates count only the ratings given.")
    def not_evaluated(self) -> NotEvaluated:
        items = [NotEvaluatedItem.of(r) for r in self.data.not_evaluated]
        return NotEvaluated(count=len(items), members=sum(len(i.not_rated_member_ids) for i in items), items=items)

    @strawberry.field(description="Open tracked items (any year) a responsible department has not yet reported on "
                                  "in the current round, by department; `kind` narrows them (e.g. consultation "
                                  "outcomes not yet reported).")
    async def tracked_not_reported_by_unit(self, info: strawberry.Info,
                                           kind: TrackedSubject | None = None) -> list[UnitTrackedItems]:
        c = ctx(info)
        rows = await sv.open_not_reported(c.db, c.viewer.committee_id, _kind(kind))
        grouped: dict[str, list[Any]] = {}
        for r in rows:
            grouped.setdefault(r["responsible_unit_id"], []).append(r)
        return [UnitTrackedItems(unit_id=strawberry.ID(k), count=len(v), items=[TrackedItem.of(r, self.as_of)
                                                                                for r in v])
                for k, v in grouped.items()]

    @strawberry.field(description="Tracked items (any year) overdue as of asOf: open, past due, and some "
                                  "responsible department has not reported them done; most overdue first.")
    async def tracked_overdue(self, info: strawberry.Info, kind: TrackedSubject | None = None) -> list[TrackedItem]:
        c = ctx(info)
        rows = await sv.overdue(c.db, c.viewer.committee_id, self.as_of, _kind(kind))
        return [TrackedItem.of(r, self.as_of) for r in rows]

    @strawberry.field(description="Supervision rectifications (整改, any year) overdue as of asOf, most overdue "
                                  "first.")
    async def rectifications_overdue(self, info: strawberry.Info) -> list[TrackedItem]:
        c = ctx(info)
        rows = await sv.overdue(c.db, c.viewer.committee_id, self.as_of, RECTIFICATION)
        return [TrackedItem.of(r, self.as_of) for r in rows]

    @strawberry.field(description="Research and inspection recommendations (any year) without result: no verdict "
                                  "on their current round; nearest due first.")
    async def recommendations_without_result(self, info: strawberry.Info) -> list[TrackedItem]:
        c = ctx(info)
        rows = await sv.open_of_kind(c.db, c.viewer.committee_id, RECOMMENDATION)
        return [TrackedItem.of(r, self.as_of) for r in rows]

    @strawberry.field(description="The consultation plan's items held vs planned, by planned month (withdrawn items "
                                  "left out), with the year's totals.")
    async def plan_progress(self, info: strawberry.Info, year: int | None = None) -> PlanProgress:
        c = ctx(info)
        the_year = year if year is not None else self.year
        months = sv.plan_progress(await sv.plan_items(c.db, c.viewer, the_year))
        rows = [PlanMonthProgress(month=m.month, planned=len(m.items), held=len(m.held),
                                  rate=_rate(len(m.held), len(m.items)),
                                  items=[ConsultationPlanItem.of(i) for i in m.items]) for m in months]
        planned, held = sum(r.planned for r in rows), sum(r.held for r in rows)
        return PlanProgress(year=the_year, planned=planned, held=held, rate=_rate(held, planned), months=rows)


RECTIFICATION = st.TrackedSubject.rectification.value
RECOMMENDATION = st.TrackedSubject.research_recommendation.value


def _kind(kind: object) -> str | None:
    return None if kind is None else str(e.value_of(kind))


def _rate(n: int, d: int) -> float | None:
    return round(n / d, 4) if d else None


@strawberry.type(description="One month of the consultation plan: its items, and those held.")
class PlanMonthProgress:
    month: int | None = strawberry.field(description="1-12; null for items the plan gives no month")
    planned: int
    held: int
    rate: float | None = strawberry.field(description="held / planned; null when nothing is planned")
    items: list[ConsultationPlanItem] = strawberry.field(description="the month's items (`held` marks the held)")


@strawberry.type(description="The consultation plan's progress (计划执行): items held vs planned, by month.")
class PlanProgress:
    year: int
    planned: int
    held: int
    rate: float | None
    months: list[PlanMonthProgress]


@strawberry.type(description="A department's open tracked items not yet reported on in the current round.")
class UnitTrackedItems:
    unit_id: strawberry.ID
    count: int
    items: list[TrackedItem]

    @strawberry.field
    async def unit(self, info: strawberry.Info) -> Unit | None:
        return await unit(info, self.unit_id)


@strawberry.type(description="A step entered after the day it happened.")
class BackdatedStep:
    type: str = strawberry.field(description="the event type, e.g. proposal-replied")
    subject_id: strawberry.ID | None = strawberry.field(description="the proposal, visit, report … it is about")
    occurred_on: date = strawberry.field(description="the day it happened, as the office entered it")
    recorded_on: date = strawberry.field(description="the day it was recorded")
    recorded_by: str = strawberry.field(description="the account that recorded it")
    days_late: int = strawberry.field(description="days between the two")

    @classmethod
    def of(cls, r: o.BackdatedRow) -> BackdatedStep:
        return cls(type=r.type, subject_id=strawberry.ID(r.subject_id) if r.subject_id else None,
                   occurred_on=r.occurred_on, recorded_on=r.recorded_on, recorded_by=r.recorded_by,
                   days_late=r.days_late)


@strawberry.type(description="The year's back-dated steps.")
class BackdatedSteps:
    count: int
    items: list[BackdatedStep]


@strawberry.type(description="A reply not evaluated (未评议) by some of its proposers by its evaluation deadline.")
class NotEvaluatedItem:
    proposal_id: strawberry.ID
    number: str | None
    title: str
    unit_id: strawberry.ID
    round: int
    deadline: date = strawberry.field(description="the evaluation deadline that passed")
    not_rated_member_ids: list[strawberry.ID] = strawberry.field(description="the proposers who did not rate it")
    rated: int = strawberry.field(description="how many proposers rated it by the deadline")

    @classmethod
    def of(cls, r: o.NotEvaluatedRow) -> NotEvaluatedItem:
        return cls(proposal_id=strawberry.ID(r.proposal_id), number=r.number, title=r.title,
                   unit_id=strawberry.ID(r.unit_id), round=r.round, deadline=r.deadline,
                   not_rated_member_ids=[strawberry.ID(m) for m in r.not_rated_member_ids], rated=r.rated)

    @strawberry.field
    async def unit(self, info: strawberry.Info) -> Unit | None:
        return await unit(info, self.unit_id)

    @strawberry.field(description="the proposers who did not rate it")
    async def not_rated(self, info: strawberry.Info) -> list[Member]:
        return await members(info, [str(m) for m in self.not_rated_member_ids])


@strawberry.type(description="The year's replies not evaluated (未评议).")
class NotEvaluated:
    count: int = strawberry.field(description="replies whose evaluation deadline passed with ratings missing")
    members: int = strawberry.field(description="proposer ratings missing over those replies")
    items: list[NotEvaluatedItem]


@strawberry.type(description="A B-class commitment in the oversight lists.")
class CommitmentItem:
    id: strawberry.ID
    proposal_id: strawberry.ID
    number: str | None
    title: str
    unit_id: strawberry.ID
    text: str
    due: date

    @classmethod
    def of(cls, r: Any) -> CommitmentItem:
        return cls(id=strawberry.ID(r["commitment_id"]), proposal_id=strawberry.ID(r["proposal_id"]),
                   number=r["number"], title=r["title"], unit_id=strawberry.ID(r["unit_id"]), text=r["text"],
                   due=r["due"])

    @strawberry.field
    async def unit(self, info: strawberry.Info) -> Unit | None:
        return await unit(info, self.unit_id)
