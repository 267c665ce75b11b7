"""A proposal not accepted and converted to an opinion letter (转意见建议函): the letter is addressed to a unit,
carries the proposal's text (or the office's edited text), and is tracked until that unit acknowledges it."""

from __future__ import annotations

from datetime import date

from contracts.proposals import OpinionLetterAcknowledged, OpinionLetterSent, ProposalNotAccepted
from proposals import streams

from ..flows import submitted
from ..integration_kit import COMMITTEE, Api, FakeClock, ProposalsService, event_types
from ..kit import OFFICE, unit

WATER, HEALTH = unit("u-water"), unit("u-health")
LETTER = {"converted_to": "opinion_letter", "reason": "属部门日常工作，转有关单位参考"}


async def test_the_letter_goes_to_the_unit_with_the_proposals_text_until_the_unit_acknowledges_it(
        api: Api, service: ProposalsService, clock: FakeClock) -> None:
    clock.set(date(2026, 3, 16))
    pid = await submitted(api)
    result = await api.do("not-accept-proposal", {"proposal_id": pid, **LETTER, "unit_id": "u-water"}, OFFICE)
    letter_id = result["opinion_letter_id"]
    assert result["opinion_report_id"] is None
    assert result["events"] == ["proposal-not-accepted", "opinion-letter-sent"]

    (decision,) = [e.event for e in await service.store.read_stream(streams.proposal(COMMITTEE, pid))
                   if isinstance(e.event, ProposalNotAccepted)]
    assert decision.opinion_letter_id == letter_id
    (sent,) = [e.event for e in await service.store.read_stream(streams.opinion_letter(COMMITTEE, letter_id))]
    assert isinstance(sent, OpinionLetterSent)
    assert (sent.proposal_id, sent.unit_id, sent.title, sent.sent_on) == (
        pid, "u-water", "关于加强农村饮用水安全保障的建议", date(2026, 3, 16))
    assert sent.text == "部分村组饮用水水质不稳定\n管网老化，监测不足\n更新管网\n建立水质监测制度"
    assert not sent.edited_by_office

    # Another unit does not know the letter; the office does not acknowledge for the unit.
    await api.refused("acknowledge-opinion-letter", {"letter_id": letter_id}, HEALTH, "letter_not_found")
    await api.refused("acknowledge-opinion-letter", {"letter_id": letter_id}, OFFICE, "not_authorized")
    clock.set(date(2026, 3, 18))
    await api.do("acknowledge-opinion-letter", {"letter_id": letter_id}, WATER)
    error = await api.refused("acknowledge-opinion-letter", {"letter_id": letter_id}, WATER, "already_acknowledged")
    assert error["details"]["acknowledged_on"] == "2026-03-18"
    history = await service.store.read_stream(streams.opinion_letter(COMMITTEE, letter_id))
    assert [e.envelope.type for e in history] == ["opinion-letter-sent", "opinion-letter-acknowledged"]
    acknowledged = history[-1].event
    assert isinstance(acknowledged, OpinionLetterAcknowledged) and acknowledged.acknowledged_on == date(2026, 3, 18)
    # The proposal is settled.
    await api.refused("accept-proposal", {"proposal_id": pid, "reason": "x"}, OFFICE, "not_under_review")


async def test_the_office_may_send_its_own_edited_text(api: Api, service: ProposalsService) -> None:
    pid = await submitted(api)
    edited = "建议县水利局结合农村供水保障工程，统筹考虑老旧管网更新。"
    result = await api.do("not-accept-proposal", {"proposal_id": pid, **LETTER, "unit_id": "u-water",
                                                  "letter_text": edited}, OFFICE)
    (sent,) = [e.event for e in await service.store.read_stream(
        streams.opinion_letter(COMMITTEE, result["opinion_letter_id"]))]
    assert isinstance(sent, OpinionLetterSent) and (sent.text, sent.edited_by_office) == (edited, True)


async def test_a_letter_without_its_unit_is_refused_naming_the_unit(api: Api, service: ProposalsService) -> None:
    pid = await submitted(api)
    error = await api.refused("not-accept-proposal", {"proposal_id": pid, **LETTER}, OFFICE, "unit_required")
    assert error["fields"] == ["unit_id"]
    # A public-opinion report names no unit and no letter text.
    error = await api.refused("not-accept-proposal", {"proposal_id": pid, "converted_to": "opinion_report",
                                                      "reason": "宜作社情民意信息", "unit_id": "u-water"},
                              OFFICE, "letter_fields_without_letter")
    assert error["fields"] == ["unit_id"]
    assert (await event_types(service, streams.proposal(COMMITTEE, pid)))[-1] == "proposal-submitted"


async def test_an_unknown_letter_is_refused(api: Api) -> None:
    await api.refused("acknowledge-opinion-letter", {"letter_id": "no-such"}, WATER, "letter_not_found")
