"""Research and inspection (调查研究, 委员视察), decided without I/O: a research topic of the year (调研,
体验式调研, 融入性视察); parties' and groups' applications for it (党派团体申报调研课题) and the office's decision;
the team; field days (each `research-participation-recorded`, scored by the members service); and the report,
whose recommendations are tracked items of kind `research_recommendation` (`surveys.domain.tracking`), opened
in the same transaction with `recommendation_tracking`.

- A topic takes applications while it is open for them and no application has been approved
  (`research_topic_closed`); once the report is recorded, it takes none either.
- Field days name only the team's members (`member_not_on_team`), so the team is formed first.
- A report follows at least one field day, has at least one recommendation (`report_without_recommendations`)
  and each recommendation is sent to at least one department (the tracking rule `no_responsible_unit`)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date

from contracts.registry import DomainEvent
from contracts.roles import OFFICE
from contracts.surveys import commands as c
from contracts.surveys.participation import ResearchParticipationRecorded
from contracts.surveys.research import (
    ResearchApplicationDecided,
    ResearchApplicationRecorded,
    ResearchReported,
    ResearchTeamFormed,
    ResearchTopicKind,
    ResearchTopicPlanned,
)
from contracts.surveys.tracking import TrackedSubject
from eventstore.decider import Decider
from eventstore.issued import Issued, require_role
from surveys.domain.refusals import distinct, not_after_today, refuse, require_reason
from surveys.domain.tracking import Open, OpenFields


@dataclass(frozen=True)
class Application:
    organization_id: str
    decided: bool = False
    approved: bool = False


@dataclass(frozen=True)
class ResearchState:
    topic_id: str = ""
    planned: bool = False
    year: int = 0
    title: str = ""
    kind: ResearchTopicKind = ResearchTopicKind.research
    open_for_application: bool = True
    applications: Mapping[str, Application] = field(default_factory=dict)
    organization_id: str | None = None  # the organization whose application was approved
    team_member_ids: tuple[str, ...] = ()
    field_day_ids: frozenset[str] = frozenset()
    last_field_day: date | None = None
    report_ids: frozenset[str] = frozenset()

    @property
    def takes_applications(self) -> bool:
        return self.open_for_application and self.organization_id is None and not self.report_ids


@dataclass(frozen=True)
class PlanTopic:
    topic_id: str
    command: c.PlanResearchTopic


@dataclass(frozen=True)
class Apply:
    application_id: str
    command: c.ApplyForResearchTopic


@dataclass(frozen=True)
class LogFieldDay:
    activity_id: str
    command: c.LogResearchFieldDay


@dataclass(frozen=True)
class Report:
    report_id: str
    command: c.ReportResearch


def recommendation_item_id(report_id: str, recommendation_id: str) -> str:
    return f"{report_id}.{recommendation_id}"


Events = list[DomainEvent]


def decide(state: ResearchState, issued: Issued[object]) -> Sequence[DomainEvent]:
    command = issued.command
    if isinstance(command, PlanTopic):
        return _plan(state, command, issued)
    if not state.planned:
        raise refuse("research_topic_not_found", "no such research topic in this committee", fields=["topic_id"])
    if isinstance(command, Apply):
        return _apply(state, command, issued)
    if isinstance(command, c.DecideResearchApplication):
        return _decide_application(state, command, issued)
    if isinstance(command, c.FormResearchTeam):
        return _team(state, command, issued)
    if isinstance(command, LogFieldDay):
        return _field_day(state, command, issued)
    if isinstance(command, Report):
        return _report(state, command, issued)
    raise TypeError(f"a research topic takes no command {type(command).__name__}")


def _plan(state: ResearchState, cmd: PlanTopic, issued: Issued[object]) -> Events:
    require_role(issued, OFFICE, "planning a research topic")
    if state.planned:
        raise refuse("research_topic_exists", "a research topic with this id exists", fields=["topic_id"])
    p = cmd.command
    return [ResearchTopicPlanned(topic_id=cmd.topic_id, year=p.year, title=p.title, kind=p.kind,
                                 open_for_application=p.open_for_application)]


def _apply(state: ResearchState, cmd: Apply, issued: Issued[object]) -> Events:
    require_role(issued, OFFICE, "recording an application for a research topic")
    a = cmd.command
    if not state.takes_applications:
        why = ("it is taken by " + state.organization_id) if state.organization_id else (
            "it is reported" if state.report_ids else "it is not open for application")
        raise refuse("research_topic_closed", f"the topic takes no applications: {why}", fields=["topic_id"])
    if cmd.application_id in state.applications:
        raise refuse("application_exists", f"the topic has application {cmd.application_id} already",
                     fields=["application_id"])
    if any(x.organization_id == a.organization_id and not x.decided for x in state.applications.values()):
        raise refuse("application_pending", f"{a.organization_id} has an application for the topic awaiting a "
                     "decision", fields=["organization_id"])
    not_after_today(a.applied_on, issued.today, "an application", "applied_on")
    return [ResearchApplicationRecorded(topic_id=state.topic_id, application_id=cmd.application_id,
                                        organization_id=a.organization_id, applied_on=a.applied_on, plan=a.plan)]


def _decide_application(state: ResearchState, cmd: c.DecideResearchApplication, issued: Issued[object]) -> Events:
    require_role(issued, OFFICE, "deciding an application for a research topic")
    application = state.applications.get(cmd.application_id)
    if application is None:
        raise refuse("application_not_found", f"the topic has no application {cmd.application_id}",
                     fields=["application_id"])
    if application.decided:
        raise refuse("application_decided", "the application was decided already", fields=["application_id"])
    if cmd.approved and not state.takes_applications:
        raise refuse("research_topic_closed", f"the topic is taken by {state.organization_id} already",
                     fields=["approved"])
    require_reason(cmd.reason)
    return [ResearchApplicationDecided(topic_id=state.topic_id, application_id=cmd.application_id,
                                       organization_id=application.organization_id, approved=cmd.approved,
                                       reason=cmd.reason, decided_on=issued.today)]


def _team(state: ResearchState, cmd: c.FormResearchTeam, issued: Issued[object]) -> Events:
    require_role(issued, OFFICE, "forming a research team")
    members = distinct(cmd.member_ids, "team members", "member_ids")
    organizations = distinct(cmd.organization_ids, "organizations", "organization_ids")
    return [ResearchTeamFormed(topic_id=state.topic_id, member_ids=members, organization_ids=organizations)]


def _field_day(state: ResearchState, cmd: LogFieldDay, issued: Issued[object]) -> Events:
    require_role(issued, OFFICE, "logging a research field day")
    d = cmd.command
    if cmd.activity_id in state.field_day_ids:
        raise refuse("field_day_exists", f"the topic logged field day {cmd.activity_id} already",
                     fields=["activity_id"])
    not_after_today(d.held_on, issued.today, "a field day", "held_on")
    members = distinct(d.member_ids, "members", "member_ids")
    others = [m for m in members if m not in state.team_member_ids]
    if others:
        raise refuse("member_not_on_team", f"not on the topic's team: {', '.join(others)}", fields=["member_ids"],
                     member_ids=others)
    return [ResearchParticipationRecorded(activity_id=cmd.activity_id, topic_id=state.topic_id,
                                          kind=state.kind.participation,
                                          title=state.title, held_on=d.held_on, member_ids=members)]


def _report(state: ResearchState, cmd: Report, issued: Issued[object]) -> Events:
    require_role(issued, OFFICE, "recording a research report")
    r = cmd.command
    if cmd.report_id in state.report_ids:
        raise refuse("research_report_exists", f"the topic recorded report {cmd.report_id} already",
                     fields=["report_id"])
    if state.last_field_day is None:
        raise refuse("research_without_field_day", "a research report follows at least one field day")
    not_after_today(r.reported_on, issued.today, "a research report", "reported_on")
    if r.reported_on < state.last_field_day:
        raise refuse("report_before_field_day", f"the report is dated before the last field day "
                     f"({state.last_field_day})", fields=["reported_on"])
    if not r.recommendations:
        raise refuse("report_without_recommendations", "a research report has at least one recommendation",
                     fields=["recommendations"])
    distinct([x.recommendation_id for x in r.recommendations], "recommendations", "recommendations")
    for i, x in enumerate(r.recommendations):
        distinct(x.unit_ids, "departments", f"recommendations.{i}.unit_ids")
    return [ResearchReported(topic_id=state.topic_id, report_id=cmd.report_id, reported_on=r.reported_on,
                             summary=r.summary,
                             item_ids=[recommendation_item_id(cmd.report_id, x.recommendation_id)
                                       for x in r.recommendations])]


def recommendation_tracking(state: ResearchState, cmd: Report) -> list[Open]:
    """Each recommendation as a tracked item, sent to its departments on the report's day."""
    r = cmd.command
    return [Open(item_id=recommendation_item_id(cmd.report_id, x.recommendation_id),
                 subject=TrackedSubject.research_recommendation, source_id=state.topic_id, title=x.title,
                 summary=x.text, unit_ids=tuple(x.unit_ids), sent_on=r.reported_on,
                 due_working_days=x.due_working_days,
                 fields=OpenFields(item_id=f"recommendations.{i}.recommendation_id",
                                   unit_ids=f"recommendations.{i}.unit_ids", sent_on="reported_on"))
            for i, x in enumerate(r.recommendations)]


def evolve(state: ResearchState, event: DomainEvent) -> ResearchState:
    match event:
        case ResearchTopicPlanned():
            return ResearchState(topic_id=event.topic_id, planned=True, year=event.year, title=event.title,
                                 kind=event.kind, open_for_application=event.open_for_application)
        case ResearchApplicationRecorded():
            return replace(state, applications={**state.applications,
                                                event.application_id: Application(event.organization_id)})
        case ResearchApplicationDecided():
            decided = Application(event.organization_id, decided=True, approved=event.approved)
            return replace(state, applications={**state.applications, event.application_id: decided},
                           organization_id=event.organization_id if event.approved else state.organization_id)
        case ResearchTeamFormed():
            return replace(state, team_member_ids=tuple(event.member_ids))
        case ResearchParticipationRecorded():
            last = max(d for d in (state.last_field_day, event.held_on) if d is not None)
            return replace(state, field_day_ids=state.field_day_ids | {event.activity_id}, last_field_day=last)
        case ResearchReported():
            return replace(state, report_ids=state.report_ids | {event.report_id})
    raise TypeError(f"a research topic has no event {type(event).__name__}")


RESEARCH: Decider[ResearchState, Issued[object]] = Decider(initial=ResearchState, decide=decide, evolve=evolve)
