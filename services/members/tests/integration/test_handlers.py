"""The handlers driven directly, without HTTP: one transaction per command through the kernel's unit of work,
members looked up within the caller's committee, private data committed with the events or not at all,
refusals that name the fields they are about — and nothing a member did before joining is recorded."""

from __future__ import annotations

import asyncio
from datetime import date
from typing import Any

import pytest

from contracts.envelope import Role
from contracts.members.commands import (
    GrantAward,
    LogVisit,
    RecordCharity,
    RecordLiaisonVisit,
    RecordTraining,
    RegisterMember,
    ScheduleMeeting,
    UpdateMember,
)
from contracts.members.contact_details import ContactDetails
from contracts.members.enums import ChairRole, Sector
from eventstore.errors import DomainError
from members import handlers
from members.parts import MembersParts
from members.tests.conftest import COMMITTEE, Client, context, member_body
from members.tests.integration.test_roster_import import GOOD_1

OFFICE = context()


def wang(**changes: Any) -> RegisterMember:
    """王芳, an education-sector member who joined the committee on 1 June 2025."""
    data: dict[str, Any] = {"member_id": "m-wang", "name": "王芳", "sector": Sector.education, "term": 16,
                            "joined_on": date(2025, 6, 1), **changes}
    return RegisterMember.model_validate(data)


def chair() -> RegisterMember:
    return RegisterMember(member_id="m-chair", name="李主席", sector=Sector.cpc, term=16, standing_committee=True,
                          chair_role=ChairRole.chair, joined_on=date(2022, 1, 10))


async def refusal(parts: MembersParts, handler: Any, command: Any, ctx: Any = OFFICE) -> DomainError:
    with pytest.raises(DomainError) as refused:
        await handler(parts, command, ctx)
    return refused.value


async def events_of(parts: MembersParts, stream_id: str) -> list[str]:
    return [e.envelope.type for e in await parts.store.read_stream(stream_id)]


async def test_a_member_registered_by_the_handler_is_answered_with_what_was_written(parts: MembersParts) -> None:
    outcome = await handlers.register_member(parts, wang(), OFFICE)
    assert outcome.written is not None and outcome.written.stream_id == "member-county-a-m-wang"
    assert outcome.result == {"member_id": "m-wang", "events": ["member-registered"]}
    again = await refusal(parts, handlers.register_member, wang())
    assert (again.rule, again.fields) == ("member_already_registered", ["member_id"])


async def test_training_charity_and_awards_before_a_member_joined_are_refused(parts: MembersParts) -> None:
    await handlers.register_member(parts, wang(), OFFICE)
    before_joining: list[tuple[Any, Any, str]] = [
        (handlers.record_training, RecordTraining(training_id="tr-1", kind="theory_study", title="理论学习",
                                                  held_on=date(2025, 3, 1), member_ids=["m-wang"]), "held_on"),
        (handlers.record_charity, RecordCharity(charity_id="ch-1", kind="school_donation", title="捐资助学",
                                                done_on=date(2025, 5, 31), member_ids=["m-wang"]), "done_on"),
        (handlers.grant_award, GrantAward(award_id="aw-1", title="优秀政协委员", level="county",
                                          granted_on=date(2024, 12, 1), member_ids=["m-wang"]), "granted_on"),
        (handlers.record_liaison_visit, RecordLiaisonVisit(liaison_visit_id="lv-1", contact_id="c-1",
                                                           visitor_member_ids=["m-wang"],
                                                           visited_on=date(2025, 1, 5)), "visited_on"),
    ]
    for handler, command, day_field in before_joining:
        refused = await refusal(parts, handler, command)
        assert refused.rule == "date_before_joining", handler.__name__
        assert refused.fields[0] == day_field and refused.details["member_ids"] == ["m-wang"]
        assert "m-wang joined on 2025-06-01" in refused.message
    # Nothing was recorded; from the day she joined, her activities count.
    assert await events_of(parts, "training-county-a-tr-1") == []
    on_the_day = RecordTraining(training_id="tr-2", kind="theory_study", title="新委员培训", held_on=date(2025, 6, 1),
                                member_ids=["m-wang"])
    await handlers.record_training(parts, on_the_day, OFFICE)
    assert await events_of(parts, "training-county-a-tr-2") == ["training-recorded"]


async def test_a_visit_before_the_visitor_or_the_visited_member_joined_is_refused(parts: MembersParts) -> None:
    await handlers.register_member(parts, wang(), OFFICE)
    await handlers.register_member(parts, chair(), OFFICE)
    own_sector = LogVisit(visit_id="v-1", kind="member_visits_sector", visitor_member_id="m-wang",
                          visited_sector=Sector.education, visited_on=date(2025, 5, 20),
                          roles=["policy_explainer"], people_reached=8)
    refused = await refusal(parts, handlers.log_visit, own_sector, context(Role.member, "m-wang", member_id="m-wang"))
    assert (refused.rule, refused.fields) == ("date_before_joining", ["visited_on", "visitor_member_id"])
    chair_visit = LogVisit(visit_id="v-2", kind="chair_visits_member", visitor_member_id="m-chair",
                           visited_member_ids=["m-wang"], visited_on=date(2025, 4, 2),
                           roles=["grassroots_investigator"], people_reached=1)
    refused = await refusal(parts, handlers.log_visit, chair_visit)
    assert (refused.rule, refused.fields) == ("date_before_joining", ["visited_on", "visited_member_ids"])
    assert refused.details["member_ids"] == ["m-wang"]
    await handlers.log_visit(parts, chair_visit.model_copy(update={"visited_on": date(2025, 7, 2)}), OFFICE)
    assert await events_of(parts, "visit-county-a-v-2") == ["visit-logged"]


async def test_a_refusal_names_the_fields_it_is_about(parts: MembersParts) -> None:
    await handlers.register_member(parts, wang(), OFFICE)
    future = await refusal(parts, handlers.log_visit, LogVisit(
        visit_id="v-1", kind="member_visits_sector", visitor_member_id="m-wang", visited_sector=Sector.education,
        visited_on=date(2026, 1, 5), roles=["policy_explainer"], people_reached=3))
    assert (future.rule, future.fields) == ("date_in_future", ["visited_on"])
    unknown = await refusal(parts, handlers.record_charity, RecordCharity(
        charity_id="ch-1", kind="poverty_relief", title="扶贫济困", done_on=date(2025, 7, 1),
        member_ids=["m-wang", "m-nobody"]))
    assert (unknown.rule, unknown.fields, unknown.details) == ("unknown_member", ["member_ids"],
                                                               {"member_ids": ["m-nobody"]})
    chair_not_standing = await refusal(parts, handlers.register_member, wang(member_id="m-li", chair_role="chair"))
    assert (chair_not_standing.rule, chair_not_standing.fields) == ("chair_must_be_standing",
                                                                    ["chair_role", "standing_committee"])
    backwards = await refusal(parts, handlers.schedule_meeting, ScheduleMeeting(
        meeting_id="mtg-1", kind="plenary", title="全体会议", starts_at="2025-12-21T09:00:00+08:00",
        ends_at="2025-12-21T08:00:00+08:00"))
    assert (backwards.rule, backwards.fields) == ("meeting_ends_before_start", ["ends_at"])


async def test_a_refused_contact_leaves_neither_the_event_nor_the_contact_behind(parts: MembersParts) -> None:
    await handlers.register_member(parts, wang(contact=ContactDetails(id_number=GOOD_1)), OFFICE)
    same_person = wang(member_id="m-wang-2", name="王芳芳", contact=ContactDetails(id_number=GOOD_1,
                                                                                   phone="13800138009"))
    refused = await refusal(parts, handlers.register_member, same_person)
    assert (refused.rule, refused.fields) == ("duplicate_id_number", ["contact.id_number"])
    assert await events_of(parts, "member-county-a-m-wang-2") == []
    async with parts.pool.acquire() as conn:
        assert await parts.private.member_contact(conn, COMMITTEE, "m-wang-2") is None
    # The same for an update: giving another member's ID number changes neither the registry nor the contact.
    await handlers.register_member(parts, wang(member_id="m-zhao", name="赵强"), OFFICE)
    refused = await refusal(parts, handlers.update_member, UpdateMember(
        member_id="m-zhao", township_id="chengguan", contact=ContactDetails(id_number=GOOD_1)))
    assert (refused.rule, refused.fields) == ("duplicate_id_number", ["contact.id_number"])
    assert await events_of(parts, "member-county-a-m-zhao") == ["member-registered"]


async def test_two_offices_registering_the_same_member_at_once_register_them_once(parts: MembersParts) -> None:
    first, second = await asyncio.gather(
        handlers.register_member(parts, wang(contact=ContactDetails(phone="13800138001")), OFFICE),
        handlers.register_member(parts, wang(contact=ContactDetails(phone="13800138002")), context(actor_id="li")),
        return_exceptions=True)
    outcomes = [r for r in (first, second) if not isinstance(r, BaseException)]
    refusals = [r for r in (first, second) if isinstance(r, DomainError)]
    assert len(outcomes) == 1 and [r.rule for r in refusals] == ["member_already_registered"]
    assert await events_of(parts, "member-county-a-m-wang") == ["member-registered"]
    async with parts.pool.acquire() as conn:
        kept = await parts.private.member_contact(conn, COMMITTEE, "m-wang")
    winner = 1 if first is outcomes[0] else 2
    assert kept is not None and kept.phone == f"1380013800{winner}", "the refused registration's phone is not kept"


async def test_members_of_another_committee_are_nobody_here(parts: MembersParts) -> None:
    await handlers.register_member(parts, wang(), context(committee="county-b"))
    refused = await refusal(parts, handlers.record_training, RecordTraining(
        training_id="tr-1", kind="theory_study", title="理论学习", held_on=date(2025, 7, 1), member_ids=["m-wang"]))
    assert (refused.rule, refused.fields) == ("unknown_member", ["member_ids"])


async def test_refusals_over_http_carry_the_fields(client: Client) -> None:
    await client.command("register-member", member_body("m-wang", "王芳", joined_on="2025-06-01"))
    refused = await client.command("record-charity", {"charity_id": "c-1", "kind": "school_donation",
                                                      "title": "捐资助学", "done_on": "2025-05-01",
                                                      "member_ids": ["m-wang"]}, expect=422)
    assert refused["error"]["code"] == "date_before_joining"
    assert refused["error"]["fields"] == ["done_on", "member_ids"]
    assert refused["error"]["details"] == {"member_ids": ["m-wang"]}
