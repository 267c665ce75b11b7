"""Mutations: forwarded to the owning service's command API with the caller's token and an idempotency
key, answered after the gateway's views applied the write, refusals typed. The service here is built from
the real kernel (CommandAPI, EventStore, Relay) with test commands (fake_service.py)."""

from __future__ import annotations

import uuid

import pytest

from contracts import platform
from contracts.envelope import Role
from gateway.commands.catalog import load_catalog
from gateway.tests.conftest import Stack
from gateway.tests.fake_service import events_in
from gateway.tests.harness import token

OUTCOME = """
  __typename
  ... on CommandAccepted { eventIds caughtUp replayed idempotencyKey result streamId
                           query { proposals(filter: {search: "公交"}) {
                                     edges { node { id title status leadMemberId } } } } }
  ... on CommandRefused { rule message status details }
  ... on CommandInvalid { message fields }
"""
SUBMIT = f"""
mutation S($id: String!, $title: String!, $key: String) {{
  fakeSubmit(input: {{proposalId: $id, title: $title}}, idempotencyKey: $key) {{ {OUTCOME} }}
}}"""


async def test_every_service_command_is_a_mutation(stack: Stack) -> None:
    mutation = stack.gateway.schema._schema.mutation_type
    assert mutation is not None
    catalog = load_catalog()
    assert {c.service for c in catalog} == set(platform.SERVICES)
    for command in catalog:
        field = mutation.fields.get(command.field_name)
        assert field is not None, f"{command.service} {command.name} has no mutation"
        assert set(field.args) == {"input", "idempotencyKey"}


async def test_a_mutation_answers_once_its_write_is_in_the_views(stack: Stack, committee: str) -> None:
    me = token(Role.member, committee, member="m-7")
    result = await stack.api.run(SUBMIT, {"id": "X1", "title": "关于公交线路的提案"}, bearer=me)
    out = result.ok()["fakeSubmit"]
    assert out["__typename"] == "CommandAccepted" and out["caughtUp"] is True and out["replayed"] is False
    assert len(out["eventIds"]) == 1 and out["result"] == {"proposal_id": "X1", "actor": "m-7"}
    # read-your-writes: the same answer already shows the proposal in the views
    assert out["query"]["proposals"]["edges"] == [
        {"node": {"id": "X1", "title": "关于公交线路的提案", "status": "submitted", "leadMemberId": "m-7"}}]
    assert await stack.gateway.projector.applied(out["eventIds"])


async def test_a_retried_mutation_acts_once(stack: Stack, committee: str) -> None:
    me = token(Role.member, committee, member="m-8")
    key = str(uuid.uuid4())
    variables = {"id": "X2", "title": "关于公交站台的提案", "key": key}
    first = (await stack.api.run(SUBMIT, variables, bearer=me)).ok()["fakeSubmit"]
    again = (await stack.api.run(SUBMIT, variables, bearer=me)).ok()["fakeSubmit"]
    assert first["__typename"] == again["__typename"] == "CommandAccepted"
    assert again["replayed"] is True and again["eventIds"] == first["eventIds"] and again["idempotencyKey"] == key
    stream = f"proposal:{committee}:X2"
    assert await events_in(stack.pool, stack.fake_schema, stream) == 1
    other = await stack.api.run(SUBMIT, {**variables, "title": "另一个标题的公交提案"}, bearer=me)
    refused = other.ok()["fakeSubmit"]
    assert refused["__typename"] == "CommandRefused" and refused["rule"] == "idempotency_key_reused"
    assert await events_in(stack.pool, stack.fake_schema, stream) == 1


async def test_the_gateway_retries_a_failing_service_with_the_same_key(stack: Stack, committee: str) -> None:
    before = stack.fake_app.requests
    query = """mutation { fakeFlakySubmit(input: {proposalId: "X3", title: "公交专用道"}) {
                 __typename ... on CommandAccepted { eventIds caughtUp } } }"""
    out = (await stack.api.run(query, bearer=token(Role.office_staff, committee))).ok()["fakeFlakySubmit"]
    assert out["__typename"] == "CommandAccepted" and out["caughtUp"] is True
    assert stack.fake_app.requests - before == 2  # a 503, then the retry with the same key
    assert await events_in(stack.pool, stack.fake_schema, f"proposal:{committee}:X3") == 1


async def test_refusals_come_back_typed_naming_the_rule(stack: Stack, committee: str) -> None:
    office = token(Role.office_staff, committee)
    out = (await stack.api.run(f"mutation {{ fakeRefuse(input: {{}}) {{ {OUTCOME} }} }}", bearer=office)).ok()
    assert out["fakeRefuse"] == {"__typename": "CommandRefused", "rule": "title_too_short", "status": 422,
                                 "message": "a title needs at least five characters", "details": {"minimum": 5}}
    out = (await stack.api.run(f"mutation {{ fakeForbid(input: {{}}) {{ {OUTCOME} }} }}", bearer=office)).ok()
    assert out["fakeForbid"]["rule"] == "not_authorized" and out["fakeForbid"]["status"] == 403
    invalid = (await stack.api.run(SUBMIT, {"id": "X4", "title": ""}, bearer=office)).ok()["fakeSubmit"]
    assert invalid["__typename"] == "CommandInvalid" and invalid["fields"] == ["title"]
    await stack.api.run(SUBMIT, {"id": "X5", "title": "公交票价"}, bearer=office)
    clash = (await stack.api.run(SUBMIT, {"id": "X5", "title": "公交票价"}, bearer=office)).ok()["fakeSubmit"]
    assert clash["__typename"] == "CommandRefused" and clash["rule"] == "concurrent_change" and clash["status"] == 409


@pytest.mark.parametrize(("role", "extra", "expected"), [
    (Role.member, {"member": "m-1"}, "CommandAccepted"),
    (Role.office_staff, {}, "CommandAccepted"),
    (Role.admin, {}, "CommandAccepted"),
    (Role.unit_staff, {"unit": "u-1"}, "not_authorized"),
    (Role.leadership, {}, "not_authorized"),
    (Role.service, {}, "not_authorized"),
    (None, {}, "UNAUTHENTICATED"),
])
async def test_a_mutation_acts_as_the_caller(stack: Stack, committee: str, role: Role | None, extra: dict[str, str],
                                            expected: str) -> None:
    calls = len(stack.fake_app.calls)
    bearer = token(role, committee, **extra) if role else None
    result = await stack.api.run(SUBMIT, {"id": f"R-{uuid.uuid4().hex[:6]}", "title": "公交"}, bearer=bearer)
    if role is None:
        assert result.codes == ["UNAUTHENTICATED"]
        assert len(stack.fake_app.calls) == calls, "an anonymous mutation must not reach the service"
        return
    out = result.ok()["fakeSubmit"]
    assert (out["__typename"] if expected == "CommandAccepted" else out["rule"]) == expected


async def test_two_mutations_in_one_request_each_read_their_own_write(stack: Stack, committee: str) -> None:
    query = """mutation {
      a: fakeSubmit(input: {proposalId: "T1", title: "公交一"}) { ... on CommandAccepted { query { ...P } } }
      b: fakeSubmit(input: {proposalId: "T2", title: "公交二"}) { ... on CommandAccepted { query { ...P } } }
    }
    fragment P on Query { proposals(filter: {search: "公交"}) { edges { node { id } } } }"""
    out = (await stack.api.run(query, bearer=token(Role.member, committee, member="m-9"))).ok()
    assert [e["node"]["id"] for e in out["a"]["query"]["proposals"]["edges"]] == ["T1"]
    assert [e["node"]["id"] for e in out["b"]["query"]["proposals"]["edges"]] == ["T1", "T2"]
