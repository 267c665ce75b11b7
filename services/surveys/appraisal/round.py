"""An appraisal round's pure decider and the checks a ballot passes before it enters the ballot box.

    (none) --open--> open --credentials issued--> voting --close--> closed
    open | voting --void--> voided

- Entitled raters: the special supervisors and members named (each once, in one list only) and the invited
  representatives counted; at least one, at most 1,000 (`MAX_ROSTER`, the bound of the credentials' event).
- Online rounds (`online`): the raters are special supervisors and members only (an invited representative has
  no login to draw with: `online_round_needs_logins`); issuing the credentials also writes
  `appraisal-online-voting-opened` (notify tells the raters); each rater draws one slip (`check_draw`: the round
  is online and voting, `not_entitled`); the close counts the slips drawn as issued and credits those who drew
  (`issued` if given must be that count, `issued_mismatch`; no attendees are named, `attendees_not_named_online`).
- One credential per entitled rater, issued once (`credentials_issued`): the private parts cannot be given out
  again, as nobody kept them; lost slips mean voiding the round and opening another.
- Close: the credentials handed out at sign-in (`issued`) are at most those entitled; more than half of those
  entitled attended (`quorum_not_met`); no more ballots in the box than credentials handed out
  (`more_returned_than_issued`: a slip that nobody drew was used); the attendees named are entitled raters,
  at most as many as attended, and the rest of the attendance fits the invited representatives.
- A ballot: its round (`ballot_for_another_appraisal`: the round cast in, the path's, is the one it names; its
  committee is the one whose round is read) is voting (`appraisal_not_voting`, `appraisal_closed`);
  its credential is one of the round's (`unknown_credential`); its signature verifies (`bad_signature`); it
  marks only the round's departments (`unknown_unit`) and dimensions (`unknown_dimension`)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import date
from enum import StrEnum

from contracts.bounded import MAX_ROSTER
from contracts.registry import DomainEvent
from contracts.roles import OFFICE
from contracts.surveys import appraisal_commands as a
from contracts.surveys.appraisal import (
    AppraisalClosed,
    AppraisalCredentialsIssued,
    AppraisalDimension,
    AppraisalKind,
    AppraisalOnlineVotingOpened,
    AppraisalOpened,
    AppraisalVoided,
    AppraisedUnit,
    UnitResult,
)
from contracts.surveys.appraisal_board import CastBallot, canonical_ballot, credentials_digest
from contracts.surveys.participation import AppraisalParticipationRecorded
from eventstore.decider import Decider
from eventstore.errors import DomainError
from eventstore.issued import Issued, require_role
from surveys.appraisal.credentials import signature_valid
from surveys.domain.refusals import distinct, refuse

OVERALL = AppraisalDimension(dimension_id="overall", name="总体评价")
# The round id participation is credited under (`appraisal:<appraisal>:<round>` on the scorecard).
PARTICIPATION_ROUND = "ballot"


class Phase(StrEnum):
    none = "none"
    open = "open"
    voting = "voting"
    closed = "closed"
    voided = "voided"


@dataclass(frozen=True)
class RoundState:
    appraisal_id: str = ""
    phase: Phase = Phase.none
    year: int = 0
    kind: AppraisalKind = AppraisalKind.law_enforcement
    title: str = ""
    held_on: date | None = None
    unit_ids: tuple[str, ...] = ()
    unit_names: tuple[str, ...] = ()
    dimension_ids: tuple[str, ...] = ()
    raters: frozenset[str] = frozenset()  # special supervisors and members
    invited: int = 0
    entitled: int = 0
    online: bool = False
    public_keys: frozenset[str] = frozenset()
    keys_digest: str = ""
    closed: AppraisalClosed | None = field(default=None, compare=False)


@dataclass(frozen=True)
class Open:
    appraisal_id: str
    command: a.OpenAppraisal


@dataclass(frozen=True)
class Issue:
    public_keys: tuple[str, ...]


@dataclass(frozen=True)
class Sealed:
    """What the sealed board says, for the close: its head and its tally (`surveys.appraisal.board`)."""

    returned: int
    head: str
    results: tuple[UnitResult, ...]
    top_unit_ids: tuple[str, ...]
    bottom_unit_ids: tuple[str, ...]


@dataclass(frozen=True)
class Close:
    command: a.CloseAppraisal
    sealed: Sealed
    # An online round's raters who drew a slip (the service's table of who has drawn, never which slip).
    drawn: tuple[str, ...] = ()


Events = list[DomainEvent]


def decide(state: RoundState, issued: Issued[object]) -> Sequence[DomainEvent]:
    command = issued.command
    if isinstance(command, Open):
        return _open(state, command, issued)
    if state.phase is Phase.none:
        raise refuse("appraisal_not_found", "no such appraisal round in this committee", fields=["appraisal_id"])
    if isinstance(command, Issue):
        return _issue(state, command, issued)
    if isinstance(command, Close):
        return _close(state, command, issued)
    if isinstance(command, a.VoidAppraisal):
        return _void(state, command, issued)
    raise TypeError(f"an appraisal round takes no command {type(command).__name__}")


def _open(state: RoundState, cmd: Open, issued: Issued[object]) -> Events:
    require_role(issued, OFFICE, "opening an appraisal round")
    o = cmd.command
    if state.phase is not Phase.none:
        raise refuse("appraisal_exists", "an appraisal round with this id exists", fields=["appraisal_id"])
    distinct([s.unit_id for s in o.subjects], "departments", "subjects")
    distinct([d.dimension_id for d in o.dimensions], "dimensions", "dimensions")
    distinct(o.special_supervisor_ids, "special supervisors", "special_supervisor_ids")
    distinct(o.member_ids, "members", "member_ids")
    both = sorted(set(o.special_supervisor_ids) & set(o.member_ids))
    if both:
        raise refuse("duplicate_ids", f"raters named both as special supervisors and as members: {', '.join(both)}",
                     fields=["member_ids"])
    entitled = len(o.special_supervisor_ids) + len(o.member_ids) + o.invited_representatives
    if entitled == 0:
        raise refuse("no_entitled_raters", "an appraisal round has at least one entitled rater",
                     fields=["member_ids"])
    if entitled > MAX_ROSTER:
        raise refuse("too_many_raters", f"an appraisal round has at most {MAX_ROSTER} entitled raters, not {entitled}",
                     fields=["member_ids"])
    if o.online and o.invited_representatives:
        raise refuse("online_round_needs_logins", "an online round is for special supervisors and members, who draw "
                     "their slips while signed in; invited representatives have no login (hold the round in person)",
                     fields=["invited_representatives"])
    dims = [AppraisalDimension(dimension_id=d.dimension_id, name=d.name) for d in o.dimensions] or [OVERALL]
    return [AppraisalOpened(appraisal_id=cmd.appraisal_id, year=o.year, kind=o.kind, title=o.title,
                            held_on=o.held_on,
                            subjects=[AppraisedUnit(unit_id=s.unit_id, name=s.name) for s in o.subjects],
                            dimensions=dims, special_supervisor_ids=list(o.special_supervisor_ids),
                            member_ids=list(o.member_ids), invited_representatives=o.invited_representatives,
                            entitled=entitled, online=o.online)]


def _issue(state: RoundState, cmd: Issue, issued: Issued[object]) -> Events:
    require_role(issued, OFFICE, "issuing an appraisal's credentials")
    if state.phase is not Phase.open:
        raise refuse("credentials_issued", "this round's credentials were issued already (nobody kept the private "
                     "parts: void the round and open another if slips were lost)", phase=state.phase.value)
    keys = sorted(cmd.public_keys)
    if len(keys) != state.entitled or len(set(keys)) != len(keys):
        raise refuse("credentials_mismatch", f"one distinct credential per entitled rater ({state.entitled})")
    events: Events = [AppraisalCredentialsIssued(appraisal_id=state.appraisal_id, public_keys=keys,
                                                 credentials_digest=credentials_digest(keys))]
    if state.online:
        events.append(AppraisalOnlineVotingOpened(appraisal_id=state.appraisal_id, title=state.title,
                                                  member_ids=sorted(state.raters)))
    return events


def _close(state: RoundState, cmd: Close, issued: Issued[object]) -> Events:
    require_role(issued, OFFICE, "closing an appraisal round")
    c, sealed = cmd.command, cmd.sealed
    _require_voting(state)
    handed_out = _issued(state, cmd)
    if handed_out > state.entitled:
        raise refuse("more_issued_than_entitled", f"{handed_out} credentials handed out, but only {state.entitled} "
                     "raters are entitled", fields=["issued"])
    if 2 * handed_out <= state.entitled:
        raise refuse("quorum_not_met", f"the round is valid only if more than half of the {state.entitled} entitled "
                     f"raters attend; {handed_out} did", fields=["issued"], entitled=state.entitled, issued=handed_out)
    if sealed.returned > handed_out:
        raise refuse("more_returned_than_issued", f"{sealed.returned} ballots came back for {handed_out} "
                     "credentials handed out: the round is invalid and must be run again", fields=["issued"],
                     returned=sealed.returned, issued=handed_out)
    if state.online:
        attendees = sorted(cmd.drawn)
    else:
        attendees = distinct(c.attendee_member_ids, "attendees", "attendee_member_ids")
    strangers = sorted(set(attendees) - state.raters)
    if strangers:
        raise refuse("not_entitled", f"not entitled raters of this round: {', '.join(strangers)}",
                     fields=["attendee_member_ids"])
    if len(attendees) > handed_out or handed_out - len(attendees) > state.invited:
        raise refuse("attendance_mismatch", f"{handed_out} attended: {len(attendees)} named raters and at most "
                     f"{state.invited} invited representatives", fields=["attendee_member_ids", "issued"])
    assert state.held_on is not None
    events: Events = [AppraisalClosed(appraisal_id=state.appraisal_id, held_on=state.held_on,
                                      entitled=state.entitled, issued=handed_out, returned=sealed.returned,
                                      board_head=sealed.head, results=list(sealed.results),
                                      top_unit_ids=list(sealed.top_unit_ids),
                                      bottom_unit_ids=list(sealed.bottom_unit_ids))]
    events += [AppraisalParticipationRecorded(appraisal_id=state.appraisal_id, round_id=PARTICIPATION_ROUND,
                                              member_id=m, unit_id="", held_on=state.held_on)
               for m in sorted(attendees)]
    return events


def _issued(state: RoundState, cmd: Close) -> int:
    """The credentials handed out: the office's count at sign-in, or, online, the slips drawn."""
    c = cmd.command
    if not state.online:
        if c.issued is None:
            raise refuse("issued_required", "how many credentials were handed out at sign-in", fields=["issued"])
        return c.issued
    if c.attendee_member_ids:
        raise refuse("attendees_not_named_online", "an online round credits the raters who drew a slip; the office "
                     "names no attendees", fields=["attendee_member_ids"])
    if c.issued is not None and c.issued != len(cmd.drawn):
        raise refuse("issued_mismatch", f"{len(cmd.drawn)} slips were drawn in this online round, not {c.issued}",
                     fields=["issued"], drawn=len(cmd.drawn), issued=c.issued)
    return len(cmd.drawn)


def check_draw(state: RoundState, member_id: str | None) -> None:
    """A rater may draw a slip of this round: it is online and voting, and they are one of its raters."""
    if state.phase is Phase.none:
        raise refuse("appraisal_not_found", "no such appraisal round in this committee", fields=["appraisal_id"])
    if not state.online:
        raise refuse("appraisal_not_online", "this round's slips are drawn at the meeting's sign-in",
                     fields=["appraisal_id"])
    _require_voting(state)
    if member_id is None or member_id not in state.raters:
        raise refuse("not_entitled", "you are not an entitled rater of this round", fields=["appraisal_id"])


def _void(state: RoundState, cmd: a.VoidAppraisal, issued: Issued[object]) -> Events:
    require_role(issued, OFFICE, "voiding an appraisal round")
    if state.phase not in (Phase.open, Phase.voting):
        raise refuse("appraisal_not_open", f"the round is {state.phase.value}: only an open round is voided",
                     phase=state.phase.value)
    return [AppraisalVoided(appraisal_id=state.appraisal_id, cause=cmd.cause, reason=cmd.reason)]


def _require_voting(state: RoundState) -> None:
    if state.phase is Phase.closed:
        raise refuse("appraisal_closed", "the round is closed")
    if state.phase is Phase.voided:
        raise refuse("appraisal_voided", "the round was voided")
    if state.phase is not Phase.voting:
        raise refuse("appraisal_not_voting", "the round's credentials have not been issued yet")


def evolve(state: RoundState, event: DomainEvent) -> RoundState:
    match event:
        case AppraisalOpened():
            return RoundState(appraisal_id=event.appraisal_id, phase=Phase.open, year=event.year, kind=event.kind,
                              title=event.title, held_on=event.held_on,
                              unit_ids=tuple(s.unit_id for s in event.subjects),
                              unit_names=tuple(s.name for s in event.subjects),
                              dimension_ids=tuple(d.dimension_id for d in event.dimensions),
                              raters=frozenset(event.special_supervisor_ids) | frozenset(event.member_ids),
                              invited=event.invited_representatives, entitled=event.entitled,
                              online=event.online)
        case AppraisalCredentialsIssued():
            return replace(state, phase=Phase.voting, public_keys=frozenset(event.public_keys),
                           keys_digest=event.credentials_digest)
        case AppraisalOnlineVotingOpened():
            return state
        case AppraisalClosed():
            return replace(state, phase=Phase.closed, closed=event)
        case AppraisalVoided():
            return replace(state, phase=Phase.voided)
        case AppraisalParticipationRecorded():
            return state
    raise TypeError(f"an appraisal round has no event {type(event).__name__}")


ROUND: Decider[RoundState, Issued[object]] = Decider(initial=RoundState, decide=decide, evolve=evolve)


# ---- a ballot at the box ---------------------------------------------------------------------------------------

def check_ballot(state: RoundState, appraisal_id: str, cast: CastBallot) -> bytes:
    """The canonical ballot to keep, or the refusal (its rule names what is wrong).

    The ballot's committee selects the round: the service reads `state` from the stream of the committee the
    ballot names (no login says which committee a caller is in), so there is no other committee to compare it
    with. A ballot naming a committee that holds no such round finds none (`appraisal_not_found`), and one
    naming another committee's round of the same id is refused by its credential (`unknown_credential`); the
    signature covers the committee, and a verifier checks every ballot names the board's committee."""
    b = cast.ballot
    if b.appraisal_id != appraisal_id:
        raise DomainError("ballot_for_another_appraisal", "the ballot names another appraisal round than the one it "
                          "was cast in", fields=["ballot.appraisal_id"])
    if state.phase is Phase.none:
        raise DomainError("appraisal_not_found", "no such appraisal round", fields=["ballot.appraisal_id"])
    _require_voting(state)
    if b.credential not in state.public_keys:
        raise DomainError("unknown_credential", "the credential is not one of this round's",
                          fields=["ballot.credential"])
    message = canonical_ballot(b)
    if not signature_valid(b.credential, message, cast.signature):
        raise DomainError("bad_signature", "the signature does not verify against the credential over the canonical "
                          "ballot", fields=["signature"])
    units = set(state.unit_ids)
    dims = set(state.dimension_ids)
    for unit, marks in b.marks.items():
        if unit not in units:
            raise DomainError("unknown_unit", f"{unit} is not appraised in this round", fields=[f"ballot.marks.{unit}"])
        for dim in marks:
            if dim not in dims:
                raise DomainError("unknown_dimension", f"{dim} is not a dimension of this round",
                                  fields=[f"ballot.marks.{unit}.{dim}"])
    return message
