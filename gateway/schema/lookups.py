"""The lookups the office and members need, as Relay connections with filters: handling units, organizations,
solicitations and their reference topics, recommendation reports and look-backs, liaison contacts, rulebooks
and their versions, trainings, charity and awards. The SQL and who sees which rows: `gateway/read/lookups.py`.

`LookupQuery` holds the fields; the query root inherits them (`gateway/schema/query.py`)."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING, Annotated, Any

import strawberry

from contracts.clock import today
from contracts.members import enums as m
from gateway import policy
from gateway.read import grades
from gateway.read import lookups as lk
from gateway.schema import enums as e
from gateway.schema.connection import Connection, connection
from gateway.schema.oversight import Lookback
from gateway.schema.scalars import JSON, as_json
from gateway.schema.scorecard import GradeBand
from gateway.schema.types import Member, Organization, Unit, ctx, member, members

if TYPE_CHECKING:
    LiaisonContactKind = str
else:
    LiaisonContactKind = e.mirror(m.LiaisonContactKind)

First = Annotated[int | None, strawberry.argument(description="page size (default 20, at most 100)")]
After = Annotated[str | None, strawberry.argument(description="the endCursor of the previous page")]


def _v(x: object) -> str | None:
    return None if x is None else str(e.value_of(x))


def _ids(values: Any) -> list[strawberry.ID]:
    return [strawberry.ID(str(v)) for v in values or []]


# ---- filters ------------------------------------------------------------------------------------------

@strawberry.input
class UnitFilter:
    search: str | None = strawberry.field(default=None, description="part of the name")


@strawberry.input
class OrganizationFilter:
    kind: e.OrganizationKind | None = None
    sector: e.Sector | None = None
    search: str | None = strawberry.field(default=None, description="part of the name")


@strawberry.input
class SolicitationFilter:
    year: int | None = None
    open_on: date | None = strawberry.field(default=None, description="only those open for submission that day")
    category: e.Category | None = strawberry.field(default=None, description="with a reference topic of it")


@strawberry.input
class RulebookFilter:
    year: int | None = None
    in_force_only: bool = strawberry.field(default=False, description="only the version in force of each year")


@strawberry.input
class RecommendationReportFilter:
    year: int | None = strawberry.field(default=None, description="the year it was sent")
    awaiting_lookback: bool = strawberry.field(
        default=False, description="only those no look-back has yet found implemented")


@strawberry.input
class LookbackFilter:
    subject: e.LookbackSubject | None = None
    outcome: e.LookbackOutcome | None = None
    concluded: bool | None = None
    due_before: date | None = None
    unit_id: strawberry.ID | None = None
    proposal_id: strawberry.ID | None = None
    recommendation_id: strawberry.ID | None = None


@strawberry.input
class LiaisonContactFilter:
    kind: LiaisonContactKind | None = None
    township_id: str | None = None
    sector: e.Sector | None = None
    member_id: strawberry.ID | None = strawberry.field(default=None, description="a member enterprise's member")
    search: str | None = strawberry.field(default=None, description="part of the name")


@strawberry.input
class TrainingFilter:
    year: int | None = None
    member_id: strawberry.ID | None = strawberry.field(default=None, description="trainings this member attended")
    kind: e.TrainingKind | None = None


@strawberry.input
class CharityFilter:
    year: int | None = None
    member_id: strawberry.ID | None = strawberry.field(default=None, description="charity this member took part in")
    kind: e.CharityKind | None = None


@strawberry.input
class AwardFilter:
    year: int | None = None
    member_id: strawberry.ID | None = strawberry.field(default=None, description="awards this member received")
    organization_id: strawberry.ID | None = strawberry.field(default=None, description="awards this party or group "
                                                                                        "received")
    level: e.AwardLevel | None = None


# ---- types ----------------------------------------------------------------------------------------------

@strawberry.type(description="One entry of a solicitation's reference list (提案征集参考要目).")
class ReferenceTopic:
    title: str
    category: e.Category
    description: str


@strawberry.type(description="A solicitation of proposals (提案征集): reference topics for a submission window.")
class Solicitation:
    id: strawberry.ID
    year: int | None
    title: str | None
    opens_on: date | None
    closes_on: date | None
    topics: list[ReferenceTopic]

    @classmethod
    def of(cls, r: Any) -> Solicitation:
        topics = [ReferenceTopic(title=t.get("title", ""), category=t.get("category"), description=t.get("description")
                                 or "") for t in as_json(r["topics"]) or []]
        return cls(id=strawberry.ID(r["solicitation_id"]), year=r["year"], title=r["title"], opens_on=r["opens_on"],
                   closes_on=r["closes_on"], topics=topics)

    @strawberry.field(description="Open for submission on a day (default: today).")
    def open(self, as_of: date | None = None) -> bool:
        day = as_of or today()
        return self.opens_on is not None and self.closes_on is not None and self.opens_on <= day <= self.closes_on


@strawberry.type(description="One version of a year's rulebook (委员考评细则); a later version of the same year "
                             "is a rescoring, never a change of last year's score.")
class Rulebook:
    year: int
    version: int
    in_force: bool
    title: str | None
    base_points: float | None
    grades: list[GradeBand]
    rules: JSON = strawberry.field(description="the rulebook as published: rules, caps, flags, sources, grades")

    @classmethod
    def of(cls, r: Any) -> Rulebook:
        bands = [GradeBand(grade=b.grade, min_total=None if b.min_total is None else float(b.min_total))
                 for b in grades.bands_of(r)]
        return cls(year=r["year"], version=r["version"], in_force=r["in_force"], title=r["title"],
                   base_points=None if r["base_points"] is None else float(r["base_points"]), grades=bands,
                   rules=JSON(as_json(r["rulebook"])))


@strawberry.type(description="A recommendation report (建议案) sent to the county party committee and government, "
                             "with its look-backs (回头看).")
class RecommendationReport:
    id: strawberry.ID
    title: str
    summary: str | None
    addressed_to: str | None
    sent_on: date | None
    lookback_due: date | None = strawberry.field(description="when it is (next) to be looked back at")
    lookbacks: list[Lookback]

    @classmethod
    def of(cls, r: Any, lookbacks: list[Any]) -> RecommendationReport:
        return cls(id=strawberry.ID(r["recommendation_id"]), title=r["title"], summary=r["summary"],
                   addressed_to=r["addressed_to"], sent_on=r["sent_on"], lookback_due=r["lookback_due"],
                   lookbacks=[Lookback.of(x) for x in lookbacks])


@strawberry.type(description="Someone the committee keeps in touch with (在外乡贤, 非公经济人士, 新的社会阶层人士, "
                             "委员企业); phone and address stay with the members service.")
class LiaisonContact:
    id: strawberry.ID
    kind: LiaisonContactKind
    name: str
    township_id: str | None
    sector: e.Sector | None
    member_id: strawberry.ID | None = strawberry.field(description="for a member enterprise: the member")
    based_in: str | None
    visits: int = strawberry.field(description="liaison visits recorded to this contact")
    last_visited_on: date | None

    @classmethod
    def of(cls, r: Any) -> LiaisonContact:
        return cls(id=strawberry.ID(r["contact_id"]), kind=r["kind"], name=r["name"], township_id=r["township_id"],
                   sector=r["sector"], member_id=strawberry.ID(r["member_id"]) if r["member_id"] else None,
                   based_in=r["based_in"], visits=r["visits"], last_visited_on=r["last_visited_on"])

    @strawberry.field(description="The member, for a member enterprise.")
    async def member(self, info: strawberry.Info) -> Member | None:
        return await member(info, self.member_id)


@strawberry.interface(description="A training, a charity or an award: the members it names (a member reading it "
                                  "sees only themself named).")
class DutyRecord:
    id: strawberry.ID
    title: str
    member_ids: list[strawberry.ID]

    @strawberry.field
    async def members(self, info: strawberry.Info) -> list[Member]:
        return await members(info, [str(x) for x in self.member_ids])


def _named(info: strawberry.Info, r: Any) -> list[strawberry.ID]:
    return _ids(lk.named_members(ctx(info).viewer, list(r["member_ids"])))


@strawberry.type(description="A study session or training class (理论学习, 履职能力培训).")
class Training(DutyRecord):
    kind: e.TrainingKind | None
    held_on: date

    @classmethod
    def of(cls, info: strawberry.Info, r: Any) -> Training:
        return cls(id=strawberry.ID(r["record_id"]), title=r["title"], member_ids=_named(info, r), kind=r["subkind"],
                   held_on=r["on_date"])


@strawberry.type(description="Charity (三下乡, 扶贫济困, 捐资助学).")
class CharityRecord(DutyRecord):
    kind: e.CharityKind | None
    done_on: date
    amount_yuan: int | None

    @classmethod
    def of(cls, info: strawberry.Info, r: Any) -> CharityRecord:
        return cls(id=strawberry.ID(r["record_id"]), title=r["title"], member_ids=_named(info, r), kind=r["subkind"],
                   done_on=r["on_date"], amount_yuan=r["amount_yuan"])


@strawberry.type(description="An award (争先创优) to members and/or parties and groups.")
class Award(DutyRecord):
    level: e.AwardLevel | None
    granted_on: date
    organization_ids: list[strawberry.ID]

    @classmethod
    def of(cls, info: strawberry.Info, r: Any) -> Award:
        return cls(id=strawberry.ID(r["record_id"]), title=r["title"], member_ids=_named(info, r), level=r["subkind"],
                   granted_on=r["on_date"], organization_ids=_ids(r["organization_ids"]))

    @strawberry.field
    async def organizations(self, info: strawberry.Info) -> list[Organization]:
        rows = await ctx(info).loaders.organization.load_many([str(x) for x in self.organization_ids])
        return [Organization.of(r) for r in rows if r]


# ---- the fields ---------------------------------------------------------------------------------------

@strawberry.type
class LookupQuery:
    @strawberry.field(description="Handling units (承办单位), by name (every signed-in role).")
    async def units(self, info: strawberry.Info, filter: UnitFilter | None = None,
                    first: First = None, after: After = None) -> Connection[Unit]:
        c = ctx(info)
        policy.require(c.viewer, "units")
        f = filter or UnitFilter()
        return connection(await lk.units(c.db, c.viewer, f.search, first, after), Unit.of)

    @strawberry.field(description="Parties, the federation of industry and commerce and people's organizations, by "
                                  "name (every signed-in role).")
    async def organizations(self, info: strawberry.Info, filter: OrganizationFilter | None = None,
                            first: First = None, after: After = None) -> Connection[Organization]:
        c = ctx(info)
        policy.require(c.viewer, "organizations")
        f = filter or OrganizationFilter()
        flt = lk.OrganizationFilter(kind=_v(f.kind), sector=_v(f.sector), search=f.search)
        return connection(await lk.organizations(c.db, c.viewer, flt, first, after), Organization.of)

    @strawberry.field(description="Solicitations of proposals with their reference topics, the latest year first "
                                  "(every signed-in role).")
    async def solicitations(self, info: strawberry.Info, filter: SolicitationFilter | None = None,
                            first: First = None, after: After = None) -> Connection[Solicitation]:
        c = ctx(info)
        policy.require(c.viewer, "solicitations")
        f = filter or SolicitationFilter()
        flt = lk.SolicitationFilter(year=f.year, open_on=f.open_on, category=_v(f.category))
        return connection(await lk.solicitations(c.db, c.viewer, flt, first, after), Solicitation.of)

    @strawberry.field(description="Rulebooks and their versions, the latest year and version first (every "
                                  "signed-in role).")
    async def rulebooks(self, info: strawberry.Info, filter: RulebookFilter | None = None,
                        first: First = None, after: After = None) -> Connection[Rulebook]:
        c = ctx(info)
        policy.require(c.viewer, "rulebooks")
        f = filter or RulebookFilter()
        return connection(await lk.rulebooks(c.db, c.viewer, f.year, f.in_force_only, first, after), Rulebook.of)

    @strawberry.field(description="Recommendation reports (建议案) with their look-backs, the latest sent first "
                                  "(office, leadership, admin).")
    async def recommendation_reports(self, info: strawberry.Info, filter: RecommendationReportFilter | None = None,
                                     first: First = None, after: After = None) -> Connection[RecommendationReport]:
        c = ctx(info)
        policy.require(c.viewer, "recommendationReports")
        f = filter or RecommendationReportFilter()
        page = await lk.recommendation_reports(c.db, c.viewer, f.year, f.awaiting_lookback, first, after)
        found = await lk.recommendation_lookbacks(c.db, c.viewer, [r["recommendation_id"] for r in page.rows])
        return connection(page, lambda r: RecommendationReport.of(r, found.get(r["recommendation_id"], [])))

    @strawberry.field(description="Look-backs (回头看) at B-class commitments and recommendation reports, the "
                                  "nearest due first: office, leadership and admin all; unit staff those at their "
                                  "unit's commitments; a member those at their own proposals' (notes: staff only).")
    async def lookbacks(self, info: strawberry.Info, filter: LookbackFilter | None = None,
                        first: First = None, after: After = None) -> Connection[Lookback]:
        c = ctx(info)
        policy.require(c.viewer, "lookbacks")
        f = filter or LookbackFilter()
        flt = lk.LookbackFilter(subject=_v(f.subject), outcome=_v(f.outcome), concluded=f.concluded,
                                due_before=f.due_before, unit_id=f.unit_id, proposal_id=f.proposal_id,
                                recommendation_id=f.recommendation_id)
        return connection(await lk.lookbacks(c.db, c.viewer, flt, first, after), Lookback.of)

    @strawberry.field(description="Liaison contacts (联谊交友) with their visits, by name: office, leadership and "
                                  "admin all; a member their own enterprise.")
    async def liaison_contacts(self, info: strawberry.Info, filter: LiaisonContactFilter | None = None,
                               first: First = None, after: After = None) -> Connection[LiaisonContact]:
        c = ctx(info)
        policy.require(c.viewer, "liaisonContacts")
        f = filter or LiaisonContactFilter()
        flt = lk.LiaisonContactFilter(kind=_v(f.kind), township_id=f.township_id, sector=_v(f.sector),
                                      member_id=f.member_id, search=f.search)
        return connection(await lk.liaison_contacts(c.db, c.viewer, flt, first, after), LiaisonContact.of)

    @strawberry.field(description="Trainings, the latest first: office, leadership and admin all; a member those "
                                  "they attended.")
    async def trainings(self, info: strawberry.Info, filter: TrainingFilter | None = None,
                        first: First = None, after: After = None) -> Connection[Training]:
        c = ctx(info)
        policy.require(c.viewer, "trainings")
        f = filter or TrainingFilter()
        flt = lk.DutyRecordFilter(year=f.year, member_id=f.member_id, subkind=_v(f.kind))
        page = await lk.duty_records(c.db, c.viewer, lk.TRAINING, flt, first, after)
        return connection(page, lambda r: Training.of(info, r))

    @strawberry.field(description="Charity records, the latest first: office, leadership and admin all; a member "
                                  "those they took part in.")
    async def charity_records(self, info: strawberry.Info, filter: CharityFilter | None = None,
                              first: First = None, after: After = None) -> Connection[CharityRecord]:
        c = ctx(info)
        policy.require(c.viewer, "charityRecords")
        f = filter or CharityFilter()
        flt = lk.DutyRecordFilter(year=f.year, member_id=f.member_id, subkind=_v(f.kind))
        page = await lk.duty_records(c.db, c.viewer, lk.CHARITY, flt, first, after)
        return connection(page, lambda r: CharityRecord.of(info, r))

    @strawberry.field(description="Awards, the latest first: office, leadership and admin all; a member those they "
                                  "received.")
    async def awards(self, info: strawberry.Info, filter: AwardFilter | None = None,
                     first: First = None, after: After = None) -> Connection[Award]:
        c = ctx(info)
        policy.require(c.viewer, "awards")
        f = filter or AwardFilter()
        flt = lk.DutyRecordFilter(year=f.year, member_id=f.member_id, subkind=_v(f.level),
                                  organization_id=f.organization_id)
        page = await lk.duty_records(c.db, c.viewer, lk.AWARD, flt, first, after)
        return connection(page, lambda r: Award.of(info, r))
