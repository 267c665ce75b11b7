"""Handlers of the appraisal commands (contracts.surveys.appraisal_service), and the two actions the service's
own routes run (`surveys.appraisal.routes`): issuing the credentials, an online round's rater drawing a slip,
and casting a ballot.

Casting, drawing and closing queue on one lock per round, so no ballot slips into the box, and no slip is
drawn, while the close reads them.
Nothing here logs: a log line is the easiest place for a credential to meet a time or an address."""

from __future__ import annotations

import secrets
from typing import Any

from contracts.clock import local_date
from contracts.envelope import Actor, Role
from contracts.surveys import appraisal_commands as a
from contracts.surveys.appraisal_board import CastBallot, tracker_of
from contracts.surveys.tracking import TrackedSubject
from eventstore.command_outcome import CommandOutcome
from eventstore.service import Handler
from eventstore.store import CommandContext
from eventstore.unit_of_work import Tx
from surveys import streams
from surveys.appraisal import board as boards
from surveys.appraisal.box import Box
from surveys.appraisal.credentials import Slip, generate, slip_of
from surveys.appraisal.round import ROUND, Close, Issue, Open, Phase, RoundState, check_ballot, check_draw
from surveys.domain.refusals import refuse
from surveys.domain.tracking import TRACKED, OpenFields
from surveys.domain.tracking import Open as OpenItem
from surveys.parts import SurveysParts

# Who casts a ballot, as far as the unit of work is concerned: nobody. No event is written by a cast; the
# context only carries the committee the ballot names.
BALLOT_BOX = Actor(id="ballot-box", role=Role.service)


def _lock_key(committee_id: str, appraisal_id: str) -> str:
    return f"appraisal:{committee_id}:{appraisal_id}"


async def open_appraisal(s: SurveysParts, cmd: a.OpenAppraisal, ctx: CommandContext) -> CommandOutcome:
    aid = cmd.appraisal_id or s.ids()
    return await s.uow.decide(ctx, streams.appraisal(ctx.committee_id, aid), ROUND, Open(aid, cmd),
                              {"appraisal_id": aid})


async def void_appraisal(s: SurveysParts, cmd: a.VoidAppraisal, ctx: CommandContext) -> CommandOutcome:
    async def work(tx: Tx) -> dict[str, Any]:
        await tx.lock(_lock_key(tx.committee_id, cmd.appraisal_id))
        loaded = await tx.load(streams.appraisal(tx.committee_id, cmd.appraisal_id), ROUND)
        tx.decide(loaded, ROUND, cmd)
        await Box(s.schema).empty(tx.conn, tx.committee_id, cmd.appraisal_id)
        await Box(s.schema).empty_slips(tx.conn, tx.committee_id, cmd.appraisal_id)
        return {"appraisal_id": cmd.appraisal_id, "cause": cmd.cause.value}

    return await s.uow.run(ctx, work)


def rectification_item_id(appraisal_id: str, position: int) -> str:
    """The tracked item of the department at `position` (1-based) in the round's list."""
    return f"{appraisal_id}.rect{position}"


def _rectifications(state: RoundState, bottom: list[str], tx: Tx, due_working_days: int) -> list[OpenItem]:
    today = local_date(tx.now)
    opens = []
    for unit in bottom:
        i = state.unit_ids.index(unit)
        title = f"{state.title}：{state.unit_names[i]}整改"[:200]
        opens.append(OpenItem(item_id=rectification_item_id(state.appraisal_id, i + 1),
                              subject=TrackedSubject.appraisal_rectification, source_id=state.appraisal_id,
                              title=title, unit_ids=(unit,), sent_on=today, due_working_days=due_working_days,
                              fields=OpenFields(item_id="appraisal_id", unit_ids="appraisal_id",
                                                sent_on="appraisal_id")))
    return opens


async def close_appraisal(s: SurveysParts, cmd: a.CloseAppraisal, ctx: CommandContext) -> CommandOutcome:
    """The board sealed from the box, `appraisal-closed` with the tally, participation credited, and a
    rectification request to each of the bottom three, in one transaction; the box is emptied."""
    box = Box(s.schema)

    async def work(tx: Tx) -> dict[str, Any]:
        await tx.lock(_lock_key(tx.committee_id, cmd.appraisal_id))
        loaded = await tx.load(streams.appraisal(tx.committee_id, cmd.appraisal_id), ROUND)
        voting = loaded.state.phase is Phase.voting
        ballots = await box.ballots(tx.conn, tx.committee_id, cmd.appraisal_id) if voting else []
        drawn = tuple(await box.drawers(tx.conn, tx.committee_id, cmd.appraisal_id)) \
            if voting and loaded.state.online else ()
        issued = len(drawn) if loaded.state.online else cmd.issued or 0
        board = boards.build(loaded.state, tx.committee_id, ballots, entitled=loaded.state.entitled, issued=issued)
        tx.decide(loaded, ROUND, Close(cmd, boards.sealed(board), drawn))
        items = []
        for o in _rectifications(loaded.state, board["tally"]["bottom_unit_ids"],
                                 tx, cmd.rectification_due_working_days):
            item = await tx.load(streams.tracked_item(tx.committee_id, o.item_id), TRACKED)
            tx.decide(item, TRACKED, o)
            items.append({"item_id": o.item_id, "unit_id": o.unit_ids[0]})
        await box.keep_board(tx.conn, tx.committee_id, cmd.appraisal_id, boards.dumps(board))
        await box.empty(tx.conn, tx.committee_id, cmd.appraisal_id)
        await box.empty_slips(tx.conn, tx.committee_id, cmd.appraisal_id)
        return {"appraisal_id": cmd.appraisal_id, "returned": board["returned"], "board_head": board["head"],
                "top_unit_ids": board["tally"]["top_unit_ids"], "bottom_unit_ids": board["tally"]["bottom_unit_ids"],
                "rectification_items": items}

    return await s.uow.run(ctx, work)


async def issue_credentials(s: SurveysParts, appraisal_id: str, ctx: CommandContext) -> tuple[CommandOutcome,
                                                                                                list[Slip]]:
    """One credential per entitled rater: the public keys recorded, the slips returned to the caller only; for an
    online round the slips go, shuffled, into the pool the raters draw from, and none is returned."""
    slips: list[Slip] = []

    async def work(tx: Tx) -> dict[str, Any]:
        await tx.lock(_lock_key(tx.committee_id, appraisal_id))
        loaded = await tx.load(streams.appraisal(tx.committee_id, appraisal_id), ROUND)
        made = generate(loaded.state.entitled, tx.committee_id, appraisal_id)
        tx.decide(loaded, ROUND, Issue(tuple(slip.public_key for slip in made)))
        if loaded.state.online:
            secrets.SystemRandom().shuffle(made)
            await Box(s.schema).pool(tx.conn, tx.committee_id, appraisal_id, [slip.code for slip in made])
        else:
            slips[:] = made
        return {"appraisal_id": appraisal_id, "credentials": len(made), "online": loaded.state.online}

    outcome = await s.uow.run(ctx, work)
    return outcome, slips


async def draw_slip(s: SurveysParts, appraisal_id: str, ctx: CommandContext) -> Slip:
    """An online round's rater, signed in, draws their one slip: a random one, deleted from the pool as the rater
    is recorded as having drawn, in one transaction. The slip is answered to the rater and kept nowhere; nothing
    pairs the rater with it (no event, no log line, no column)."""
    box = Box(s.schema)
    drawn: list[Slip] = []

    async def work(tx: Tx) -> dict[str, Any]:
        await tx.lock(_lock_key(tx.committee_id, appraisal_id))
        loaded = await tx.load(streams.appraisal(tx.committee_id, appraisal_id), ROUND)
        member_id = ctx.actor.member_id
        check_draw(loaded.state, member_id)
        assert member_id is not None
        if not await box.mark_drawn(tx.conn, tx.committee_id, appraisal_id, member_id):
            raise refuse("slip_already_drawn", "you have drawn your slip for this round already; a slip is given "
                         "once, and nobody kept which one you drew", fields=["appraisal_id"])
        code = await box.take(tx.conn, tx.committee_id, appraisal_id)
        if code is None:
            raise refuse("no_slips_left", "every slip of this round has been drawn", fields=["appraisal_id"])
        drawn[:] = [slip_of(code, tx.committee_id, appraisal_id)]  # a retried transaction's own, not the first's
        return {}

    await s.uow.run(ctx, work)
    return drawn[0]


async def cast_ballot(s: SurveysParts, appraisal_id: str, cast: CastBallot) -> dict[str, Any]:
    """Check the ballot and keep it in the box (replacing the credential's earlier ballot); the tracker is the
    rater's receipt. Refusals are `DomainError`s naming the rule."""
    box = Box(s.schema)
    committee = cast.ballot.committee_id
    answer: dict[str, Any] = {}

    async def work(tx: Tx) -> dict[str, Any]:
        await tx.lock(_lock_key(committee, appraisal_id))
        loaded = await tx.load(streams.appraisal(committee, appraisal_id), ROUND)
        message = check_ballot(loaded.state, appraisal_id, cast)
        replaced = await box.put(tx.conn, committee, appraisal_id, cast.ballot.credential, message, cast.signature)
        answer.update(tracker=tracker_of(cast.ballot), replaced=replaced)
        return {}

    await s.uow.run(CommandContext(actor=BALLOT_BOX, committee_id=committee), work)
    return answer


APPRAISAL_HANDLERS: dict[str, Handler[SurveysParts]] = {
    "open-appraisal": open_appraisal,
    "close-appraisal": close_appraisal,
    "void-appraisal": void_appraisal,
}
