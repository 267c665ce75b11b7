"""The query root: the views, each behind the policy of who may see what."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated

import strawberry

from contracts.clock import today
from gateway import policy
from gateway.errors import NotFound
from gateway.read import appraisals as ar
from gateway.read import grades, lists, workqueue
from gateway.read import oversight as overseen
from gateway.read import research as rs
from gateway.read import scorecards as ranking
from gateway.read import supervision as sup
from gateway.read import surveys as sv
from gateway.schema import enums as e
from gateway.schema import notifications as nt
from gateway.schema import questionnaires as qn
from gateway.schema.appraisal import Appraisal
from gateway.schema.connection import Connection, connection
from gateway.schema.lookups import LookupQuery
from gateway.schema.opinion_letters import OpinionLetterQuery
from gateway.schema.oversight import Oversight
from gateway.schema.scalars import JSON
from gateway.schema.scorecard import Scorecard
from gateway.schema.similar_proposals import SimilarProposalsQuery
from gateway.schema.surveys import Consultation, ConsultationPlan, ConsultationPlanItem, TrackedItem, TrackedSubject
from gateway.schema.topics import ResearchTopic, ResearchTopicKind, SupervisionTopic
from gateway.schema.types import Meeting, Member, OpinionReport, Proposal, Unit, Visit, ctx, member, unit
from gateway.schema.workqueue import WorkQueue, now, work_queue


@strawberry.type(description="The caller, as their token says.")
class Me:
    role: e.Role
    committee_id: strawberry.ID
    actor_id: strawberry.ID
    member_id: strawberry.ID | None
    unit_id: strawberry.ID | None

    @strawberry.field(description="The caller's registry entry, for a member.")
    async def member(self, info: strawberry.Info) -> Member | None:
        return await member(info, self.member_id)

    @strawberry.field(description="The caller's unit, for unit staff.")
    async def unit(self, info: strawberry.Info) -> Unit | None:
        return await unit(info, self.unit_id) if self.unit_id else None


@strawberry.input
class ScorecardFilter:
    sector: e.Sector | None = None
    township_id: str | None = None
    grade: e.Grade | None = None


@strawberry.input
class ProposalFilter:
    year: int | None = None
    status: list[e.ProposalStatus] | None = None
    category: e.Category | None = None
    unit_id: strawberry.ID | None = None
    member_id: strawberry.ID | None = strawberry.field(default=None, description="lead, co-signer or contact member")
    key_only: bool = False
    overdue_as_of: date | None = strawberry.field(
        default=None, description="only proposals with a unit past its deadline without a reply on this day")
    search: str | None = strawberry.field(default=None, description="words in the title")


@strawberry.input
class OpinionReportFilter:
    year: int | None = None
    status: list[e.ReportStatus] | None = None
    author_member_id: strawberry.ID | None = None
    adopted: bool | None = None
    instructed: bool | None = None


@strawberry.input
class MeetingFilter:
    kind: e.MeetingKind | None = None
    starts_from: datetime | None = None
    starts_before: datetime | None = None
    member_id: strawberry.ID | None = strawberry.field(default=None, description="meetings this member is invited to")


@strawberry.input
class VisitFilter:
    year: int | None = None
    kind: e.VisitKind | None = None
    visitor_member_id: strawberry.ID | None = None
    sector: e.Sector | None = strawberry.field(default=None, description="the visited sector or the visitor's")
    township_id: str | None = None
    role: e.VisitRole | None = None


@strawberry.input
class MemberFilter:
    sector: e.Sector | None = None
    township_id: str | None = None
    status: e.MemberStatus | None = None
    standing_committee: bool | None = None
    chair_members_only: bool = False
    search: str | None = strawberry.field(default=None, description="part of the name")


@strawberry.type(description="The Chinese label (label_zh) of one value of an enum.")
class EnumLabel:
    enum: str
    value: str
    name: str
    label_zh: str


def _id(x: str | None) -> strawberry.ID | None:
    return None if x is None else strawberry.ID(x)


def _v(x: object) -> str | None:
    return None if x is None else str(e.value_of(x))


First = Annotated[int | None, strawberry.argument(description="page size (default 20, at most 100)")]
After = Annotated[str | None, strawberry.argument(description="the endCursor of the previous page")]


# Fields of gateway/schema/lookups.py, similar_proposals.py and opinion_letters.py are inherited.
@strawberry.type
class Query(LookupQuery, SimilarProposalsQuery, OpinionLetterQuery):
    @strawberry.field(description="The caller.")
    def me(self, info: strawberry.Info) -> Me:
        v = policy.require(ctx(info).viewer, "me")
        return Me(role=v.role.value, committee_id=strawberry.ID(v.committee_id), actor_id=strawberry.ID(v.actor_id),  # type: ignore[arg-type]
                  member_id=_id(v.member_id), unit_id=_id(v.unit_id))

    @strawberry.field(description="A member's scorecard of a year. Members read only their own.")
    async def member_scorecard(self, info: strawberry.Info, member_id: strawberry.ID, year: int) -> Scorecard | None:
        c = ctx(info)
        policy.require(c.viewer, "memberScorecard")
        policy.require_own_card(c.viewer, str(member_id))
        book = await c.loaders.rulebook.load(year)
        bands = grades.bands_of(book)
        row = await ranking.ranked_one(c.db, c.viewer.committee_id, year, bands, str(member_id))
        return Scorecard.of(row, year, bands, book["version"] if book else None) if row else None

    @strawberry.field(description="Scorecards of a year, ranked by total (ties share a rank).")
    async def scorecards(self, info: strawberry.Info, year: int,
                         filter: ScorecardFilter | None = None,
                         first: First = None, after: After = None) -> Connection[Scorecard]:
        c = ctx(info)
        policy.require(c.viewer, "scorecards")
        book = await c.loaders.rulebook.load(year)
        bands = grades.bands_of(book)
        f = filter or ScorecardFilter()
        flt = ranking.ScorecardFilter(sector=_v(f.sector), township_id=f.township_id, grade=_v(f.grade))
        page = await ranking.ranked_page(c.db, c.viewer.committee_id, year, bands, flt, first, after)
        version = book["version"] if book else None
        return connection(page, lambda r: Scorecard.of(r, year, bands, version))

    @strawberry.field(description="Leadership oversight of a year, as of a day (default: today).")
    async def oversight(self, info: strawberry.Info, year: int, as_of: date | None = None) -> Oversight:
        c = ctx(info)
        policy.require(c.viewer, "oversight")
        day = as_of or today()
        data = await overseen.load(c.db, c.viewer.committee_id, year, day)
        return Oversight(year=year, as_of=day, data=data)

    @strawberry.field(description="Proposals the caller may see: a member their own, unit staff their unit's.")
    async def proposals(self, info: strawberry.Info,
                        filter: ProposalFilter | None = None,
                        first: First = None, after: After = None) -> Connection[Proposal]:
        c = ctx(info)
        policy.require(c.viewer, "proposals")
        f = filter or ProposalFilter()
        flt = lists.ProposalFilter(year=f.year, status=[str(_v(s)) for s in f.status] if f.status else None,
                                   category=_v(f.category), unit_id=f.unit_id, member_id=f.member_id,
                                   key_only=f.key_only, overdue_as_of=f.overdue_as_of, search=f.search)
        return connection(await lists.proposals(c.db, c.viewer, flt, first, after), Proposal.of)

    @strawberry.field(description="One proposal, if the caller may see it.")
    async def proposal(self, info: strawberry.Info, id: strawberry.ID) -> Proposal | None:
        c = ctx(info)
        policy.require(c.viewer, "proposal")
        row = await lists.proposal_visible(c.db, c.viewer, str(id))
        return Proposal.of(row) if row else None

    @strawberry.field(description="Public-opinion reports: a member their own, a service account the published.")
    async def opinion_reports(self, info: strawberry.Info,
                              filter: OpinionReportFilter | None = None,
                              first: First = None, after: After = None) -> Connection[OpinionReport]:
        c = ctx(info)
        policy.require(c.viewer, "opinionReports")
        f = filter or OpinionReportFilter()
        flt = lists.ReportFilter(year=f.year, status=[str(_v(s)) for s in f.status] if f.status else None,
                                 author_member_id=f.author_member_id, adopted=f.adopted, instructed=f.instructed)
        return connection(await lists.reports(c.db, c.viewer, flt, first, after), OpinionReport.of)

    @strawberry.field(description="Meetings: a member those they are invited to.")
    async def meetings(self, info: strawberry.Info,
                       filter: MeetingFilter | None = None,
                       first: First = None, after: After = None) -> Connection[Meeting]:
        c = ctx(info)
        policy.require(c.viewer, "meetings")
        f = filter or MeetingFilter()
        flt = lists.MeetingFilter(kind=_v(f.kind), starts_from=f.starts_from, starts_before=f.starts_before,
                                  member_id=f.member_id)
        return connection(await lists.meetings(c.db, c.viewer, flt, first, after), Meeting.of)

    @strawberry.field(description="Visits: a member those they made or received.")
    async def visits(self, info: strawberry.Info,
                     filter: VisitFilter | None = None,
                     first: First = None, after: After = None) -> Connection[Visit]:
        c = ctx(info)
        policy.require(c.viewer, "visits")
        f = filter or VisitFilter()
        flt = lists.VisitFilter(year=f.year, kind=_v(f.kind), visitor_member_id=f.visitor_member_id,
                                sector=_v(f.sector), township_id=f.township_id, role=_v(f.role))
        return connection(await lists.visits(c.db, c.viewer, flt, first, after), Visit.of)

    @strawberry.field(description="The member registry (public fields), ordered by surname.")
    async def members(self, info: strawberry.Info,
                      filter: MemberFilter | None = None,
                      first: First = None, after: After = None) -> Connection[Member]:
        c = ctx(info)
        policy.require(c.viewer, "members")
        f = filter or MemberFilter()
        flt = lists.MemberFilter(sector=_v(f.sector), township_id=f.township_id, status=_v(f.status),
                                 standing_committee=f.standing_committee, chair_members_only=f.chair_members_only,
                                 search=f.search)
        return connection(await lists.members(c.db, c.viewer, flt, first, after), Member.of)

    @strawberry.field(description="One member of the registry.")
    async def member(self, info: strawberry.Info, id: strawberry.ID) -> Member | None:
        policy.require(ctx(info).viewer, "member")
        return await member(info, str(id))

    @strawberry.field(description="The consultation plan of a year with its items (members, office, leadership, "
                                  "admin).")
    async def consultation_plan(self, info: strawberry.Info, year: int,
                                include_withdrawn: bool = False) -> ConsultationPlan | None:
        c = ctx(info)
        policy.require(c.viewer, "consultationPlan")
        row = await sv.plan(c.db, c.viewer, year)
        if row is None:
            return None
        items = await sv.plan_items(c.db, c.viewer, year, include_withdrawn)
        return ConsultationPlan(year=year, title=row["title"], adopted=row["adopted"], adopted_on=row["adopted_on"],
                                adopted_at_meeting=row["adopted_at_meeting"], amendments=row["amendments"],
                                last_amendment_reason=row["last_amendment_reason"],
                                items=[ConsultationPlanItem.of(r) for r in items])

    @strawberry.field(description="Consultation sessions, by scheduled day (members, office, leadership, admin).")
    async def consultations(self, info: strawberry.Info, year: int | None = None,
                            first: First = None, after: After = None) -> Connection[Consultation]:
        c = ctx(info)
        policy.require(c.viewer, "consultations")
        return connection(await sv.consultations(c.db, c.viewer, year, first, after), Consultation.of)

    @strawberry.field(description="Tracked items (outcomes, rectifications, recommendations), nearest due date "
                                  "first: unit staff those their unit is responsible for; office, leadership and "
                                  "admin all.")
    async def tracked_items(self, info: strawberry.Info, kind: TrackedSubject | None = None,
                            unit_id: strawberry.ID | None = None, overdue_only: bool = False,
                            open_only: bool = False, source_id: strawberry.ID | None = None,
                            first: First = None, after: After = None,
                            as_of: Annotated[date | None, strawberry.argument(
                                description="the day overdue is judged on (default: today)")] = None,
                            ) -> Connection[TrackedItem]:
        c = ctx(info)
        policy.require(c.viewer, "trackedItems")
        day = as_of or today()
        flt = sv.TrackedFilter(kind=_v(kind), unit_id=unit_id, overdue_only=overdue_only, open_only=open_only,
                               source_id=source_id)
        page = await sv.tracked_items(c.db, c.viewer, flt, day, first, after)
        return connection(page, lambda r: TrackedItem.of(r, day))

    @strawberry.field(description="Special supervision topics (专项民主监督), the latest year first: unit staff those "
                                  "supervising their unit; members, office, leadership and admin all.")
    async def supervision_topics(self, info: strawberry.Info, year: int | None = None,
                                 unit_id: Annotated[strawberry.ID | None, strawberry.argument(
                                     description="topics supervising this department")] = None,
                                 first: First = None, after: After = None) -> Connection[SupervisionTopic]:
        c = ctx(info)
        policy.require(c.viewer, "supervisionTopics")
        page = await sup.topics(c.db, c.viewer, year, unit_id, first, after)
        return connection(page, SupervisionTopic.of)

    @strawberry.field(description="Research and inspection topics (调研课题), the latest year first: unit staff "
                                  "those with a recommendation sent to their unit; members, office, leadership and "
                                  "admin all.")
    async def research_topics(self, info: strawberry.Info, year: int | None = None,
                              kind: ResearchTopicKind | None = None,
                              organization_id: Annotated[strawberry.ID | None, strawberry.argument(
                                  description="topics the party or group applied for, took on or works on")] = None,
                              first: First = None, after: After = None) -> Connection[ResearchTopic]:
        c = ctx(info)
        policy.require(c.viewer, "researchTopics")
        page = await rs.topics(c.db, c.viewer, year, _v(kind), organization_id, first, after)
        return connection(page, ResearchTopic.of)

    @strawberry.field(description="Democratic appraisal rounds (民主评议), the latest meeting first (every "
                                  "signed-in role: what is appraised and the announced results are public).")
    async def appraisals(self, info: strawberry.Info, year: int | None = None,
                         first: First = None, after: After = None) -> Connection[Appraisal]:
        c = ctx(info)
        policy.require(c.viewer, "appraisals")
        return connection(await ar.appraisals(c.db, c.viewer.committee_id, year, first, after), Appraisal.of)

    @strawberry.field(description="One appraisal round, with its board and tally after close.")
    async def appraisal(self, info: strawberry.Info, id: strawberry.ID) -> Appraisal | None:
        c = ctx(info)
        policy.require(c.viewer, "appraisal")
        row = await ar.appraisal(c.db, c.viewer.committee_id, str(id))
        return Appraisal.of(row) if row else None

    @strawberry.field(description="Questionnaires (问卷), the latest deadline first: office, leadership and admin "
                                  "all; a member those they are invited to.")
    async def questionnaires(self, info: strawberry.Info, open_only: bool = False,
                             first: First = None, after: After = None) -> Connection[qn.Questionnaire]:
        c = ctx(info)
        policy.require(c.viewer, "questionnaires")
        return connection(await ar.questionnaires(c.db, c.viewer, open_only, first, after), qn.Questionnaire.of)

    @strawberry.field(description="A questionnaire's form (staff; a member only one they are invited to), from "
                                  "the surveys service.")
    async def questionnaire(self, info: strawberry.Info, id: strawberry.ID) -> qn.QuestionnaireForm:
        return await qn.form(info, str(id))

    @strawberry.field(description="A questionnaire's results: counts and shares per question, free text listed "
                                  "(office, leadership, admin; an anonymous one's once it is closed).")
    async def questionnaire_results(self, info: strawberry.Info, id: strawberry.ID) -> JSON:
        return await qn.results(info, str(id))

    @strawberry.field(description="A questionnaire's responses as a spreadsheet (office, leadership, admin; an "
                                  "anonymous one's once it is closed).")
    async def questionnaire_export(self, info: strawberry.Info, id: strawberry.ID,
                                   format: qn.ExportFormat = qn.ExportFormat.xlsx) -> qn.QuestionnaireExport:
        return await qn.export(info, str(id), format)

    @strawberry.field(description="The caller's own inbox, newest first: a member's (leaders are members), a "
                                  "unit's, the office's (with each delivery's status). `archived` lists the "
                                  "archived ones instead.")
    async def notifications(self, info: strawberry.Info, first: First = None, after: After = None,
                            unread_only: bool = False, archived: bool = False) -> Connection[nt.Notification]:
        return await nt.inbox(info, first, after, unread_only, archived)

    @strawberry.field(description="The caller's notification preferences.")
    async def notification_preferences(self, info: strawberry.Info) -> nt.NotificationPreferences:
        viewer = policy.require(ctx(info).viewer, "notificationPreferences")
        return nt.NotificationPreferences.of(await nt.reader(info).preferences(nt.token_of(viewer)))

    @strawberry.field(description="The committee's webhook endpoints (office staff, admin).")
    async def webhook_endpoints(self, info: strawberry.Info) -> list[nt.WebhookEndpoint]:
        viewer = policy.require(ctx(info).viewer, "webhookEndpoints")
        return [nt.WebhookEndpoint.of(w) for w in await nt.reader(info).webhook_endpoints(nt.token_of(viewer))]

    @strawberry.field(description="Every delivery of the committee's notifications, newest first (office staff, "
                                  "admin); `status: unknown` finds the ones to check by hand.")
    async def notification_deliveries(self, info: strawberry.Info, status: nt.DeliveryStatus | None = None,
                                      first: First = None, after: After = None
                                      ) -> Connection[nt.NotificationDelivery]:
        return await nt.deliveries(info, status, first, after)

    @strawberry.field(description="What waits for the caller, by role.")
    async def work_queue(self, info: strawberry.Info) -> WorkQueue:
        c = ctx(info)
        policy.require(c.viewer, "workQueue")
        return work_queue(await workqueue.load(c.db, c.viewer, now()))

    @strawberry.field(description="The Chinese labels of the enums' values (all enums, or the one named).")
    def enum_labels(self, info: strawberry.Info, enum: str | None = None) -> list[EnumLabel]:
        policy.require(ctx(info).viewer, "enumLabels")
        found = e.labelled()
        if enum is not None and enum not in found:
            raise NotFound(f"no enum {enum!r}")
        names = [enum] if enum else sorted(found)
        return [EnumLabel(enum=n, value=str(m.value), name=m.name, label_zh=str(getattr(m, "label_zh", "") or ""))
                for n in names for m in found[n]]
