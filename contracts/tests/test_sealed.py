"""Sealed ratings in the contract (contracts.sealed): a proposer's feedback form is read before the round's
evaluations are complete only by the office and by the proposer themself; the completion carries the
ratings to everyone who may read it. By property: whatever a proposer wrote, no reader outside the office
who is not that proposer finds a sealed key in what they are handed."""

from __future__ import annotations

import json

from hypothesis import given
from hypothesis import strategies as st

from contracts import REGISTRY
from contracts.envelope import Role
from contracts.proposals.common import RatingEntry
from contracts.proposals.enums import Rating
from contracts.proposals.proposal import EvaluationsCompleted, ProposalEvaluated
from contracts.sealed import OUTSIDER, SEALED_UNTIL, Reader, may_see, sealed_fields, seals, visible

FORM = {"rating", "attitude", "contact", "comment"}
EVALUATED = "proposal-evaluated"


def form(member: str = "m-zhang", comment: str = "进度太慢") -> dict[str, object]:
    return ProposalEvaluated(proposal_id="p-1", unit_id="u-water", round=1, member_id=member,
                             rating=Rating.dissatisfied, attitude=Rating.satisfied,
                             contact=Rating.basically_satisfied, comment=comment).model_dump(mode="json")


def test_the_proposers_answers_are_the_sealed_fields_and_nothing_else_is_sealed() -> None:
    assert sealed_fields() == {EVALUATED: frozenset(FORM)}
    for seal in seals(EVALUATED):
        assert seal.until == "evaluations-completed" and seal.until in REGISTRY.names()
        assert seal.owner == "member_id" and seal.owner in ProposalEvaluated.model_fields


def test_the_exported_schema_marks_each_sealed_property() -> None:
    properties = ProposalEvaluated.model_json_schema()["properties"]
    assert {name for name, p in properties.items() if SEALED_UNTIL in p} == FORM
    assert json.dumps(properties["rating"]).count("evaluations-completed") == 1


def test_a_unit_reads_who_rated_which_reply_but_not_the_answers() -> None:
    seen = visible(EVALUATED, form(), Reader(Role.unit_staff))
    assert seen == {"proposal_id": "p-1", "unit_id": "u-water", "round": 1, "member_id": "m-zhang"}
    assert not may_see(EVALUATED, form(), Reader(Role.unit_staff))


def test_another_proposer_and_an_outside_system_read_no_answer_either() -> None:
    for reader in (Reader(Role.member, "m-li"), Reader(Role.member), OUTSIDER):
        assert FORM.isdisjoint(visible(EVALUATED, form(), reader)), reader


def test_the_office_leadership_admin_and_the_proposer_themself_read_the_whole_form() -> None:
    for reader in (Reader(Role.office_staff), Reader(Role.leadership), Reader(Role.admin),
                   Reader(Role.member, "m-zhang")):
        assert visible(EVALUATED, form(), reader) == form(), reader
        assert may_see(EVALUATED, form(), reader)


def test_once_the_round_is_complete_everyone_who_reads_the_form_reads_it_whole() -> None:
    assert visible(EVALUATED, form(), Reader(Role.unit_staff), released=True) == form()
    assert may_see(EVALUATED, form(), OUTSIDER, released=True)


def test_the_completion_is_the_release_it_carries_every_rating_to_the_unit() -> None:
    done = EvaluationsCompleted(proposal_id="p-1", unit_id="u-water", round=1, dissatisfied=True,
                                ratings=[RatingEntry(member_id="m-li", rating=Rating.satisfied),
                                         RatingEntry(member_id="m-zhang", rating=Rating.dissatisfied)])
    data = done.model_dump(mode="json")
    assert visible("evaluations-completed", data, Reader(Role.unit_staff)) == data


def test_a_type_without_seals_and_an_unknown_type_pass_unchanged() -> None:
    data = {"proposal_id": "p-1", "rating": "satisfied"}
    assert visible("proposal-replied", data, OUTSIDER) == data
    assert visible("not-a-contract-type", data, OUTSIDER) == data


ids = st.text(alphabet="abcdefghijklmnopqrstuvwxyz0123456789-", min_size=1, max_size=12)
forms = st.builds(ProposalEvaluated, proposal_id=ids, unit_id=ids, round=st.integers(0, 9), member_id=ids,
                  rating=st.sampled_from(Rating), attitude=st.sampled_from(Rating), contact=st.sampled_from(Rating),
                  comment=st.text(max_size=40).filter(lambda t: "\x00" not in t))
outsiders = st.builds(Reader, role=st.sampled_from([Role.member, Role.unit_staff, Role.service]),
                      member_id=st.none() | ids)


@given(forms, outsiders)
def test_no_sealed_key_reaches_a_reader_outside_the_office_who_is_not_the_proposer(
        event: ProposalEvaluated, reader: Reader) -> None:
    if reader.role is Role.member and reader.member_id == event.member_id:
        reader = Reader(Role.member, reader.member_id + "-other")
    data = event.model_dump(mode="json")
    seen = visible(EVALUATED, data, reader)
    assert FORM.isdisjoint(seen)
    assert seen == {k: v for k, v in data.items() if k not in FORM}, "everything unsealed is kept"
    assert not may_see(EVALUATED, data, reader)
    assert visible(EVALUATED, data, reader, released=True) == data
