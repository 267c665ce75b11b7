"""Request limits (depth, aliases, tokens, estimated cost), and what production hides: introspection,
GraphiQL, internal error messages."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator

import httpx
import pytest_asyncio

from contracts.envelope import Role
from eventstore.body_limit import GRAPHQL_BODY_LIMIT
from gateway.app import build_gateway
from gateway.config import PRODUCTION, GatewayConfig
from gateway.tests.conftest import Stack
from gateway.tests.harness import Api, token
from yizheng.infra import Endpoints
from yizheng.testing.asgi_server import serve


async def test_depth_aliases_tokens_and_cost_are_limited(stack: Stack, committee: str) -> None:
    bearer = token(Role.office_staff, committee)
    nested = "member { name }"
    for _ in range(4):
        nested = f"proposal {{ handling {{ evaluations {{ {nested} }} }} }}"
    deep = "{ proposals(first: 1) { edges { node { handling { evaluations { " + nested + " } } } } } }"
    result = await stack.api.run(deep, bearer=bearer)
    assert any("exceeds maximum operation depth" in e["message"] for e in result.errors), result.errors
    aliases = "{ " + " ".join(f"a{i}: me {{ role }}" for i in range(31)) + " }"
    result = await stack.api.run(aliases, bearer=bearer)
    assert any("aliases found" in e["message"].lower() for e in result.errors), result.errors
    tokens = "{ me { " + " ".join("role" for _ in range(5001)) + " } }"
    result = await stack.api.run(tokens, bearer=bearer)
    assert any("token" in e["message"].lower() for e in result.errors), result.errors
    costly = ("{ proposals(first: 100) { edges { node { handling { evaluations { proposal { handling "
              "{ evaluations { member { name } } } } } } } } } }")
    result = await stack.api.run(costly, bearer=bearer)
    assert result.codes == ["QUERY_TOO_COSTLY"], result.errors
    cheap = costly.replace("first: 100", "first: 5")
    assert not (await stack.api.run(cheap, bearer=bearer)).errors


async def test_a_request_body_over_a_megabyte_is_refused_before_it_is_parsed(stack: Stack, committee: str) -> None:
    bearer = token(Role.office_staff, committee)
    padding = "#" + "x" * GRAPHQL_BODY_LIMIT + "\n"  # a GraphQL comment: harmless, only large
    async with httpx.AsyncClient(headers={"Authorization": f"Bearer {bearer}"}) as client:
        response = await client.post(stack.api.url, json={"query": padding + "{ me { role } }"})
    assert response.status_code == 413
    assert response.json()["errors"][0]["extensions"]["code"] == "REQUEST_TOO_LARGE"
    assert (await stack.api.run("{ me { role } }", bearer=bearer)).ok() == {"me": {"role": "office_staff"}}


async def test_development_allows_introspection_and_graphiql(stack: Stack) -> None:
    result = await stack.api.run("{ __schema { queryType { name } } }")
    assert result.ok() == {"__schema": {"queryType": {"name": "Query"}}}
    async with httpx.AsyncClient() as client:
        page = await client.get(stack.api.url, headers={"Accept": "text/html"})
    assert page.status_code == 200 and "graphiql" in page.text.lower()


@pytest_asyncio.fixture(loop_scope="session")
async def production(infra: Endpoints) -> AsyncIterator[Api]:
    # A gateway whose views were never set up: any read is an internal error.
    config = GatewayConfig(dsn=infra.database_url, kafka_bootstrap=infra.kafka_bootstrap,
                           schema=f"gw_absent_{uuid.uuid4().hex[:8]}", environment=PRODUCTION)
    gateway = await build_gateway(config, catalog=[], run_projector=False, pool_max_size=2)
    try:
        async with serve(gateway.app) as url:
            yield Api(url)
    finally:
        await gateway.stop()


async def test_production_hides_introspection_graphiql_and_internal_errors(production: Api, committee: str) -> None:
    result = await production.run("{ __schema { queryType { name } } }")
    assert result.errors and "introspection has been disabled" in result.errors[0]["message"]
    async with httpx.AsyncClient() as client:
        page = await client.get(production.url, headers={"Accept": "text/html"})
    assert "graphiql" not in page.text.lower()
    internal = await production.run("{ oversight(year: 2026) { overall { assigned } } }",
                                    bearer=token(Role.leadership, committee))
    assert [e["message"] for e in internal.errors] == ["Unexpected error."]
    refused = await production.run("{ oversight(year: 2026) { overall { assigned } } }",
                                   bearer=token(Role.member, committee, member="m1"))
    assert refused.codes == ["FORBIDDEN"] and "not available to the member role" in refused.errors[0]["message"]


def doubling(n: int) -> str:
    fragments = ["fragment F0 on Me { role }"] + [f"fragment F{i} on Me {{ ...F{i - 1} ...F{i - 1} }}"
                                                   for i in range(1, n)]
    return f"{{ me {{ ...F{n - 1} }} }}\n" + "\n".join(fragments)


async def test_documents_over_the_limits_are_refused_on_their_text_naming_the_limit(
        stack: Stack, committee: str) -> None:
    bearer = token(Role.office_staff, committee)
    refused = {
        "max_cost": doubling(17),
        "max_tokens": "{ me { " + "role " * 13_000 + "} }",
        "max_depth": "{ me { member { " + "unit { members(first: 1) { nodes { " * 5 + "id" + " } } }" * 5 + " } } }",
        "max_aliases": "{ " + " ".join(f"a{i}: me {{ role }}" for i in range(700)) + " }",
        "max_nesting": "{ me { " + "... on Me { " * 70 + "role" + " }" * 70 + " } }",
        "executable_definitions": "type Bomb { a: Int } { me { role } }",
    }
    async with httpx.AsyncClient(headers={"Authorization": f"Bearer {bearer}"}) as client:
        for rule, document in refused.items():
            response = await client.post(stack.api.url, json={"query": document})
            errors = response.json()["errors"]
            assert response.status_code == 200 and response.json().get("data") is None, (rule, response.text)
            assert [e["extensions"]["rule"] for e in errors] == [rule], (rule, errors)
        nested = await client.post(stack.api.url, json={"query": "{ me " * 10_000 + "}" * 10_000})
        assert [e["extensions"]["rule"] for e in nested.json()["errors"]] == ["max_tokens"]
        syntax = await client.post(stack.api.url, json={"query": "{ me { role }"})
        assert "Syntax Error" in syntax.json()["errors"][0]["message"], syntax.text


async def test_an_accepted_document_answers_the_same_when_asked_again(stack: Stack, committee: str) -> None:
    """The second time, the document is neither parsed nor validated by graphql-core's own rules again, and its
    arguments are still checked against their bounds (they come with each request's variables)."""
    bearer = token(Role.office_staff, committee)
    query = ("query Q($f: ProposalFilter, $n: Int) { me { role ...Who } proposals(filter: $f, first: $n) "
             "{ totalCount } } fragment Who on Me { committeeId }")
    for _ in range(3):
        result = await stack.api.run(query, {"f": {"search": "校车"}, "n": 5}, bearer=bearer)
        assert result.ok() == {"me": {"role": "office_staff", "committeeId": committee},
                               "proposals": {"totalCount": 0}}
    too_long = await stack.api.run(query, {"f": {"search": "x" * 20_001}}, bearer=bearer)
    assert [e["extensions"]["rule"] for e in too_long.errors] == ["string_too_long"], too_long.errors
    costly = await stack.api.run(query, {"n": 30_000}, bearer=bearer)  # the page size is the request's own
    assert costly.codes == ["QUERY_TOO_COSTLY"], costly.errors
    misspelt = query.replace("committeeId }", "committeeID }")
    for _ in range(2):  # a document graphql-core's validation refuses is refused every time
        wrong = await stack.api.run(misspelt, {"n": 5}, bearer=bearer)
        assert wrong.errors and "committeeID" in wrong.errors[0]["message"], wrong.errors
