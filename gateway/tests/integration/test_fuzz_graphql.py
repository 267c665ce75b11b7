"""A property-based fuzz of the gateway over its SDL (hypothesis-graphql): documents drawn from the schema, sent
with every role's token, are answered without a 500 and without database or internal error text."""

from __future__ import annotations

import json

import httpx
from hypothesis import HealthCheck, given, settings
from hypothesis_graphql import queries

from contracts.envelope import Role
from gateway.tests.conftest import Stack
from gateway.tests.harness import token

LEAKS = ("asyncpg", "postgres", "traceback", "unexpected error", "syntax error at or near", "relation \"")
TOKENS = {Role.member: {"member": "m1"}, Role.unit_staff: {"unit": "u-1"}, Role.office_staff: {},
          Role.leadership: {}, Role.admin: {}}


def drawn(sdl: str, count: int) -> list[str]:
    found: list[str] = []

    @settings(max_examples=count, deadline=None, database=None,
              suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much, HealthCheck.data_too_large])
    @given(queries(sdl))
    def collect(document: str) -> None:
        found.append(document)

    collect()
    return found


async def test_drawn_queries_never_give_a_500_or_leak_the_database(stack: Stack, committee: str) -> None:
    from strawberry.printer import print_schema

    documents = drawn(print_schema(stack.gateway.schema), 40)
    async with httpx.AsyncClient(timeout=30) as client:
        for role, extra in TOKENS.items():
            headers = {"Authorization": f"Bearer {token(role, committee, **extra)}"}
            for document in documents:
                response = await client.post(stack.api.url, json={"query": document}, headers=headers)
                assert response.status_code < 500, (role, document, response.text)
                text = json.dumps(response.json(), ensure_ascii=True).lower()
                assert not [leak for leak in LEAKS if leak in text], (role, document, response.text)
