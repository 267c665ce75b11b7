"""The handlers are plain functions over the service's parts: driven here without HTTP, on the real store."""

from __future__ import annotations

import pytest

from contracts.envelope import Actor
from contracts.proposals import commands as c
from eventstore.errors import DomainError
from eventstore.store import CommandContext
from proposals import handlers, streams

from ..integration_kit import COMMITTEE, ProposalsService
from ..kit import OFFICE, member

ZHANG = member("m-zhang")


def as_(actor: Actor) -> CommandContext:
    return CommandContext(actor=actor, committee_id=COMMITTEE)


DRAFT = c.DraftProposal(submitter_kind="individual", category="society", title="关于加强农村饮用水安全保障的建议",
                        case="部分村组饮用水水质不稳定", analysis="供水管网老化", suggestions=["更新老旧管网"],
                        proposal_id="p-direct-1")


async def test_a_member_drafts_submits_and_the_office_accepts_without_http(service: ProposalsService) -> None:
    parts = service.parts
    drafted = await handlers.draft_proposal(parts, DRAFT, as_(ZHANG))
    assert drafted.result["proposal_id"] == "p-direct-1" and drafted.result["events"] == ["proposal-drafted"]
    await handlers.submit_proposal(parts, c.SubmitProposal(proposal_id="p-direct-1"), as_(ZHANG))
    accepted = await handlers.accept_proposal(parts, c.AcceptProposal(proposal_id="p-direct-1", reason="符合立案条件"),
                                              as_(OFFICE))
    assert accepted.result["number"].endswith("-001")
    assert accepted.written is not None and accepted.written.stream_id == streams.proposal(COMMITTEE, "p-direct-1")
    history = await parts.store.read_stream(streams.proposal(COMMITTEE, "p-direct-1"))
    assert [e.envelope.type for e in history] == ["proposal-drafted", "proposal-submitted", "proposal-accepted"]


async def test_a_refused_handler_call_writes_nothing(service: ProposalsService) -> None:
    with pytest.raises(DomainError) as refused:
        await handlers.accept_proposal(service.parts, c.AcceptProposal(proposal_id="p-none", reason="立案"),
                                       as_(OFFICE))
    assert refused.value.rule == "proposal_not_found"
    assert await service.store.read_stream(streams.proposal(COMMITTEE, "p-none")) == []
