"""Command handlers: the HTTP command API's entry points. Each one loads what its decider needs (the
committee's calendar, other aggregates' facts), runs the pure decider — which checks the caller's role and
scope against the state — and appends the events in one transaction (see unit_of_work).

Every stream id is built from the caller's committee (see streams), so ids from another committee name
nothing here. Results carry the ids and numbers clients need, and the event types written."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from datetime import UTC, datetime
from typing import Any, TypeVar
from uuid import uuid4

import asyncpg

from contracts.envelope import Actor, Role
from contracts.proposals import (
    HolidayScheduleRecorded,
    NotAcceptedConversion,
    ProposalAssigned,
    ProposalDrafted,
    ProposalNumberAssigned,
    ProposalResubmitted,
    ProposalRevised,
    ProposalSubmitted,
    ReassignmentGranted,
)
from contracts.proposals import commands as c
from contracts.registry import DomainEvent
from eventstore.command_api import CommandOutcome, CommandSpec
from eventstore.decider import Decider
from eventstore.store import AppendResult, CommandContext, EventStore, StoredEvent
from proposals import streams
from proposals.domain import opinion_report as report
from proposals.domain import proposal as p
from proposals.domain import recommendation as rec
from proposals.domain.holiday_schedule import HOLIDAY_SCHEDULE
from proposals.domain.numbering import NUMBERING, ReserveNumber, format_number
from proposals.domain.solicitation import SOLICITATION, Publish
from proposals.read_model import ProposalsReadModel, proposal_body
from proposals.unit_of_work import Loaded, Tx, combine, transact
from proposals.workdays import WorkCalendar, local_date

Clock = Callable[[], datetime]
S = TypeVar("S")
C = TypeVar("C")

WATCHER = Actor(id="proposals-deadline-watcher", role=Role.service)


def system_clock() -> datetime:
    return datetime.now(UTC)


def new_id() -> str:
    return uuid4().hex


def _types(events: Sequence[DomainEvent]) -> list[str]:
    return [e.event_type for e in events]


def proposal_text(history: Sequence[StoredEvent]) -> tuple[str, str]:
    """(title, body) of the proposal's latest text."""
    title, body = "", ""
    for stored in history:
        e = stored.event
        if isinstance(e, ProposalDrafted | ProposalRevised):
            title, body = e.title, proposal_body(e.case, e.analysis, e.suggestions)
    return title, body


def _window(loaded: Loaded[Any] | None) -> p.SolicitationWindow | None:
    published = loaded.state.published if loaded else None
    if published is None:
        return None
    return p.SolicitationWindow(published.solicitation_id, published.year, published.opens_on, published.closes_on,
                                frozenset(t.title for t in published.topics))


class ProposalsHandlers:
    def __init__(self, store: EventStore, read_model: ProposalsReadModel, *, clock: Clock = system_clock,
                 ids: Callable[[], str] = new_id) -> None:
        self.store = store
        self.read_model = read_model
        self.clock = clock
        self.ids = ids
        # Called after a holiday schedule is recorded, so the watcher moves deadlines without waiting.
        self.on_schedule_recorded: Callable[[], None] | None = None

    # ---- plumbing ------------------------------------------------------------------------------------------

    async def calendar(self, committee_id: str, conn: asyncpg.Connection | None = None) -> WorkCalendar:
        history = await self.store.read_stream(streams.holiday_schedule(committee_id), conn=conn)
        return WorkCalendar.from_events(e.event for e in history if isinstance(e.event, HolidayScheduleRecorded))

    async def _run(self, ctx: CommandContext, work: Callable[[Tx], Awaitable[dict[str, Any]]],
                   main_stream: Callable[[dict[str, Any]], str] | None = None) -> CommandOutcome:
        async def calendar(conn: asyncpg.Connection) -> WorkCalendar:
            return await self.calendar(ctx.committee_id, conn)

        result, written = await transact(self.store, ctx, self.clock(), calendar, work)
        return CommandOutcome(combine(written, main_stream(result) if main_stream else None), result)

    async def _single(self, ctx: CommandContext, stream_id: str, decider: Decider[S, Any], command: object,
                      result: dict[str, Any]) -> CommandOutcome:
        async def work(tx: Tx) -> dict[str, Any]:
            loaded = await tx.load(stream_id, decider)
            events = decider.decide(loaded.state, tx.issued(command))
            tx.stage(loaded, events)
            return {**result, "events": _types(events)}

        return await self._run(ctx, work)

    def _proposal(self, ctx: CommandContext, proposal_id: str, command: object) -> Awaitable[CommandOutcome]:
        return self._single(ctx, streams.proposal(ctx.committee_id, proposal_id), p.PROPOSAL, command,
                            {"proposal_id": proposal_id})

    def _report(self, ctx: CommandContext, report_id: str, command: object) -> Awaitable[CommandOutcome]:
        return self._single(ctx, streams.opinion_report(ctx.committee_id, report_id), report.OPINION_REPORT, command,
                            {"report_id": report_id})

    async def _similar(self, committee: str, title: str, body: str, year: int, exclude: str) -> list[dict[str, Any]]:
        found = await self.read_model.similar(self.store.pool, committee, title=title, body=body, before_year=year,
                                              exclude=exclude)
        return [s.as_dict() for s in found]

    # ---- solicitation and calendar --------------------------------------------------------------------------

    async def publish_solicitation(self, cmd: c.PublishSolicitation, ctx: CommandContext) -> CommandOutcome:
        sid = cmd.solicitation_id or self.ids()
        return await self._single(ctx, streams.solicitation(ctx.committee_id, sid), SOLICITATION, Publish(sid, cmd),
                                  {"solicitation_id": sid})

    async def record_holiday_schedule(self, cmd: c.RecordHolidaySchedule, ctx: CommandContext) -> CommandOutcome:
        outcome = await self._single(ctx, streams.holiday_schedule(ctx.committee_id), HOLIDAY_SCHEDULE, cmd,
                                     {"year": cmd.year})
        if self.on_schedule_recorded is not None:
            self.on_schedule_recorded()
        return outcome

    # ---- drafting and submission ------------------------------------------------------------------------------

    async def draft_proposal(self, cmd: c.DraftProposal, ctx: CommandContext) -> CommandOutcome:
        pid = cmd.proposal_id or self.ids()
        committee = ctx.committee_id

        async def work(tx: Tx) -> dict[str, Any]:
            loaded = await tx.load(streams.proposal(committee, pid), p.PROPOSAL)
            window = None
            if cmd.solicitation_id:
                window = _window(await tx.load(streams.solicitation(committee, cmd.solicitation_id), SOLICITATION))
            events = p.PROPOSAL.decide(loaded.state, tx.issued(p.Draft(pid, cmd, window)))
            tx.stage(loaded, events)
            return {"proposal_id": pid, "events": _types(events), "year": window.year if window else None}

        outcome = await self._run(ctx, work)
        year = outcome.result.pop("year") or local_date(self.clock()).year
        body = proposal_body(cmd.case, cmd.analysis, cmd.suggestions)
        outcome.result["similar"] = await self._similar(committee, cmd.title, body, year, pid)
        return outcome

    async def revise_proposal(self, cmd: c.ReviseProposal, ctx: CommandContext) -> CommandOutcome:
        return await self._proposal(ctx, cmd.proposal_id, cmd)

    async def submit_proposal(self, cmd: c.SubmitProposal, ctx: CommandContext) -> CommandOutcome:
        committee = ctx.committee_id

        async def work(tx: Tx) -> dict[str, Any]:
            loaded = await tx.load(streams.proposal(committee, cmd.proposal_id), p.PROPOSAL)
            sid = loaded.state.solicitation_id
            window = _window(await tx.load(streams.solicitation(committee, sid), SOLICITATION)) if sid else None
            events = p.PROPOSAL.decide(loaded.state, tx.issued(p.Submit(cmd, window)))
            tx.stage(loaded, events)
            title, body = proposal_text(loaded.history)
            year = next(e.year for e in events if isinstance(e, ProposalSubmitted | ProposalResubmitted))
            cosign = next((e.cosign_deadline for e in events if isinstance(e, ProposalSubmitted)), None)
            return {"proposal_id": cmd.proposal_id, "events": _types(events), "year": year,
                    "cosign_deadline": cosign.isoformat() if cosign else None, "_text": (title, body)}

        outcome = await self._run(ctx, work)
        title, body = outcome.result.pop("_text")
        outcome.result["similar"] = await self._similar(committee, title, body, outcome.result["year"],
                                                        cmd.proposal_id)
        return outcome

    async def withdraw_proposal(self, cmd: c.WithdrawProposal, ctx: CommandContext) -> CommandOutcome:
        return await self._proposal(ctx, cmd.proposal_id, cmd)

    async def confirm_cosignature(self, cmd: c.ConfirmCosignature, ctx: CommandContext) -> CommandOutcome:
        return await self._proposal(ctx, cmd.proposal_id, cmd)

    async def decline_cosignature(self, cmd: c.DeclineCosignature, ctx: CommandContext) -> CommandOutcome:
        return await self._proposal(ctx, cmd.proposal_id, cmd)

    # ---- review --------------------------------------------------------------------------------------------

    async def accept_proposal(self, cmd: c.AcceptProposal, ctx: CommandContext) -> CommandOutcome:
        committee = ctx.committee_id

        async def work(tx: Tx) -> dict[str, Any]:
            loaded = await tx.load(streams.proposal(committee, cmd.proposal_id), p.PROPOSAL)
            year = loaded.state.year or local_date(tx.now).year
            await tx.lock(streams.numbering(committee, year))
            numbers = await tx.load(streams.numbering(committee, year), NUMBERING)
            # The proposal's rules speak first (a refusal names them), then the number is taken.
            sequence = numbers.state.last_sequence + 1
            number = format_number(year, sequence)
            events = p.PROPOSAL.decide(loaded.state, tx.issued(p.AcceptNumbered(cmd, year, sequence, number)))
            (reserved,) = NUMBERING.decide(numbers.state, tx.issued(ReserveNumber(cmd.proposal_id, year)))
            assert isinstance(reserved, ProposalNumberAssigned) and reserved.number == number
            tx.stage(numbers, [reserved])
            tx.stage(loaded, events)
            return {"proposal_id": cmd.proposal_id, "number": number, "year": year, "events": _types(events)}

        return await self._run(ctx, work, lambda r: streams.proposal(committee, r["proposal_id"]))

    async def not_accept_proposal(self, cmd: c.NotAcceptProposal, ctx: CommandContext) -> CommandOutcome:
        committee = ctx.committee_id
        report_id = self.ids() if cmd.converted_to is NotAcceptedConversion.opinion_report else None

        async def work(tx: Tx) -> dict[str, Any]:
            loaded = await tx.load(streams.proposal(committee, cmd.proposal_id), p.PROPOSAL)
            events = p.PROPOSAL.decide(loaded.state, tx.issued(p.NotAccept(cmd, report_id)))
            tx.stage(loaded, events)
            if report_id is not None:
                title, body = proposal_text(loaded.history)
                rep = await tx.load(streams.opinion_report(committee, report_id), report.OPINION_REPORT)
                convert = report.ConvertFromProposal(report_id, cmd.proposal_id, loaded.state.owner_member_id, title,
                                                     body, loaded.state.category)
                tx.stage(rep, report.OPINION_REPORT.decide(rep.state, tx.issued(convert)))
            return {"proposal_id": cmd.proposal_id, "opinion_report_id": report_id, "events": _types(events)}

        return await self._run(ctx, work, lambda r: streams.proposal(committee, r["proposal_id"]))

    async def merge_proposal(self, cmd: c.MergeProposal, ctx: CommandContext) -> CommandOutcome:
        committee = ctx.committee_id

        async def work(tx: Tx) -> dict[str, Any]:
            source = await tx.load(streams.proposal(committee, cmd.proposal_id), p.PROPOSAL)
            if cmd.into_proposal_id == cmd.proposal_id:
                target = source
            else:
                target = await tx.load(streams.proposal(committee, cmd.into_proposal_id), p.PROPOSAL)
            events = p.PROPOSAL.decide(source.state, tx.issued(p.MergeInto(cmd, target.state)))
            received = p.PROPOSAL.decide(target.state, tx.issued(p.ReceiveMerge(cmd.proposal_id, cmd.reason)))
            tx.stage(source, events)
            tx.stage(target, received)
            return {"proposal_id": cmd.proposal_id, "into_proposal_id": cmd.into_proposal_id,
                    "events": _types([*events, *received])}

        return await self._run(ctx, work, lambda r: streams.proposal(committee, r["proposal_id"]))

    async def return_proposal(self, cmd: c.ReturnProposal, ctx: CommandContext) -> CommandOutcome:
        return await self._proposal(ctx, cmd.proposal_id, cmd)

    # ---- assignment and handling ------------------------------------------------------------------------------

    async def assign_proposal(self, cmd: c.AssignProposal, ctx: CommandContext) -> CommandOutcome:
        outcome = await self._proposal(ctx, cmd.proposal_id, cmd)
        return await self._with_slip(outcome, ctx, cmd.proposal_id)

    async def _with_slip(self, outcome: CommandOutcome, ctx: CommandContext, proposal_id: str) -> CommandOutcome:
        """Add the deadline(s) just written to the result."""
        history = await self.store.read_stream(streams.proposal(ctx.committee_id, proposal_id))
        for stored in reversed(history):
            e = stored.event
            if isinstance(e, ProposalAssigned | ReassignmentGranted):
                outcome.result.update(deadline=e.deadline.isoformat(),
                                      reassignment_window_ends=e.reassignment_window_ends.isoformat())
                break
        return outcome

    async def request_reassignment(self, cmd: c.RequestReassignment, ctx: CommandContext) -> CommandOutcome:
        return await self._proposal(ctx, cmd.proposal_id, cmd)

    async def grant_reassignment(self, cmd: c.GrantReassignment, ctx: CommandContext) -> CommandOutcome:
        outcome = await self._proposal(ctx, cmd.proposal_id, cmd)
        return await self._with_slip(outcome, ctx, cmd.proposal_id)

    async def refuse_reassignment(self, cmd: c.RefuseReassignment, ctx: CommandContext) -> CommandOutcome:
        return await self._proposal(ctx, cmd.proposal_id, cmd)

    async def record_handling_contact(self, cmd: c.RecordHandlingContact, ctx: CommandContext) -> CommandOutcome:
        return await self._proposal(ctx, cmd.proposal_id, cmd)

    async def reply_to_proposal(self, cmd: c.ReplyToProposal, ctx: CommandContext) -> CommandOutcome:
        return await self._proposal(ctx, cmd.proposal_id, cmd)

    async def cosign_reply(self, cmd: c.CosignReply, ctx: CommandContext) -> CommandOutcome:
        return await self._proposal(ctx, cmd.proposal_id, cmd)

    async def evaluate_reply(self, cmd: c.EvaluateReply, ctx: CommandContext) -> CommandOutcome:
        return await self._proposal(ctx, cmd.proposal_id, cmd)

    async def reopen_handling(self, cmd: c.ReopenHandling, ctx: CommandContext) -> CommandOutcome:
        return await self._proposal(ctx, cmd.proposal_id, cmd)

    async def revise_reply_class(self, cmd: c.ReviseReplyClass, ctx: CommandContext) -> CommandOutcome:
        return await self._proposal(ctx, cmd.proposal_id, cmd)

    # ---- key proposals, look-back, results --------------------------------------------------------------------

    async def designate_key_proposal(self, cmd: c.DesignateKeyProposal, ctx: CommandContext) -> CommandOutcome:
        return await self._proposal(ctx, cmd.proposal_id, cmd)

    async def report_key_proposal_progress(self, cmd: c.ReportKeyProposalProgress,
                                           ctx: CommandContext) -> CommandOutcome:
        return await self._proposal(ctx, cmd.proposal_id, cmd)

    async def conclude_commitment_lookback(self, cmd: c.ConcludeCommitmentLookback,
                                           ctx: CommandContext) -> CommandOutcome:
        return await self._proposal(ctx, cmd.proposal_id, cmd)

    async def record_proposal_result(self, cmd: c.RecordProposalResult, ctx: CommandContext) -> CommandOutcome:
        result_id = cmd.result_id or self.ids()
        outcome = await self._proposal(ctx, cmd.proposal_id, p.RecordResult(cmd, result_id))
        outcome.result["result_id"] = result_id
        return outcome

    async def record_recommendation_report(self, cmd: c.RecordRecommendationReport,
                                           ctx: CommandContext) -> CommandOutcome:
        rid = cmd.recommendation_id or self.ids()
        return await self._single(ctx, streams.recommendation(ctx.committee_id, rid), rec.RECOMMENDATION,
                                  rec.Record(rid, cmd), {"recommendation_id": rid})

    async def conclude_recommendation_lookback(self, cmd: c.ConcludeRecommendationLookback,
                                               ctx: CommandContext) -> CommandOutcome:
        return await self._single(ctx, streams.recommendation(ctx.committee_id, cmd.recommendation_id),
                                  rec.RECOMMENDATION, cmd, {"recommendation_id": cmd.recommendation_id})

    # ---- public-opinion reports ----------------------------------------------------------------------------

    async def submit_opinion_report(self, cmd: c.SubmitOpinionReport, ctx: CommandContext) -> CommandOutcome:
        rid = cmd.report_id or self.ids()
        return await self._report(ctx, rid, report.Submit(rid, cmd))

    async def edit_opinion_report(self, cmd: c.EditOpinionReport, ctx: CommandContext) -> CommandOutcome:
        return await self._report(ctx, cmd.report_id, cmd)

    async def forward_opinion_report(self, cmd: c.ForwardOpinionReport, ctx: CommandContext) -> CommandOutcome:
        return await self._report(ctx, cmd.report_id, cmd)

    async def record_opinion_report_adoption(self, cmd: c.RecordOpinionReportAdoption,
                                             ctx: CommandContext) -> CommandOutcome:
        return await self._report(ctx, cmd.report_id, cmd)

    async def record_opinion_report_instruction(self, cmd: c.RecordOpinionReportInstruction,
                                                ctx: CommandContext) -> CommandOutcome:
        return await self._report(ctx, cmd.report_id, cmd)

    async def publish_opinion_report(self, cmd: c.PublishOpinionReport, ctx: CommandContext) -> CommandOutcome:
        return await self._report(ctx, cmd.report_id, cmd)

    # ---- the deadline watcher's entry point (not on HTTP) ------------------------------------------------------

    async def sweep(self, committee_id: str, kind: str, aggregate_id: str) -> AppendResult | None:
        """Apply what is due on one aggregate, as the service account; writes nothing when nothing is due."""
        ctx = CommandContext(actor=WATCHER, committee_id=committee_id)
        if kind == "recommendation":
            outcome = await self._single(ctx, streams.recommendation(committee_id, aggregate_id), rec.RECOMMENDATION,
                                         rec.OpenDueLookback(), {})
        else:
            outcome = await self._single(ctx, streams.proposal(committee_id, aggregate_id), p.PROPOSAL,
                                         p.ApplyDeadlines(), {})
        return outcome.written

    # ---- the command list -------------------------------------------------------------------------------------

    def specs(self) -> list[CommandSpec[Any]]:
        h = self
        pairs: list[tuple[str, type[Any], Callable[[Any, CommandContext], Awaitable[CommandOutcome]]]] = [
            ("publish_solicitation", c.PublishSolicitation, h.publish_solicitation),
            ("record_holiday_schedule", c.RecordHolidaySchedule, h.record_holiday_schedule),
            ("draft_proposal", c.DraftProposal, h.draft_proposal),
            ("revise_proposal", c.ReviseProposal, h.revise_proposal),
            ("submit_proposal", c.SubmitProposal, h.submit_proposal),
            ("withdraw_proposal", c.WithdrawProposal, h.withdraw_proposal),
            ("confirm_cosignature", c.ConfirmCosignature, h.confirm_cosignature),
            ("decline_cosignature", c.DeclineCosignature, h.decline_cosignature),
            ("accept_proposal", c.AcceptProposal, h.accept_proposal),
            ("not_accept_proposal", c.NotAcceptProposal, h.not_accept_proposal),
            ("merge_proposal", c.MergeProposal, h.merge_proposal),
            ("return_proposal", c.ReturnProposal, h.return_proposal),
            ("assign_proposal", c.AssignProposal, h.assign_proposal),
            ("request_reassignment", c.RequestReassignment, h.request_reassignment),
            ("grant_reassignment", c.GrantReassignment, h.grant_reassignment),
            ("refuse_reassignment", c.RefuseReassignment, h.refuse_reassignment),
            ("record_handling_contact", c.RecordHandlingContact, h.record_handling_contact),
            ("reply_to_proposal", c.ReplyToProposal, h.reply_to_proposal),
            ("cosign_reply", c.CosignReply, h.cosign_reply),
            ("evaluate_reply", c.EvaluateReply, h.evaluate_reply),
            ("reopen_handling", c.ReopenHandling, h.reopen_handling),
            ("revise_reply_class", c.ReviseReplyClass, h.revise_reply_class),
            ("designate_key_proposal", c.DesignateKeyProposal, h.designate_key_proposal),
            ("report_key_proposal_progress", c.ReportKeyProposalProgress, h.report_key_proposal_progress),
            ("conclude_commitment_lookback", c.ConcludeCommitmentLookback, h.conclude_commitment_lookback),
            ("record_proposal_result", c.RecordProposalResult, h.record_proposal_result),
            ("record_recommendation_report", c.RecordRecommendationReport, h.record_recommendation_report),
            ("conclude_recommendation_lookback", c.ConcludeRecommendationLookback, h.conclude_recommendation_lookback),
            ("submit_opinion_report", c.SubmitOpinionReport, h.submit_opinion_report),
            ("edit_opinion_report", c.EditOpinionReport, h.edit_opinion_report),
            ("forward_opinion_report", c.ForwardOpinionReport, h.forward_opinion_report),
            ("record_opinion_report_adoption", c.RecordOpinionReportAdoption, h.record_opinion_report_adoption),
            ("record_opinion_report_instruction", c.RecordOpinionReportInstruction,
             h.record_opinion_report_instruction),
            ("publish_opinion_report", c.PublishOpinionReport, h.publish_opinion_report),
        ]
        return [CommandSpec(name, model, handler) for name, model, handler in pairs]
