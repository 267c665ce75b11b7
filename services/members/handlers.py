"""Command handlers: load the aggregate, look up what the decider needs, decide, append — and write the
private data the command carries — in one transaction. Each handler is a `CommandSpec` of the HTTP
command API; the roster import calls the same handlers row by row."""

from __future__ import annotations

import hmac
import secrets
from collections.abc import Awaitable, Callable, Iterable, Sequence
from datetime import UTC, datetime
from typing import Any

import asyncpg
from pydantic import BaseModel

from eventstore.command_api import CommandOutcome, CommandSpec
from eventstore.decider import Decider
from eventstore.errors import ConcurrencyError, DomainError, NotAuthorized
from eventstore.store import CommandContext, EventStore
from members.domain import meeting as mtg
from members.domain import member as mem
from members.domain import records as rec
from members.domain import registry as reg
from members.domain import scoring_year as yr
from members.domain import visit as vis
from members.domain.common import Command, MemberView
from members.private import PrivateData

Clock = Callable[[], datetime]
AfterAppend = Callable[[asyncpg.Connection], Awaitable[None]]


def _utcnow() -> datetime:
    return datetime.now(UTC)


class MembersService:
    """The write side of the members service."""

    ATTEMPTS = 4

    def __init__(self, store: EventStore, private: PrivateData, *, clock: Clock = _utcnow) -> None:
        self.store = store
        self.private = private
        self.clock = clock

    # ---- the one way a command runs ---------------------------------------------------------------------

    async def members(self, conn: asyncpg.Connection, committee_id: str, ids: Iterable[str]) -> dict[str, MemberView]:
        out: dict[str, MemberView] = {}
        for member_id in sorted(set(ids)):
            history = await self.store.read_stream(mem.member_stream(committee_id, member_id), conn=conn)
            state = mem.member.fold(e.event for e in history)
            if state.registered:
                out[member_id] = state.view()
        return out

    async def run(self, stream_id: str, decider: Decider[Any, Any], body: BaseModel, ctx: CommandContext, *,
                  member_ids: Iterable[str] = (), after: AfterAppend | None = None,
                  result: dict[str, Any] | None = None) -> CommandOutcome:
        ids = list(member_ids)
        for attempt in range(self.ATTEMPTS):
            try:
                async with self.store.transaction() as conn:
                    history = await self.store.read_stream(stream_id, conn=conn)
                    state = decider.fold(e.event for e in history)
                    cmd = Command(body, ctx.actor, ctx.committee_id, ctx.occurred_at or self.clock(),
                                  await self.members(conn, ctx.committee_id, ids))
                    events = decider.decide(state, cmd)
                    written = await self.store.append(stream_id, len(history), events, ctx, conn=conn)
                    if after is not None:
                        await after(conn)
                return CommandOutcome(written, result or {})
            except ConcurrencyError:
                if attempt == self.ATTEMPTS - 1:
                    raise
        raise AssertionError("unreachable")

    # ---- registry ----------------------------------------------------------------------------------------

    async def register_member(self, body: mem.RegisterMember, ctx: CommandContext) -> CommandOutcome:
        contact = body.contact

        async def save_contact(conn: asyncpg.Connection) -> None:
            if contact is None or contact.is_empty():
                return
            if contact.id_number:
                holder = await self.private.id_number_holder(conn, ctx.committee_id, contact.id_number)
                if holder is not None:
                    raise DomainError("duplicate_id_number", f"this ID number is already registered ({holder})")
            await self.private.save_member_contact(conn, ctx.committee_id, body.member_id, contact, ctx.actor.id)

        return await self.run(mem.member_stream(ctx.committee_id, body.member_id), mem.member, body, ctx,
                              after=save_contact, result={"member_id": body.member_id})

    async def update_member(self, body: mem.UpdateMember, ctx: CommandContext) -> CommandOutcome:
        contact = body.contact

        async def save_contact(conn: asyncpg.Connection) -> None:
            if contact is None:
                return
            if contact.id_number:
                holder = await self.private.id_number_holder(conn, ctx.committee_id, contact.id_number)
                if holder not in (None, body.member_id):
                    raise DomainError("duplicate_id_number", f"this ID number is already registered ({holder})")
            await self.private.save_member_contact(conn, ctx.committee_id, body.member_id, contact, ctx.actor.id)

        return await self.run(mem.member_stream(ctx.committee_id, body.member_id), mem.member, body, ctx,
                              after=save_contact)

    async def change_member_status(self, body: mem.ChangeMemberStatus, ctx: CommandContext) -> CommandOutcome:
        return await self.run(mem.member_stream(ctx.committee_id, body.member_id), mem.member, body, ctx)

    async def register_organization(self, body: reg.RegisterOrganization, ctx: CommandContext) -> CommandOutcome:
        return await self.run(reg.organization_stream(ctx.committee_id, body.organization_id), reg.organization,
                              body, ctx)

    async def add_organization_member(self, body: reg.AddOrganizationMember, ctx: CommandContext) -> CommandOutcome:
        return await self.run(reg.organization_stream(ctx.committee_id, body.organization_id), reg.organization,
                              body, ctx, member_ids=[body.member_id])

    async def register_unit(self, body: reg.RegisterUnit, ctx: CommandContext) -> CommandOutcome:
        return await self.run(reg.unit_stream(ctx.committee_id, body.unit_id), reg.unit, body, ctx)

    async def add_unit_staff(self, body: reg.AddUnitStaff, ctx: CommandContext) -> CommandOutcome:
        async def save_phone(conn: asyncpg.Connection) -> None:
            await self.private.save_person_contact(conn, ctx.committee_id, "unit_staff", body.staff_id, body.phone,
                                                   None, ctx.actor.id)

        return await self.run(reg.unit_stream(ctx.committee_id, body.unit_id), reg.unit, body, ctx, after=save_phone)

    async def add_liaison_contact(self, body: reg.AddLiaisonContact, ctx: CommandContext) -> CommandOutcome:
        async def save_contact(conn: asyncpg.Connection) -> None:
            await self.private.save_person_contact(conn, ctx.committee_id, "liaison_contact", body.contact_id,
                                                   body.phone, body.address, ctx.actor.id)

        return await self.run(reg.contact_stream(ctx.committee_id, body.contact_id), reg.liaison_contact, body, ctx,
                              member_ids=[body.member_id] if body.member_id else [], after=save_contact)

    # ---- meetings ----------------------------------------------------------------------------------------

    async def schedule_meeting(self, body: mtg.ScheduleMeeting, ctx: CommandContext) -> CommandOutcome:
        code = f"{secrets.randbelow(10**6):06d}"

        async def save_code(conn: asyncpg.Connection) -> None:
            await self.private.set_meeting_code(conn, ctx.committee_id, body.meeting_id, code)

        return await self.run(mtg.meeting_stream(ctx.committee_id, body.meeting_id), mtg.meeting, body, ctx,
                              after=save_code, result={"check_in_code": code})

    async def _meeting(self, body: BaseModel, meeting_id: str, ctx: CommandContext,
                       member_ids: Sequence[str] = ()) -> CommandOutcome:
        return await self.run(mtg.meeting_stream(ctx.committee_id, meeting_id), mtg.meeting, body, ctx,
                              member_ids=member_ids)

    async def invite_to_meeting(self, body: mtg.InviteToMeeting, ctx: CommandContext) -> CommandOutcome:
        return await self._meeting(body, body.meeting_id, ctx, body.member_ids)

    async def request_leave(self, body: mtg.RequestLeave, ctx: CommandContext) -> CommandOutcome:
        return await self._meeting(body, body.meeting_id, ctx)

    async def decide_leave(self, body: mtg.DecideLeave, ctx: CommandContext) -> CommandOutcome:
        return await self._meeting(body, body.meeting_id, ctx)

    async def check_in(self, body: mtg.CheckInWithCode, ctx: CommandContext) -> CommandOutcome:
        member_id = ctx.actor.member_id
        if member_id is None:
            raise NotAuthorized("members check themselves in; office staff record attendance instead")
        async with self.store.pool.acquire() as conn:
            code = await self.private.meeting_code(conn, ctx.committee_id, body.meeting_id)
        matches = code is not None and hmac.compare_digest(code, body.code.strip())
        check = mtg.CheckIn(meeting_id=body.meeting_id, member_id=member_id, code_matches=matches)
        return await self._meeting(check, body.meeting_id, ctx)

    async def record_attendance(self, body: mtg.RecordAttendance, ctx: CommandContext) -> CommandOutcome:
        return await self._meeting(body, body.meeting_id, ctx)

    async def close_attendance(self, body: mtg.CloseAttendance, ctx: CommandContext) -> CommandOutcome:
        return await self._meeting(body, body.meeting_id, ctx)

    # ---- visits ------------------------------------------------------------------------------------------

    async def log_visit(self, body: vis.LogVisit, ctx: CommandContext) -> CommandOutcome:
        return await self.run(vis.visit_stream(ctx.committee_id, body.visit_id), vis.visit, body, ctx,
                              member_ids=[body.visitor_member_id, *body.visited_member_ids])

    async def link_visit_outcome(self, body: vis.LinkVisitOutcome, ctx: CommandContext) -> CommandOutcome:
        return await self.run(vis.visit_stream(ctx.committee_id, body.visit_id), vis.visit, body, ctx)

    async def set_visit_plan(self, body: vis.SetVisitPlan, ctx: CommandContext) -> CommandOutcome:
        ids = [*body.pairings, *(m for ms in body.pairings.values() for m in ms)]
        return await self.run(vis.visit_plan_stream(ctx.committee_id, body.year), vis.visit_plan, body, ctx,
                              member_ids=ids)

    # ---- other duty records --------------------------------------------------------------------------------

    async def _record(self, body: BaseModel, ids: Sequence[str], ctx: CommandContext) -> CommandOutcome:
        return await self.run(rec.record_stream(ctx.committee_id, body), rec.record, body, ctx, member_ids=ids)

    async def record_training(self, body: rec.RecordTraining, ctx: CommandContext) -> CommandOutcome:
        return await self._record(body, body.member_ids, ctx)

    async def record_charity(self, body: rec.RecordCharity, ctx: CommandContext) -> CommandOutcome:
        return await self._record(body, body.member_ids, ctx)

    async def grant_award(self, body: rec.GrantAward, ctx: CommandContext) -> CommandOutcome:
        return await self._record(body, body.member_ids, ctx)

    async def record_liaison_visit(self, body: rec.RecordLiaisonVisit, ctx: CommandContext) -> CommandOutcome:
        return await self._record(body, body.visitor_member_ids, ctx)

    # ---- the scored year ---------------------------------------------------------------------------------

    async def publish_rulebook(self, body: yr.PublishRulebook, ctx: CommandContext) -> CommandOutcome:
        return await self.run(yr.rulebook_stream(ctx.committee_id, body.year), yr.scoring_year, body, ctx)

    async def rescore_year(self, body: yr.RescoreYear, ctx: CommandContext) -> CommandOutcome:
        return await self.run(yr.rulebook_stream(ctx.committee_id, body.year), yr.scoring_year, body, ctx)

    async def grade_year(self, body: yr.GradeYear, ctx: CommandContext) -> CommandOutcome:
        return await self.run(yr.rulebook_stream(ctx.committee_id, body.year), yr.scoring_year, body, ctx)

    # ---- the command API -----------------------------------------------------------------------------------

    def specs(self) -> list[CommandSpec[Any]]:
        return [
            CommandSpec("register-member", mem.RegisterMember, self.register_member),
            CommandSpec("update-member", mem.UpdateMember, self.update_member),
            CommandSpec("change-member-status", mem.ChangeMemberStatus, self.change_member_status),
            CommandSpec("register-organization", reg.RegisterOrganization, self.register_organization),
            CommandSpec("add-organization-member", reg.AddOrganizationMember, self.add_organization_member),
            CommandSpec("register-unit", reg.RegisterUnit, self.register_unit),
            CommandSpec("add-unit-staff", reg.AddUnitStaff, self.add_unit_staff),
            CommandSpec("add-liaison-contact", reg.AddLiaisonContact, self.add_liaison_contact),
            CommandSpec("record-liaison-visit", rec.RecordLiaisonVisit, self.record_liaison_visit),
            CommandSpec("schedule-meeting", mtg.ScheduleMeeting, self.schedule_meeting),
            CommandSpec("invite-to-meeting", mtg.InviteToMeeting, self.invite_to_meeting),
            CommandSpec("request-leave", mtg.RequestLeave, self.request_leave),
            CommandSpec("decide-leave", mtg.DecideLeave, self.decide_leave),
            CommandSpec("check-in", mtg.CheckInWithCode, self.check_in),
            CommandSpec("record-attendance", mtg.RecordAttendance, self.record_attendance),
            CommandSpec("close-attendance", mtg.CloseAttendance, self.close_attendance),
            CommandSpec("log-visit", vis.LogVisit, self.log_visit),
            CommandSpec("link-visit-outcome", vis.LinkVisitOutcome, self.link_visit_outcome),
            CommandSpec("set-visit-plan", vis.SetVisitPlan, self.set_visit_plan),
            CommandSpec("record-training", rec.RecordTraining, self.record_training),
            CommandSpec("record-charity", rec.RecordCharity, self.record_charity),
            CommandSpec("grant-award", rec.GrantAward, self.grant_award),
            CommandSpec("publish-rulebook", yr.PublishRulebook, self.publish_rulebook),
            CommandSpec("rescore-year", yr.RescoreYear, self.rescore_year),
            CommandSpec("grade-year", yr.GradeYear, self.grade_year),
        ]
