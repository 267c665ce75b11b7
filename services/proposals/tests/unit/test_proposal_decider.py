"""The proposal workflow as pure decisions: no database, no clock but the harness's."""

from __future__ import annotations

from datetime import date

import pytest

from contracts.proposals import (
    EvaluationsCompleted,
    HandlingReopened,
    HolidayScheduleRecorded,
    ProposalAccepted,
    ProposalAssigned,
    ProposalReplied,
    ProposalSubmitted,
    ReopenReason,
)
from contracts.proposals import commands as c
from eventstore.workdays import WorkCalendar
from proposals.deadlines import LOOKBACK_MONTHS
from proposals.domain.lookback_policy import ConcludeLookback
from proposals.domain.proposal import ApplyDeadlines, MergeInto, NotAccept, ReceiveMerge, RecordResult, Submit
from proposals.domain.proposal_state import Status

from ..kit import LEADER, OFFICE, WATCHER, ProposalHarness, member, types, unit

P = "p1"


def submitted_joint(today: date = date(2026, 3, 2), proposal_id: str = P) -> ProposalHarness:
    h = ProposalHarness(today=today, proposal_id=proposal_id)
    h.draft(member("m-zhang"), "joint", cosigner_member_ids=["m-li", "m-zhao"])
    h.run(Submit(c.SubmitProposal(proposal_id=proposal_id), None), member("m-zhang"))
    return h


def assigned(mode: str = "lead_with_co", today: date = date(2026, 3, 2)) -> ProposalHarness:
    h = submitted_joint(today)
    h.run(c.ConfirmCosignature(proposal_id=P), member("m-li"))
    h.run(c.ConfirmCosignature(proposal_id=P), member("m-zhao"))
    h.accept()
    if mode == "lead_with_co":
        h.run(c.AssignProposal(proposal_id=P, mode="lead_with_co", lead_unit_id="u-water", co_unit_ids=["u-health"]),
              OFFICE)
    else:
        h.run(c.AssignProposal(proposal_id=P, mode="separate", unit_ids=["u-water", "u-health"]), OFFICE)
    return h


def reply(h: ProposalHarness, unit_id: str = "u-water", cls: str = "A", **extra: object) -> None:
    h.run(c.ReplyToProposal.model_validate({"proposal_id": P, "result_class": cls, "text": "已落实", **extra}),
          unit(unit_id))


def evaluate(h: ProposalHarness, member_id: str, rating: str = "satisfied", unit_id: str = "u-water") -> list[str]:
    return types(h.run(c.EvaluateReply(proposal_id=P, unit_id=unit_id, rating=rating, attitude="satisfied",
                                       contact="satisfied"), member(member_id)))


def rated_by_every_proposer(h: ProposalHarness, unit_id: str = "u-water") -> None:
    for m in ("m-zhang", "m-li", "m-zhao"):
        evaluate(h, m, unit_id=unit_id)


# ---- drafting ---------------------------------------------------------------------------------------------

def test_a_members_draft_is_unknown_to_everyone_else() -> None:
    h = ProposalHarness()
    h.draft(member("m-zhang"))
    submit = Submit(c.SubmitProposal(proposal_id=P), None)
    h.refused(submit, member("m-li"), "proposal_not_found")
    h.refused(c.ReturnProposal(proposal_id=P, reason="x"), OFFICE, "proposal_not_found")
    h.run(submit, member("m-zhang"))
    assert h.state.status is Status.submitted


def test_a_member_drafts_only_in_their_own_name() -> None:
    h = ProposalHarness()
    err = h.refused(h_draft(h, "individual", lead_member_id="m-li"), member("m-zhang"), "not_authorized")
    assert "own" in err.message
    h.refused(h_draft(h, "individual"), unit("u-water"), "not_authorized")


def h_draft(h: ProposalHarness, kind: str, **extra: object) -> object:
    from proposals.domain.proposal import Draft

    from ..kit import draft_cmd
    return Draft(h.proposal_id, draft_cmd(kind, **extra), None)


@pytest.mark.parametrize(("kind", "extra", "rule"), [
    ("individual", {"cosigner_member_ids": ["m-li"]}, "submitter_mismatch"),
    ("joint", {}, "cosigners_required"),
    ("joint", {"cosigner_member_ids": ["m-zhang"]}, "lead_is_cosigner"),
    ("joint", {"cosigner_member_ids": ["m-li", "m-li"]}, "duplicate_ids"),
    ("organization", {}, "submitter_required"),
    ("sector", {"sector": "农业界", "cosigner_member_ids": ["m-li"]}, "submitter_mismatch"),
])
def test_the_submitter_must_match_the_kind(kind: str, extra: dict[str, object], rule: str) -> None:
    h = ProposalHarness()
    h.refused(h_draft(h, kind, **extra), member("m-zhang"), rule)


def test_office_staff_enter_an_organizations_proposal_naming_its_contact() -> None:
    h = ProposalHarness()
    h.refused(h_draft(h, "organization", organization_id="org-minmeng"), OFFICE, "contact_required")
    h.run(h_draft(h, "organization", organization_id="org-minmeng", contact_member_id="m-chen"), OFFICE)
    assert h.state.proposers == {"m-chen"}
    h.run(Submit(c.SubmitProposal(proposal_id=P), None), OFFICE)  # the office may submit what it entered


# ---- joint submission and co-signers ---------------------------------------------------------------------------

def test_cosigners_confirm_until_the_fifth_working_day_then_lapse() -> None:
    h = submitted_joint()
    (submitted,) = [e for e in h.events if isinstance(e, ProposalSubmitted)]
    assert submitted.cosign_deadline == date(2026, 3, 9)
    h.run(c.ConfirmCosignature(proposal_id=P), member("m-li"))
    h.refused(c.ConfirmCosignature(proposal_id=P), member("m-li"), "already_confirmed")
    h.refused(c.ConfirmCosignature(proposal_id=P), member("m-wu"), "not_authorized")
    h.refused(h.accept_cmd(), OFFICE, "cosigners_pending")
    h.advance(to=date(2026, 3, 10))
    h.refused(c.ConfirmCosignature(proposal_id=P), member("m-zhao"), "cosign_window_closed")
    events = h.accept()
    assert types(events) == ["cosigner-lapsed", "proposal-accepted"]
    accepted = events[-1]
    assert isinstance(accepted, ProposalAccepted)
    assert accepted.cosigner_member_ids == ["m-li"] and accepted.number == "2026-001"
    assert h.state.proposers == {"m-zhang", "m-li"}


def test_the_watcher_lapses_silent_cosigners() -> None:
    h = submitted_joint()
    assert h.run(ApplyDeadlines(), WATCHER) == []
    h.advance(to=date(2026, 3, 10))
    assert types(h.run(ApplyDeadlines(), WATCHER)) == ["cosigner-lapsed", "cosigner-lapsed"]
    assert h.run(ApplyDeadlines(), WATCHER) == []


# ---- review ------------------------------------------------------------------------------------------------

def test_only_the_office_reviews_and_always_with_a_reason() -> None:
    h = submitted_joint()
    h.refused(c.ReturnProposal(proposal_id=P, reason="补充数据"), member("m-zhang"), "not_authorized")
    h.refused(c.ReturnProposal(proposal_id=P, reason="  "), OFFICE, "reason_required")
    h.run(c.ReturnProposal(proposal_id=P, reason="补充数据"), OFFICE)
    h.refused(c.AssignProposal(proposal_id=P, mode="separate", unit_ids=["u-water"]), OFFICE, "not_accepted")
    h.run(c.ReviseProposal.model_validate({"proposal_id": P, "category": "ecology", "title": "新标题",
                                           "case": "x", "analysis": "y", "suggestions": ["z"]}), member("m-zhang"))
    assert types(h.run(Submit(c.SubmitProposal(proposal_id=P), None), member("m-zhang"))) == ["proposal-resubmitted"]


def test_not_accepted_into_an_opinion_report() -> None:
    h = submitted_joint()
    events = h.run(NotAccept(c.NotAcceptProposal(proposal_id=P, converted_to="opinion_report", reason="宜转社情民意"),
                             "r-1"), OFFICE)
    assert types(events) == ["proposal-not-accepted"]
    refusal = h.refused(h.accept_cmd(), OFFICE, "not_under_review")
    assert refusal.message == "Accepting a proposal is not possible: the proposal is not_accepted"


def test_merge_only_into_a_live_proposal() -> None:
    h, target = submitted_joint(), submitted_joint(proposal_id="p2")
    merge = c.MergeProposal(proposal_id=P, into_proposal_id="p2", reason="内容相近")
    h.refused(MergeInto(merge, ProposalHarness().state), OFFICE, "proposal_not_found")
    returned = submitted_joint(proposal_id="p3")
    returned.run(c.ReturnProposal(proposal_id="p3", reason="补充"), OFFICE)
    h.refused(MergeInto(merge, returned.state), OFFICE, "merge_target_invalid")
    h.run(MergeInto(merge, target.state), OFFICE)
    assert h.state.status is Status.merged and h.state.merged_into == "p2"
    assert types(target.run(ReceiveMerge(P, "内容相近"), OFFICE)) == ["proposal-merge-received"]
    target.refused(ReceiveMerge(P, "内容相近"), OFFICE, "already_merged")


# ---- assignment and re-assignment ----------------------------------------------------------------------------

def test_assignment_slip_sets_three_months_rolled_to_a_working_day() -> None:
    h = assigned(today=date(2026, 7, 1))
    (slip,) = [e for e in h.events if isinstance(e, ProposalAssigned)]
    assert slip.deadline == date(2026, 10, 8) and slip.deadline_rule == "three_months"
    assert slip.unit_ids == ["u-water", "u-health"] and slip.reassignment_window_ends == date(2026, 7, 8)
    h.refused(c.AssignProposal(proposal_id=P, mode="separate", unit_ids=["u-x"]), OFFICE, "already_assigned")


def test_a_unit_asks_within_five_working_days_and_the_office_decides() -> None:
    h = assigned(today=date(2026, 7, 1))
    h.advance(to=date(2026, 7, 9))
    h.refused(c.RequestReassignment(proposal_id=P, reason="非本单位职责"), unit("u-health"),
              "reassignment_window_closed")
    h.advance(to=date(2026, 7, 8))
    h.refused(c.RequestReassignment(proposal_id=P, reason="x"), unit("u-roads"), "proposal_not_found")
    h.run(c.RequestReassignment(proposal_id=P, reason="非本单位职责"), unit("u-water"))
    h.refused(c.RequestReassignment(proposal_id=P, reason="again"), unit("u-water"), "reassignment_already_requested")
    h.refused(c.GrantReassignment(proposal_id=P, unit_id="u-water", new_unit_id="u-x", reason="y"),
              member("m-zhang"), "not_authorized")
    h.refused(c.GrantReassignment(proposal_id=P, unit_id="u-water", new_unit_id="u-health", reason="y"), OFFICE,
              "unit_already_assigned")
    h.run(c.GrantReassignment(proposal_id=P, unit_id="u-water", new_unit_id="u-housing", reason="属住建职责"), OFFICE)
    assert h.state.lead_unit_id == "u-housing" and h.state.units["u-housing"].deadline == date(2026, 10, 8)
    h.refused(c.ReplyToProposal(proposal_id=P, result_class="A", text="x"), unit("u-water"), "proposal_not_found")
    h.refused(c.RefuseReassignment(proposal_id=P, unit_id="u-water", reason="z"), OFFICE, "no_reassignment_request")


# ---- reply, co-signing ---------------------------------------------------------------------------------------

def test_only_the_lead_replies_and_co_units_cosign() -> None:
    h = assigned()
    h.refused(c.ReplyToProposal(proposal_id=P, result_class="A", text="x"), unit("u-health"), "co_unit_cannot_reply")
    # The office records a unit's reply letter only by naming the unit.
    h.refused(c.ReplyToProposal(proposal_id=P, result_class="A", text="x"), OFFICE, "unit_required")
    h.refused(c.CosignReply(proposal_id=P), unit("u-health"), "nothing_to_cosign")
    reply(h)
    h.refused(c.ReplyToProposal(proposal_id=P, result_class="A", text="x"), unit("u-water"), "already_replied")
    h.run(c.CosignReply(proposal_id=P), unit("u-health"))
    h.refused(c.CosignReply(proposal_id=P), unit("u-health"), "already_cosigned")
    h.refused(c.CosignReply(proposal_id=P), unit("u-water"), "not_a_co_unit")


def test_a_b_reply_promises_something_by_a_date() -> None:
    h = assigned()
    h.refused(c.ReplyToProposal(proposal_id=P, result_class="B", text="列入计划"), unit("u-water"),
              "commitments_required")
    h.refused(c.ReplyToProposal.model_validate({"proposal_id": P, "result_class": "A", "text": "x",
                                                "commitments": [{"text": "t", "due": "2026-12-01"}]}),
              unit("u-water"), "commitments_only_for_b")
    reply(h, cls="B", commitments=[{"text": "年内完成管网改造", "due": "2026-12-01"}])
    assert [x.due for x in h.state.commitments.values()] == [date(2026, 12, 1)]


def test_on_time_is_judged_against_the_deadline_after_the_national_day_holiday() -> None:
    h = assigned(mode="separate", today=date(2026, 7, 1))
    h.advance(to=date(2026, 10, 8))
    reply(h, "u-water")
    h.advance(to=date(2026, 10, 9))
    reply(h, "u-health")
    replies = {e.unit_id: e.on_time for e in h.events if isinstance(e, ProposalReplied)}
    assert replies == {"u-water": True, "u-health": False}


def test_overdue_is_flagged_once_the_day_after_the_deadline() -> None:
    h = assigned(mode="separate", today=date(2026, 7, 1))
    h.advance(to=date(2026, 10, 8))
    assert h.run(ApplyDeadlines(), WATCHER) == []
    reply(h, "u-water")
    h.advance(to=date(2026, 10, 9))
    overdue = h.run(ApplyDeadlines(), WATCHER)
    assert [(e.event_type, getattr(e, "unit_id", None)) for e in overdue] == [("handling-overdue", "u-health")]
    assert h.run(ApplyDeadlines(), WATCHER) == []
    h.refused(ApplyDeadlines(), OFFICE, "not_authorized")


# ---- evaluation ----------------------------------------------------------------------------------------------------

def test_only_proposers_evaluate_and_the_last_form_completes_the_evaluation() -> None:
    h = assigned()
    h.refused(c.EvaluateReply(proposal_id=P, unit_id="u-water", rating="satisfied", attitude="satisfied",
                              contact="satisfied"), member("m-zhang"), "no_reply_to_evaluate")
    reply(h)
    h.refused(c.EvaluateReply(proposal_id=P, unit_id="u-water", rating="satisfied", attitude="satisfied",
                              contact="satisfied"), member("m-wu"), "not_authorized")
    h.refused(c.EvaluateReply(proposal_id=P, unit_id="u-health", rating="satisfied", attitude="satisfied",
                              contact="satisfied"), member("m-zhang"), "unit_not_replying")
    assert evaluate(h, "m-zhang") == ["proposal-evaluated"]
    assert evaluate(h, "m-li") == ["proposal-evaluated"]
    h.refused(c.EvaluateReply(proposal_id=P, unit_id="u-water", rating="satisfied", attitude="satisfied",
                              contact="satisfied"), member("m-li"), "already_evaluated")
    assert evaluate(h, "m-zhao") == ["proposal-evaluated", "evaluations-completed"]


def test_one_dissatisfied_proposer_reopens_handling_for_a_second_reply() -> None:
    h = assigned(today=date(2026, 4, 1))
    reply(h)
    evaluate(h, "m-zhang")
    evaluate(h, "m-li", "dissatisfied")
    assert evaluate(h, "m-zhao", "basically_satisfied") == [
        "proposal-evaluated", "evaluations-completed", "handling-reopened"]
    reopened = h.events[-1]
    assert isinstance(reopened, HandlingReopened)
    assert reopened.round == 2 and reopened.reason_kind is ReopenReason.dissatisfied
    assert reopened.deadline == date(2026, 5, 6), "one month, past the Labour Day holiday (1-5 May)"
    reply(h, text="补充答复")
    for m in ("m-zhang", "m-li"):
        evaluate(h, m)
    assert evaluate(h, "m-zhao") == ["proposal-evaluated", "evaluations-completed"]
    done = h.events[-1]
    assert isinstance(done, EvaluationsCompleted) and done.round == 2 and not done.dissatisfied


def test_the_office_revises_a_reply_class() -> None:
    h = assigned()
    reply(h, cls="A")
    h.refused(c.ReviseReplyClass(proposal_id=P, unit_id="u-water", result_class="A", reason="r"), OFFICE,
              "class_unchanged")
    h.refused(c.ReviseReplyClass(proposal_id=P, unit_id="u-water", result_class="B", reason="r"), OFFICE,
              "commitments_required")
    h.refused(c.ReviseReplyClass(proposal_id=P, unit_id="u-water", result_class="C", reason="r"), unit("u-water"),
              "not_authorized")
    events = h.run(c.ReviseReplyClass.model_validate({
        "proposal_id": P, "unit_id": "u-water", "result_class": "B", "reason": "尚未完成",
        "commitments": [{"text": "完成改造", "due": "2026-09-30"}]}), OFFICE)
    assert types(events) == ["reply-class-revised", "commitment-recorded"]
    assert h.state.units["u-water"].result_class == "B"


# ---- key proposals, look-back, results -----------------------------------------------------------------------------

def test_key_proposals_are_marked_for_the_chair_meeting() -> None:
    h = assigned()
    h.refused(c.DesignateKeyProposal(proposal_id=P, supervising_leaders=["m-vice"]), member("m-zhang"),
              "not_authorized")
    h.refused(c.ReportKeyProposalProgress(proposal_id=P, text="x"), OFFICE, "not_key_proposal")
    h.run(c.DesignateKeyProposal(proposal_id=P, supervising_leaders=["m-vice"]), LEADER)
    h.refused(c.DesignateKeyProposal(proposal_id=P, supervising_leaders=["m-vice"]), OFFICE, "already_key")
    (e,) = h.run(c.ReportKeyProposalProgress(proposal_id=P, text="现场督办"), unit("u-water"))
    assert e.unit_id == "u-water"  # type: ignore[attr-defined]


def test_a_b_commitment_falling_due_opens_a_lookback_and_not_implemented_reopens_followup() -> None:
    h = assigned()
    reply(h, cls="B", commitments=[{"text": "年内完成管网改造", "due": "2026-12-01"}])
    rated_by_every_proposer(h)  # in time: the watcher has no evaluation to lapse
    h.advance(to=date(2026, 11, 30))
    assert h.run(ApplyDeadlines(), WATCHER) == []
    h.advance(to=date(2026, 12, 1))
    (opened,) = h.run(ApplyDeadlines(), WATCHER)
    assert opened.event_type == "lookback-opened"
    assert h.run(ApplyDeadlines(), WATCHER) == []
    lookback_id = opened.lookback_id  # type: ignore[attr-defined]
    h.refused(conclude_commitment("nope", "not"), OFFICE, "lookback_not_found")
    h.refused(conclude_commitment(lookback_id, "not", next_lookback_due=date(2027, 3, 1)), OFFICE,
              "next_lookback_not_expected")
    events = h.run(conclude_commitment(lookback_id, "not"), OFFICE)
    assert types(events) == ["lookback-concluded", "handling-reopened"]
    assert h.state.units["u-water"].open
    h.refused(conclude_commitment(lookback_id, "not"), OFFICE, "lookback_concluded")


def conclude_commitment(lookback_id: str, outcome: str, *, months: int = LOOKBACK_MONTHS,
                        next_lookback_due: date | None = None) -> ConcludeLookback:
    return ConcludeLookback(c.ConcludeCommitmentLookback(
        proposal_id=P, lookback_id=lookback_id, outcome=outcome,  # type: ignore[arg-type]
        next_lookback_due=next_lookback_due), months)


def test_results_follow_a_reply() -> None:
    h = assigned()
    cmd = c.RecordProposalResult(proposal_id=P, description="纳入县农村供水规划", adopted_on=date(2026, 3, 2),
                                 suggestion_indexes=[0])
    h.refused(RecordResult(cmd, "res-1"), OFFICE, "no_reply_yet")
    reply(h)
    h.refused(RecordResult(cmd.model_copy(update={"suggestion_indexes": [5]}), "res-1"), OFFICE, "no_such_suggestion")
    h.run(RecordResult(cmd, "res-1"), OFFICE)
    h.refused(RecordResult(cmd, "res-1"), OFFICE, "duplicate_result")


# ---- deadlines recomputed under a recorded schedule ---------------------------------------------------------------

def test_a_recorded_schedule_moves_deadlines_not_yet_reached() -> None:
    h = assigned(today=date(2026, 11, 6))
    assert h.state.units["u-water"].deadline == date(2027, 2, 11)
    h.calendar = WorkCalendar.from_events([HolidayScheduleRecorded(
        year=2027, days_off=[date(2027, 2, d) for d in range(5, 14)], workdays=[date(2027, 1, 31)])])
    h.advance(to=date(2026, 11, 20))
    events = h.run(ApplyDeadlines(), WATCHER)
    assert types(events) == ["handling-deadline-recomputed"]
    assert h.state.units["u-water"].deadline == date(2027, 2, 15)
    assert h.run(ApplyDeadlines(), WATCHER) == []


def test_an_explicit_deadline_is_never_recomputed() -> None:
    h = submitted_joint(date(2026, 11, 6))
    h.advance(to=date(2026, 11, 20))
    h.accept()
    h.run(c.AssignProposal(proposal_id=P, mode="separate", unit_ids=["u-water"], deadline=date(2027, 2, 11)), OFFICE)
    h.calendar = WorkCalendar.from_events([HolidayScheduleRecorded(
        year=2027, days_off=[date(2027, 2, d) for d in range(5, 14)], workdays=[])])
    assert h.run(ApplyDeadlines(), WATCHER) == []
