"""Command handlers of the proposals service: one small function per command, over the service's parts.

Each loads what its decider needs (other aggregates' facts) inside the unit of work, lets the pure decider
decide — it checks the caller's role and scope against the state — and the unit of work appends everything
in one transaction. Every stream id is built from the caller's committee (`proposals.streams`), so ids from
another committee name nothing here. Results carry the ids and numbers clients need."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import Any

from contracts.clock import local_date
from contracts.envelope import Actor, Role
from contracts.proposals import (
    LookbackScheduled,
    NotAcceptedConversion,
    ProposalAssigned,
    ProposalNumberAssigned,
    ProposalReplied,
    ProposalResubmitted,
    ProposalSubmitted,
    ReassignmentGranted,
)
from contracts.proposals import commands as c
from contracts.registry import DomainEvent
from eventstore import file_import
from eventstore.command_outcome import CommandOutcome
from eventstore.errors import DomainError
from eventstore.service import Handler
from eventstore.store import AppendResult, CommandContext
from eventstore.unit_of_work import Loaded, Tx
from proposals import streams
from proposals.domain import opinion_letter as letter
from proposals.domain import opinion_report as report
from proposals.domain import proposal as p
from proposals.domain import recommendation as rec
from proposals.domain.evaluation_policy import EVALUATION_POLICY
from proposals.domain.holiday_schedule import HOLIDAY_SCHEDULE
from proposals.domain.lookback_policy import LOOKBACK_POLICY, ConcludeLookback
from proposals.domain.numbering import NUMBERING, ReserveNumber, format_number
from proposals.domain.proposal_text import latest_text, proposal_body
from proposals.domain.solicitation import SOLICITATION, Publish
from proposals.parts import ProposalsParts
from proposals.past_import import PAST_PROPOSALS, staging, unit_directory, with_unit_check
from proposals.registry import RULES as REGISTRY_RULES
from proposals.registry import RegistryChecks, named

WATCHER = Actor(id="proposals-deadline-watcher", role=Role.service)


def _window(loaded: Loaded[Any] | None) -> p.SolicitationWindow | None:
    published = loaded.state.published if loaded else None
    if published is None:
        return None
    return p.SolicitationWindow(published.solicitation_id, published.year, published.opens_on, published.closes_on,
                                frozenset(t.title for t in published.topics))


@dataclass
class ProposalText:
    """What a draft or a submission asks the similar-proposals index about, as the committed run saw it."""

    title: str = ""
    body: str = ""
    year: int = 0
    exclude: str = ""


async def _similar(s: ProposalsParts, committee: str, text: ProposalText) -> list[dict[str, Any]]:
    """Reviewed proposals of earlier years most like this text. Asked after the commit: a transaction kept
    open for the lookup would hold every tailing reader back (they read below the oldest open transaction)."""
    found = await s.read_model.similar(s.store.pool, committee, title=text.title, body=text.body,
                                       before_year=text.year, exclude=text.exclude)
    return [f.as_dict() for f in found]


async def on_proposal(s: ProposalsParts, cmd: Any, ctx: CommandContext) -> CommandOutcome:
    """A command the proposal decides on its own state alone (most of the workflow)."""
    return await s.uow.decide(ctx, streams.proposal(ctx.committee_id, cmd.proposal_id), p.PROPOSAL, cmd,
                              {"proposal_id": cmd.proposal_id})


async def on_report(s: ProposalsParts, cmd: Any, ctx: CommandContext) -> CommandOutcome:
    """A command the public-opinion report decides on its own state alone."""
    return await s.uow.decide(ctx, streams.opinion_report(ctx.committee_id, cmd.report_id), report.OPINION_REPORT,
                              cmd, {"report_id": cmd.report_id})


def _slip(events: Sequence[DomainEvent]) -> dict[str, Any]:
    """The assignment slip's dates, from the events just decided."""
    for e in reversed(list(events)):
        if isinstance(e, ProposalAssigned | ReassignmentGranted):
            return {"deadline": e.deadline.isoformat(),
                    "reassignment_window_ends": e.reassignment_window_ends.isoformat()}
    return {}


async def _run_named(s: ProposalsParts, ctx: CommandContext, cmd: Any,
                     work: Callable[[Tx], Awaitable[dict[str, Any]]]) -> CommandOutcome:
    """Run `work` for a command naming units, co-signers, leaders or organizations, refused inside its
    transaction if the service's record of the registry does not have them (`proposals.registry`). The decider's
    rules speak first (a caller not allowed learns nothing of the registry). The record lags the registry: an id
    it lacks is waited for (bounded) and the command run once more."""
    checks, wanted = RegistryChecks.of(s.runtime), named(cmd)
    if checks is None or not wanted:
        return await s.uow.run(ctx, work)

    async def checked(tx: Tx) -> dict[str, Any]:
        result = await work(tx)
        await checks.refuse_unknown(tx.conn, tx.committee_id, wanted)
        return result

    try:
        return await s.uow.run(ctx, checked)
    except DomainError as refused:
        if refused.rule not in REGISTRY_RULES or not await checks.wait_known(ctx.committee_id, wanted):
            raise
    return await s.uow.run(ctx, checked)


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
    text = ProposalText(cmd.title, proposal_body(cmd.case, cmd.analysis, cmd.suggestions), exclude=pid)

    async def work(tx: Tx) -> dict[str, Any]:
        loaded = await tx.load(streams.proposal(tx.committee_id, pid), p.PROPOSAL)
        window = None
        if cmd.solicitation_id:
            window = _window(await tx.load(streams.solicitation(tx.committee_id, cmd.solicitation_id), SOLICITATION))
        tx.decide(loaded, p.PROPOSAL, p.Draft(pid, cmd, window))
        text.year = window.year if window else local_date(tx.now).year
        return {"proposal_id": pid}

    outcome = await _run_named(s, ctx, cmd, work)
    outcome.result["similar"] = await _similar(s, ctx.committee_id, text)
    return outcome


async def submit_proposal(s: ProposalsParts, cmd: c.SubmitProposal, ctx: CommandContext) -> CommandOutcome:
    text = ProposalText(exclude=cmd.proposal_id)

    async def work(tx: Tx) -> dict[str, Any]:
        loaded = await tx.load(streams.proposal(tx.committee_id, cmd.proposal_id), p.PROPOSAL)
        sid = loaded.state.solicitation_id
        window = _window(await tx.load(streams.solicitation(tx.committee_id, sid), SOLICITATION)) if sid else None
        events = tx.decide(loaded, p.PROPOSAL, p.Submit(cmd, window))
        year = next(e.year for e in events if isinstance(e, ProposalSubmitted | ProposalResubmitted))
        cosign = next((e.cosign_deadline for e in events if isinstance(e, ProposalSubmitted)), None)
        text.title, text.body = latest_text(e.event for e in loaded.history)
        text.year = year
        return {"proposal_id": cmd.proposal_id, "year": year, "cosign_deadline": cosign.isoformat() if cosign else None}

    outcome = await s.uow.run(ctx, work)
    outcome.result["similar"] = await _similar(s, ctx.committee_id, text)
    return outcome


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
    letter_id = s.ids() if cmd.converted_to is NotAcceptedConversion.opinion_letter else None

    async def work(tx: Tx) -> dict[str, Any]:
        loaded = await tx.load(streams.proposal(tx.committee_id, cmd.proposal_id), p.PROPOSAL)
        # The review decision speaks first (a missing unit is refused there), then the report or letter is made.
        tx.decide(loaded, p.PROPOSAL, p.NotAccept(cmd, report_id, letter_id))
        title, body = latest_text(e.event for e in loaded.history)
        if report_id is not None:
            rep = await tx.load(streams.opinion_report(tx.committee_id, report_id), report.OPINION_REPORT)
            tx.decide(rep, report.OPINION_REPORT, report.ConvertFromProposal(
                report_id, cmd.proposal_id, loaded.state.owner_member_id, title, body, loaded.state.category))
        if letter_id is not None:
            assert cmd.unit_id is not None, "the decider refuses a letter without its unit"
            lt = await tx.load(streams.opinion_letter(tx.committee_id, letter_id), letter.OPINION_LETTER)
            tx.decide(lt, letter.OPINION_LETTER, letter.SendFromProposal(
                letter_id, cmd.proposal_id, cmd.unit_id, title, cmd.letter_text or body, cmd.letter_text is not None,
                loaded.state.category))
        return {"proposal_id": cmd.proposal_id, "opinion_report_id": report_id, "opinion_letter_id": letter_id}

    return await _run_named(s, ctx, cmd, work)


async def acknowledge_opinion_letter(s: ProposalsParts, cmd: c.AcknowledgeOpinionLetter,
                                     ctx: CommandContext) -> CommandOutcome:
    return await s.uow.decide(ctx, streams.opinion_letter(ctx.committee_id, cmd.letter_id), letter.OPINION_LETTER,
                              cmd, {"letter_id": cmd.letter_id})


async def merge_proposal(s: ProposalsParts, cmd: c.MergeProposal, ctx: CommandContext) -> CommandOutcome:
    async def work(tx: Tx) -> dict[str, Any]:
        source = await tx.load(streams.proposal(tx.committee_id, cmd.proposal_id), p.PROPOSAL)
        target = source if cmd.into_proposal_id == cmd.proposal_id else await tx.load(
            streams.proposal(tx.committee_id, cmd.into_proposal_id), p.PROPOSAL)
        # Both decide on the states as loaded, before either is staged.
        merged = p.PROPOSAL.decide(source.state, tx.issued(p.MergeInto(cmd, target.state)))
        received = p.PROPOSAL.decide(target.state, tx.issued(p.ReceiveMerge(
            cmd.proposal_id, cmd.reason, tuple(source.state.proposer_list))))
        tx.stage(source, merged)
        tx.stage(target, received)
        return {"proposal_id": cmd.proposal_id, "into_proposal_id": cmd.into_proposal_id}

    return await s.uow.run(ctx, work)


# ---- assignment and handling ------------------------------------------------------------------------------------

async def on_assignment(s: ProposalsParts, cmd: c.AssignProposal | c.GrantReassignment,
                        ctx: CommandContext) -> CommandOutcome:
    """Assigning, or granting a re-assignment: the answer carries the slip's deadline and window."""
    async def work(tx: Tx) -> dict[str, Any]:
        loaded = await tx.load(streams.proposal(tx.committee_id, cmd.proposal_id), p.PROPOSAL)
        return {"proposal_id": cmd.proposal_id, **_slip(tx.decide(loaded, p.PROPOSAL, cmd))}

    return await _run_named(s, ctx, cmd, work)


async def reply_to_proposal(s: ProposalsParts, cmd: c.ReplyToProposal, ctx: CommandContext) -> CommandOutcome:
    """A reply, with the committee's evaluation window: the answer carries the evaluation deadline it set."""
    async def work(tx: Tx) -> dict[str, Any]:
        days = (await tx.load(streams.evaluation_policy(tx.committee_id), EVALUATION_POLICY)).state.value
        loaded = await tx.load(streams.proposal(tx.committee_id, cmd.proposal_id), p.PROPOSAL)
        events = tx.decide(loaded, p.PROPOSAL, p.Reply(cmd, days))
        due = next((e.evaluation_due for e in events if isinstance(e, ProposalReplied)), None)
        return {"proposal_id": cmd.proposal_id, "evaluation_due": due.isoformat() if due else None}

    return await s.uow.run(ctx, work)


async def set_evaluation_window(s: ProposalsParts, cmd: c.SetEvaluationWindow, ctx: CommandContext) -> CommandOutcome:
    return await s.uow.decide(ctx, streams.evaluation_policy(ctx.committee_id), EVALUATION_POLICY, cmd,
                              {"working_days": cmd.working_days})


# ---- key proposals, look-back, results --------------------------------------------------------------------------

async def designate_key_proposal(s: ProposalsParts, cmd: c.DesignateKeyProposal, ctx: CommandContext) -> CommandOutcome:
    """A key proposal, with supervising leaders the registry has as chair-meeting members."""
    async def work(tx: Tx) -> dict[str, Any]:
        tx.decide(await tx.load(streams.proposal(tx.committee_id, cmd.proposal_id), p.PROPOSAL), p.PROPOSAL, cmd)
        return {"proposal_id": cmd.proposal_id}

    return await _run_named(s, ctx, cmd, work)



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


async def set_lookback_interval(s: ProposalsParts, cmd: c.SetLookbackInterval, ctx: CommandContext) -> CommandOutcome:
    return await s.uow.decide(ctx, streams.lookback_policy(ctx.committee_id), LOOKBACK_POLICY, cmd,
                              {"months": cmd.months})


async def conclude_lookback(s: ProposalsParts, cmd: c.ConcludeCommitmentLookback | c.ConcludeRecommendationLookback,
                            ctx: CommandContext) -> CommandOutcome:
    """Concluding a look-back of a commitment or a report, with the committee's interval ('partly' uses it)."""
    async def work(tx: Tx) -> dict[str, Any]:
        months = (await tx.load(streams.lookback_policy(tx.committee_id), LOOKBACK_POLICY)).state.value
        conclude = ConcludeLookback(cmd, months)
        result: dict[str, Any]
        if isinstance(cmd, c.ConcludeCommitmentLookback):
            loaded = await tx.load(streams.proposal(tx.committee_id, cmd.proposal_id), p.PROPOSAL)
            events = tx.decide(loaded, p.PROPOSAL, conclude)
            result = {"proposal_id": cmd.proposal_id}
        else:
            report_ = await tx.load(streams.recommendation(tx.committee_id, cmd.recommendation_id), rec.RECOMMENDATION)
            events = tx.decide(report_, rec.RECOMMENDATION, conclude)
            result = {"recommendation_id": cmd.recommendation_id}
        due = next((e.due for e in events if isinstance(e, LookbackScheduled)), None)
        return {**result, "next_lookback_due": due.isoformat() if due else None}

    return await s.uow.run(ctx, work)


# ---- public-opinion reports ---------------------------------------------------------------------------------

async def submit_opinion_report(s: ProposalsParts, cmd: c.SubmitOpinionReport, ctx: CommandContext) -> CommandOutcome:
    rid = cmd.report_id or s.ids()
    return await s.uow.decide(ctx, streams.opinion_report(ctx.committee_id, rid), report.OPINION_REPORT,
                              report.Submit(rid, cmd), {"report_id": rid})


# ---- proposals of earlier years ------------------------------------------------------------------------------
# Who may import is the contract's (`contracts/proposals/service.py`): the command API checked it.

async def import_past_proposals(s: ProposalsParts, cmd: c.ImportPastProposals, ctx: CommandContext) -> CommandOutcome:
    """Each row of the file through the kernel's file import (`proposals.past_import`), in one transaction; the
    answer is the per-row report."""
    content = file_import.content_of(cmd.content_base64)
    units = unit_directory(RegistryChecks.of(s.runtime))
    outcome = await file_import.import_file(s.uow, PAST_PROPOSALS, staging(units), cmd.filename, content, ctx)
    return with_unit_check(outcome, units)


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
    "revise-proposal": on_proposal,
    "submit-proposal": submit_proposal,
    "withdraw-proposal": on_proposal,
    "confirm-cosignature": on_proposal,
    "decline-cosignature": on_proposal,
    "accept-proposal": accept_proposal,
    "not-accept-proposal": not_accept_proposal,
    "acknowledge-opinion-letter": acknowledge_opinion_letter,
    "merge-proposal": merge_proposal,
    "return-proposal": on_proposal,
    "assign-proposal": on_assignment,
    "request-reassignment": on_proposal,
    "grant-reassignment": on_assignment,
    "refuse-reassignment": on_proposal,
    "record-handling-contact": on_proposal,
    "reply-to-proposal": reply_to_proposal,
    "cosign-reply": on_proposal,
    "evaluate-reply": on_proposal,
    "reopen-handling": on_proposal,
    "revise-reply-class": on_proposal,
    "designate-key-proposal": designate_key_proposal,
    "report-key-proposal-progress": on_proposal,
    "conclude-commitment-lookback": conclude_lookback,
    "set-lookback-interval": set_lookback_interval,
    "set-evaluation-window": set_evaluation_window,
    "record-proposal-result": record_proposal_result,
    "record-recommendation-report": record_recommendation_report,
    "conclude-recommendation-lookback": conclude_lookback,
    "submit-opinion-report": submit_opinion_report,
    "edit-opinion-report": on_report,
    "forward-opinion-report": on_report,
    "record-opinion-report-adoption": on_report,
    "record-opinion-report-instruction": on_report,
    "publish-opinion-report": on_report,
    "import-past-proposals": import_past_proposals,
}
