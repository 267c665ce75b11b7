"""Helpers for the pure decider tests: actors, a clock on China's dates, and a harness that runs commands
against a decider the way the handlers do (fold, decide, keep the events)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, TypeVar

from contracts.envelope import Actor, Role
from contracts.proposals import commands as c
from contracts.registry import DomainEvent
from eventstore.decider import Decider
from eventstore.issued import Issued
from proposals.domain import numbering
from proposals.domain.numbering import NumberingState, ReserveNumber
from proposals.domain.proposal import PROPOSAL, AcceptNumbered, Draft
from proposals.domain.proposal_state import ProposalState
from yizheng.testing.command_client import ADMIN as ADMIN
from yizheng.testing.command_client import COMMITTEE as COMMITTEE
from yizheng.testing.command_client import LEADER as LEADER
from yizheng.testing.command_client import OFFICE, on
from yizheng.testing.command_client import member as member
from yizheng.testing.command_client import unit as unit
from yizheng.testing.decider_harness import Harness as DeciderHarness
from yizheng.testing.decider_harness import types as types

WATCHER = Actor(id="proposals-watcher", role=Role.service)


S = TypeVar("S")


Harness = DeciderHarness


def text(title: str = "关于加强农村饮用水安全保障的建议", **extra: Any) -> dict[str, Any]:
    return {"category": "society", "title": title, "case": "部分村组饮用水水质不稳定",
            "analysis": "管网老化，监测不足", "suggestions": ["更新管网", "建立水质监测制度"], **extra}


def draft_cmd(kind: str = "individual", **extra: Any) -> c.DraftProposal:
    return c.DraftProposal.model_validate({"submitter_kind": kind, **text(), **extra})


@dataclass
class ProposalHarness(Harness[ProposalState]):
    """One proposal plus the committee's numbering of its year."""

    decider: Decider[ProposalState, Any] = PROPOSAL
    proposal_id: str = "p1"
    numbers: list[DomainEvent] = field(default_factory=list)

    def draft(self, actor: Actor, kind: str = "individual", **extra: Any) -> Sequence[DomainEvent]:
        return self.run(Draft(self.proposal_id, draft_cmd(kind, **extra), None), actor)

    def accept_cmd(self, reason: str = "符合立案标准") -> AcceptNumbered:
        year = self.state.year or self.today.year
        numbering_state = numbering.NUMBERING.fold(self.numbers, NumberingState())
        issued = Issued(ReserveNumber(self.proposal_id, year), OFFICE, "cppcc-county-a", on(self.today), self.calendar)
        (assigned,) = numbering.decide(numbering_state, issued)
        assert isinstance(assigned, numbering.ProposalNumberAssigned)
        return AcceptNumbered(c.AcceptProposal(proposal_id=self.proposal_id, reason=reason), year,
                              assigned.sequence, assigned.number)

    def accept(self, actor: Actor = OFFICE) -> Sequence[DomainEvent]:
        cmd = self.accept_cmd()
        events = self.run(cmd, actor)
        self.numbers.append(numbering.ProposalNumberAssigned(
            proposal_id=self.proposal_id, year=cmd.year, sequence=cmd.sequence, number=cmd.number))
        return events

