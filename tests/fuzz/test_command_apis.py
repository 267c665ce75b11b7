"""Schemathesis over every listed service's command API: each service built in-process on a fresh schema
and served for real, its own `/openapi.json` loaded, and every command sent drawn bodies and headers (valid
and invalid by the document) with an office token and a member token. No answer is a 5xx or shows database
text, every answer conforms to what the document says (status codes, content type, the auth it declares),
and a refusal stores nothing.

The app is served by uvicorn on the test's loop rather than reached through schemathesis's ASGI client: that
client runs the app on an event loop of its own, where the service's asyncpg pool cannot be used."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from schemathesis import APIOperation, CheckFunction, GenerationMode
from schemathesis.config import SchemathesisConfig
from schemathesis.core.result import Ok
from schemathesis.specs.openapi.checks import positive_data_acceptance

from contracts import platform
from contracts.envelope import Actor
from runtime.service_host import HostConfig, ServiceHost, build_service
from tests.fuzz.leaks import leaked
from yizheng.serve import definition
from yizheng.testing.asgi_server import serve
from yizheng.testing.command_client import OFFICE, count_events, member, token

CALLERS: dict[str, Actor] = {"office": OFFICE, "member": member("m-1")}
MODES = st.sampled_from([GenerationMode.POSITIVE, GenerationMode.NEGATIVE])
# A valid body is mostly refused by a rule (the proposal it names does not exist): a documented 422, no defect.
EXCLUDED: list[CheckFunction] = [positive_data_acceptance]
# A drawn body over the command APIs' size cap is refused 413 before validation: a documented refusal too.
CONFIG = SchemathesisConfig.from_dict({"checks": {"negative_data_rejection": {
    "expected-statuses": ["400", "401", "403", "404", "405", "406", "409", "413", "415", "422", "428", "429", "5XX"]}}})


def fuzz(host: ServiceHost[Any], url: str, loop: asyncio.AbstractEventLoop, examples: int) -> int:
    """Runs in a worker thread (schemathesis calls block) while `loop` serves the app; `examples` per command
    and caller. Returns the number of requests sent."""
    schema = schemathesis.openapi.from_url(f"{url}/openapi.json", config=CONFIG)
    sent = 0
    for result in schema.get_all_operations():
        assert isinstance(result, Ok), result
        for caller, actor in CALLERS.items():
            sent += fuzz_operation(host, url, loop, result.ok(), caller, actor, examples)
    return sent


def fuzz_operation(host: ServiceHost[Any], url: str, loop: asyncio.AbstractEventLoop, operation: APIOperation,
                   caller: str, actor: Actor, examples: int) -> int:
    headers = {"Authorization": f"Bearer {token(actor)}"}
    sent = 0

    def stored() -> tuple[int, int]:
        return asyncio.run_coroutine_threadsafe(count_events(host), loop).result(timeout=30)

    @settings(max_examples=examples, deadline=None, derandomize=True, database=None,
              suppress_health_check=list(HealthCheck))
    @given(data=st.data(), mode=MODES)
    def check(data: st.DataObject, mode: GenerationMode) -> None:
        nonlocal sent
        case = data.draw(operation.as_strategy(generation_mode=mode))
        before = stored()
        response = case.call_and_validate(base_url=url, headers=headers, excluded_checks=EXCLUDED)
        sent += 1
        seen = f"{operation.label} as {caller}: {response.status_code} {response.content[:500]!r}"
        assert not leaked(response.content.decode("utf-8", "replace")), seen
        if 400 <= response.status_code < 500:
            assert stored() == before, f"a refusal stored events: {seen}"

    check()
    return sent


async def fuzz_service(name: str, database_url: str, schema: str, examples: int) -> None:
    host = await build_service(definition(name), HostConfig(dsn=database_url, schema=schema, run_workers=False,
                                                            run_consumers=False, pool_max_size=4))
    await host.start()
    try:
        async with serve(host.app) as url:
            sent = await asyncio.to_thread(fuzz, host, url, asyncio.get_running_loop(), examples)
    finally:
        await host.stop()
    assert sent > 0, f"{name}: no command was fuzzed"


@pytest.mark.parametrize("name", platform.SERVICES)
async def test_every_command_answers_drawn_input_without_a_5xx_or_a_stored_refusal(
        name: str, database_url: str, fresh_schema: str) -> None:
    await fuzz_service(name, database_url, fresh_schema, examples=5)


@pytest.mark.slow
@pytest.mark.parametrize("name", platform.SERVICES)
async def test_every_command_answers_many_drawn_inputs_without_a_5xx_or_a_stored_refusal(
        name: str, database_url: str, fresh_schema: str) -> None:
    await fuzz_service(name, database_url, fresh_schema, examples=40)
