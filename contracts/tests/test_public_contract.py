"""The public contract, as other county systems get it: a decision for every fact, nothing personal or sealed
in any public event, and the pure functions that make public events from internal ones."""

from __future__ import annotations

import pytest
from pydantic import BaseModel

from contracts.export import public_json_schema
from contracts.members.scoring import MemberGraded
from contracts.proposals.enums import Rating, SubmitterKind
from contracts.proposals.proposal import ProposalDrafted, ProposalEvaluated
from contracts.public import (
    PUBLIC,
    Publication,
    PublicRegistry,
    PublicView,
    field_names,
    forbidden_names,
    is_actor_field,
    publish,
)
from contracts.registry import REGISTRY, DomainEvent, EventRegistry, event_type


def forbidden_in(view: PublicView) -> set[str]:
    """What a public view would show that it must not, anywhere in its exported schema (nested models
    included): the check every declared view passes."""
    return forbidden_names(view, field_names(public_json_schema(view.type, _single(view))))


def _single(view: PublicView) -> PublicRegistry:
    registry = PublicRegistry()
    registry.declare([view])
    return registry


def test_every_fact_the_platform_records_has_a_public_decision() -> None:
    assert PUBLIC.undeclared() == [], "declare it in contracts/<svc>/public.py: publish, derive or withhold"


@pytest.mark.parametrize("view", PUBLIC.published(), ids=lambda v: v.type)
def test_no_public_event_carries_free_text_contact_data_ratings_or_unpublished_performance(view: PublicView) -> None:
    assert forbidden_in(view) == set()


def test_the_check_fails_a_public_event_that_would_carry_a_forbidden_field() -> None:
    registry = EventRegistry()

    @event_type("leave-noted", topic="members.internal", registry=registry)
    class LeaveNoted(DomainEvent):
        member_id: str
        reason: str

    assert forbidden_in(publish(LeaveNoted)) == {"reason"}
    assert forbidden_in(publish(LeaveNoted, omit={"reason"})) == set()


def test_the_check_fails_an_actor_id_in_a_public_event() -> None:
    registry = EventRegistry()

    @event_type("year-closed", topic="members.internal", registry=registry)
    class YearClosed(DomainEvent):
        year: int
        closed_by: str
        staff_id: str

    assert forbidden_in(publish(YearClosed)) == {"closed_by", "staff_id"}
    assert forbidden_in(publish(YearClosed, omit={"closed_by", "staff_id"})) == set()
    for name in ("year-graded", "year-rescored", "unit-staff-added"):
        assert not {n for n in PUBLIC.view(name).model.model_fields if is_actor_field(n)}, name  # type: ignore[union-attr]


def test_the_check_fails_unpublished_performance_nested_in_a_public_event() -> None:
    registry = EventRegistry()

    class Standing(BaseModel):
        member_id: str
        grade: str

    @event_type("sector-reviewed", topic="members.internal", registry=registry)
    class SectorReviewed(DomainEvent):
        sector: str
        standings: list[Standing]

    assert forbidden_in(publish(SectorReviewed)) == {"grade"}
    assert forbidden_in(publish(SectorReviewed, omit={"standings"})) == set()
    assert forbidden_in(publish(SectorReviewed, only_if="member_performance")) == set()


def test_withheld_facts_say_why_and_make_no_public_event() -> None:
    withheld = [v for v in PUBLIC.views.values() if v.model is None]
    assert {v.type for v in withheld} >= {"proposal-drafted", "opinion-report-submitted", "liaison-contact-added",
                                          "notification-created"}
    assert all(v.withheld_because for v in withheld)
    draft = ProposalDrafted(proposal_id="p-1", submitter_kind=SubmitterKind.individual, lead_member_id="m-1",
                            category="economy", title="关于加快老旧小区改造的提案", case="案由", analysis="分析",
                            suggestions=["建议一"])
    assert PUBLIC.view("proposal-drafted")(draft) is None


def test_no_sealed_or_individual_rating_field_is_public() -> None:
    for name in ("proposal-evaluated", "evaluations-completed"):
        model = PUBLIC.view(name).model
        assert model is not None
        assert not set(model.model_fields) & {"rating", "attitude", "contact", "comment", "ratings", "member_id"}
    evaluated = ProposalEvaluated(proposal_id="p-1", unit_id="u-1", round=1, member_id="m-1",
                                  rating=Rating.dissatisfied, attitude=Rating.satisfied, contact=Rating.satisfied,
                                  comment="答复敷衍")
    public = PUBLIC.view("proposal-evaluated")(evaluated)
    assert public is not None and public.model_dump() == {"proposal_id": "p-1", "unit_id": "u-1", "round": 1}


def test_members_grades_are_public_only_where_the_committee_publishes_its_assessment() -> None:
    graded = MemberGraded(member_id="m-7", year=2026, total=52, grade="incompetent", grade_by_points="incompetent",
                          flags=["absent_twice"], rulebook_version=1)
    view = PUBLIC.view("member-graded")
    assert view(graded) is None
    shown = view(graded, Publication(member_performance=True))
    assert shown is not None and shown.model_dump()["grade"] == "incompetent"


def test_an_omitted_field_leaves_no_trace_and_the_rest_is_copied_as_is() -> None:
    view = PUBLIC.view("leave-requested")
    internal = REGISTRY.model("leave-requested").model_validate(
        {"meeting_id": "mt-1", "member_id": "m-3", "reason": "illness"})
    public = view(internal)
    assert public is not None and public.model_dump(mode="json") == {"meeting_id": "mt-1", "member_id": "m-3"}
