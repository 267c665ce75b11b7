"""Democratic appraisal (民主评议) as clients read and run it: the rounds (from the gateway's view of the
surveys events), each round's ballots in the box, board and tally (from the surveys service's routes), the
office's slips, and casting a ballot with a credential — no login.

Casting through GraphQL. The gateway's data fields demand a bearer token; `castAppraisalBallot` is the one
mutation that does not. It takes the signed ballot (`contracts.surveys.appraisal_board.CastBallot`, whose
bounds the gateway checks before anything leaves it) and forwards it to `POST /appraisals/{id}/ballots` with
no Authorization header, whatever the caller sent, so no login ever travels with a ballot; the signature is the
only authorization, checked by the service. The gateway logs nothing of it (its forwarder logs command names
only; GraphQL errors carry no variables). The device that signs is the rater's: the gateway never sees the
slip's code, only the public key and the signature.

Printing slips. `issueAppraisalCredentials` answers once with the printable page (or the slips as data): the
service refuses a second issue (`credentials_issued`), and the answer is marked `Cache-Control: no-store` and
kept nowhere. The page prints to paper or to a PDF from the office's browser."""

from __future__ import annotations

import enum
from datetime import date
from typing import TYPE_CHECKING, Annotated, Any

import strawberry

from contracts.clock import today
from contracts.surveys import appraisal as ca
from contracts.surveys.appraisal_board import CastBallot
from gateway import policy
from gateway.commands.inputs import input_for
from gateway.errors import ServiceUnavailable
from gateway.read import appraisals as ar
from gateway.read.surveys_routes import SurveysReader
from gateway.schema.enums import mirror
from gateway.schema.notifications import token_of
from gateway.schema.scalars import JSON
from gateway.schema.surveys import TrackedItem
from gateway.schema.types import Unit, ctx, unit

if TYPE_CHECKING:
    AppraisalKind = str
    VoidCause = str
else:
    AppraisalKind = mirror(ca.AppraisalKind)
    VoidCause = mirror(ca.VoidCause)

SERVICE = "surveys"
CastBallotInput = input_for(CastBallot, "CastBallotInput")


def reader(info: strawberry.Info) -> SurveysReader:
    found = ctx(info).services.surveys
    if found is None:
        raise ServiceUnavailable("no address configured for the surveys service")
    return found


@strawberry.enum(description="Where an appraisal round stands.")
class AppraisalPhase(enum.Enum):
    open = strawberry.enum_value("open", description="已开启，尚未发放凭证")
    voting = strawberry.enum_value("voting", description="凭证已发放，投票中")
    closed = strawberry.enum_value("closed", description="已结束，结果已公布")
    voided = strawberry.enum_value("voided", description="已作废")


@strawberry.type(description="A department or service window appraised, on a dimension or overall.")
class AppraisedDepartment:
    unit_id: strawberry.ID
    name: str = strawberry.field(description="as the ballot prints it")

    @strawberry.field
    async def unit(self, info: strawberry.Info) -> Unit | None:
        return await unit(info, self.unit_id)


@strawberry.type(description="What each department is rated on (总体评价 when the round names none).")
class AppraisalDimension:
    id: strawberry.ID
    name: str


@strawberry.type(description="One department's announced result: counts of every ballot, its satisfaction rate "
                             "(满意 + 基本满意 over those who knew it) and its rank (ties share a rank).")
class AppraisalResult:
    unit_id: strawberry.ID
    name: str
    satisfied: int = strawberry.field(description="满意")
    basically_satisfied: int = strawberry.field(description="基本满意")
    dissatisfied: int = strawberry.field(description="不满意")
    unknown: int = strawberry.field(description="不了解")
    abstained: int = strawberry.field(description="弃权 (a blank)")
    rate: float | None = strawberry.field(description="the satisfaction rate; null when nobody knew the department")
    rate_text: str | None = strawberry.field(description="the rate as announced, four places (e.g. 0.8333)")
    rank: int | None = strawberry.field(description="1 is the most satisfying; null when not ranked")
    top: bool = strawberry.field(description="among the top three (ties included)")
    bottom: bool = strawberry.field(description="among the bottom three (ties included): asked to rectify")

    @strawberry.field
    async def unit(self, info: strawberry.Info) -> Unit | None:
        return await unit(info, self.unit_id)


@strawberry.type(description="A democratic appraisal round (民主评议) by secret ballot.")
class Appraisal:
    id: strawberry.ID
    year: int | None
    kind: AppraisalKind | None
    title: str
    held_on: date | None = strawberry.field(description="the day of the appraisal meeting")
    phase: AppraisalPhase
    departments: list[AppraisedDepartment]
    dimensions: list[AppraisalDimension]
    entitled: int = strawberry.field(description="raters entitled to a ballot")
    credentials: int = strawberry.field(description="credentials issued (one per entitled rater)")
    credentials_digest: str | None = strawberry.field(description="SHA-256 of the published keys (check a board "
                                                                  "with `yizheng appraisal verify`)")
    issued: int | None = strawberry.field(description="slips handed out at sign-in: the attendance (after close)")
    returned: int | None = strawberry.field(description="ballots on the board (after close)")
    board_head: str | None = strawberry.field(description="the sealed board's chain head (after close)")
    void_cause: VoidCause | None
    results: list[AppraisalResult] = strawberry.field(description="by rank, after close (empty before)")
    top_unit_ids: list[strawberry.ID]
    bottom_unit_ids: list[strawberry.ID]

    @classmethod
    def of(cls, r: Any) -> Appraisal:
        names = {s["unit_id"]: s["name"] for s in ar.subjects(r)}
        top, bottom = set(r["top_unit_ids"]), set(r["bottom_unit_ids"])
        dims = r["dimensions"] or []
        return cls(id=strawberry.ID(r["appraisal_id"]), year=r["year"], kind=r["kind"], title=r["title"],
                   held_on=r["held_on"], phase=AppraisalPhase(r["phase"]),
                   departments=[AppraisedDepartment(unit_id=strawberry.ID(u), name=n) for u, n in names.items()],
                   dimensions=[AppraisalDimension(id=strawberry.ID(d["dimension_id"]), name=d["name"]) for d in dims],
                   entitled=r["entitled"], credentials=r["credentials"], credentials_digest=r["credentials_digest"],
                   issued=r["issued"], returned=r["returned"], board_head=r["board_head"], void_cause=r["void_cause"],
                   results=[AppraisalResult(
                       unit_id=strawberry.ID(x["unit_id"]), name=names.get(x["unit_id"], x["unit_id"]),
                       satisfied=x["satisfied"], basically_satisfied=x["basically_satisfied"],
                       dissatisfied=x["dissatisfied"], unknown=x["unknown"], abstained=x["abstained"],
                       rate=float(x["rate"]) if x.get("rate") is not None else None, rate_text=x.get("rate"),
                       rank=x.get("rank"), top=x["unit_id"] in top, bottom=x["unit_id"] in bottom)
                       for x in ar.ranking(r)],
                   top_unit_ids=[strawberry.ID(u) for u in r["top_unit_ids"]],
                   bottom_unit_ids=[strawberry.ID(u) for u in r["bottom_unit_ids"]])

    @strawberry.field(description="Ballots in the box while the round is voting (a count: the box keeps no time "
                                  "and no voter); null otherwise. From the surveys service.")
    async def ballots_in_box(self, info: strawberry.Info) -> int | None:
        if self.phase is not AppraisalPhase.voting:
            return None
        viewer = policy.require(ctx(info).viewer, "appraisal")
        body = await reader(info).appraisal_status(token_of(viewer), str(self.id))
        found = body.get("ballots_in_box")
        return int(found) if found is not None else None

    @strawberry.field(description="The published board (公示栏) after close: every ballot with its signature, "
                                  "sorted by tracker, and the chain; verify it with `yizheng appraisal verify`. "
                                  "From the surveys service (CONFLICT `board_not_sealed` before close).")
    async def board(self, info: strawberry.Info) -> JSON:
        viewer = policy.require(ctx(info).viewer, "appraisalBoard")
        return JSON(await reader(info).appraisal_board(token_of(viewer), str(self.id)))

    @strawberry.field(description="The board's tally after close, pooled and per dimension, as the service "
                                  "computes it from the board (CONFLICT `board_not_sealed` before close).")
    async def tally(self, info: strawberry.Info) -> JSON:
        viewer = policy.require(ctx(info).viewer, "appraisalTally")
        return JSON(await reader(info).appraisal_tally(token_of(viewer), str(self.id)))

    @strawberry.field(description="The bottom three's rectifications (整改), as tracked items: office, "
                                  "leadership and admin all, unit staff their unit's, others none.")
    async def rectifications(self, info: strawberry.Info,
                             as_of: Annotated[date | None, strawberry.argument(
                                 description="the day overdue is judged on (default: today)")] = None,
                             ) -> list[TrackedItem]:
        return await rectifications(info, str(self.id), as_of)


async def rectifications(info: strawberry.Info, appraisal_id: str, as_of: date | None) -> list[TrackedItem]:
    c = ctx(info)
    day = as_of or today()
    rows = await ar.rectifications(c.db, c.viewer.committee_id, appraisal_id)
    return [TrackedItem.of(r, day) for r in rows if policy.sees_tracked_item(c.viewer, list(r["unit_ids"]))]


@strawberry.type(description="The latest closed appraisal round (民主评议) up to the oversight's year: its ranking "
                             "and the bottom three's rectifications.")
class LatestAppraisal:
    appraisal: Appraisal

    @strawberry.field(description="Every department by rank (ties share a rank), those nobody knew last.")
    def ranking(self) -> list[AppraisalResult]:
        return self.appraisal.results

    @strawberry.field(description="The top three (ties included), best first.")
    def top(self) -> list[AppraisalResult]:
        by_unit = {str(r.unit_id): r for r in self.appraisal.results}
        return [by_unit[u] for u in self.appraisal.top_unit_ids if u in by_unit]

    @strawberry.field(description="The bottom three (ties included), worst first, each asked to rectify.")
    def bottom(self) -> list[AppraisalResult]:
        by_unit = {str(r.unit_id): r for r in self.appraisal.results}
        return [by_unit[u] for u in self.appraisal.bottom_unit_ids if u in by_unit]

    @strawberry.field(description="The bottom three's rectifications (tracked items of kind "
                                  "appraisal_rectification).")
    async def rectifications(self, info: strawberry.Info, as_of: date | None = None) -> list[TrackedItem]:
        return await rectifications(info, str(self.appraisal.id), as_of)


async def latest(info: strawberry.Info, year: int, kind: Any = None) -> LatestAppraisal | None:
    c = ctx(info)
    row = await ar.latest_closed(c.db, c.viewer.committee_id, year,
                                 None if kind is None else str(getattr(kind, "value", kind)))
    return LatestAppraisal(appraisal=Appraisal.of(row)) if row else None
