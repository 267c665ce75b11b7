"""An appraisal round decided without I/O: who is entitled, one credential each issued once, the close's rules
(quorum, no more ballots than handed out, attendees entitled), the checks a ballot passes at the box, and the
results and participation the close records."""

from __future__ import annotations

from typing import Any

import pytest

from contracts.registry import DomainEvent
from contracts.surveys import appraisal_commands as a
from contracts.surveys.appraisal import AppraisalClosed, AppraisalOnlineVotingOpened
from contracts.surveys.participation import AppraisalParticipationRecorded
from eventstore.errors import DomainError
from surveys.appraisal import board as boards
from surveys.appraisal.credentials import generate
from surveys.appraisal.round import ROUND, Close, Issue, Open, RoundState, check_ballot, check_draw

from ..appraisal_kit import MEMBERS, SUPERVISORS, ballot, open_body
from ..kit import COMMITTEE, OFFICE, Harness, member, types


def opened(**extra: Any) -> tuple[Harness[RoundState], list[Any]]:
    h: Harness[RoundState] = Harness(ROUND)
    h.run(Open("ap-2026", a.OpenAppraisal.model_validate(open_body(**extra))), OFFICE)
    slips = generate(h.state.entitled, COMMITTEE, "ap-2026")
    h.run(Issue(tuple(s.public_key for s in slips)), OFFICE)
    return h, slips


def close(h: Harness[RoundState], cast: list[Any], issued: int, attendees: list[str] | None = None) -> Close:
    box = [(boards.ballot_row(check_ballot(h.state, "ap-2026", c)), c.signature) for c in cast]
    board = boards.build(h.state, COMMITTEE, box, entitled=h.state.entitled, issued=issued)
    body = {"appraisal_id": "ap-2026", "issued": issued, "attendee_member_ids": attendees or []}
    return Close(a.CloseAppraisal.model_validate(body), boards.sealed(board))


def test_the_office_opens_a_round_and_one_credential_per_entitled_rater_is_issued_once() -> None:
    h, slips = opened()
    assert (h.state.entitled, len(slips), len(h.state.public_keys)) == (10, 10, 10)
    assert h.state.dimension_ids == ("overall",)
    h.refused(Issue(tuple(s.public_key for s in generate(10, COMMITTEE, "ap-2026"))), OFFICE, "credentials_issued")


def test_a_rater_named_twice_or_a_round_without_raters_is_refused() -> None:
    h: Harness[RoundState] = Harness(ROUND)
    twice = open_body(member_ids=[*MEMBERS, SUPERVISORS[0]])
    h.refused(Open("x", a.OpenAppraisal.model_validate(twice)), OFFICE, "duplicate_ids")
    nobody = open_body(member_ids=[], special_supervisor_ids=[], invited=0)
    h.refused(Open("x", a.OpenAppraisal.model_validate(nobody)), OFFICE, "no_entitled_raters")
    with pytest.raises(DomainError):
        h.run(Open("x", a.OpenAppraisal.model_validate(open_body())), member("m-li"))


def test_half_of_those_entitled_is_not_a_quorum() -> None:
    h, slips = opened()
    h.refused(close(h, [ballot(slips[0], {"u-police": "satisfied"})], issued=5), OFFICE, "quorum_not_met")


def test_more_ballots_than_credentials_handed_out_invalidates_the_round() -> None:
    h, slips = opened()
    cast = [ballot(s, {"u-police": "satisfied"}) for s in slips[:7]]  # 7 slips used, 6 handed out
    h.refused(close(h, cast, issued=6, attendees=MEMBERS), OFFICE, "more_returned_than_issued")


def test_attendees_must_be_entitled_and_fit_the_attendance() -> None:
    h, _ = opened()
    h.refused(close(h, [], issued=6, attendees=["m-stranger"]), OFFICE, "not_entitled")
    h.refused(close(h, [], issued=6, attendees=["m-li"]), OFFICE, "attendance_mismatch")  # 5 unnamed, 2 invited


def test_a_valid_close_announces_the_results_and_credits_the_attendees_without_their_ballots() -> None:
    h, slips = opened()
    cast = [ballot(s, {"u-police": "satisfied", "u-tax": "dissatisfied"}) for s in slips[:6]]
    attendees = [*SUPERVISORS, "m-li", "m-zhou"]
    events: list[DomainEvent] = list(h.run(close(h, cast, issued=6, attendees=attendees), OFFICE))
    assert types(events) == ["appraisal-closed"] + ["appraisal-participation-recorded"] * 5
    closed = events[0]
    assert isinstance(closed, AppraisalClosed)
    assert (closed.entitled, closed.issued, closed.returned) == (10, 6, 6)
    # Only two departments were known to anyone: both are among the top three and the bottom three.
    assert closed.top_unit_ids == ["u-police", "u-tax"] and closed.bottom_unit_ids == ["u-tax", "u-police"]
    credited = [e for e in events if isinstance(e, AppraisalParticipationRecorded)]
    assert sorted(e.member_id for e in credited) == sorted(attendees)
    keys = {s.public_key for s in slips}
    for e in events:
        dumped = e.model_dump_json()
        assert not any(k in dumped for k in keys), "no event names a credential beside the results"
    h.refused(close(h, [], issued=6), OFFICE, "appraisal_closed")


@pytest.mark.parametrize(("change", "rule"), [
    ({"marks": {"u-unknown": {"overall": "satisfied"}}}, "unknown_unit"),
    ({"marks": {"u-police": {"speed": "satisfied"}}}, "unknown_dimension"),
    ({"appraisal_id": "ap-other"}, "ballot_for_another_appraisal"),
])
def test_a_ballot_for_what_the_round_does_not_appraise_is_refused(change: dict[str, Any], rule: str) -> None:
    h, slips = opened()
    good = ballot(slips[0], {"u-police": "satisfied"})
    changed = good.ballot.model_copy(update=change)
    from surveys.appraisal.credentials import sign

    cast = good.model_copy(update={"ballot": changed, "signature": sign(slips[0].code, changed)})
    with pytest.raises(DomainError) as caught:
        check_ballot(h.state, "ap-2026", cast)
    assert caught.value.rule == rule


def test_a_ballot_with_a_foreign_credential_or_a_bad_signature_is_refused() -> None:
    h, slips = opened()
    stranger = generate(1, COMMITTEE, "ap-2026")[0]
    with pytest.raises(DomainError) as caught:
        check_ballot(h.state, "ap-2026", ballot(stranger, {"u-police": "satisfied"}))
    assert caught.value.rule == "unknown_credential"
    good = ballot(slips[0], {"u-police": "satisfied"})
    forged = good.model_copy(update={"ballot": good.ballot.model_copy(
        update={"marks": {"u-police": {"overall": "dissatisfied"}}})})
    with pytest.raises(DomainError) as caught:
        check_ballot(h.state, "ap-2026", forged)
    assert caught.value.rule == "bad_signature"


def test_the_slip_page_shows_no_public_key_and_no_serial_number() -> None:
    import re

    from surveys.appraisal.slips import page

    slips = generate(9, COMMITTEE, "ap-2026")
    html = page("2026年度执纪执法部门民主评议", slips)
    assert html.count('class="slip"') == 9 and all(s.code in html for s in slips)
    assert not any(s.public_key[:16] in html or s.public_key[-16:] in html for s in slips), "no public key"
    # Take away each slip's own code and QR code: what is left is the same on every slip (no number, no name).
    bodies = re.findall(r'<div class="slip">(.*?)</div>', html, flags=re.S)
    assert len(bodies) == 9
    rest = {re.sub(r"<svg.*?</svg>", "", b, flags=re.S).replace(s.code, "CODE") for b, s in zip(bodies, slips,
                                                                                               strict=True)}
    assert len(rest) == 1, rest
    text = re.sub(r"<[^>]+>", "", rest.pop()).replace("2026", "")
    assert not re.search(r"\d", text), f"no serial number on a slip: {text}"


# ---- online rounds ---------------------------------------------------------------------------------------------

def online() -> tuple[Harness[RoundState], list[Any]]:
    h: Harness[RoundState] = Harness(ROUND)
    h.run(Open("ap-2026", a.OpenAppraisal.model_validate(open_body(invited=0, online=True))), OFFICE)
    slips = generate(h.state.entitled, COMMITTEE, "ap-2026")
    events = h.run(Issue(tuple(s.public_key for s in slips)), OFFICE)
    assert types(events) == ["appraisal-credentials-issued", "appraisal-online-voting-opened"]
    told = events[1]
    assert isinstance(told, AppraisalOnlineVotingOpened)
    assert told.member_ids == sorted([*SUPERVISORS, *MEMBERS]) and "public_keys" not in told.model_dump()
    return h, slips


def online_close(h: Harness[RoundState], cast: list[Any], drawn: list[str], **body: Any) -> Close:
    box = [(boards.ballot_row(check_ballot(h.state, "ap-2026", c)), c.signature) for c in cast]
    board = boards.build(h.state, COMMITTEE, box, entitled=h.state.entitled, issued=len(drawn))
    return Close(a.CloseAppraisal.model_validate({"appraisal_id": "ap-2026", **body}), boards.sealed(board),
                 tuple(drawn))


def test_an_online_round_has_no_invited_representatives_and_its_raters_may_draw() -> None:
    h: Harness[RoundState] = Harness(ROUND)
    h.refused(Open("x", a.OpenAppraisal.model_validate(open_body(online=True))), OFFICE, "online_round_needs_logins")
    h, _ = online()
    check_draw(h.state, "m-li")
    for who, rule in (("m-stranger", "not_entitled"), (None, "not_entitled")):
        with pytest.raises(DomainError) as caught:
            check_draw(h.state, who)
        assert caught.value.rule == rule
    hall, _ = opened()
    with pytest.raises(DomainError) as not_online:
        check_draw(hall.state, "m-li")
    assert not_online.value.rule == "appraisal_not_online"


def test_an_online_round_counts_the_slips_drawn_as_issued_and_credits_those_who_drew() -> None:
    h, slips = online()
    drawn = [*SUPERVISORS, *MEMBERS[:2]]  # five of eight drew: a quorum
    cast = [ballot(s, {"u-police": "satisfied"}) for s in slips[:4]]
    h.refused(online_close(h, cast, drawn, issued=6), OFFICE, "issued_mismatch")
    h.refused(online_close(h, cast, drawn, attendee_member_ids=["m-li"]), OFFICE, "attendees_not_named_online")
    h.refused(online_close(h, cast, drawn[:4]), OFFICE, "quorum_not_met")
    events = h.run(online_close(h, cast, drawn, issued=5), OFFICE)
    shut = events[0]
    assert isinstance(shut, AppraisalClosed) and (shut.issued, shut.returned) == (5, 4)
    assert [e.member_id for e in events[1:] if isinstance(e, AppraisalParticipationRecorded)] == sorted(drawn)


def test_an_in_person_close_names_how_many_were_handed_out() -> None:
    h, _ = opened()
    board = boards.build(h.state, COMMITTEE, [], entitled=h.state.entitled, issued=0)
    h.refused(Close(a.CloseAppraisal.model_validate({"appraisal_id": "ap-2026"}), boards.sealed(board)), OFFICE,
              "issued_required")
