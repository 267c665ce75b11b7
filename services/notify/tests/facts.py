"""The other services' facts a committee's year brings, as the notify service hears them."""

from __future__ import annotations

from datetime import date
from typing import Any

from contracts.proposals import proposal as p
from contracts.surveys import tracking as t

PROPOSAL = "p-2026-015"
TITLE = "关于加快农村生活污水治理的提案"


def submitted(cosigners: tuple[str, ...] = ("m-li", "m-zhao"), cosign_deadline: date | None = None,
              **extra: Any) -> p.ProposalSubmitted:
    return p.ProposalSubmitted(proposal_id=PROPOSAL, year=2026, submitter_kind="joint", lead_member_id="m-zhang",
                               cosigner_member_ids=list(cosigners), category="economy", title=TITLE,
                               cosign_deadline=cosign_deadline, **extra)


def confirmed(member_id: str) -> p.CosignerConfirmed:
    return p.CosignerConfirmed(proposal_id=PROPOSAL, member_id=member_id)


def returned() -> p.ProposalReturned:
    return p.ProposalReturned(proposal_id=PROPOSAL, reason="案由不清，请补充调研数据")


def assigned(deadline: date, assigned_on: date, units: tuple[str, ...] = ("u-env",)) -> p.ProposalAssigned:
    return p.ProposalAssigned(proposal_id=PROPOSAL, mode="separate", lead_unit_id=None, unit_ids=list(units),
                              assigned_on=assigned_on, deadline=deadline, deadline_rule="explicit",
                              reassignment_window_ends=assigned_on)


def replied(unit_id: str, on: date, deadline: date) -> p.ProposalReplied:
    return p.ProposalReplied(proposal_id=PROPOSAL, unit_id=unit_id, result_class="A", text="已列入年度计划并实施",
                             round=1, on_time=True, replied_on=on, deadline=deadline)


def key_proposal(leaders: tuple[str, ...] = ("m-wang",)) -> p.KeyProposalDesignated:
    return p.KeyProposalDesignated(proposal_id=PROPOSAL, year=2026, supervising_leaders=list(leaders),
                                   lead_member_id="m-zhang")


def tracked_item(due: date, sent_on: date) -> t.TrackedItemOpened:
    return t.TrackedItemOpened(item_id="o-1", subject="consultation_outcome", source_id="c-1",
                               title="农村污水治理协商意见", unit_ids=["u-water"], sent_on=sent_on,
                               due_working_days=5, due=due)


def stream(proposal_id: str = PROPOSAL) -> str:
    return f"proposal-cppcc-county-a-{proposal_id}"
