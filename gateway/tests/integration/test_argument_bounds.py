"""Argument bounds, as a client meets them: a read's arguments get the same bounds as a command's fields. Text
the database cannot store (NUL, a lone surrogate), text over the long-text bound, or an id of the wrong shape
is answered as a validation error naming the argument (and the rule), before any resolver runs: never a
database error, never an internal one. Well-formed reads are untouched, pagination cursors included."""

from __future__ import annotations

import json
from typing import Any

import httpx

from contracts.bounded import IDENTIFIER_PATTERN, MAX_ID, MAX_LONG_TEXT
from contracts.envelope import Role
from gateway.tests import events as ev
from gateway.tests.conftest import Stack
from gateway.tests.fake_service import events_in
from gateway.tests.harness import Feed, Result, token

# What a database or internal error would put in a response; none of it may appear.
LEAKS = ("asyncpg", "postgres", "invalid byte sequence", "0x00", "untranslatable", "unexpected error",
         "traceback", "codec")

PROPOSAL = "query Proposal($id: ID!) { proposal(id: $id) { id title } }"
SEARCH = "query Search($filter: ProposalFilter) { proposals(filter: $filter) { totalCount } }"
MEMBERS = """query Members($filter: MemberFilter, $first: Int, $after: String) {
  members(filter: $filter, first: $first, after: $after) {
    totalCount pageInfo { endCursor hasNextPage } edges { node { id name } } } }"""
# Members' names of 20 characters: their cursors (the sort key, encoded) are longer than any id.
LONG_NAMES = {"m022": "欧阳" + "文" * 18, "m024": "欧阳" + "武" * 18}


def refused(result: Result, rule: str, argument: str, variable: str | None = None) -> dict[str, Any]:
    """The one error of a request refused by an argument's bound: naming the argument and the rule, leaking
    nothing of the database, and with no data (no resolver ran)."""
    assert result.data is None, result.data
    assert len(result.errors) == 1, result.errors
    error = result.errors[0]
    extensions = error["extensions"]
    assert extensions["code"] == "BAD_USER_INPUT", error
    assert extensions["rule"] == rule and extensions["argument"] == argument, error
    assert extensions.get("variable") == variable, error
    assert (variable or argument) in error["message"] and argument in error["message"], error
    text = json.dumps(result.errors, ensure_ascii=True).lower()
    assert not [leak for leak in LEAKS if leak in text], result.errors
    return error


async def registry(feed: Feed, stack: Stack) -> None:
    await feed.emit(*ev.member_registered("m021", "张伟"))
    for member_id, name in LONG_NAMES.items():
        await feed.emit(*ev.member_registered(member_id, name))
    await feed.emit(*ev.member_registered("m023", "李娜"))
    await feed.emit(*ev.unit_registered("u-jyj", "县教育局"))
    await feed.emit(*ev.proposal_submitted("P-1", "关于改善乡村学校条件的提案", "m021"))
    await feed.emit(*ev.proposal_accepted("P-1", "2026-001", "m021"))
    await feed.emit(*ev.proposal_assigned("P-1", ["u-jyj"], "2026-08-01"))
    await feed.settle(stack.gateway.projector)


async def test_a_nul_in_an_inline_proposal_id_is_refused_before_the_database(stack: Stack, committee: str) -> None:
    office = token(Role.office_staff, committee)
    result = await stack.api.run('{ proposal(id: "P-1\\u0000x") { id } }', bearer=office)
    error = refused(result, "text_nul_character", "proposal.id")
    assert "NUL character" in error["message"] and len(error["locations"]) == 1  # the argument's value


async def test_a_nul_in_a_variable_is_refused_naming_the_variable(stack: Stack, committee: str) -> None:
    office = token(Role.office_staff, committee)
    result = await stack.api.run(PROPOSAL, {"id": "P-1\x00"}, bearer=office)
    refused(result, "text_nul_character", "proposal.id", "$id")
    # the same in a member's scorecard, and a NUL in the search words of a list
    card = await stack.api.run("query Card($m: ID!) { memberScorecard(memberId: $m, year: 2026) { total } }",
                               {"m": "m\x00021"}, bearer=office)
    refused(card, "text_nul_character", "memberScorecard.memberId", "$m")
    search = await stack.api.run(SEARCH, {"filter": {"search": "学校\x00"}}, bearer=office)
    refused(search, "text_nul_character", "proposals.filter.search", "$filter.search")


async def test_a_lone_surrogate_sent_as_raw_json_is_refused(stack: Stack, committee: str) -> None:
    # JSON may carry "\ud800" (half of a UTF-16 pair); a Python client would not send it, so write the body.
    body = ('{"query": ' + json.dumps(SEARCH) + ', "variables": {"filter": {"search": "\\ud800\\u5b66"}}}').encode()
    headers = {"Authorization": f"Bearer {token(Role.office_staff, committee)}", "Content-Type": "application/json"}
    async with httpx.AsyncClient() as client:
        response = await client.post(stack.api.url, content=body, headers=headers)
    assert response.status_code == 200, response.text
    answer = response.json()
    error = refused(Result(answer.get("data"), answer.get("errors", [])), "text_lone_surrogate",
                    "proposals.filter.search", "$filter.search")
    assert "lone surrogate" in error["message"]


async def test_an_id_of_the_wrong_shape_is_refused(stack: Stack, committee: str) -> None:
    office = token(Role.office_staff, committee)
    spaced = refused(await stack.api.run('{ member(id: "m 021") { name } }', bearer=office),
                     "string_pattern_mismatch", "member.id")
    assert spaced["extensions"]["pattern"] == IDENTIFIER_PATTERN
    refused(await stack.api.run(PROPOSAL, {"id": "../P-1"}, bearer=office), "string_pattern_mismatch",
            "proposal.id", "$id")
    refused(await stack.api.run(PROPOSAL, {"id": ""}, bearer=office), "string_pattern_mismatch", "proposal.id", "$id")
    too_long = refused(await stack.api.run(PROPOSAL, {"id": "P" * (MAX_ID + 1)}, bearer=office),
                       "string_too_long", "proposal.id", "$id")
    assert too_long["extensions"]["limit"] == MAX_ID
    # an id in a filter: a unit is named by its id (u-jyj), not by its name
    refused(await stack.api.run(SEARCH, {"filter": {"unitId": "县教育局"}}, bearer=office),
            "string_pattern_mismatch", "proposals.filter.unitId", "$filter.unitId")


async def test_search_words_over_the_long_text_bound_are_refused(stack: Stack, committee: str) -> None:
    office = token(Role.office_staff, committee)
    over = await stack.api.run(MEMBERS, {"filter": {"search": "张" * (MAX_LONG_TEXT + 1)}}, bearer=office)
    error = refused(over, "string_too_long", "members.filter.search", "$filter.search")
    assert error["extensions"]["limit"] == MAX_LONG_TEXT
    assert len(error["message"]) < 300  # the text is not echoed back
    at_bound = await stack.api.run(MEMBERS, {"filter": {"search": "张" * MAX_LONG_TEXT}}, bearer=office)
    assert at_bound.ok()["members"]["totalCount"] == 0
    cursor = await stack.api.run(MEMBERS, {"after": "x" * (MAX_LONG_TEXT + 1)}, bearer=office)
    refused(cursor, "string_too_long", "members.after", "$after")


async def test_a_nested_input_field_is_named_by_its_path(stack: Stack, committee: str) -> None:
    office = token(Role.office_staff, committee)
    inline = await stack.api.run('{ proposals(filter: {year: 2026, unitId: "u-jyj\\u0000"}) { totalCount } }',
                                 bearer=office)
    refused(inline, "text_nul_character", "proposals.filter.unitId")
    # a command's input too, in a list: refused before the service is asked
    submit = ('mutation { fakeSubmit(input: {proposalId: "X-bounds", title: "关于校车的提案", '
              'cosignerMemberIds: ["m021", "m\\u0000022"]}) { __typename } }')
    result = await stack.api.run(submit, bearer=token(Role.member, committee, member="m021"))
    refused(result, "text_nul_character", "fakeSubmit.input.cosignerMemberIds.1")
    assert await events_in(stack.pool, stack.fake_schema, f"proposal:{committee}:X-bounds") == 0


async def test_a_commands_long_text_is_left_to_the_command(stack: Stack, committee: str) -> None:
    # A command's input may be longer than a read's (a roster file in base64): the service's model bounds
    # each of its fields, so the gateway forwards a reason of 25,000 characters, and the service answers.
    mutation = "mutation Refuse($r: String!) { fakeRefuse(input: {reason: $r}) { __typename } }"
    result = await stack.api.run(mutation, {"r": "理" * 25_000}, bearer=token(Role.office_staff, committee))
    assert result.ok()["fakeRefuse"] == {"__typename": "CommandRefused"}


async def test_well_formed_reads_still_work(stack: Stack, feed: Feed, committee: str) -> None:
    await registry(feed, stack)
    office = token(Role.office_staff, committee)
    assert (await stack.api.run(PROPOSAL, {"id": "P-1"}, bearer=office)).ok()["proposal"] == {
        "id": "P-1", "title": "关于改善乡村学校条件的提案"}
    assert (await stack.api.run('{ member(id: "m021") { name } }', bearer=office)).ok() == {"member": {"name": "张伟"}}
    by_unit = await stack.api.run(SEARCH, {"filter": {"unitId": "u-jyj", "search": "学校"}}, bearer=office)
    assert by_unit.ok()["proposals"]["totalCount"] == 1
    absent = await stack.api.run(PROPOSAL, {"id": "a" * MAX_ID}, bearer=office)
    assert absent.ok()["proposal"] is None
    # A cursor is opaque text, not an id: longer than 64 characters, it still pages on.
    ouyang = {"search": "欧阳"}
    first = (await stack.api.run(MEMBERS, {"filter": ouyang, "first": 1}, bearer=office)).ok()["members"]
    cursor = first["pageInfo"]["endCursor"]
    assert first["pageInfo"]["hasNextPage"] is True and len(cursor) > MAX_ID, first
    rest = (await stack.api.run(MEMBERS, {"filter": ouyang, "first": 1, "after": cursor}, bearer=office)).ok()
    pages = [first["edges"][0]["node"]["id"], *(e["node"]["id"] for e in rest["members"]["edges"])]
    assert sorted(pages) == sorted(LONG_NAMES) and rest["members"]["pageInfo"]["hasNextPage"] is False


async def test_a_document_asked_before_is_still_checked_when_its_variables_carry_text(
        stack: Stack, committee: str) -> None:
    office = token(Role.office_staff, committee)
    document = "query Again($id: ID!, $n: Int) { proposal(id: $id) { id } members(first: $n) { totalCount } }"
    for _ in range(2):  # known valid from the first answer on
        assert (await stack.api.run(document, {"id": "P-1", "n": 5}, bearer=office)).errors == []
    refused(await stack.api.run(document, {"id": "P-1\x00", "n": 5}, bearer=office), "text_nul_character",
            "proposal.id", "$id")


async def test_a_variable_deep_in_a_known_documents_literal_is_still_checked(stack: Stack, committee: str) -> None:
    """Once a document passed, only its variables are looked at again: one inside a list inside an input
    literal, and one in a fragment, are still refused by their path, and nothing reaches the service."""
    member = token(Role.member, committee, member="m021")
    submit = ('mutation Cosign($p: String!, $c: String!) { fakeSubmit(input: {proposalId: $p, title: "关于校车的提案", '
              'cosignerMemberIds: ["m022", $c]}) { __typename } }')
    for n in range(2):
        assert (await stack.api.run(submit, {"p": f"X-deep-{n}", "c": "m023"}, bearer=member)).errors == []
    result = await stack.api.run(submit, {"p": "X-deep-2", "c": "m\x00023"}, bearer=member)
    refused(result, "text_nul_character", "fakeSubmit.input.cosignerMemberIds.1", "$c")
    assert await events_in(stack.pool, stack.fake_schema, f"proposal:{committee}:X-deep-2") == 0
    office = token(Role.office_staff, committee)
    spread = "query Spread($id: ID!) { ...P } fragment P on Query { proposal(id: $id) { id } }"
    for _ in range(2):
        assert (await stack.api.run(spread, {"id": "P-1"}, bearer=office)).errors == []
    refused(await stack.api.run(spread, {"id": "P 1"}, bearer=office), "string_pattern_mismatch", "proposal.id", "$id")


async def test_one_operation_of_a_document_passing_does_not_pass_the_other(stack: Stack, committee: str) -> None:
    """The gateway remembers a document that passed its checks, as the operation that was run: the other
    operation of the same text is checked on its own (here it asks one field more often than the limit)."""
    repeated = " ".join(["title"] * 25)
    document = f'query Fine {{ proposal(id: "P-1") {{ id }} }} query Greedy {{ proposal(id: "P-1") {{ {repeated} }} }}'
    headers = {"Authorization": f"Bearer {token(Role.office_staff, committee)}"}
    async with httpx.AsyncClient() as client:
        answers = [(await client.post(stack.api.url, json={"query": document, "operationName": name},
                                      headers=headers)).json() for name in ("Fine", "Fine", "Greedy")]
    assert "errors" not in answers[0] and "errors" not in answers[1], answers
    [error] = answers[2]["errors"]
    assert error["extensions"]["rule"] == "max_repeats", error
