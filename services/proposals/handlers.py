"""Command handlers of the proposals service: one small function per command, over the service's parts.

Each loads what its decider needs (other aggregates' facts) inside the unit of work, lets the pure decider
decide — it checks the caller's role and scope against the state — and the unit of work appends everything
in one transaction. Every stream id is built from the caller's committee (`proposals.streams`), so ids from
another committee name nothing here. Results carry the ids and numbers clients need."""

from __future__ import annotations

from typing import Any

from contracts.clock import local_date
from contracts.envelope import Actor, Role
from contracts.proposals import (
    NotAcceptedConversion,
    ProposalAssigned,
    ProposalNumberAssigned,
    ProposalResubmitted,
    ProposalSubmitted,
    ReassignmentGranted,
)
from contracts.proposals import commands as c
from contracts.registry import DomainEvent
from eventstore.command_outcome import CommandOutcome
from eventstore.service import Handler
from eventstore.store import AppendResult, CommandContext
from eventstore.unit_of_work import Loaded, Tx
from proposals import streams
from proposals.domain import opinion_report as report
from proposals.domain import proposal as p
from proposals.domain import recommendation as rec
from proposals.domain.holiday_schedule import HOLIDAY_SCHEDULE
from proposals.domain.numbering import NUMBERING, ReserveNumber, format_number
from proposals.domain.proposal_text import latest_text, proposal_body
from proposals.domain.solicitation import SOLICITATION, Publish
from proposals.parts import ProposalsParts

WATCHER = Actor(id="proposals-deadline-watcher", role=Role.service)


def _window(loaded: Loaded[Any] | None) -> p.SolicitationWindow | None:
    published = loaded.state.published if loaded else None
    if published is None:
        return None
    return p.SolicitationWindow(published.solicitation_id, published.year, published.opens_on, published.closes_on,
                                frozenset(t.title for t in published.topics))


async def _similar(s: ProposalsParts, tx: Tx, title: str, body: str, year: int, exclude: str) -> list[dict[str, Any]]:
    """Reviewed proposals of earlier years most like this text (read in the command's transaction)."""
    found = await s.read_model.similar(tx.conn, tx.committee_id, title=title, body=body, before_year=year,
                                       exclude=exclude)
    return [f.as_dict() for f in found]


def _proposal(s: ProposalsParts, ctx: CommandContext, proposal_id: str, command: object) -> Any:
    return s.uow.decide(ctx, streams.proposal(ctx.committee_id, proposal_id), p.PROPOSAL, command,
                        {"proposal_id": proposal_id})


def _report(s: ProposalsParts, ctx: CommandContext, report_id: str, command: object) -> Any:
    return s.uow.decide(ctx, streams.opinion_report(ctx.committee_id, report_id), report.OPINION_REPORT, command,
                        {"report_id": report_id})


def _slip(events: list[DomainEvent] | tuple[DomainEvent, ...] | Any) -> dict[str, Any]:
    """The assignment slip's dates, from the events just decided."""
    for e in reversed(list(events)):
        if isinstance(e, ProposalAssigned | ReassignmentGranted):
            return {"deadline": e.deadline.isoformat(),
                    "reassignment_window_ends": e.reassignment_window_ends.isoformat()}
    return {}


# ---- solicitation and calendar ------------------------------------------------------------------------------

async def publish_solicitation(s: ProposalsParts, cmd: c.PublishSolicitation, ctx: CommandContext) -> CommandOutcome:
    sid = cmd.solicitation_id or s.ids()
    return await s.uow.decide(ctx, streams.solicitation(ctx.committee_id, sid), SOLICITATION, Publish(sid, cmd),
                              {"solicitation_id": sid})


async def record_holiday_schedule(s: ProposalsParts, cmd: c.RecordHolidaySchedule,
                                  ctx: CommandContext) -> CommandOutcome:
    async def work(tx: Tx) -> dict[str, Any]:
        tx.decide(await tx.load(streams.holiday_schedule(tx.committee_id), HOLIDAY_SCHEDULE), HOLIDAY_SCHEDULE, cmd)
        tx.after_commit(s.wake_watcher)  # deadlines not yet reached move under the new schedule
        return {"year": cmd.year}

    return await s.uow.run(ctx, work)


# ---- drafting and submission ----------------------------------------------------------------------------------

async def draft_proposal(s: ProposalsParts, cmd: c.DraftProposal, ctx: CommandContext) -> CommandOutcome:
    pid = cmd.proposal_id or s.ids()

    async def work(tx: Tx) -> dict[str, Any]:
        loaded = await tx.load(streams.proposal(tx.committee_id, pid), p.PROPOSAL)
        window = None
        if cmd.solicitation_id:
            window = _window(await tx.load(streams.solicitation(tx.committee_id, cmd.solicitation_id), SOLICITATION))
        tx.decide(loaded, p.PROPOSAL, p.Draft(pid, cmd, window))
        year = window.year if window else local_date(tx.now).year
        body = proposal_body(cmd.case, cmd.analysis, cmd.suggestions)
        return {"proposal_id": pid, "similar": await _similar(s, tx, cmd.title, body, year, pid)}

    return await s.uow.run(ctx, work)


async def revise_proposal(s: ProposalsParts, cmd: c.ReviseProposal, ctx: CommandContext) -> CommandOutcome:
    return await _proposal(s, ctx, cmd.proposal_id, cmd)


async def submit_proposal(s: ProposalsParts, cmd: c.SubmitProposal, ctx: CommandContext) -> CommandOutcome:
    async def work(tx: Tx) -> dict[str, Any]:
        loaded = await tx.load(streams.proposal(tx.committee_id, cmd.proposal_id), p.PROPOSAL)
        sid = loaded.state.solicitation_id
        window = _window(await tx.load(streams.solicitation(tx.committee_id, sid), SOLICITATION)) if sid else None
        events = tx.decide(loaded, p.PROPOSAL, p.Submit(cmd, window))
        year = next(e.year for e in events if isinstance(e, ProposalSubmitted | ProposalResubmitted))
        cosign = next((e.cosign_deadline for e in events if isinstance(e, ProposalSubmitted)), None)
        title, body = latest_text(e.event for e in loaded.history)
        return {"proposal_id": cmd.proposal_id, "year": year, "cosign_deadline": cosign.isoformat() if cosign else None,
                "similar": await _similar(s, tx, title, body, year, cmd.proposal_id)}

    return await s.uow.run(ctx, work)


async def withdraw_proposal(s: ProposalsParts, cmd: c.WithdrawProposal, ctx: CommandContext) -> CommandOutcome:
    return await _proposal(s, ctx, cmd.proposal_id, cmd)


async def confirm_cosignature(s: ProposalsParts, cmd: c.ConfirmCosignature, ctx: CommandContext) -> CommandOutcome:
    return await _proposal(s, ctx, cmd.proposal_id, cmd)


async def decline_cosignature(s: ProposalsParts, cmd: c.DeclineCosignature, ctx: CommandContext) -> CommandOutcome:
    return await _proposal(s, ctx, cmd.proposal_id, cmd)


# ---- review ---------------------------------------------------------------------------------------------------

async def accept_proposal(s: ProposalsParts, cmd: c.AcceptProposal, ctx: CommandContext) -> CommandOutcome:
    async def work(tx: Tx) -> dict[str, Any]:
        loaded = await tx.load(streams.proposal(tx.committee_id, cmd.proposal_id), p.PROPOSAL)
        year = loaded.state.year or local_date(tx.now).year
        await tx.lock(streams.numbering(tx.committee_id, year))
        numbers = await tx.load(streams.numbering(tx.committee_id, year), NUMBERING)
        # The proposal's rules speak first (a refusal names them), then the number is taken.
        sequence = numbers.state.last_sequence + 1
        number = format_number(year, sequence)
        tx.decide(loaded, p.PROPOSAL, p.AcceptNumbered(cmd, year, sequence, number))
        (reserved,) = tx.decide(numbers, NUMBERING, ReserveNumber(cmd.proposal_id, year))
        assert isinstance(reserved, ProposalNumberAssigned) and reserved.number == number
        return {"proposal_id": cmd.proposal_id, "number": number, "year": year}

    return await s.uow.run(ctx, work)


async def not_accept_proposal(s: ProposalsParts, cmd: c.NotAcceptProposal, ctx: CommandContext) -> CommandOutcome:
    report_id = s.ids() if cmd.converted_to is NotAcceptedConversion.opinion_report else None

    async def work(tx: Tx) -> dict[str, Any]:
        loaded = await tx.load(streams.proposal(tx.committee_id, cmd.proposal_id), p.PROPOSAL)
        tx.decide(loaded, p.PROPOSAL, p.NotAccept(cmd, report_id))
        if report_id is not None:
            title, body = latest_text(e.event for e in loaded.history)
            rep = await tx.load(streams.opinion_report(tx.committee_id, report_id), report.OPINION_REPORT)
            tx.decide(rep, report.OPINION_REPORT, report.ConvertFromProposal(
                report_id, cmd.proposal_id, loaded.state.owner_member_id, title, body, loaded.state.category))
        return {"proposal_id": cmd.proposal_id, "opinion_report_id": report_id}

    return await s.uow.run(ctx, work)


async def merge_proposal(s: ProposalsParts, cmd: c.MergeProposal, ctx: CommandContext) -> CommandOutcome:
    async def work(tx: Tx) -> dict[str, Any]:
        source = await tx.load(streams.proposal(tx.committee_id, cmd.proposal_id), p.PROPOSAL)
        target = source if cmd.into_proposal_id == cmd.proposal_id else await tx.load(
            streams.proposal(tx.committee_id, cmd.into_proposal_id), p.PROPOSAL)
        # Both decide on the states as loaded, before either is staged.
        merged = p.PROPOSAL.decide(source.state, tx.issued(p.MergeInto(cmd, target.state)))
        received = p.PROPOSAL.decide(target.state, tx.issued(p.ReceiveMerge(cmd.proposal_id, cmd.reason)))
        tx.stage(source, merged)
        tx.stage(target, received)
        return {"proposal_id": cmd.proposal_id, "into_proposal_id": cmd.into_proposal_id}

    return await s.uow.run(ctx, work)


async def return_proposal(s: ProposalsParts, cmd: c.ReturnProposal, ctx: CommandContext) -> CommandOutcome:
    return await _proposal(s, ctx, cmd.proposal_id, cmd)


# ---- assignment and handling ------------------------------------------------------------------------------------

async def _with_slip(s: ProposalsParts, ctx: CommandContext, proposal_id: str, command: object) -> CommandOutcome:
    async def work(tx: Tx) -> dict[str, Any]:
        loaded = await tx.load(streams.proposal(tx.committee_id, proposal_id), p.PROPOSAL)
        return {"proposal_id": proposal_id, **_slip(tx.decide(loaded, p.PROPOSAL, command))}

    return await s.uow.run(ctx, work)


async def assign_proposal(s: ProposalsParts, cmd: c.AssignProposal, ctx: CommandContext) -> CommandOutcome:
    return await _with_slip(s, ctx, cmd.proposal_id, cmd)


async def request_reassignment(s: ProposalsParts, cmd: c.RequestReassignment, ctx: CommandContext) -> CommandOutcome:
    return await _proposal(s, ctx, cmd.proposal_id, cmd)


async def grant_reassignment(s: ProposalsParts, cmd: c.GrantReassignment, ctx: CommandContext) -> CommandOutcome:
    return await _with_slip(s, ctx, cmd.proposal_id, cmd)


async def refuse_reassignment(s: ProposalsParts, cmd: c.RefuseReassignment, ctx: CommandContext) -> CommandOutcome:
    return await _proposal(s, ctx, cmd.proposal_id, cmd)


async def record_handling_contact(s: ProposalsParts, cmd: c.RecordHandlingContact,
                                  ctx: CommandContext) -> CommandOutcome:
    return await _proposal(s, ctx, cmd.proposal_id, cmd)


async def reply_to_proposal(s: ProposalsParts, cmd: c.ReplyToProposal, ctx: CommandContext) -> CommandOutcome:
    return await _proposal(s, ctx, cmd.proposal_id, cmd)


async def cosign_reply(s: ProposalsParts, cmd: c.CosignReply, ctx: CommandContext) -> CommandOutcome:
    return await _proposal(s, ctx, cmd.proposal_id, cmd)


async def evaluate_reply(s: ProposalsParts, cmd: c.EvaluateReply, ctx: CommandContext) -> CommandOutcome:
    return await _proposal(s, ctx, cmd.proposal_id, cmd)


async def reopen_handling(s: ProposalsParts, cmd: c.ReopenHandling, ctx: CommandContext) -> CommandOutcome:
    return await _proposal(s, ctx, cmd.proposal_id, cmd)


async def revise_reply_class(s: ProposalsParts, cmd: c.ReviseReplyClass, ctx: CommandContext) -> CommandOutcome:
    return await _proposal(s, ctx, cmd.proposal_id, cmd)


# ---- key proposals, look-back, results --------------------------------------------------------------------------

async def designate_key_proposal(s: ProposalsParts, cmd: c.DesignateKeyProposal,
                                 ctx: CommandContext) -> CommandOutcome:
    return await _proposal(s, ctx, cmd.proposal_id, cmd)


async def report_key_proposal_progress(s: ProposalsParts, cmd: c.ReportKeyProposalProgress,
                                       ctx: CommandContext) -> CommandOutcome:
    return await _proposal(s, ctx, cmd.proposal_id, cmd)


async def conclude_commitment_lookback(s: ProposalsParts, cmd: c.ConcludeCommitmentLookback,
                                       ctx: CommandContext) -> CommandOutcome:
    return await _proposal(s, ctx, cmd.proposal_id, cmd)


async def record_proposal_result(s: ProposalsParts, cmd: c.RecordProposalResult,
                                 ctx: CommandContext) -> CommandOutcome:
    result_id = cmd.result_id or s.ids()
    return await s.uow.decide(ctx, streams.proposal(ctx.committee_id, cmd.proposal_id), p.PROPOSAL,
                              p.RecordResult(cmd, result_id), {"proposal_id": cmd.proposal_id, "result_id": result_id})


async def record_recommendation_report(s: ProposalsParts, cmd: c.RecordRecommendationReport,
                                       ctx: CommandContext) -> CommandOutcome:
    rid = cmd.recommendation_id or s.ids()
    return await s.uow.decide(ctx, streams.recommendation(ctx.committee_id, rid), rec.RECOMMENDATION,
                              rec.Record(rid, cmd), {"recommendation_id": rid})


async def conclude_recommendation_lookback(s: ProposalsParts, cmd: c.ConcludeRecommendationLookback,
                                           ctx: CommandContext) -> CommandOutcome:
    return await s.uow.decide(ctx, streams.recommendation(ctx.committee_id, cmd.recommendation_id),
                              rec.RECOMMENDATION, cmd, {"recommendation_id": cmd.recommendation_id})


# ---- public-opinion reports ---------------------------------------------------------------------------------

async def submit_opinion_report(s: ProposalsParts, cmd: c.SubmitOpinionReport, ctx: CommandContext) -> CommandOutcome:
    rid = cmd.report_id or s.ids()
    return await _report(s, ctx, rid, report.Submit(rid, cmd))


async def edit_opinion_report(s: ProposalsParts, cmd: c.EditOpinionReport, ctx: CommandContext) -> CommandOutcome:
    return await _report(s, ctx, cmd.report_id, cmd)


async def forward_opinion_report(s: ProposalsParts, cmd: c.ForwardOpinionReport,
                                 ctx: CommandContext) -> CommandOutcome:
    return await _report(s, ctx, cmd.report_id, cmd)


async def record_opinion_report_adoption(s: ProposalsParts, cmd: c.RecordOpinionReportAdoption,
                                         ctx: CommandContext) -> CommandOutcome:
    return await _report(s, ctx, cmd.report_id, cmd)


async def record_opinion_report_instruction(s: ProposalsParts, cmd: c.RecordOpinionReportInstruction,
                                            ctx: CommandContext) -> CommandOutcome:
    return await _report(s, ctx, cmd.report_id, cmd)


async def publish_opinion_report(s: ProposalsParts, cmd: c.PublishOpinionReport, ctx: CommandContext) -> CommandOutcome:
    return await _report(s, ctx, cmd.report_id, cmd)


# ---- the deadline watcher's entry point (not a command of the contract) ----------------------------------------

async def sweep(s: ProposalsParts, committee_id: str, kind: str, aggregate_id: str) -> AppendResult | None:
    """Apply what is due on one aggregate, as the service account; writes nothing when nothing is due."""
    ctx = CommandContext(actor=WATCHER, committee_id=committee_id)
    if kind == "recommendation":
        outcome = await s.uow.decide(ctx, streams.recommendation(committee_id, aggregate_id), rec.RECOMMENDATION,
                                     rec.OpenDueLookback())
    else:
        outcome = await s.uow.decide(ctx, streams.proposal(committee_id, aggregate_id), p.PROPOSAL,
                                     p.ApplyDeadlines())
    return outcome.written


HANDLERS: dict[str, Handler[ProposalsParts]] = {
    "publish-solicitation": publish_solicitation,
    "record-holiday-schedule": record_holiday_schedule,
    "draft-proposal": draft_proposal,
    "revise-proposal": revise_proposal,
    "submit-proposal": submit_proposal,
    "withdraw-proposal": withdraw_proposal,
    "confirm-cosignature": confirm_cosignature,
    "decline-cosignature": decline_cosignature,
    "accept-proposal": accept_proposal,
    "not-accept-proposal": not_accept_proposal,
    "merge-proposal": merge_proposal,
    "return-proposal": return_proposal,
    "assign-proposal": assign_proposal,
    "request-reassignment": request_reassignment,
    "grant-reassignment": grant_reassignment,
    "refuse-reassignment": refuse_reassignment,
    "record-handling-contact": record_handling_contact,
    "reply-to-proposal": reply_to_proposal,
    "cosign-reply": cosign_reply,
    "evaluate-reply": evaluate_reply,
    "reopen-handling": reopen_handling,
    "revise-reply-class": revise_reply_class,
    "designate-key-proposal": designate_key_proposal,
    "report-key-proposal-progress": report_key_proposal_progress,
    "conclude-commitment-lookback": conclude_commitment_lookback,
    "record-proposal-result": record_proposal_result,
    "record-recommendation-report": record_recommendation_report,
    "conclude-recommendation-lookback": conclude_recommendation_lookback,
    "submit-opinion-report": submit_opinion_report,
    "edit-opinion-report": edit_opinion_report,
    "forward-opinion-report": forward_opinion_report,
    "record-opinion-report-adoption": record_opinion_report_adoption,
    "record-opinion-report-instruction": record_opinion_report_instruction,
    "publish-opinion-report": publish_opinion_report,
}
