"""Hostile requests cost what they check: a fragment bomb, nested variables, an oversized idempotency key, and
more requests than a process takes at once are each refused with an error naming the rule, never a 500, and
the limits' work grows with the document, not with what it would expand to."""

from __future__ import annotations

import asyncio
import json
import uuid
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from graphql import parse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from contracts.envelope import Role
from gateway.app import build_gateway
from gateway.config import GatewayConfig
from gateway.limits import MAX_DEPTH, MAX_JSON_NESTING, MAX_REPEATS, text_refusals
from gateway.tests.conftest import Stack
from gateway.tests.fake_service import events_in
from gateway.tests.harness import token
from yizheng.infra import Endpoints
from yizheng.testing.asgi_server import serve


def fragment_bomb(n: int) -> str:
    """n fragments, each spreading the one before twice: 2^n fields once expanded, ~36 bytes a fragment."""
    fragments = ["fragment F0 on Me { role }"]
    fragments += [f"fragment F{i} on Me {{ ...F{i - 1} ...F{i - 1} }}" for i in range(1, n)]
    return f"{{ me {{ ...F{n - 1} }} }}\n" + "\n".join(fragments)


async def test_a_fragment_bomb_is_refused_by_the_cost_rule(stack: Stack, committee: str) -> None:
    result = await stack.api.run(fragment_bomb(30), bearer=token(Role.office_staff, committee))
    assert result.codes == ["QUERY_TOO_COSTLY"], result.errors
    error = result.errors[0]["extensions"]
    assert error["rule"] == "max_cost" and error["cost"] == 2**29 + 1  # `me` and 2^29 `role`s, counted not walked
    # measured on the text, each fragment once: a few tokens a fragment, stepped over a bounded number of times
    _, scan = text_refusals(stack.gateway.schema._schema, fragment_bomb(30), {}, None)
    assert scan.token_count <= 11 * 30 and scan.work <= 3 * scan.token_count


async def test_a_fragment_cycle_and_a_repeated_field_are_refused_naming_the_rule(stack: Stack, committee: str) -> None:
    bearer = token(Role.office_staff, committee)
    cycle = await stack.api.run("{ me { ...A } } fragment A on Me { ...B } fragment B on Me { role ...A }",
                                bearer=bearer)
    assert result_rules(cycle.errors) == ["fragment_cycle"]
    # the same field asked over and over (graphql-core would compare each pair): refused before that
    repeated = await stack.api.run("{ " + "me { role } " * (MAX_REPEATS + 1) + "}", bearer=bearer)
    assert result_rules(repeated.errors) == ["max_repeats"] and "'me'" in repeated.errors[0]["message"]
    fine = await stack.api.run("{ " + "me { role } " * MAX_REPEATS + "}", bearer=bearer)
    assert fine.ok() == {"me": {"role": "office_staff"}}


def result_rules(errors: list[dict[str, Any]]) -> list[Any]:
    return [(e.get("extensions") or {}).get("rule") for e in errors]


# Documents of fields, aliases, inline fragments and fragment spreads over the `Me`/`Query` types, valid or
# not: the measure visits each selection of the document a bounded number of times.
NAMES = st.sampled_from(["me", "role", "committeeId", "memberId", "__typename", "nope"])


@st.composite
def documents(draw: st.DrawFn) -> str:
    fragment_count = draw(st.integers(0, 12))

    def selection_set(depth: int) -> str:
        items = []
        for _ in range(draw(st.integers(1, 4))):
            kind = draw(st.sampled_from(["field", "spread", "inline"] if depth < 6 else ["field"]))
            if kind == "spread" and fragment_count:
                items.append(f"...F{draw(st.integers(0, fragment_count - 1))}")
            elif kind == "inline":
                items.append(f"... on Me {selection_set(depth + 1)}")
            else:
                alias = f"a{draw(st.integers(0, 40))}: " if draw(st.booleans()) else ""
                nested = selection_set(depth + 1) if depth < 6 and draw(st.booleans()) else ""
                items.append(f"{alias}{draw(NAMES)} {nested}")
        return "{ " + " ".join(items) + " }"

    fragments = [f"fragment F{i} on Me {selection_set(1)}" for i in range(fragment_count)]
    return f"{{ me {selection_set(1)} }}\n" + "\n".join(fragments)


def selection_count(text: str) -> int:
    from graphql import FieldNode, FragmentSpreadNode, InlineFragmentNode, visit
    from graphql.language import Visitor

    class Count(Visitor):
        n = 0

        def enter(self, node: object, *_: object) -> None:
            if isinstance(node, (FieldNode, FragmentSpreadNode, InlineFragmentNode)):
                Count.n += 1

    visit(parse(text), Count())
    return Count.n


@pytest.mark.filterwarnings("ignore::hypothesis.errors.NonInteractiveExampleWarning")
async def test_the_limits_work_is_linear_in_the_document(stack: Stack) -> None:
    schema = stack.gateway.schema._schema

    @settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(documents())
    def check(text: str) -> None:
        _, scan = text_refusals(schema, text, {}, None)
        assert scan.followed, text
        if scan.token_count > 5000:
            return
        # each token once finding the definitions, once in its fragment's or operation's walk, and each spread
        # once ordering the fragments: never per expansion
        assert scan.work <= 3 * scan.token_count, text
        assert scan.token_count <= 4 * selection_count(text) + 4 * text.count("fragment") + 4, text

    check()


async def test_variables_nested_a_thousand_deep_are_refused_with_a_400(stack: Stack, committee: str) -> None:
    nested = '{"search": ' * 1000 + '"x"' + "}" * 1000  # as text: Python's own json recurses per level
    headers = {"Authorization": f"Bearer {token(Role.office_staff, committee)}"}
    query = "query Q($f: ProposalFilter) { proposals(filter: $f) { totalCount } }"
    async with httpx.AsyncClient(headers=headers) as client:
        body = f'{{"query": {json.dumps(query)}, "variables": {{"f": {nested}}}}}'
        response = await client.post(stack.api.url, content=body, headers={"Content-Type": "application/json"})
        assert response.status_code == 400, response.text
        error = response.json()["errors"][0]
        assert error["extensions"] == {"code": "BAD_USER_INPUT", "rule": "json_too_deep", "limit": MAX_JSON_NESTING}
        # a string holding brackets is not nesting
        fine = await client.post(stack.api.url, json={"query": query, "variables": {"f": {"search": "[{" * 500}}})
        assert fine.status_code == 200 and fine.json()["data"]["proposals"]["totalCount"] == 0, fine.text


async def test_a_deep_query_is_refused_by_the_depth_rule(stack: Stack, committee: str) -> None:
    nested = "role"
    for _ in range(MAX_DEPTH + 2):
        nested = f"... on Me {{ role }} me {{ {nested} }}"  # `me` is not a field of Me: refused either way
    result = await stack.api.run("{ me { " + nested + " } }", bearer=token(Role.office_staff, committee))
    assert result_rules(result.errors) == ["max_depth"], result.errors


async def test_an_idempotency_key_over_its_bound_is_refused_naming_it(stack: Stack, committee: str) -> None:
    proposal = f"X-key-{uuid.uuid4().hex[:6]}"
    mutation = ("mutation Submit($k: String) { fakeSubmit(input: {proposalId: \"" + proposal + "\", title: "
                "\"关于校车的提案\"}, idempotencyKey: $k) { __typename ... on CommandInvalid { fields message } } }")
    bearer = token(Role.member, committee, member="m021")
    result = await stack.api.run(mutation, {"k": "k" * 2700}, bearer=bearer)
    refused = result.ok()["fakeSubmit"]
    assert refused["__typename"] == "CommandInvalid" and refused["fields"] == ["Idempotency-Key"], refused
    assert "200 characters" in refused["message"], refused
    assert await events_in(stack.pool, stack.fake_schema, f"proposal:{committee}:{proposal}") == 0
    ok = await stack.api.run(mutation, {"k": "k" * 200}, bearer=bearer)
    assert ok.ok()["fakeSubmit"]["__typename"] == "CommandAccepted", ok
    assert await events_in(stack.pool, stack.fake_schema, f"proposal:{committee}:{proposal}") == 1


async def test_a_service_refuses_an_oversized_idempotency_key_header(stack: Stack, committee: str) -> None:
    async with httpx.AsyncClient(base_url=stack.gateway.config.service_urls["fake"]) as client:
        response = await client.post("/commands/fake-submit", json={"proposal_id": "X-h", "title": "关于校车的提案"},
                                     headers={"Authorization": f"Bearer {token(Role.member, committee, member='m1')}",
                                              "Idempotency-Key": "k" * 2700})
    assert response.status_code == 400, response.text
    assert response.json()["error"]["fields"] == ["Idempotency-Key"]
    assert await events_in(stack.pool, stack.fake_schema, f"proposal:{committee}:X-h") == 0


@pytest.fixture
def one_at_a_time(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("YIZHENG_MAX_IN_FLIGHT", "1")


async def test_a_gateway_over_its_in_flight_limit_sheds_with_503(
        one_at_a_time: None, infra: Endpoints, committee: str) -> None:
    config = GatewayConfig(dsn=infra.database_url, kafka_bootstrap=infra.kafka_bootstrap,
                           schema=f"gw_shed_{uuid.uuid4().hex[:8]}")
    gateway = await build_gateway(config, catalog=[], run_projector=False, pool_max_size=2)
    release = asyncio.Event()
    started = asyncio.Event()

    async def slow_body() -> AsyncIterator[bytes]:
        started.set()
        yield b'{"query": "{ me '
        await release.wait()  # the request stays in flight until the test lets it finish
        yield b'{ role } }"}'

    headers = {"Authorization": f"Bearer {token(Role.office_staff, committee)}", "Content-Type": "application/json"}
    try:
        async with serve(gateway.app) as url, httpx.AsyncClient(base_url=url, headers=headers) as client:
            held = asyncio.create_task(client.post("/graphql", content=slow_body()))
            await asyncio.wait_for(started.wait(), 10)
            shed = await client.post("/graphql", json={"query": "{ me { role } }"})
            for _ in range(50):  # until the held request has entered the app (it counts once the app has it)
                if shed.status_code == 503:
                    break
                shed = await client.post("/graphql", json={"query": "{ me { role } }"})
            assert shed.status_code == 503 and shed.headers["retry-after"] == "1", shed.text
            assert shed.json()["errors"][0]["extensions"]["code"] == "OVERLOADED"
            assert (await client.get("/healthz")).status_code == 200  # health checks are never shed
            release.set()
            assert (await asyncio.wait_for(held, 10)).json()["data"] == {"me": {"role": "office_staff"}}
            after = await client.post("/graphql", json={"query": "{ me { role } }"})
            assert after.status_code == 200 and after.json()["data"] == {"me": {"role": "office_staff"}}
    finally:
        await gateway.stop()
