"""A property-based fuzz of the gateway's mutations over its SDL (hypothesis-graphql), against the whole
platform in-process, sent with every role's token: no answer is a 500 or shows database text, and an answer
that accepts no command (errors, refusals, invalid input) leaves every service's store as it was. Extends
the query fuzz of gateway/tests/integration/test_fuzz_graphql.py (its roles and leak texts)."""

from __future__ import annotations

import json
import string
from typing import Any

import asyncpg
import graphql
import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis_graphql import mutations

from gateway.sdl import SDL_PATH
from gateway.tests.harness import token
from gateway.tests.integration.test_fuzz_graphql import LEAKS, TOKENS
from tests.fuzz.leaks import leaked
from yizheng.infra import Endpoints
from yizheng.testing.command_client import count_events
from yizheng.testing.platform import InProcessPlatform, in_process_platform
from yizheng.testing.wait import wait_until


def _string(value: str) -> graphql.StringValueNode:
    return graphql.StringValueNode(value=value)


# The gateway's own scalars, drawn as the literals it parses (and some it must refuse).
SCALARS: dict[str, st.SearchStrategy[graphql.ValueNode]] = {
    "Date": st.one_of(st.dates().map(lambda d: d.isoformat()), st.text(max_size=12)).map(_string),
    "DateTime": st.one_of(st.datetimes().map(lambda d: d.isoformat()), st.text(max_size=12)).map(_string),
    "Decimal": st.one_of(st.decimals(allow_nan=False, allow_infinity=False, places=2).map(str),
                         st.text(alphabet=string.digits + ".-e", max_size=12)).map(_string),
    "JSON": st.one_of(st.integers().map(lambda n: graphql.IntValueNode(value=str(n))), st.text().map(_string)),
}


def drawn_mutations(sdl: str, per_mutation: int) -> list[str]:
    """`per_mutation` documents for each of the schema's mutations, each result's `__typename` asked."""
    mutation = graphql.build_schema(sdl).mutation_type
    assert mutation is not None
    found: list[str] = []
    for name in sorted(mutation.fields):  # one at a time: drawing from all derandomized keeps to the first few

        @settings(max_examples=per_mutation, deadline=None, database=None, derandomize=True,
                  suppress_health_check=list(HealthCheck))
        @given(mutations(sdl, fields=[name], custom_scalars=SCALARS))
        def collect(document: str) -> None:
            found.append(typed(document))

        collect()
    return found


async def stored(platform: InProcessPlatform) -> dict[str, tuple[int, int]]:
    return {name: await count_events(host) for name, host in platform.services.items()}


async def settled(platform: InProcessPlatform) -> dict[str, tuple[int, int]]:
    """Every store's count once no consumer is still writing what an accepted mutation caused (two reads
    an interval apart agree)."""
    last: list[dict[str, tuple[int, int]]] = []

    async def unchanged() -> bool:
        last.append(await stored(platform))
        return len(last) > 1 and last[-1] == last[-2]

    await wait_until(unchanged, timeout=20, interval=0.3, message="stores settled")
    return last[-1]


def typed(document: str) -> str:
    """`document` with `__typename` asked of every mutation's result, so an answer tells an accepted command
    from a refused or invalid one (both are data of the CommandResult union, not errors)."""
    typename = graphql.FieldNode(name=graphql.NameNode(value="__typename"))

    def asked(field: graphql.SelectionNode) -> graphql.SelectionNode:
        if not isinstance(field, graphql.FieldNode) or field.selection_set is None:
            return field
        return graphql.FieldNode(alias=field.alias, name=field.name, arguments=field.arguments,
                                 directives=field.directives, selection_set=graphql.SelectionSetNode(
                                     selections=(*field.selection_set.selections, typename)))

    operations = [graphql.OperationDefinitionNode(
        operation=d.operation, name=d.name, variable_definitions=d.variable_definitions, directives=d.directives,
        selection_set=graphql.SelectionSetNode(selections=tuple(asked(f) for f in d.selection_set.selections)))
        for d in graphql.parse(document).definitions if isinstance(d, graphql.OperationDefinitionNode)]
    return graphql.print_ast(graphql.DocumentNode(definitions=tuple(operations)))


def any_accepted(answer: dict[str, Any]) -> bool:
    data = answer.get("data") or {}
    return any(isinstance(v, dict) and v.get("__typename") == "CommandAccepted" for v in data.values())


async def fuzz_mutations(infra: Endpoints, pg_pool: asyncpg.Pool, per_mutation: int) -> None:
    """`per_mutation` documents for each mutation, each sent with every role's token."""
    documents = drawn_mutations(SDL_PATH.read_text(), per_mutation)  # before the platform: drawing blocks the loop
    async with in_process_platform(infra, pg_pool, label="fzm", workers_paused=("proposals", "members", "surveys",
                                                                                    "notify")) as platform:
        committee = f"c-fuzz-{platform.tag}"
        counts = await stored(platform)
        accepted = False
        async with httpx.AsyncClient(timeout=30) as client:
            for role, extra in TOKENS.items():
                headers = {"Authorization": f"Bearer {token(role, committee, **extra)}"}
                for document in documents:
                    if accepted:  # what an accepted mutation sets off downstream is not this one's doing
                        counts = await settled(platform)
                    response = await client.post(f"{platform.gateway_url}/graphql", json={"query": document},
                                                 headers=headers)
                    seen = (role, document, response.text[:1000])
                    assert response.status_code < 500, seen
                    answer = response.json()
                    text = json.dumps(answer, ensure_ascii=True)
                    assert not [leak for leak in LEAKS if leak in text.lower()], seen
                    assert not leaked(text), seen
                    accepted = any_accepted(answer)
                    if not accepted:
                        assert await stored(platform) == counts, ("a refusal stored events", *seen)


async def test_every_mutation_with_every_role_never_gives_a_500_leaks_the_database_or_stores_a_refusal(
        infra: Endpoints, pg_pool: asyncpg.Pool) -> None:
    await fuzz_mutations(infra, pg_pool, per_mutation=1)


@pytest.mark.slow
async def test_many_drawn_mutations_never_give_a_500_leak_the_database_or_store_a_refusal(
        infra: Endpoints, pg_pool: asyncpg.Pool) -> None:
    await fuzz_mutations(infra, pg_pool, per_mutation=5)
