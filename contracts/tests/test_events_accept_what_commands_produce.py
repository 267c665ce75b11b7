"""An event accepts whatever the command that produces it accepted: for each command and the events its
decider builds from it, every field they share takes the command's extreme values (longest and shortest
text, fullest lists, extreme numbers, earliest and latest days). Events are read back years later, so their
bounds are as loose as the commands' or looser, and never depend on the clock."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

import pytest
from pydantic import BaseModel, TypeAdapter, ValidationError

from contracts import bounded, clock
from contracts.members import commands as mc
from contracts.members import duty, meeting, member, organization, scoring, visit
from contracts.proposals import calendar, lookback, opinion_report, proposal, solicitation
from contracts.proposals import commands as pc
from contracts.registry import REGISTRY, DomainEvent
from contracts.tests.schemas import largest

# Each command and the events its decider writes from it (services/*/domain).
PRODUCES: list[tuple[type[BaseModel], type[DomainEvent]]] = [
    (pc.PublishSolicitation, solicitation.SolicitationPublished),
    (pc.RecordHolidaySchedule, calendar.HolidayScheduleRecorded),
    (pc.DraftProposal, proposal.ProposalDrafted),
    (pc.ReviseProposal, proposal.ProposalRevised),
    (pc.SubmitProposal, proposal.ProposalSubmitted),
    (pc.WithdrawProposal, proposal.ProposalWithdrawn),
    (pc.AcceptProposal, proposal.ProposalAccepted),
    (pc.NotAcceptProposal, proposal.ProposalNotAccepted),
    (pc.MergeProposal, proposal.ProposalMerged),
    (pc.MergeProposal, proposal.ProposalMergeReceived),
    (pc.ReturnProposal, proposal.ProposalReturned),
    (pc.AssignProposal, proposal.ProposalAssigned),
    (pc.RequestReassignment, proposal.ReassignmentRequested),
    (pc.GrantReassignment, proposal.ReassignmentGranted),
    (pc.RefuseReassignment, proposal.ReassignmentRefused),
    (pc.RecordHandlingContact, proposal.HandlingContactRecorded),
    (pc.ReplyToProposal, proposal.ProposalReplied),
    (pc.Promise, proposal.CommitmentRecorded),
    (pc.EvaluateReply, proposal.ProposalEvaluated),
    (pc.ReopenHandling, proposal.HandlingReopened),
    (pc.ReviseReplyClass, proposal.ReplyClassRevised),
    (pc.DesignateKeyProposal, proposal.KeyProposalDesignated),
    (pc.ReportKeyProposalProgress, proposal.KeyProposalProgressReported),
    (pc.ConcludeCommitmentLookback, lookback.LookbackConcluded),
    (pc.RecordProposalResult, proposal.ProposalResultRecorded),
    (pc.RecordRecommendationReport, lookback.RecommendationReportRecorded),
    (pc.ConcludeRecommendationLookback, lookback.LookbackConcluded),
    (pc.ConcludeRecommendationLookback, lookback.RecommendationFollowupReopened),
    (pc.SubmitOpinionReport, opinion_report.OpinionReportSubmitted),
    (pc.EditOpinionReport, opinion_report.OpinionReportEdited),
    (pc.ForwardOpinionReport, opinion_report.OpinionReportForwarded),
    (pc.RecordOpinionReportAdoption, opinion_report.OpinionReportAdopted),
    (pc.RecordOpinionReportInstruction, opinion_report.OpinionReportInstructed),
    (pc.PublishOpinionReport, opinion_report.OpinionReportPublished),
    (mc.RegisterMember, member.MemberRegistered),
    (mc.UpdateMember, member.MemberUpdated),
    (mc.ChangeMemberStatus, member.MemberStatusChanged),
    (mc.ScheduleMeeting, meeting.MeetingScheduled),
    (mc.InviteToMeeting, meeting.MeetingInvitationSent),
    (mc.RequestLeave, meeting.LeaveRequested),
    (mc.DecideLeave, meeting.LeaveDecided),
    (mc.RecordAttendance, meeting.MeetingAttendanceRecorded),
    (mc.CloseAttendance, meeting.MeetingAttendanceClosed),
    (mc.RegisterOrganization, organization.OrganizationRegistered),
    (mc.AddOrganizationMember, organization.OrganizationMemberAdded),
    (mc.RegisterUnit, organization.UnitRegistered),
    (mc.AddUnitStaff, organization.UnitStaffAdded),
    (mc.AddLiaisonContact, organization.LiaisonContactAdded),
    (mc.RecordTraining, duty.TrainingRecorded),
    (mc.RecordCharity, duty.CharityRecorded),
    (mc.GrantAward, duty.AwardGranted),
    (mc.RecordLiaisonVisit, organization.LiaisonVisitRecorded),
    (mc.LogVisit, visit.VisitLogged),
    (mc.LinkVisitOutcome, visit.VisitOutcomeLinked),
    (mc.SetVisitPlan, visit.VisitPlanSet),
    (mc.PublishRulebook, scoring.RulebookPublished),
    (mc.RescoreYear, scoring.YearRescored),
    (mc.GradeYear, scoring.YearGraded),
]
# Values for fields whose largest value breaks the model's cross-field rules (a rule gives points or points by
# role, not both).
EXTRA: dict[tuple[type[BaseModel], str], list[Any]] = {
    (mc.PublishRulebook, "rulebook"): [{
        "year": 2026, "title": "规则", "base_points": 70, "grades": [{"grade": "competent"}],
        "rules": [{"id": "r." + "x" * 62, "label_zh": "长" * 200, "category": "visits", "fact": "visit",
                   "where": {"k" * 31 + str(i): "v" * 100 for i in range(5)}, "points": 9999999.99}]}],
}

TODAY = date(2026, 6, 15)
DAYS = [date(1, 1, 1), date(1899, 12, 31), date(1900, 1, 1), date(1949, 12, 31), date(1950, 1, 1), TODAY,
        date(2100, 12, 31), date(2101, 1, 1), date(2200, 12, 31), date(9999, 12, 31)]
MOMENTS = [f"{d.isoformat()}T{t}" for d in DAYS for t in ("00:00:00+08:00", "23:59:59+08:00")]


def _adapter(model: type[BaseModel], name: str) -> TypeAdapter[Any]:
    info = model.model_fields[name]
    annotation: Any = info.annotation
    if info.metadata:
        annotation = Annotated[(annotation, *info.metadata)]
    return TypeAdapter(annotation)


def _smallest(schema: dict[str, Any]) -> Any:
    kind = schema.get("type")
    if kind == "string" and "format" not in schema and "enum" not in schema:
        return "a" * schema.get("minLength", 0)
    if kind == "array":
        return []
    if kind in ("integer", "number"):
        return schema["minimum"]
    return None


def _extremes(model: type[BaseModel], name: str) -> list[Any]:
    """Values at the edges of the command field's bounds (some the command refuses; the caller filters)."""
    field_schema = TypeAdapter(model).json_schema()
    root = field_schema
    prop = field_schema["properties"][name]
    out: list[Any] = []
    for branch in [b for b in prop.get("anyOf", [prop]) if b.get("type") != "null"]:
        if branch.get("format") == "date":
            out += [d.isoformat() for d in DAYS]
            continue
        if branch.get("format") == "date-time":
            out += MOMENTS
            continue
        if branch.get("type") == "array" and branch.get("items", {}).get("format") == "date":
            out += [[d.isoformat()] * branch.get("maxItems", 1) for d in DAYS]
            continue
        out.append(largest({**branch, "$defs": root.get("$defs", {})}))
        if (small := _smallest(branch)) is not None:
            out.append(small)
    out += EXTRA.get((model, name), [])
    # None is left out: an optional command field the service fills (a generated id, today) is no value to copy.
    return out


CASES = [(command, event, name) for command, event in PRODUCES
         for name in sorted(set(command.model_fields) & set(event.model_fields))]


def test_the_table_covers_every_command_and_most_events() -> None:
    commands = {m for m, _ in PRODUCES}
    assert {m.__name__ for m in commands} >= {m.__name__ for m in (pc.DraftProposal, mc.LogVisit)}
    assert len(commands) >= 55 and len(CASES) > 150
    assert len({e for _, e in PRODUCES}) >= 50
    assert all(REGISTRY.model(e.event_type) is e for _, e in PRODUCES)


@pytest.mark.parametrize(("command", "event", "name"), CASES,
                         ids=[f"{c.__name__}->{e.__name__}.{n}" for c, e, n in CASES])
def test_the_event_field_takes_every_value_the_command_field_took(
        command: type[BaseModel], event: type[DomainEvent], name: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(clock, "today", lambda: TODAY)
    given, recorded = _adapter(command, name), _adapter(event, name)
    taken = 0
    for value in _extremes(command, name):
        try:
            accepted = given.validate_python(value)
        except ValidationError:
            continue
        taken += 1
        dumped = given.dump_python(accepted, mode="json")
        recorded.validate_python(dumped)  # raises, naming the value, when the event is tighter
    assert taken > 0, "no extreme value of the command's field was valid: the test checked nothing"


COPIED_WHOLE = [(mc.LogVisit, visit.VisitLogged), (mc.ScheduleMeeting, meeting.MeetingScheduled),
                (mc.RecordTraining, duty.TrainingRecorded), (mc.RecordCharity, duty.CharityRecorded),
                (mc.GrantAward, duty.AwardGranted), (mc.RecordLiaisonVisit, organization.LiaisonVisitRecorded)]


@pytest.mark.parametrize(("command", "event"), COPIED_WHOLE, ids=[e.__name__ for _, e in COPIED_WHOLE])
def test_an_event_copied_from_its_command_validates_at_the_commands_largest(
        command: type[BaseModel], event: type[DomainEvent], monkeypatch: pytest.MonkeyPatch) -> None:
    # These deciders build the event as `Event(**command.model_dump())`.
    monkeypatch.setattr(clock, "today", lambda: TODAY)
    data = largest(command.model_json_schema())
    properties = command.model_json_schema()["properties"]
    for name, prop in properties.items():
        formats = {prop.get("format"), *(b.get("format") for b in prop.get("anyOf", []))}
        if "date" in formats:
            data[name] = TODAY.isoformat()
        if "date-time" in formats:
            data[name] = f"2026-06-15T{9 + len(name) % 10:02d}:00:00+08:00"
    built = command.model_validate(data)
    assert event.model_validate(built.model_dump()).model_dump(mode="json") == built.model_dump(mode="json")


def test_event_dates_are_static_bounds() -> None:
    # PastDate's check asks the clock; no event field may carry it.
    for name in REGISTRY.names():
        for field_name, info in REGISTRY.model(name).model_fields.items():
            assert "not_after_today" not in repr(info), f"{name}.{field_name}"
    assert "not_after_today" in repr(mc.LogVisit.model_fields["visited_on"])
    assert bounded.MIN_RECORDED_DAY < bounded.MIN_DAY and bounded.MAX_RECORDED_DAY > bounded.MAX_DAY


def test_a_proposal_converted_into_a_report_fits_the_reports_body() -> None:
    # The proposals service turns a proposal not accepted into a report whose body is the proposal's text,
    # joined as proposals.domain.proposal_text.proposal_body joins it.
    draft = pc.DraftProposal.model_validate(largest(pc.DraftProposal.model_json_schema()))
    body = "\n".join([draft.case, draft.analysis, *draft.suggestions])
    assert len(body) == opinion_report.MAX_REPORT_BODY
    report = opinion_report.OpinionReportSubmitted(report_id="r-1", author_member_id=None, title=draft.title,
                                                   body=body, from_proposal_id="p-1")
    assert report.body == body
    with pytest.raises(ValidationError):
        opinion_report.OpinionReportSubmitted(report_id="r-1", author_member_id=None, title=draft.title,
                                              body=body + "x")
