"""Public-opinion reports (社情民意信息): submitted by members or direct-report points (or converted from a
proposal not accepted), edited by the office, forwarded upward, adopted, instructed, published."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import date
from typing import Any

from contracts.envelope import Role
from contracts.proposals import (
    Category,
    OpinionReportAdopted,
    OpinionReportEdited,
    OpinionReportForwarded,
    OpinionReportInstructed,
    OpinionReportPublished,
    OpinionReportSubmitted,
    ReportLevel,
)
from contracts.proposals import commands as c
from contracts.registry import DomainEvent
from contracts.roles import OFFICE
from eventstore.decider import Decider
from eventstore.errors import NotAuthorized
from eventstore.issued import Issued, require_role
from proposals.domain.refusals import refuse


@dataclass(frozen=True)
class ReportState:
    report_id: str = ""
    exists: bool = False
    author_member_id: str | None = None
    direct_report_point_id: str | None = None
    forwarded: frozenset[ReportLevel] = frozenset()
    adopted: frozenset[ReportLevel] = frozenset()
    instructions: frozenset[tuple[ReportLevel, str]] = frozenset()
    issue: str | None = None


@dataclass(frozen=True)
class Submit:
    report_id: str
    command: c.SubmitOpinionReport


@dataclass(frozen=True)
class ConvertFromProposal:
    """A proposal not accepted becomes a report, in the same transaction as the review decision."""

    report_id: str
    proposal_id: str
    author_member_id: str | None
    title: str
    body: str
    category: Category | None


Events = list[DomainEvent]


def _submit(state: ReportState, cmd: Submit, issued: Issued[object]) -> Events:
    s = cmd.command
    author, point = s.author_member_id, s.direct_report_point_id
    if issued.role is Role.member:
        if point or (author and author != issued.actor.member_id):
            raise NotAuthorized("a member submits reports under their own name")
        author = issued.actor.member_id
    elif issued.role is Role.office_staff:
        if (author is None) == (point is None):
            raise refuse("author_required", "name either the member or the direct-report point that wrote it")
    else:
        raise NotAuthorized(f"{issued.role.value} cannot submit public-opinion reports")
    return [OpinionReportSubmitted(report_id=cmd.report_id, author_member_id=author, direct_report_point_id=point,
                                   title=s.title, body=s.body, category=s.category)]


def _convert(state: ReportState, cmd: ConvertFromProposal, issued: Issued[object]) -> Events:
    require_role(issued, OFFICE, "converting a proposal")
    return [OpinionReportSubmitted(report_id=cmd.report_id, author_member_id=cmd.author_member_id,
                                   title=cmd.title, body=cmd.body, category=cmd.category,
                                   from_proposal_id=cmd.proposal_id)]


def _not_published(state: ReportState) -> None:
    if state.issue is not None:
        raise refuse("already_published", f"the report was published in {state.issue}")


def _edit(state: ReportState, cmd: c.EditOpinionReport, issued: Issued[object]) -> Events:
    is_author = issued.role is Role.member and issued.actor.member_id == state.author_member_id
    if is_author:
        if state.forwarded:
            raise refuse("already_forwarded", "the office has forwarded it; only the office edits it now")
    else:
        require_role(issued, OFFICE, "editing a report")
    _not_published(state)
    return [OpinionReportEdited(report_id=state.report_id, title=cmd.title, body=cmd.body, note=cmd.note)]


def _forward(state: ReportState, cmd: c.ForwardOpinionReport, issued: Issued[object]) -> Events:
    require_role(issued, OFFICE, "forwarding a report")
    if cmd.level in state.forwarded:
        raise refuse("already_forwarded", f"forwarded at {cmd.level.value} level already")
    return [OpinionReportForwarded(report_id=state.report_id, level=cmd.level, forwarded_on=issued.today,
                                   recipient=cmd.recipient)]


def _forwarded_to(state: ReportState, level: ReportLevel) -> None:
    if level not in state.forwarded:
        raise refuse("not_forwarded_to_level", f"the report was not forwarded at {level.value} level")


def _day(given: date | None, issued: Issued[object], field: str) -> date:
    day = given or issued.today
    if day > issued.today:
        raise refuse("date_in_future", "the date cannot be later than today", fields=[field])
    return day


def _adopt(state: ReportState, cmd: c.RecordOpinionReportAdoption, issued: Issued[object]) -> Events:
    require_role(issued, OFFICE, "recording adoption")
    _forwarded_to(state, cmd.level)
    if cmd.level in state.adopted:
        raise refuse("already_adopted", f"adopted at {cmd.level.value} level already")
    return [OpinionReportAdopted(report_id=state.report_id, level=cmd.level, author_member_id=state.author_member_id,
                                 direct_report_point_id=state.direct_report_point_id, adopted_by=cmd.adopted_by,
                                 adopted_on=_day(cmd.adopted_on, issued, "adopted_on"))]


def _instruct(state: ReportState, cmd: c.RecordOpinionReportInstruction, issued: Issued[object]) -> Events:
    require_role(issued, OFFICE, "recording a leader's instruction")
    _forwarded_to(state, cmd.level)
    if (cmd.level, cmd.leader) in state.instructions:
        raise refuse("already_instructed", "this leader's instruction is recorded already")
    return [OpinionReportInstructed(
        report_id=state.report_id, leader=cmd.leader, level=cmd.level, author_member_id=state.author_member_id,
        direct_report_point_id=state.direct_report_point_id, instruction=cmd.instruction,
        instructed_on=_day(cmd.instructed_on, issued, "instructed_on"))]


def _publish(state: ReportState, cmd: c.PublishOpinionReport, issued: Issued[object]) -> Events:
    require_role(issued, OFFICE, "publishing in 《社情民意》")
    _not_published(state)
    return [OpinionReportPublished(report_id=state.report_id, issue=cmd.issue, author_member_id=state.author_member_id,
                                   direct_report_point_id=state.direct_report_point_id, published_on=issued.today)]


_DECIDERS: dict[type, Callable[[ReportState, Any, Issued[object]], Events]] = {
    c.EditOpinionReport: _edit,
    c.ForwardOpinionReport: _forward,
    c.RecordOpinionReportAdoption: _adopt,
    c.RecordOpinionReportInstruction: _instruct,
    c.PublishOpinionReport: _publish,
}


def decide(state: ReportState, issued: Issued[object]) -> Sequence[DomainEvent]:
    command = issued.command
    if isinstance(command, Submit | ConvertFromProposal):
        if state.exists:
            raise refuse("report_exists", "a report with this id exists")
        return _submit(state, command, issued) if isinstance(command, Submit) else _convert(state, command, issued)
    if not state.exists:
        raise refuse("report_not_found", "no such report in this committee")
    try:
        decider = _DECIDERS[type(command)]
    except KeyError:
        raise TypeError(f"a report takes no command {type(command).__name__}") from None
    return decider(state, command, issued)


def evolve(state: ReportState, event: DomainEvent) -> ReportState:
    match event:
        case OpinionReportSubmitted():
            return ReportState(report_id=event.report_id, exists=True, author_member_id=event.author_member_id,
                               direct_report_point_id=event.direct_report_point_id)
        case OpinionReportEdited():
            return state
        case OpinionReportForwarded():
            return replace(state, forwarded=state.forwarded | {event.level})
        case OpinionReportAdopted():
            return replace(state, adopted=state.adopted | {event.level})
        case OpinionReportInstructed():
            return replace(state, instructions=state.instructions | {(event.level, event.leader)})
        case OpinionReportPublished():
            return replace(state, issue=event.issue)
    raise TypeError(f"a report has no event {type(event).__name__}")


OPINION_REPORT: Decider[ReportState, Issued[object]] = Decider(initial=ReportState, decide=decide, evolve=evolve)
