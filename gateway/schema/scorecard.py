"""The member scorecard (委员履职档案与考评) as clients read it."""

from __future__ import annotations

from collections import Counter
from datetime import date
from decimal import Decimal
from typing import Any

import strawberry

from contracts.members.enums import ScoreCategory as ContractScoreCategory
from gateway.read import grades as g
from gateway.schema import enums as e
from gateway.schema.types import Member, ctx, member


@strawberry.type(description="One scorecard item: points under a rule, earned by a source event.")
class ScoreItem:
    item_id: strawberry.ID
    category: e.ScoreCategory
    points: float
    nominal_points: float = strawberry.field(description="before caps; differs from points when a cap bit")
    capped: bool
    rule: str
    rule_label_zh: str | None
    rulebook_version: int | None
    occurred_on: date | None
    source_event_id: strawberry.ID | None
    source_event_type: str | None
    source_service: str | None

    @classmethod
    def of(cls, r: Any) -> ScoreItem:
        nominal = r["nominal_points"] if r["nominal_points"] is not None else r["points"]
        return cls(item_id=strawberry.ID(r["item_id"]), category=r["category"], points=float(r["points"]),
                   nominal_points=float(nominal), capped=nominal != r["points"], rule=r["rule"],
                   rule_label_zh=r["rule_label_zh"], rulebook_version=r["rulebook_version"],
                   occurred_on=r["occurred_on"],
                   source_event_id=strawberry.ID(str(r["source_event_id"])) if r["source_event_id"] else None,
                   source_event_type=r["source_event_type"], source_service=r["source_service"])


@strawberry.type(description="The points of one category, with the items that earned them.")
class CategoryPoints:
    category: e.ScoreCategory
    label_zh: str
    points: float
    items: list[ScoreItem]


@strawberry.type(description="A constraint of the rulebook that holds for the member "
                             "(e.g. repeated unexcused absence).")
class MemberFlag:
    member_id: strawberry.ID
    year: int
    flag: str
    label_zh: str | None
    count: int | None
    max_grade: e.Grade | None = strawberry.field(description="the best grade a flagged member can get")
    evidence_event_ids: list[strawberry.ID]
    raised_on: date | None

    @classmethod
    def of(cls, r: Any) -> MemberFlag:
        return cls(member_id=strawberry.ID(r["member_id"]), year=r["year"], flag=r["flag"], label_zh=r["label_zh"],
                   count=r["count"], max_grade=r["max_grade"],
                   evidence_event_ids=[strawberry.ID(str(x)) for x in r["evidence_event_ids"]],
                   raised_on=r["raised_on"])

    @strawberry.field
    async def member(self, info: strawberry.Info) -> Member | None:
        return await member(info, self.member_id)


@strawberry.type(description="A duty record in the member's year: a meeting, proposal, report, visit, training …")
class ActivityItem:
    kind: str
    ref_id: strawberry.ID
    role: str | None
    status: str | None
    title: str | None
    occurred_on: date | None
    event_id: strawberry.ID | None

    @classmethod
    def of(cls, r: Any) -> ActivityItem:
        return cls(kind=r["kind"], ref_id=strawberry.ID(r["ref_id"]), role=r["role"], status=r["status"],
                   title=r["title"], occurred_on=r["occurred_on"],
                   event_id=strawberry.ID(str(r["event_id"])) if r["event_id"] else None)


@strawberry.type
class AttendanceSummary:
    present: int
    on_leave: int
    absent: int
    items: list[ActivityItem]


@strawberry.type
class ProposalSummary:
    submitted: int
    accepted: int
    key: int
    as_lead: int
    items: list[ActivityItem]


@strawberry.type
class ReportSummary:
    submitted: int
    adopted: int
    instructed: int
    published: int
    items: list[ActivityItem]


@strawberry.type
class RoleCount:
    role: e.VisitRole
    count: int


@strawberry.type
class VisitSummary:
    count: int
    people_reached: int
    by_role: list[RoleCount]
    items: list[ActivityItem]


@strawberry.type
class ActivitySummary:
    count: int
    items: list[ActivityItem]


@strawberry.type(description="A grade band: the lowest total that reaches the grade (none for the bottom band).")
class GradeBand:
    grade: e.Grade
    min_total: float | None


@strawberry.type(description="What the member still needs for the next grade band.")
class NextGrade:
    grade: e.Grade
    min_total: float
    points_needed: float
    blocked_by_flags: list[str] = strawberry.field(
        description="flags whose grade ceiling keeps the member below this band whatever the points")


@strawberry.type(description="A member's year: points by category with their items, grade, rank, flags, "
                             "and the duty record behind them.")
class Scorecard:
    member_id: strawberry.ID
    year: int
    total: float
    grade: e.Grade
    grade_by_points: e.Grade
    graded: bool = strawberry.field(description="true once the members service graded the year (member-graded); "
                                                "before that the grade is provisional")
    rank: int = strawberry.field(description="rank in the committee (1 = highest total; ties share a rank)")
    sector_rank: int
    committee_size: int
    sector_size: int
    bands: strawberry.Private[tuple[g.Band, ...]]
    rulebook_version: int | None

    @classmethod
    def of(cls, r: Any, year: int, bands: tuple[g.Band, ...], rulebook_version: int | None) -> Scorecard:
        return cls(member_id=strawberry.ID(r["member_id"]), year=year, total=float(r["total"]), grade=r["grade"],
                   grade_by_points=r["grade_by_points"], graded=r["graded"], rank=r["committee_rank"],
                   sector_rank=r["sector_rank"], committee_size=r["committee_size"], sector_size=r["sector_size"],
                   bands=bands, rulebook_version=rulebook_version)

    @property
    def _key(self) -> tuple[str, int]:
        return (str(self.member_id), self.year)

    @strawberry.field
    async def member(self, info: strawberry.Info) -> Member | None:
        return await member(info, self.member_id)

    @strawberry.field
    async def items(self, info: strawberry.Info) -> list[ScoreItem]:
        return [ScoreItem.of(r) for r in await ctx(info).loaders.score_items.load(self._key)]

    @strawberry.field(description="Every score category, in the rulebook's order, with its points and items.")
    async def categories(self, info: strawberry.Info) -> list[CategoryPoints]:
        items = [ScoreItem.of(r) for r in await ctx(info).loaders.score_items.load(self._key)]
        out = []
        for category in ContractScoreCategory:
            mine = [i for i in items if i.category == category.value]
            out.append(CategoryPoints(category=category.value, label_zh=category.label_zh,  # type: ignore[arg-type]
                                      points=float(sum(Decimal(str(i.points)) for i in mine)), items=mine))
        return out

    @strawberry.field
    async def flags(self, info: strawberry.Info) -> list[MemberFlag]:
        return [MemberFlag.of(r) for r in await ctx(info).loaders.score_flags.load(self._key)]

    async def _activity(self, info: strawberry.Info, *kinds: str) -> list[ActivityItem]:
        rows = await ctx(info).loaders.activity.load(self._key)
        return [ActivityItem.of(r) for r in rows if r["kind"] in kinds]

    async def _summary(self, info: strawberry.Info, kind: str) -> ActivitySummary:
        items = await self._activity(info, kind)
        return ActivitySummary(count=len(items), items=items)

    @strawberry.field
    async def attendance(self, info: strawberry.Info) -> AttendanceSummary:
        items = await self._activity(info, "attendance")
        n = Counter(i.status for i in items)
        return AttendanceSummary(present=n["present"], on_leave=n["on_leave"], absent=n["absent"], items=items)

    @strawberry.field
    async def proposals(self, info: strawberry.Info) -> ProposalSummary:
        items = await self._activity(info, "proposal_submitted", "proposal_accepted", "key_proposal")
        n = Counter(i.kind for i in items)
        lead = sum(1 for i in items if i.kind == "proposal_submitted" and i.role == "lead")
        return ProposalSummary(submitted=n["proposal_submitted"], accepted=n["proposal_accepted"],
                               key=n["key_proposal"], as_lead=lead, items=items)

    @strawberry.field
    async def reports(self, info: strawberry.Info) -> ReportSummary:
        items = await self._activity(info, "report_submitted", "report_adopted", "report_instructed",
                                     "report_published")
        n = Counter(i.kind for i in items)
        adopted = len({str(i.ref_id).rsplit(":", 1)[0] for i in items if i.kind == "report_adopted"})
        return ReportSummary(submitted=n["report_submitted"], adopted=adopted, instructed=n["report_instructed"],
                             published=n["report_published"], items=items)

    @strawberry.field
    async def visits(self, info: strawberry.Info) -> VisitSummary:
        rows = [r for r in await ctx(info).loaders.activity.load(self._key) if r["kind"] == "visit"]
        roles: Counter[str] = Counter()
        reached = 0
        for r in rows:
            detail = r["detail"] if isinstance(r["detail"], dict) else {}
            roles.update(detail.get("roles", []))
            reached += int(detail.get("people_reached") or 0)
        return VisitSummary(count=len(rows), people_reached=reached,
                            by_role=[RoleCount(role=k, count=v) for k, v in sorted(roles.items())],
                            items=[ActivityItem.of(r) for r in rows])

    @strawberry.field
    async def training(self, info: strawberry.Info) -> ActivitySummary:
        return await self._summary(info, "training")

    @strawberry.field
    async def charity(self, info: strawberry.Info) -> ActivitySummary:
        return await self._summary(info, "charity")

    @strawberry.field
    async def awards(self, info: strawberry.Info) -> ActivitySummary:
        return await self._summary(info, "award")

    @strawberry.field(description="Consultations taken part in (role participant, speaker or written_opinion).")
    async def consultations(self, info: strawberry.Info) -> ActivitySummary:
        return await self._summary(info, "consultation")

    @strawberry.field(description="Democratic supervision reports the member took part in.")
    async def supervision(self, info: strawberry.Info) -> ActivitySummary:
        return await self._summary(info, "supervision")

    @strawberry.field(description="Research and inspection field days (status research or inspection).")
    async def research(self, info: strawberry.Info) -> ActivitySummary:
        return await self._summary(info, "research")

    @strawberry.field(description="Democratic appraisal rounds taken part in.")
    async def appraisals(self, info: strawberry.Info) -> ActivitySummary:
        return await self._summary(info, "appraisal")

    @strawberry.field(description="The grade bands of the year (the rulebook's, or the default).")
    def grade_bands(self) -> list[GradeBand]:
        return [GradeBand(grade=b.grade, min_total=None if b.min_total is None else float(b.min_total))  # type: ignore[arg-type]
                for b in self.bands]

    @strawberry.field(description="The next band above the total's and the points it still takes; null at the top.")
    async def next_grade(self, info: strawberry.Info) -> NextGrade | None:
        flags = await ctx(info).loaders.score_flags.load(self._key)
        nb = g.next_band(Decimal(str(self.total)), self.bands, {f["flag"]: f["max_grade"] for f in flags})
        if nb is None:
            return None
        return NextGrade(grade=nb.grade, min_total=float(nb.min_total), points_needed=float(nb.points_needed),  # type: ignore[arg-type]
                         blocked_by_flags=list(nb.blocking_flags))
