"""Command handlers of the surveys service: one small function per command, over the service's parts.

Each loads what its decider needs inside the unit of work, lets the pure decider decide (it checks the
caller's role and scope: a department reports only on items sent to its unit), and the unit of work appends
everything in one transaction. Every stream id is built from the caller's committee (`surveys.streams`), so
ids of another committee name nothing here."""

from __future__ import annotations

from typing import Any

from contracts.surveys import commands as c
from contracts.surveys.consultation_plan import ConsultationPlanItemsCarriedOver
from eventstore.command_outcome import CommandOutcome
from eventstore.service import Handler
from eventstore.store import CommandContext
from eventstore.unit_of_work import Tx
from surveys import streams
from surveys.domain import research as rs
from surveys.domain import supervision as sv
from surveys.domain.consultation import CONSULTATION, RecordInstruction, RecordOutcome, Schedule, outcome_tracking
from surveys.domain.plan import PLAN, CarryIn, CarryOver, ItemHeld, carried_items
from surveys.domain.tracking import TRACKED, Open, TrackedState, progress_of
from surveys.parts import SurveysParts

# ---- the yearly plan -------------------------------------------------------------------------------------------


async def on_plan(s: SurveysParts, cmd: Any, ctx: CommandContext) -> CommandOutcome:
    """Draft, amend, adopt: the plan decides on its own state alone."""
    return await s.uow.decide(ctx, streams.consultation_plan(ctx.committee_id, cmd.year), PLAN, cmd,
                              {"year": cmd.year})


async def carry_over_plan_items(s: SurveysParts, cmd: c.CarryOverPlanItems, ctx: CommandContext) -> CommandOutcome:
    """The items leave this year's plan and join next year's (drafting it if need be), in one transaction."""
    async def work(tx: Tx) -> dict[str, Any]:
        plan = await tx.load(streams.consultation_plan(tx.committee_id, cmd.year), PLAN)
        nxt = await tx.load(streams.consultation_plan(tx.committee_id, cmd.year + 1), PLAN)
        (carried,) = tx.decide(plan, PLAN, CarryOver(cmd, nxt.state))  # this year's rules speak first
        assert isinstance(carried, ConsultationPlanItemsCarriedOver)
        tx.decide(nxt, PLAN, CarryIn(cmd, carried, carried_items(plan.state, carried)))
        return {"year": cmd.year, "to_year": carried.to_year, "item_ids": list(carried.item_ids)}

    return await s.uow.run(ctx, work)


# ---- sessions and outcomes ---------------------------------------------------------------------------------------

async def schedule_consultation(s: SurveysParts, cmd: c.ScheduleConsultation, ctx: CommandContext) -> CommandOutcome:
    cid = cmd.consultation_id or s.ids()

    async def work(tx: Tx) -> dict[str, Any]:
        plan = await tx.load(streams.consultation_plan(tx.committee_id, cmd.year), PLAN)
        session = await tx.load(streams.consultation(tx.committee_id, cid), CONSULTATION)
        tx.decide(session, CONSULTATION, Schedule(cid, cmd, plan.state))
        return {"consultation_id": cid}

    return await s.uow.run(ctx, work)


async def hold_consultation(s: SurveysParts, cmd: c.HoldConsultation, ctx: CommandContext) -> CommandOutcome:
    """The session held, and its plan item marked held on the plan (so it is not carried over), in one
    transaction."""
    async def work(tx: Tx) -> dict[str, Any]:
        session = await tx.load(streams.consultation(tx.committee_id, cmd.consultation_id), CONSULTATION)
        tx.decide(session, CONSULTATION, cmd)  # the session's rules speak first
        item = session.state.item
        assert item is not None
        plan = await tx.load(streams.consultation_plan(tx.committee_id, session.state.year), PLAN)
        tx.decide(plan, PLAN, ItemHeld(cmd.consultation_id, item.item_id, cmd.held_on))
        return {"consultation_id": cmd.consultation_id}

    return await s.uow.run(ctx, work)


async def record_consultation_outcome(s: SurveysParts, cmd: c.RecordConsultationOutcome,
                                      ctx: CommandContext) -> CommandOutcome:
    """The outcome on the session, and the tracked item it opens, in one transaction."""
    oid = cmd.outcome_id or s.ids()

    async def work(tx: Tx) -> dict[str, Any]:
        session = await tx.load(streams.consultation(tx.committee_id, cmd.consultation_id), CONSULTATION)
        item = await tx.load(streams.tracked_item(tx.committee_id, oid), TRACKED)
        record = RecordOutcome(oid, cmd)
        tx.decide(session, CONSULTATION, record)  # the session's rules speak first
        opened = TRACKED.fold(tx.decide(item, TRACKED, outcome_tracking(session.state, record)), item.state)
        return {"consultation_id": cmd.consultation_id, "outcome_id": oid, **_item(opened)}

    return await s.uow.run(ctx, work)


async def record_outcome_instruction(s: SurveysParts, cmd: c.RecordOutcomeInstruction,
                                    ctx: CommandContext) -> CommandOutcome:
    iid = cmd.instruction_id or s.ids()
    return await s.uow.decide(ctx, streams.consultation(ctx.committee_id, cmd.consultation_id), CONSULTATION,
                              RecordInstruction(iid, cmd), {"consultation_id": cmd.consultation_id,
                                                            "outcome_id": cmd.outcome_id, "instruction_id": iid})


# ---- tracking ------------------------------------------------------------------------------------------------------

def _item(state: TrackedState) -> dict[str, Any]:
    """What a client sees of a tracked item after a command."""
    return {"item_id": state.item_id, "phase": state.phase.value, "round": state.round,
            "progress": progress_of(state), "due": state.due.isoformat() if state.due else None}


async def on_tracked_item(s: SurveysParts, cmd: Any, ctx: CommandContext) -> CommandOutcome:
    """Report, follow up, verdict, reopen: the tracked item decides on its own state alone."""
    async def work(tx: Tx) -> dict[str, Any]:
        loaded = await tx.load(streams.tracked_item(tx.committee_id, cmd.item_id), TRACKED)
        return _item(TRACKED.fold(tx.decide(loaded, TRACKED, cmd), loaded.state))

    return await s.uow.run(ctx, work)


async def _open_items(tx: Tx, opens: list[Open]) -> list[dict[str, Any]]:
    """Open the tracked items a report asks for, through the tracking decider, in the caller's transaction."""
    items = []
    for o in opens:
        item = await tx.load(streams.tracked_item(tx.committee_id, o.item_id), TRACKED)
        items.append(_item(TRACKED.fold(tx.decide(item, TRACKED, o), item.state)))
    return items


# ---- democratic supervision ------------------------------------------------------------------------------------

async def open_supervision_topic(s: SurveysParts, cmd: c.OpenSupervisionTopic, ctx: CommandContext) -> CommandOutcome:
    sid = cmd.supervision_id or s.ids()
    return await s.uow.decide(ctx, streams.supervision_topic(ctx.committee_id, sid), sv.SUPERVISION,
                              sv.OpenTopic(sid, cmd), {"supervision_id": sid})


async def log_supervision_activity(s: SurveysParts, cmd: c.LogSupervisionActivity,
                                   ctx: CommandContext) -> CommandOutcome:
    aid = cmd.activity_id or s.ids()
    return await s.uow.decide(ctx, streams.supervision_topic(ctx.committee_id, cmd.supervision_id), sv.SUPERVISION,
                              sv.LogActivity(aid, cmd), {"supervision_id": cmd.supervision_id, "activity_id": aid})


async def report_supervision(s: SurveysParts, cmd: c.ReportSupervision, ctx: CommandContext) -> CommandOutcome:
    """The report on the topic (`supervision-reported`) and one rectification item per finding, in one
    transaction."""
    rid = cmd.report_id or s.ids()

    async def work(tx: Tx) -> dict[str, Any]:
        topic = await tx.load(streams.supervision_topic(tx.committee_id, cmd.supervision_id), sv.SUPERVISION)
        report = sv.Report(rid, cmd)
        tx.decide(topic, sv.SUPERVISION, report)  # the topic's rules speak first
        items = await _open_items(tx, sv.finding_tracking(topic.state, report))
        return {"supervision_id": cmd.supervision_id, "report_id": rid, "items": items}

    return await s.uow.run(ctx, work)


async def record_appraisal_participation(s: SurveysParts, cmd: c.RecordAppraisalParticipation,
                                         ctx: CommandContext) -> CommandOutcome:
    return await s.uow.decide(ctx, streams.appraisal_round(ctx.committee_id, cmd.appraisal_id, cmd.round_id),
                              sv.APPRAISAL_ROUND, cmd, {"appraisal_id": cmd.appraisal_id, "round_id": cmd.round_id})


# ---- research and inspection -------------------------------------------------------------------------------------

async def plan_research_topic(s: SurveysParts, cmd: c.PlanResearchTopic, ctx: CommandContext) -> CommandOutcome:
    tid = cmd.topic_id or s.ids()
    return await s.uow.decide(ctx, streams.research_topic(ctx.committee_id, tid), rs.RESEARCH, rs.PlanTopic(tid, cmd),
                              {"topic_id": tid})


async def apply_for_research_topic(s: SurveysParts, cmd: c.ApplyForResearchTopic,
                                   ctx: CommandContext) -> CommandOutcome:
    aid = cmd.application_id or s.ids()
    return await s.uow.decide(ctx, streams.research_topic(ctx.committee_id, cmd.topic_id), rs.RESEARCH,
                              rs.Apply(aid, cmd), {"topic_id": cmd.topic_id, "application_id": aid})


async def on_research_topic(s: SurveysParts, cmd: Any, ctx: CommandContext) -> CommandOutcome:
    """Decide an application, form the team: the topic decides on its own state alone."""
    return await s.uow.decide(ctx, streams.research_topic(ctx.committee_id, cmd.topic_id), rs.RESEARCH, cmd,
                              {"topic_id": cmd.topic_id})


async def log_research_field_day(s: SurveysParts, cmd: c.LogResearchFieldDay, ctx: CommandContext) -> CommandOutcome:
    aid = cmd.activity_id or s.ids()
    return await s.uow.decide(ctx, streams.research_topic(ctx.committee_id, cmd.topic_id), rs.RESEARCH,
                              rs.LogFieldDay(aid, cmd), {"topic_id": cmd.topic_id, "activity_id": aid})


async def report_research(s: SurveysParts, cmd: c.ReportResearch, ctx: CommandContext) -> CommandOutcome:
    """The report on the topic and one tracked item per recommendation, in one transaction."""
    rid = cmd.report_id or s.ids()

    async def work(tx: Tx) -> dict[str, Any]:
        topic = await tx.load(streams.research_topic(tx.committee_id, cmd.topic_id), rs.RESEARCH)
        report = rs.Report(rid, cmd)
        tx.decide(topic, rs.RESEARCH, report)
        items = await _open_items(tx, rs.recommendation_tracking(topic.state, report))
        return {"topic_id": cmd.topic_id, "report_id": rid, "items": items}

    return await s.uow.run(ctx, work)


HANDLERS: dict[str, Handler[SurveysParts]] = {
    "draft-consultation-plan": on_plan,
    "amend-consultation-plan": on_plan,
    "adopt-consultation-plan": on_plan,
    "carry-over-plan-items": carry_over_plan_items,
    "schedule-consultation": schedule_consultation,
    "hold-consultation": hold_consultation,
    "record-consultation-outcome": record_consultation_outcome,
    "record-outcome-instruction": record_outcome_instruction,
    "report-tracked-item-progress": on_tracked_item,
    "follow-up-tracked-item": on_tracked_item,
    "record-tracked-item-verdict": on_tracked_item,
    "reopen-tracked-item": on_tracked_item,
    "record-tracked-item-lookback": on_tracked_item,
    "open-supervision-topic": open_supervision_topic,
    "log-supervision-activity": log_supervision_activity,
    "report-supervision": report_supervision,
    "record-appraisal-participation": record_appraisal_participation,
    "plan-research-topic": plan_research_topic,
    "apply-for-research-topic": apply_for_research_topic,
    "decide-research-application": on_research_topic,
    "form-research-team": on_research_topic,
    "log-research-field-day": log_research_field_day,
    "report-research": report_research,
}
