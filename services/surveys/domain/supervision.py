"""Democratic supervision (民主监督), decided without I/O: a special supervision topic (专项民主监督) of the year on
the departments supervised, with its team; its activities; and its reports, whose findings are rectification
requests (整改). Each finding is a tracked item of kind `rectification` (`surveys.domain.tracking`), opened in
the same transaction with `finding_tracking`; rectification reports, follow-up, acceptance and look-back are
the tracking commands. A special supervisor's part in a department's democratic appraisal (民主评议) is
recorded per appraisal round (`APPRAISAL_ROUND`).

- Activities and findings concern only the departments the topic supervises (`unit_not_supervised`).
- A report follows at least one activity, and is dated on or after the last one.
- A report has at least one finding (`report_without_findings`); each finding is sent to at least one
  department (the tracking rule `no_responsible_unit`, naming `findings.<i>.unit_ids`)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date

from contracts.registry import DomainEvent
from contracts.roles import OFFICE
from contracts.surveys import commands as c
from contracts.surveys.participation import AppraisalParticipationRecorded
from contracts.surveys.supervision import (
    SupervisionActivityLogged,
    SupervisionReported,
    SupervisionReportRecorded,
    SupervisionTopicOpened,
)
from contracts.surveys.tracking import TrackedSubject
from eventstore.decider import Decider
from eventstore.issued import Issued, require_role
from surveys.domain.refusals import distinct, not_after_today, refuse
from surveys.domain.tracking import Open, OpenFields, due_date


@dataclass(frozen=True)
class SupervisionState:
    supervision_id: str = ""
    opened: bool = False
    year: int = 0
    title: str = ""
    unit_ids: tuple[str, ...] = ()
    team_member_ids: tuple[str, ...] = ()
    activity_ids: frozenset[str] = frozenset()
    participant_member_ids: tuple[str, ...] = ()  # of the activities, in order, each once
    last_activity_on: date | None = None
    report_ids: frozenset[str] = frozenset()


@dataclass(frozen=True)
class OpenTopic:
    supervision_id: str
    command: c.OpenSupervisionTopic


@dataclass(frozen=True)
class LogActivity:
    activity_id: str
    command: c.LogSupervisionActivity


@dataclass(frozen=True)
class Report:
    report_id: str
    command: c.ReportSupervision


def finding_item_id(report_id: str, finding_id: str) -> str:
    return f"{report_id}.{finding_id}"


Events = list[DomainEvent]


def decide(state: SupervisionState, issued: Issued[object]) -> Sequence[DomainEvent]:
    command = issued.command
    if isinstance(command, OpenTopic):
        return _open(state, command, issued)
    if not state.opened:
        raise refuse("supervision_topic_not_found", "no such supervision topic in this committee",
                     fields=["supervision_id"])
    if isinstance(command, LogActivity):
        return _log(state, command, issued)
    if isinstance(command, Report):
        return _report(state, command, issued)
    raise TypeError(f"a supervision topic takes no command {type(command).__name__}")


def _open(state: SupervisionState, cmd: OpenTopic, issued: Issued[object]) -> Events:
    require_role(issued, OFFICE, "opening a supervision topic")
    o = cmd.command
    if state.opened:
        raise refuse("supervision_topic_exists", "a supervision topic with this id exists", fields=["supervision_id"])
    if not o.unit_ids:
        raise refuse("no_supervised_unit", "a supervision topic supervises at least one department",
                     fields=["unit_ids"])
    distinct(o.unit_ids, "supervised departments", "unit_ids")
    team = distinct(o.team_member_ids, "team members", "team_member_ids")
    return [SupervisionTopicOpened(supervision_id=cmd.supervision_id, year=o.year, title=o.title,
                                   unit_ids=list(o.unit_ids), team_member_ids=team)]


def _not_supervised(state: SupervisionState, unit_ids: Sequence[str], field: str) -> None:
    others = [u for u in unit_ids if u not in state.unit_ids]
    if others:
        raise refuse("unit_not_supervised", f"the topic does not supervise {', '.join(others)}", fields=[field],
                     unit_ids=others)


def _log(state: SupervisionState, cmd: LogActivity, issued: Issued[object]) -> Events:
    require_role(issued, OFFICE, "logging a supervision activity")
    a = cmd.command
    if cmd.activity_id in state.activity_ids:
        raise refuse("activity_exists", f"the topic logged activity {cmd.activity_id} already", fields=["activity_id"])
    not_after_today(a.held_on, issued.today, "a supervision activity", "held_on")
    participants = distinct(a.participant_member_ids, "participants", "participant_member_ids")
    distinct(a.unit_ids, "departments", "unit_ids")
    _not_supervised(state, a.unit_ids, "unit_ids")
    return [SupervisionActivityLogged(supervision_id=state.supervision_id, activity_id=cmd.activity_id, kind=a.kind,
                                      held_on=a.held_on, participant_member_ids=participants,
                                      unit_ids=list(a.unit_ids), summary=a.summary)]


def _report(state: SupervisionState, cmd: Report, issued: Issued[object]) -> Events:
    require_role(issued, OFFICE, "recording a supervision report")
    r = cmd.command
    if cmd.report_id in state.report_ids:
        raise refuse("supervision_report_exists", f"the topic recorded report {cmd.report_id} already",
                     fields=["report_id"])
    if state.last_activity_on is None:
        raise refuse("supervision_without_activity", "a supervision report follows at least one supervision "
                     "activity of the topic")
    not_after_today(r.reported_on, issued.today, "a supervision report", "reported_on")
    if r.reported_on < state.last_activity_on:
        raise refuse("report_before_activity", f"the report is dated before the topic's last activity "
                     f"({state.last_activity_on})", fields=["reported_on"])
    if not r.findings:
        raise refuse("report_without_findings", "a supervision report has at least one finding, each a "
                     "rectification request to departments", fields=["findings"])
    distinct([f.finding_id for f in r.findings], "findings", "findings")
    for i, f in enumerate(r.findings):
        distinct(f.unit_ids, "departments", f"findings.{i}.unit_ids")
        _not_supervised(state, f.unit_ids, f"findings.{i}.unit_ids")
    units = list(dict.fromkeys(u for f in r.findings for u in f.unit_ids))
    members = list(dict.fromkeys((*state.team_member_ids, *state.participant_member_ids)))
    due = max(due_date(issued.calendar, r.reported_on, f.due_working_days) for f in r.findings)
    return [SupervisionReported(supervision_id=state.supervision_id, report_id=cmd.report_id,
                                topic_title=state.title, reported_on=r.reported_on, member_ids=members,
                                unit_ids=units, findings=len(r.findings), rectification_due=due),
            SupervisionReportRecorded(supervision_id=state.supervision_id, report_id=cmd.report_id,
                                      reported_on=r.reported_on, summary=r.summary,
                                      item_ids=[finding_item_id(cmd.report_id, f.finding_id) for f in r.findings])]


def finding_tracking(state: SupervisionState, cmd: Report) -> list[Open]:
    """Each finding as a rectification item, sent to its departments on the report's day."""
    r = cmd.command
    return [Open(item_id=finding_item_id(cmd.report_id, f.finding_id), subject=TrackedSubject.rectification,
                 source_id=cmd.report_id, title=f.title, summary=f.text, unit_ids=tuple(f.unit_ids),
                 sent_on=r.reported_on, due_working_days=f.due_working_days,
                 fields=OpenFields(item_id=f"findings.{i}.finding_id", unit_ids=f"findings.{i}.unit_ids",
                                   sent_on="reported_on"))
            for i, f in enumerate(r.findings)]


def evolve(state: SupervisionState, event: DomainEvent) -> SupervisionState:
    match event:
        case SupervisionTopicOpened():
            return SupervisionState(supervision_id=event.supervision_id, opened=True, year=event.year,
                                    title=event.title, unit_ids=tuple(event.unit_ids),
                                    team_member_ids=tuple(event.team_member_ids))
        case SupervisionActivityLogged():
            last = max(d for d in (state.last_activity_on, event.held_on) if d is not None)
            participants = tuple(dict.fromkeys((*state.participant_member_ids, *event.participant_member_ids)))
            return replace(state, activity_ids=state.activity_ids | {event.activity_id},
                           participant_member_ids=participants, last_activity_on=last)
        case SupervisionReported():
            return replace(state, report_ids=state.report_ids | {event.report_id})
        case SupervisionReportRecorded():
            return state
    raise TypeError(f"a supervision topic has no event {type(event).__name__}")


SUPERVISION: Decider[SupervisionState, Issued[object]] = Decider(initial=SupervisionState, decide=decide,
                                                                  evolve=evolve)


# ---- special supervisors in democratic appraisal (特约监督员参加民主评议) --------------------------------------

@dataclass(frozen=True)
class AppraisalRoundState:
    recorded: frozenset[tuple[str, str]] = frozenset()  # (member, department)


def decide_appraisal(state: AppraisalRoundState, issued: Issued[object]) -> Sequence[DomainEvent]:
    cmd = issued.command
    if not isinstance(cmd, c.RecordAppraisalParticipation):
        raise TypeError(f"an appraisal round takes no command {type(cmd).__name__}")
    require_role(issued, OFFICE, "recording a special supervisor's appraisal participation")
    if (cmd.member_id, cmd.unit_id) in state.recorded:
        raise refuse("appraisal_participation_exists", f"{cmd.member_id}'s part in appraising {cmd.unit_id} in this "
                     "round is recorded already", fields=["member_id", "unit_id"])
    not_after_today(cmd.held_on, issued.today, "an appraisal round", "held_on")
    return [AppraisalParticipationRecorded(appraisal_id=cmd.appraisal_id, round_id=cmd.round_id,
                                           member_id=cmd.member_id, unit_id=cmd.unit_id, held_on=cmd.held_on)]


def evolve_appraisal(state: AppraisalRoundState, event: DomainEvent) -> AppraisalRoundState:
    if isinstance(event, AppraisalParticipationRecorded):
        return replace(state, recorded=state.recorded | {(event.member_id, event.unit_id)})
    raise TypeError(f"an appraisal round has no event {type(event).__name__}")


APPRAISAL_ROUND: Decider[AppraisalRoundState, Issued[object]] = Decider(
    initial=AppraisalRoundState, decide=decide_appraisal, evolve=evolve_appraisal)
