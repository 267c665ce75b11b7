"""Democratic supervision topics and research & inspection topics (surveys service), as clients read them,
each with the tracked items its reports opened. Who may read what: `gateway/read/surveys.py`."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING, Any

import strawberry

from contracts.clock import today
from contracts.surveys import participation as sp
from contracts.surveys import research as sr
from contracts.surveys import supervision as ss
from contracts.surveys import tracking as st
from gateway.schema.enums import mirror
from gateway.schema.surveys import TrackedItem, items_of
from gateway.schema.types import Member, Organization, Unit, ctx, members, unit

if TYPE_CHECKING:
    SupervisionActivityKind = str
    ResearchTopicKind = str
    ResearchKind = str
else:
    SupervisionActivityKind = mirror(ss.SupervisionActivityKind)
    ResearchTopicKind = mirror(sr.ResearchTopicKind)
    ResearchKind = mirror(sp.ResearchKind)

RECTIFICATION = st.TrackedSubject.rectification.value
RECOMMENDATION = st.TrackedSubject.research_recommendation.value
_ACTIVITY_LABELS = {k.value: k.label_zh for k in ss.SupervisionActivityKind}
_TOPIC_LABELS = {k.value: k.label_zh for k in sr.ResearchTopicKind}


def _ids(values: Any) -> list[strawberry.ID]:
    return [strawberry.ID(str(v)) for v in values or []]


async def _units(info: strawberry.Info, ids: list[strawberry.ID]) -> list[Unit]:
    found = [await unit(info, str(i)) for i in ids]
    return [u for u in found if u is not None]


async def _organization(info: strawberry.Info, organization_id: str | None) -> Organization | None:
    if not organization_id:
        return None
    row = await ctx(info).loaders.organization.load(organization_id)
    return Organization.of(row) if row else None


# ---- democratic supervision ---------------------------------------------------------------------------------

@strawberry.type(description="A supervision activity (监督活动): an inspection, forum, hearing or questionnaire.")
class SupervisionActivity:
    id: strawberry.ID
    kind: SupervisionActivityKind | None
    label_zh: str | None
    held_on: date | None
    participant_member_ids: list[strawberry.ID]
    unit_ids: list[strawberry.ID] = strawberry.field(description="the supervised departments it concerned")
    summary: str

    @classmethod
    def of(cls, r: Any) -> SupervisionActivity:
        return cls(id=strawberry.ID(r["activity_id"]), kind=r["kind"], label_zh=_ACTIVITY_LABELS.get(r["kind"]),
                   held_on=r["held_on"], participant_member_ids=_ids(r["participant_member_ids"]),
                   unit_ids=_ids(r["unit_ids"]), summary=r["summary"])

    @strawberry.field
    async def participants(self, info: strawberry.Info) -> list[Member]:
        return await members(info, [str(x) for x in self.participant_member_ids])


@strawberry.type(description="A supervision report (监督报告): its findings are rectifications (整改) sent to "
                             "departments, each a tracked item.")
class SupervisionReport:
    id: strawberry.ID
    supervision_id: strawberry.ID
    reported_on: date | None
    summary: str
    finding_count: int = strawberry.field(description="findings, each a rectification request")
    unit_ids: list[strawberry.ID] = strawberry.field(description="the departments asked to rectify")
    member_ids: list[strawberry.ID] = strawberry.field(description="supervisors and members who took part")
    rectification_due: date | None = strawberry.field(description="the latest due date of its rectifications")
    item_ids: list[strawberry.ID]

    @classmethod
    def of(cls, r: Any) -> SupervisionReport:
        return cls(id=strawberry.ID(r["report_id"]), supervision_id=strawberry.ID(r["supervision_id"]),
                   reported_on=r["reported_on"], summary=r["summary"], finding_count=r["findings"],
                   unit_ids=_ids(r["unit_ids"]), member_ids=_ids(r["member_ids"]),
                   rectification_due=r["rectification_due"], item_ids=_ids(r["item_ids"]))

    @strawberry.field(description="The rectifications (one per finding) the caller may see: members none, a "
                                  "department those sent to it.")
    async def rectifications(self, info: strawberry.Info, as_of: date | None = None) -> list[TrackedItem]:
        return await items_of(info, RECTIFICATION, [str(i) for i in self.item_ids], [str(self.id)],
                              as_of or today())


@strawberry.type(description="A special supervision topic (专项民主监督) of the year, on the departments supervised.")
class SupervisionTopic:
    id: strawberry.ID
    year: int | None
    title: str
    unit_ids: list[strawberry.ID] = strawberry.field(description="the departments supervised")
    team_member_ids: list[strawberry.ID]
    opened_on: date | None

    @classmethod
    def of(cls, r: Any) -> SupervisionTopic:
        return cls(id=strawberry.ID(r["supervision_id"]), year=r["year"], title=r["title"],
                   unit_ids=_ids(r["unit_ids"]), team_member_ids=_ids(r["team_member_ids"]),
                   opened_on=r["opened_on"])

    @strawberry.field
    async def units(self, info: strawberry.Info) -> list[Unit]:
        return await _units(info, self.unit_ids)

    @strawberry.field
    async def team(self, info: strawberry.Info) -> list[Member]:
        return await members(info, [str(x) for x in self.team_member_ids])

    @strawberry.field(description="Its activities, by day.")
    async def activities(self, info: strawberry.Info) -> list[SupervisionActivity]:
        return [SupervisionActivity.of(r) for r in await ctx(info).loaders.supervision_activities.load(str(self.id))]

    @strawberry.field(description="Its reports, by day.")
    async def reports(self, info: strawberry.Info) -> list[SupervisionReport]:
        return [SupervisionReport.of(r) for r in await ctx(info).loaders.supervision_reports.load(str(self.id))]

    @strawberry.field(description="Every rectification its reports opened that the caller may see.")
    async def rectifications(self, info: strawberry.Info, as_of: date | None = None) -> list[TrackedItem]:
        reports = await ctx(info).loaders.supervision_reports.load(str(self.id))
        return await items_of(info, RECTIFICATION, [i for r in reports for i in r["item_ids"]],
                              [r["report_id"] for r in reports], as_of or today())


# ---- research and inspection --------------------------------------------------------------------------------

@strawberry.type(description="A party's or group's application for a research topic (党派团体申报调研课题).")
class ResearchApplication:
    id: strawberry.ID
    organization_id: strawberry.ID
    applied_on: date | None
    plan: str
    approved: bool | None = strawberry.field(description="null until the office decided")
    reason: str | None
    decided_on: date | None

    @classmethod
    def of(cls, r: Any) -> ResearchApplication:
        return cls(id=strawberry.ID(r["application_id"]), organization_id=strawberry.ID(r["organization_id"]),
                   applied_on=r["applied_on"], plan=r["plan"], approved=r["approved"], reason=r["reason"],
                   decided_on=r["decided_on"])

    @strawberry.field
    async def organization(self, info: strawberry.Info) -> Organization | None:
        return await _organization(info, str(self.organization_id))


@strawberry.type(description="A field day of a research topic (调研, 视察) with the members who took part.")
class ResearchFieldDay:
    id: strawberry.ID
    kind: ResearchKind | None = strawberry.field(description="how the scorecard counts it: research or inspection")
    title: str
    held_on: date | None
    member_ids: list[strawberry.ID]

    @strawberry.field
    async def members(self, info: strawberry.Info) -> list[Member]:
        return await members(info, [str(x) for x in self.member_ids])


@strawberry.type(description="A research (or inspection) report (调研报告, 视察报告) and its recommendations.")
class ResearchReport:
    id: strawberry.ID
    topic_id: strawberry.ID
    reported_on: date | None
    summary: str
    item_ids: list[strawberry.ID]

    @strawberry.field(description="Its recommendations the caller may see: members none, a department those "
                                  "sent to it.")
    async def recommendations(self, info: strawberry.Info, as_of: date | None = None) -> list[TrackedItem]:
        return await items_of(info, RECOMMENDATION, [str(i) for i in self.item_ids], [], as_of or today())


@strawberry.type(description="A research topic of the year (调研课题): research, experiential research or "
                             "embedded inspection.")
class ResearchTopic:
    id: strawberry.ID
    year: int | None
    title: str
    kind: ResearchTopicKind | None
    label_zh: str | None
    open_for_application: bool
    organization_id: strawberry.ID | None = strawberry.field(
        description="the party or group whose application was approved (it took the topic on)")
    team_member_ids: list[strawberry.ID]
    team_organization_ids: list[strawberry.ID]

    @classmethod
    def of(cls, r: Any) -> ResearchTopic:
        return cls(id=strawberry.ID(r["topic_id"]), year=r["year"], title=r["title"], kind=r["kind"],
                   label_zh=_TOPIC_LABELS.get(r["kind"]), open_for_application=r["open_for_application"],
                   organization_id=r["organization_id"], team_member_ids=_ids(r["team_member_ids"]),
                   team_organization_ids=_ids(r["team_organization_ids"]))

    @strawberry.field
    async def organization(self, info: strawberry.Info) -> Organization | None:
        return await _organization(info, self.organization_id)

    @strawberry.field
    async def team(self, info: strawberry.Info) -> list[Member]:
        return await members(info, [str(x) for x in self.team_member_ids])

    @strawberry.field
    async def applications(self, info: strawberry.Info) -> list[ResearchApplication]:
        return [ResearchApplication.of(r) for r in await ctx(info).loaders.research_applications.load(str(self.id))]

    @strawberry.field(description="Its field days, by day.")
    async def field_days(self, info: strawberry.Info) -> list[ResearchFieldDay]:
        rows = await ctx(info).loaders.research_field_days.load(str(self.id))
        return [ResearchFieldDay(id=strawberry.ID(r["activity_id"]), kind=r["kind"], title=r["title"],
                                 held_on=r["held_on"], member_ids=_ids(r["member_ids"])) for r in rows]

    @strawberry.field
    async def reports(self, info: strawberry.Info) -> list[ResearchReport]:
        rows = await ctx(info).loaders.research_reports.load(str(self.id))
        return [ResearchReport(id=strawberry.ID(r["report_id"]), topic_id=strawberry.ID(r["topic_id"]),
                               reported_on=r["reported_on"], summary=r["summary"], item_ids=_ids(r["item_ids"]))
                for r in rows]

    @strawberry.field(description="Every recommendation of the topic the caller may see (from its reports, or "
                                  "naming the topic as their source).")
    async def recommendations(self, info: strawberry.Info, as_of: date | None = None) -> list[TrackedItem]:
        reports = await ctx(info).loaders.research_reports.load(str(self.id))
        return await items_of(info, RECOMMENDATION, [i for r in reports for i in r["item_ids"]], [str(self.id)],
                              as_of or today())
