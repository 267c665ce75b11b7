"""Command handlers of the members service: one small function per contract command
(`contracts.members.commands`), over the service's parts, the validated command and who sent it.

Each runs one transaction of the kernel's unit of work (`eventstore.unit_of_work`): load the stream it
decides on, look up the members the command names (read from their streams in the same transaction),
decide, and append — with the private data the command carries (contact data, check-in codes) written
through `tx.conn` in that same transaction, so a refusal or a retry leaves neither events nor private
rows behind. A concurrent writer makes the whole transaction run again on the newer state.

Handlers can be driven without HTTP: `await register_member(parts, RegisterMember(...), ctx)`."""

from __future__ import annotations

import base64
import binascii
import hmac
import secrets
from collections.abc import Awaitable, Callable, Iterable
from typing import Any, TypeVar

import asyncpg
from pydantic import BaseModel

from contracts.members.commands import (
    AddLiaisonContact,
    AddOrganizationMember,
    AddUnitStaff,
    ChangeMemberStatus,
    CheckInWithCode,
    CloseAttendance,
    DecideLeave,
    GradeYear,
    GrantAward,
    ImportFile,
    ImportOrganizations,
    ImportRoster,
    ImportUnits,
    InviteToMeeting,
    LinkVisitOutcome,
    LogVisit,
    PublishRulebook,
    RecordAttendance,
    RecordCharity,
    RecordLiaisonVisit,
    RecordTraining,
    RegisterMember,
    RegisterOrganization,
    RegisterUnit,
    RequestLeave,
    RescoreYear,
    ScheduleMeeting,
    SetVisitPlan,
    UpdateMember,
)
from contracts.members.contact_details import ContactDetails
from contracts.members.member_view import MemberView
from eventstore import file_import
from eventstore.command_outcome import CommandOutcome
from eventstore.decider import Decider
from eventstore.errors import DomainError, NotAuthorized
from eventstore.store import CommandContext
from eventstore.unit_of_work import Tx
from members import streams
from members.domain import meeting as mtg
from members.domain import member as mem
from members.domain import records as rec
from members.domain import registry as reg
from members.domain import scoring_year as yr
from members.domain import visit as vis
from members.parts import MembersParts
from members.registry_import import ORGANIZATIONS, UNITS
from members.roster_import import ROSTER

# Private writes that commit with the command's events (run after the decider accepted the command).
PrivateWrite = Callable[[Tx], Awaitable[None]]


# ---- the one way a command runs ---------------------------------------------------------------------------

async def named_members(tx: Tx, member_ids: Iterable[str]) -> dict[str, MemberView]:
    """The members of the caller's committee among `member_ids` that are registered, read from their streams
    in the command's transaction (an id registered only in another committee names nobody here)."""
    out: dict[str, MemberView] = {}
    for member_id in sorted(set(member_ids)):
        history = await tx.store.read_stream(streams.member(tx.committee_id, member_id), conn=tx.conn)
        state = mem.member.fold(e.event for e in history)
        if state.registered:
            out[member_id] = state.view()
    return out


async def decide(parts: MembersParts, ctx: CommandContext, stream_id: str, decider: Decider[Any, Any],
                 command: object, *, member_ids: Iterable[str] = (), private: PrivateWrite | None = None,
                 result: dict[str, Any] | None = None) -> CommandOutcome:
    """A command on one stream that names members and/or carries private data."""
    ids = list(member_ids)

    async def work(tx: Tx) -> dict[str, Any]:
        loaded = await tx.load(stream_id, decider)
        tx.decide(loaded, decider, command, members=await named_members(tx, ids) if ids else None)
        if private is not None:
            await private(tx)
        return dict(result or {})

    return await parts.uow.run(ctx, work)


async def _save_member_contact(parts: MembersParts, tx: Tx, member_id: str, contact: ContactDetails) -> None:
    """Keep a member's contact data privately; an ID number belongs to one member of the committee."""
    if contact.id_number:
        holder = await parts.private.id_number_holder(tx.conn, tx.committee_id, contact.id_number)
        if holder not in (None, member_id):
            raise _duplicate_id_number(holder)
    try:
        await parts.private.save_member_contact(tx.conn, tx.committee_id, member_id, contact, tx.ctx.actor.id)
    except asyncpg.UniqueViolationError:  # registered by a transaction that committed meanwhile
        raise _duplicate_id_number("by another member") from None


def _duplicate_id_number(holder: str) -> DomainError:
    return DomainError("duplicate_id_number", f"this ID number is already registered ({holder})",
                       fields=["contact.id_number"])


# ---- registry ---------------------------------------------------------------------------------------------

async def register_member(parts: MembersParts, cmd: RegisterMember, ctx: CommandContext) -> CommandOutcome:
    return await _registration(parts, ctx, stage_member, cmd, {"member_id": cmd.member_id})


async def stage_member(parts: MembersParts, tx: Tx, cmd: RegisterMember) -> None:
    """register-member's work in a transaction (its own, or an import's): the event and the private contact."""
    tx.decide(await tx.load(streams.member(tx.committee_id, cmd.member_id), mem.member), mem.member, cmd)
    if cmd.contact is not None and not cmd.contact.is_empty():
        await _save_member_contact(parts, tx, cmd.member_id, cmd.contact)


C = TypeVar("C", bound=BaseModel)
# A registration's work in a transaction, shared by its single command and the import of its kind.
Staging = Callable[[MembersParts, Tx, C], Awaitable[None]]


async def _registration(parts: MembersParts, ctx: CommandContext, stage: Staging[C], cmd: C,
                        result: dict[str, Any] | None = None) -> CommandOutcome:
    async def work(tx: Tx) -> dict[str, Any]:
        await stage(parts, tx, cmd)
        return dict(result or {})

    return await parts.uow.run(ctx, work)


async def update_member(parts: MembersParts, cmd: UpdateMember, ctx: CommandContext) -> CommandOutcome:
    contact = cmd.contact

    async def save_contact(tx: Tx) -> None:
        if contact is not None:
            await _save_member_contact(parts, tx, cmd.member_id, contact)

    return await decide(parts, ctx, streams.member(ctx.committee_id, cmd.member_id), mem.member, cmd,
                        private=save_contact)


async def change_member_status(parts: MembersParts, cmd: ChangeMemberStatus, ctx: CommandContext) -> CommandOutcome:
    return await parts.uow.decide(ctx, streams.member(ctx.committee_id, cmd.member_id), mem.member, cmd)


async def register_organization(parts: MembersParts, cmd: RegisterOrganization,
                                ctx: CommandContext) -> CommandOutcome:
    return await _registration(parts, ctx, stage_organization, cmd)


async def stage_organization(parts: MembersParts, tx: Tx, cmd: RegisterOrganization) -> None:
    stream_id = streams.organization(tx.committee_id, cmd.organization_id)
    tx.decide(await tx.load(stream_id, reg.organization), reg.organization, cmd)


async def add_organization_member(parts: MembersParts, cmd: AddOrganizationMember,
                                  ctx: CommandContext) -> CommandOutcome:
    return await decide(parts, ctx, streams.organization(ctx.committee_id, cmd.organization_id), reg.organization,
                        cmd, member_ids=[cmd.member_id])


async def register_unit(parts: MembersParts, cmd: RegisterUnit, ctx: CommandContext) -> CommandOutcome:
    return await _registration(parts, ctx, stage_unit, cmd)


async def stage_unit(parts: MembersParts, tx: Tx, cmd: RegisterUnit) -> None:
    tx.decide(await tx.load(streams.unit(tx.committee_id, cmd.unit_id), reg.unit), reg.unit, cmd)


async def add_unit_staff(parts: MembersParts, cmd: AddUnitStaff, ctx: CommandContext) -> CommandOutcome:
    async def save_contact(tx: Tx) -> None:
        await parts.private.save_person_contact(tx.conn, tx.committee_id, "unit_staff", cmd.staff_id, cmd.phone,
                                                None, ctx.actor.id, email=cmd.email)

    return await decide(parts, ctx, streams.unit(ctx.committee_id, cmd.unit_id), reg.unit, cmd,
                        private=save_contact)


async def add_liaison_contact(parts: MembersParts, cmd: AddLiaisonContact, ctx: CommandContext) -> CommandOutcome:
    async def save_contact(tx: Tx) -> None:
        await parts.private.save_person_contact(tx.conn, tx.committee_id, "liaison_contact", cmd.contact_id,
                                                cmd.phone, cmd.address, ctx.actor.id, email=cmd.email)

    return await decide(parts, ctx, streams.liaison_contact(ctx.committee_id, cmd.contact_id), reg.liaison_contact,
                        cmd, member_ids=[cmd.member_id] if cmd.member_id else [], private=save_contact)


# ---- imports: one mechanism (`members.file_import`) for the roster, units and organizations ---------------
# Who may import is the contract's (`contracts/members/service.py`): the command API checked it.

async def import_roster(parts: MembersParts, cmd: ImportRoster, ctx: CommandContext) -> CommandOutcome:
    return await import_file(parts, ROSTER, stage_member, cmd.filename, _file_content(cmd), ctx)


async def import_units(parts: MembersParts, cmd: ImportUnits, ctx: CommandContext) -> CommandOutcome:
    return await import_file(parts, UNITS, stage_unit, cmd.filename, _file_content(cmd), ctx)


async def import_organizations(parts: MembersParts, cmd: ImportOrganizations, ctx: CommandContext) -> CommandOutcome:
    return await import_file(parts, ORGANIZATIONS, stage_organization, cmd.filename, _file_content(cmd), ctx)


async def import_file(parts: MembersParts, sheet: file_import.Sheet[C], stage: Staging[C], filename: str,
                      content: bytes, ctx: CommandContext) -> CommandOutcome:
    """Each row through the kind's registration staging, all rows in one transaction; the answer is the
    per-row report (what was registered, what was refused and why). Also run from a shell (`roster_cli`)."""
    async def row(tx: Tx, command: C) -> None:
        await stage(parts, tx, command)

    return await file_import.import_file(parts.uow, sheet, row, filename, content, ctx)


def _file_content(cmd: ImportFile) -> bytes:
    try:
        return base64.b64decode(cmd.content_base64, validate=True)
    except (binascii.Error, ValueError) as err:
        raise DomainError("invalid_file", f"content_base64 is not base64: {err}", fields=["content_base64"]) from None


# ---- meetings ---------------------------------------------------------------------------------------------

async def schedule_meeting(parts: MembersParts, cmd: ScheduleMeeting, ctx: CommandContext) -> CommandOutcome:
    code = f"{secrets.randbelow(10**6):06d}"

    async def save_code(tx: Tx) -> None:
        await parts.private.set_meeting_code(tx.conn, tx.committee_id, cmd.meeting_id, code)

    return await decide(parts, ctx, streams.meeting(ctx.committee_id, cmd.meeting_id), mtg.meeting, cmd,
                        private=save_code, result={"check_in_code": code})


async def invite_to_meeting(parts: MembersParts, cmd: InviteToMeeting, ctx: CommandContext) -> CommandOutcome:
    return await decide(parts, ctx, streams.meeting(ctx.committee_id, cmd.meeting_id), mtg.meeting, cmd,
                        member_ids=cmd.member_ids)


async def request_leave(parts: MembersParts, cmd: RequestLeave, ctx: CommandContext) -> CommandOutcome:
    return await parts.uow.decide(ctx, streams.meeting(ctx.committee_id, cmd.meeting_id), mtg.meeting, cmd)


async def decide_leave(parts: MembersParts, cmd: DecideLeave, ctx: CommandContext) -> CommandOutcome:
    return await parts.uow.decide(ctx, streams.meeting(ctx.committee_id, cmd.meeting_id), mtg.meeting, cmd)


async def check_in(parts: MembersParts, cmd: CheckInWithCode, ctx: CommandContext) -> CommandOutcome:
    member_id = ctx.actor.member_id
    if member_id is None:
        raise NotAuthorized("members check themselves in; office staff record attendance instead")
    stream_id = streams.meeting(ctx.committee_id, cmd.meeting_id)

    async def work(tx: Tx) -> dict[str, Any]:
        code = await parts.private.meeting_code(tx.conn, tx.committee_id, cmd.meeting_id)
        matches = code is not None and hmac.compare_digest(code, cmd.code.strip())
        check = mtg.CheckIn(meeting_id=cmd.meeting_id, member_id=member_id, code_matches=matches)
        tx.decide(await tx.load(stream_id, mtg.meeting), mtg.meeting, check)
        return {}

    return await parts.uow.run(ctx, work)


async def record_attendance(parts: MembersParts, cmd: RecordAttendance, ctx: CommandContext) -> CommandOutcome:
    return await parts.uow.decide(ctx, streams.meeting(ctx.committee_id, cmd.meeting_id), mtg.meeting, cmd)


async def close_attendance(parts: MembersParts, cmd: CloseAttendance, ctx: CommandContext) -> CommandOutcome:
    return await parts.uow.decide(ctx, streams.meeting(ctx.committee_id, cmd.meeting_id), mtg.meeting, cmd)


# ---- visits -----------------------------------------------------------------------------------------------

async def log_visit(parts: MembersParts, cmd: LogVisit, ctx: CommandContext) -> CommandOutcome:
    return await decide(parts, ctx, streams.visit(ctx.committee_id, cmd.visit_id), vis.visit, cmd,
                        member_ids=[cmd.visitor_member_id, *cmd.visited_member_ids])


async def link_visit_outcome(parts: MembersParts, cmd: LinkVisitOutcome, ctx: CommandContext) -> CommandOutcome:
    return await parts.uow.decide(ctx, streams.visit(ctx.committee_id, cmd.visit_id), vis.visit, cmd)


async def set_visit_plan(parts: MembersParts, cmd: SetVisitPlan, ctx: CommandContext) -> CommandOutcome:
    ids = [*cmd.pairings, *(m for ms in cmd.pairings.values() for m in ms)]
    return await decide(parts, ctx, streams.visit_plan(ctx.committee_id, cmd.year), vis.visit_plan, cmd,
                        member_ids=ids)


# ---- other duty records -----------------------------------------------------------------------------------

async def record_training(parts: MembersParts, cmd: RecordTraining, ctx: CommandContext) -> CommandOutcome:
    return await decide(parts, ctx, streams.record(ctx.committee_id, cmd), rec.record, cmd, member_ids=cmd.member_ids)


async def record_charity(parts: MembersParts, cmd: RecordCharity, ctx: CommandContext) -> CommandOutcome:
    return await decide(parts, ctx, streams.record(ctx.committee_id, cmd), rec.record, cmd, member_ids=cmd.member_ids)


async def grant_award(parts: MembersParts, cmd: GrantAward, ctx: CommandContext) -> CommandOutcome:
    return await decide(parts, ctx, streams.record(ctx.committee_id, cmd), rec.record, cmd, member_ids=cmd.member_ids)


async def record_liaison_visit(parts: MembersParts, cmd: RecordLiaisonVisit, ctx: CommandContext) -> CommandOutcome:
    return await decide(parts, ctx, streams.record(ctx.committee_id, cmd), rec.record, cmd,
                        member_ids=cmd.visitor_member_ids)


# ---- the scored year --------------------------------------------------------------------------------------

async def publish_rulebook(parts: MembersParts, cmd: PublishRulebook, ctx: CommandContext) -> CommandOutcome:
    return await parts.uow.decide(ctx, streams.rulebook(ctx.committee_id, cmd.year), yr.scoring_year, cmd)


async def rescore_year(parts: MembersParts, cmd: RescoreYear, ctx: CommandContext) -> CommandOutcome:
    return await parts.uow.decide(ctx, streams.rulebook(ctx.committee_id, cmd.year), yr.scoring_year, cmd)


async def grade_year(parts: MembersParts, cmd: GradeYear, ctx: CommandContext) -> CommandOutcome:
    return await parts.uow.decide(ctx, streams.rulebook(ctx.committee_id, cmd.year), yr.scoring_year, cmd)
