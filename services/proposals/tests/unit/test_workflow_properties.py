"""Property: no sequence of commands, by anyone, in any order, on any day, reaches a state the workflow
forbids. Hypothesis generates command sequences over three proposals sharing one numbering; every command
either is refused with a DomainError (and changes nothing) or appends events; an independent monitor then
re-reads the whole history and checks the workflow's invariants."""

from __future__ import annotations

import random
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from contracts.envelope import Actor
from contracts.proposals import (
    CosignerConfirmed,
    EvaluationLapsed,
    EvaluationsCompleted,
    HandlingReopened,
    LookbackOpened,
    ProposalAccepted,
    ProposalAssigned,
    ProposalEvaluated,
    ProposalMerged,
    ProposalNotAccepted,
    ProposalNumberAssigned,
    ProposalReplied,
    ProposalSubmitted,
    ProposalWithdrawn,
    ReassignmentGranted,
    ReopenReason,
    UnitRole,
)
from contracts.proposals import commands as c
from contracts.registry import DomainEvent
from eventstore.errors import DomainError
from eventstore.issued import Issued
from proposals.domain import numbering
from proposals.domain.lookback_policy import ConcludeLookback
from proposals.domain.proposal import (
    PROPOSAL,
    AcceptNumbered,
    ApplyDeadlines,
    Draft,
    MergeInto,
    NotAccept,
    ReceiveMerge,
    RecordResult,
    Submit,
)
from proposals.domain.proposal_state import ProposalState, Status

from ..kit import LEADER, OFFICE, WATCHER, draft_cmd, member, on, unit

PIDS = ("p1", "p2", "p3")
MEMBERS = ("m-zhang", "m-li", "m-zhao", "m-wu")
UNITS = ("u-a", "u-b", "u-c", "u-d")
ACTORS = (*[member(m) for m in MEMBERS], *[unit(u) for u in UNITS], OFFICE, LEADER, WATCHER)
RATINGS = ("satisfied", "basically_satisfied", "dissatisfied")
# Early enough that the longest walk (80 steps of up to 120 days) still ends before today: the commands' own
# bounds refuse a past fact dated after the real today.
START = date(2000, 1, 3)


@dataclass
class World:
    today: date = START
    streams: dict[str, list[DomainEvent]] = field(default_factory=lambda: {p: [] for p in PIDS})
    numbers: list[DomainEvent] = field(default_factory=list)
    log: list[tuple[str, Actor, date, DomainEvent]] = field(default_factory=list)  # (pid, actor, day, event)

    states: dict[str, ProposalState] = field(default_factory=lambda: {p: ProposalState() for p in PIDS})

    def state(self, pid: str) -> ProposalState:
        return self.states[pid]

    def issued(self, command: object, actor: Actor) -> Issued[object]:
        return Issued(command, actor, "cppcc-county-a", on(self.today))

    def decide(self, pid: str, command: object, actor: Actor) -> list[DomainEvent]:
        return list(PROPOSAL.decide(self.state(pid), self.issued(command, actor)))

    def append(self, pid: str, actor: Actor, events: list[DomainEvent]) -> None:
        self.streams[pid].extend(events)
        self.states[pid] = PROPOSAL.fold(events, self.states[pid])
        self.log.extend((pid, actor, self.today, e) for e in events)


PLAUSIBLE: dict[str, tuple[Actor, ...]] = {
    **dict.fromkeys(("draft", "submit", "revise", "withdraw"), (member("m-zhang"),)),
    **dict.fromkeys(("confirm", "decline"), (member("m-li"), member("m-zhao"))),
    **dict.fromkeys(("accept", "not_accept", "merge", "return", "assign", "grant", "refuse", "reopen", "revise_class",
                     "conclude_lookback", "result", "wait"), (OFFICE,)),
    "key": (OFFICE, LEADER),
    "evaluate": (member("m-zhang"), member("m-li"), member("m-zhao")),
    "sweep": (WATCHER,),
}


def actor_for(step: dict[str, Any]) -> Actor:
    """Mostly someone who might be allowed (so walks get deep), sometimes anyone at all."""
    if not step["plausible"]:
        return ACTORS[step["pick"] % len(ACTORS)]
    choices = PLAUSIBLE.get(step["kind"]) or (unit(step["unit_a"]),)
    return choices[step["pick"] % len(choices)]


def focus(step: dict[str, Any], state: ProposalState) -> dict[str, Any]:
    """A plausible step names a unit the command could apply to (one that replied, asked to move, is open),
    so walks get past the first refusal; an implausible one keeps its arbitrary unit."""
    if not step["plausible"]:
        return step
    wanted = {
        "evaluate": lambda u: u.replied_round > 0, "reopen": lambda u: u.replied_round > 0,
        "revise_class": lambda u: u.replied_round > 0, "grant": lambda u: u.reassignment_pending,
        "refuse": lambda u: u.reassignment_pending, "reply": lambda u: u.open,
        "cosign": lambda u: u.role is UnitRole.co, "request-reassignment": lambda u: not u.reassignment_requested,
    }.get(step["kind"])
    candidates = sorted(u.unit_id for u in state.units.values() if wanted and wanted(u))
    return {**step, "unit_a": candidates[step["pick"] % len(candidates)]} if candidates else step


def build(world: World, step: dict[str, Any]) -> None:
    """Turn one generated step into a command, run it, keep what it appended (a refusal keeps nothing)."""
    step = focus(step, world.state(step["pid"]))
    kind, actor, pid, other = step["kind"], actor_for(step), step["pid"], step["other"]
    unit_a, unit_b, rating, days = step["unit_a"], step["unit_b"], step["rating"], step["days"]
    due = world.today + timedelta(days=step["due_in"])
    state = world.state(pid)
    command: object
    match kind:
        case "draft":
            extra = {"cosigner_member_ids": ["m-li", "m-zhao"]} if step["joint"] else {}
            command = Draft(pid, draft_cmd("joint" if step["joint"] else "individual", **extra), None)
        case "submit":
            command = Submit(c.SubmitProposal(proposal_id=pid), None)
        case "revise":
            command = c.ReviseProposal.model_validate({"proposal_id": pid, "category": "ecology", "title": "t",
                                                       "case": "c", "analysis": "a", "suggestions": ["s"]})
        case "withdraw":
            command = c.WithdrawProposal(proposal_id=pid, reason="r")
        case "confirm":
            command = c.ConfirmCosignature(proposal_id=pid)
        case "decline":
            command = c.DeclineCosignature(proposal_id=pid)
        case "accept":
            year = state.year or world.today.year
            numbering_state = numbering.NUMBERING.fold(world.numbers)
            seq = numbering_state.last_sequence + 1
            command = AcceptNumbered(c.AcceptProposal(proposal_id=pid, reason="r"), year, seq,
                                     numbering.format_number(year, seq))
            events = world.decide(pid, command, actor)  # refusal raises before a number is taken
            reserve = Issued(numbering.ReserveNumber(pid, year), actor, "cppcc-county-a", on(world.today))
            world.numbers.extend(numbering.NUMBERING.decide(numbering_state, reserve))
            world.append(pid, actor, events)
            return
        case "not_accept":
            command = NotAccept(c.NotAcceptProposal(proposal_id=pid, converted_to="opinion_letter", reason="r"), None)
        case "merge":
            if pid == "p1":  # the walk's main proposal absorbs the others rather than the other way round
                pid, other = other, pid
            command = MergeInto(c.MergeProposal(proposal_id=pid, into_proposal_id=other, reason="r"),
                                world.state(other))
            events = world.decide(pid, command, actor)
            received = list(PROPOSAL.decide(world.state(other), world.issued(ReceiveMerge(pid, "r"), actor)))
            world.append(pid, actor, events)
            world.append(other, actor, received)
            return
        case "return":
            command = c.ReturnProposal(proposal_id=pid, reason="r")
        case "assign":
            if step["joint"]:
                command = c.AssignProposal(proposal_id=pid, mode="lead_with_co", lead_unit_id=unit_a,
                                           co_unit_ids=[unit_b])
            else:
                command = c.AssignProposal(proposal_id=pid, mode="separate", unit_ids=sorted({unit_a, unit_b}))
        case "request-reassignment":
            command = c.RequestReassignment(proposal_id=pid, reason="r")
        case "grant":
            command = c.GrantReassignment(proposal_id=pid, unit_id=unit_a, new_unit_id=unit_b, reason="r")
        case "refuse":
            command = c.RefuseReassignment(proposal_id=pid, unit_id=unit_a, reason="r")
        case "contact":
            command = c.RecordHandlingContact(proposal_id=pid, kind="meeting", held_on=world.today,
                                              member_ids=["m-zhang"])
        case "reply":
            cls = step["cls"]
            promises = [c.Promise(text="t", due=due)] if cls == "B" else []
            command = c.ReplyToProposal(proposal_id=pid, result_class=cls, text="t", commitments=promises)
        case "cosign":
            command = c.CosignReply(proposal_id=pid)
        case "evaluate":
            command = c.EvaluateReply(proposal_id=pid, unit_id=unit_a, rating=rating, attitude=rating, contact=rating)
        case "reopen":
            command = c.ReopenHandling(proposal_id=pid, unit_id=unit_a, reason="r")
        case "revise_class":
            cls = step["cls"]
            promises = [c.Promise(text="t", due=due)] if cls == "B" and step["joint"] else []
            command = c.ReviseReplyClass(proposal_id=pid, unit_id=unit_a, result_class=cls, reason="r",
                                         commitments=promises)
        case "key":
            command = c.DesignateKeyProposal(proposal_id=pid, supervising_leaders=["m-vice"])
        case "conclude_lookback":
            lookbacks = sorted(x.lookback_id for x in state.commitments.values() if x.lookback_id and
                               (x.lookback_open or not step["plausible"]))
            command = ConcludeLookback(c.ConcludeCommitmentLookback(
                proposal_id=pid, lookback_id=lookbacks[0] if lookbacks else "lb", outcome=step["outcome"]))
        case "result":
            command = RecordResult(c.RecordProposalResult(proposal_id=pid, description="d", adopted_on=world.today),
                                   f"res-{len(world.log)}")
        case "sweep" if actor == WATCHER:  # the watcher sweeps every proposal, as in the service
            for each in PIDS:
                if world.state(each).status is not Status.none:
                    world.append(each, actor, world.decide(each, ApplyDeadlines(), actor))
            return
        case "sweep":
            command = ApplyDeadlines()
        case "wait":
            world.today += timedelta(days=days)
            return
        case _:
            raise AssertionError(kind)
    world.append(pid, actor, world.decide(pid, command, actor))


def run(world: World, step: dict[str, Any]) -> None:
    before = ({p: list(e) for p, e in world.streams.items()}, list(world.numbers), dict(world.states))
    try:
        build(world, step)
    except DomainError:
        assert ({p: list(e) for p, e in world.streams.items()}, list(world.numbers), dict(world.states)) == before


KINDS = ("draft", "submit", "revise", "withdraw", "confirm", "decline", "accept", "not_accept", "merge", "return",
         "assign", "request-reassignment", "grant", "refuse", "contact", "reply", "cosign", "evaluate", "reopen",
         "revise_class", "key", "conclude_lookback", "result", "sweep", "wait")
# The handling steps come up more often: they need several steps in a row to get anywhere.
WEIGHTED = (*KINDS, "reply", "reply", "evaluate", "evaluate", "evaluate", "evaluate", "sweep", "sweep", "wait",
            "cosign", "cosign", "request-reassignment", "request-reassignment", "grant", "grant", "reopen", "merge",
            "conclude_lookback", "conclude_lookback", "sweep")

# Every step is a choice from each of these value spaces (Hypothesis draws them; so does the seeded walk).
SPACE: dict[str, tuple[Any, ...]] = {
    "kind": WEIGHTED, "plausible": (True, True, True, True, False), "pick": tuple(range(21)),
    "pid": ("p1", "p1", "p1", "p2", "p3"), "other": PIDS, "unit_a": UNITS, "unit_b": ("u-c", "u-d", *UNITS),
    "rating": RATINGS, "cls": ("A", "B", "C"), "joint": (True, False), "days": (0, 1, 2, 3, 5, 8, 13, 30, 60, 120),
    "due_in": (1, 2, 7, 30), "outcome": ("implemented", "partly", "not"),
}
steps = st.fixed_dictionaries({name: st.sampled_from(values) for name, values in SPACE.items()})


# ---- the monitor: the invariants, checked on the history alone -------------------------------------------------

@dataclass
class Track:
    status: str = "none"
    invited: set[str] = field(default_factory=set)
    lead: str | None = None
    confirmed: set[str] = field(default_factory=set)
    cosign_deadline: date | None = None
    replying: set[str] = field(default_factory=set)
    co: set[str] = field(default_factory=set)
    rounds: dict[str, int] = field(default_factory=lambda: defaultdict(int))  # unit -> last reply round
    opened_round: dict[str, int] = field(default_factory=lambda: defaultdict(lambda: 1))  # unit -> allowed round
    rated: dict[tuple[str, int], dict[str, str]] = field(default_factory=lambda: defaultdict(dict))
    completed: set[tuple[str, int]] = field(default_factory=set)
    lapsed: set[tuple[str, int]] = field(default_factory=set)  # evaluation deadline passed with ratings missing
    evaluation_due: dict[str, date] = field(default_factory=dict)  # unit -> its latest reply's deadline
    lookbacks: set[str] = field(default_factory=set)


def check_invariants(world: World) -> None:
    tracks = {p: Track() for p in PIDS}
    numbers: list[str] = []
    for pid, actor, day, e in world.log:
        t = tracks[pid]
        assert t.status not in ("withdrawn", "not_accepted", "merged") or (e.event_type == "proposal-merge-received" \
            and t.status != "merged"), f"{e.event_type} after the proposal was {t.status}"
        match e:
            case ProposalSubmitted():
                t.status, t.lead, t.invited, t.cosign_deadline = "submitted", e.lead_member_id, set(
                    e.cosigner_member_ids), e.cosign_deadline
                assert actor.member_id == e.lead_member_id
            case CosignerConfirmed():
                assert e.member_id in t.invited and actor.member_id == e.member_id
                assert t.cosign_deadline is not None and day <= t.cosign_deadline, "confirmed after the deadline"
                t.confirmed.add(e.member_id)
            case ProposalAccepted():
                assert t.status == "submitted" and actor.role.value == "office_staff"
                assert set(e.cosigner_member_ids) == t.confirmed
                t.status = "accepted"
                numbers.append(e.number)
            case ProposalNotAccepted() | ProposalWithdrawn() | ProposalMerged():
                t.status = {"proposal-not-accepted": "not_accepted", "proposal-withdrawn": "withdrawn",
                            "proposal-merged": "merged"}[e.event_type]
            case ProposalAssigned():
                assert t.status == "accepted" and not t.replying, "assigned twice or before acceptance"
                t.replying = {e.lead_unit_id} if e.lead_unit_id else set(e.unit_ids)
                t.co = set(e.co_unit_ids)
            case ReassignmentGranted():
                assert t.rounds[e.unit_id] == 0, "a unit that replied was re-assigned"
                side = t.co if e.role is UnitRole.co else t.replying
                assert e.unit_id in side, "re-assigned a unit that was not on the slip in that role"
                side.discard(e.unit_id)
                side.add(e.new_unit_id)
            case ProposalReplied():
                assert e.unit_id in t.replying, "replied by a unit not (or no longer) replying on the slip"
                assert actor.unit_id == e.unit_id, "a reply by someone else than the unit"
                assert e.round == t.rounds[e.unit_id] + 1 == t.opened_round[e.unit_id], "reply out of round"
                t.rounds[e.unit_id] = e.round
                if e.evaluation_due is not None:
                    t.evaluation_due[e.unit_id] = e.evaluation_due
            case HandlingReopened():
                assert e.round == t.rounds[e.unit_id] + 1, "reopened a round that was not replied"
                if e.reason_kind is ReopenReason.dissatisfied:
                    assert (e.unit_id, e.round - 1) in t.completed
                    assert "dissatisfied" in t.rated[(e.unit_id, e.round - 1)].values()
                t.opened_round[e.unit_id] = e.round
            case ProposalEvaluated():
                proposers = {t.lead} | t.confirmed
                assert actor.member_id == e.member_id and e.member_id in proposers, "evaluated by a non-proposer"
                assert e.round == t.rounds[e.unit_id], "evaluated a reply that does not exist"
                assert e.member_id not in t.rated[(e.unit_id, e.round)], "evaluated twice"
                assert (e.unit_id, e.round) not in t.lapsed, "evaluated after the evaluation lapsed"
                assert day <= t.evaluation_due[e.unit_id], "evaluated after the evaluation deadline"
                t.rated[(e.unit_id, e.round)][e.member_id] = e.rating.value
            case EvaluationLapsed():
                assert actor == WATCHER and day > e.deadline == t.evaluation_due[e.unit_id], "lapsed before its day"
                missing = ({t.lead} | t.confirmed) - set(t.rated[(e.unit_id, e.round)])
                assert missing and set(e.not_rated_member_ids) == missing, "lapsed naming the wrong proposers"
                t.lapsed.add((e.unit_id, e.round))
            case EvaluationsCompleted():
                if (e.unit_id, e.round) not in t.lapsed:
                    assert set(t.rated[(e.unit_id, e.round)]) == {t.lead} | t.confirmed, "completed too early"
                assert {r.member_id for r in e.ratings} == set(t.rated[(e.unit_id, e.round)]), "ratings not given"
                t.completed.add((e.unit_id, e.round))
            case LookbackOpened():
                assert e.lookback_id not in t.lookbacks and e.due <= day and actor == WATCHER
                t.lookbacks.add(e.lookback_id)
    assert len(numbers) == len(set(numbers)), "a number given twice"
    assert sorted(numbers) == [numbering.format_number(START.year, i) for i in range(1, len(numbers) + 1)], \
        f"numbers with gaps: {numbers}"
    given_numbers = [e.number for e in world.numbers if isinstance(e, ProposalNumberAssigned)]
    assert sorted(given_numbers) == sorted(numbers), "the numbering stream and the acceptances disagree"


# Hypothesis finds deep states more often when the happy path is likely: a prefix that drafts, submits and
# accepts a proposal, then random steps.
STAGES = {"submitted": ("draft", "submit"), "accepted": ("draft", "submit", "confirm", "wait", "accept"),
          "assigned": ("draft", "submit", "confirm", "wait", "accept", "assign")}


def happy(pid: str, joint: bool, stage: str = "assigned") -> list[dict[str, Any]]:
    base = {"other": "p1", "unit_a": "u-a", "unit_b": "u-b", "rating": "satisfied", "cls": "A", "joint": joint,
            "days": 10, "due_in": 7, "outcome": "not", "plausible": True, "pick": 0}
    return [{**base, "kind": k, "pid": pid} for k in STAGES[stage]]


walks = st.tuples(
    st.booleans(),
    st.lists(st.tuples(st.sampled_from(("p2", "p3")), st.booleans(), st.sampled_from(tuple(STAGES))), max_size=2),
    st.lists(steps, min_size=30, max_size=80))


def walk(joint: bool, prefix: list[tuple[str, bool, str]], random_steps: list[dict[str, Any]]) -> World:
    world = World()
    for pid, joint_, stage in [("p1", joint, "assigned"), *prefix]:
        for step in happy(pid, joint_, stage):
            run(world, step)
    for step in random_steps:
        run(world, step)
    return world


@settings(max_examples=250, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(walks)
def test_no_command_sequence_breaks_the_workflow(case: tuple[bool, list[tuple[str, bool, str]], list[dict[str, Any]]],
                                                 ) -> None:
    # The monitor re-reads the whole (append-only) history, so checking once at the end misses nothing.
    check_invariants(walk(*case))


def test_the_walks_reach_deep_into_the_workflow() -> None:
    """Guards the property against exploring only refusals: seeded walks over the same value spaces (so this
    cannot flake) must reach every late stage of the workflow — and keep the invariants there too."""
    seen: set[str] = set()
    for seed in range(60):
        rng = random.Random(seed)
        prefix = [(p, rng.choice((True, False)), rng.choice(tuple(STAGES))) for p in ("p2", "p3")[:rng.randrange(3)]]
        world = walk(rng.choice((True, False)), prefix,
                     [{name: rng.choice(values) for name, values in SPACE.items()} for _ in range(60)])
        check_invariants(world)
        seen.update(e.event_type for *_, e in world.log)
    deep = {"proposal-replied", "proposal-evaluated", "evaluations-completed", "handling-reopened",
            "reassignment-granted", "lookback-opened", "lookback-concluded", "proposal-merged", "cosigner-lapsed",
            "reply-cosigned", "handling-overdue", "reply-class-revised", "evaluation-lapsed"}
    assert deep <= seen, f"never reached: {sorted(deep - seen)}"
