"""The service contract: what every service of the platform must do, as one abstract test suite each service's
tests subclass (in the manner of eventsourcing's abstract recorder test cases). It runs against the service as
it really runs: its command API over HTTP, its store in PostgreSQL, its relay publishing to Kafka.

    class TestProposalsServiceContract(ServiceContractTests):
        scenario = [Step("draft-proposal", {...}, Role.member, member_id="m-zhang")]   # commands that act
        refused = Step("accept-proposal", {...}, Role.office_staff)                 # refused by a rule

        @pytest_asyncio.fixture(loop_scope="session")
        async def subject(self, ...) -> AsyncIterator[ContractSubject]: ...       # the running service

What it checks, for every command of the service's contract: a token is needed; roles the contract does not
allow are refused (403) before the body is read; a malformed body, an unknown field, text too long, a number
out of range, a list too long, text with NUL or a lone surrogate is a 400 naming the field; and, on the
subclass's scenario, a retried command with the same idempotency key acts once, the same key with another body
is refused, a refused command leaves the store unchanged, and every event published to Kafka validates
against the JSON Schema exported for its type."""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, ClassVar

import httpx
from aiokafka import AIOKafkaConsumer

from contracts.envelope import Role
from contracts.export import event_json_schema
from contracts.service import CommandContract, ServiceContract
from eventstore.kafka_access import KafkaAccess
from eventstore.store import EventStore


@dataclass(frozen=True)
class Step:
    """One command as a user of `role` sends it."""

    command: str
    body: Mapping[str, Any]
    role: Role
    member_id: str | None = None
    unit_id: str | None = None


@dataclass
class ContractSubject:
    """The running service, as the subclass's fixture builds it."""

    contract: ServiceContract
    http: httpx.AsyncClient  # on the service's ASGI app
    store: EventStore
    topic: str  # where its relay publishes (prefixed for the test)
    kafka_bootstrap: KafkaAccess
    token: Callable[[Step], str]  # a bearer token for the step's role (and member or unit)
    published: list[dict[str, Any]] = field(default_factory=list)

    async def send(self, step: Step, *, key: str | None = None, raw: bytes | None = None,
                   token: str | None = None) -> httpx.Response:
        headers = [(b"authorization", f"Bearer {token or self.token(step)}".encode()),
                   (b"content-type", b"application/json")]
        if key is not None:
            headers.append((b"idempotency-key", key.encode()))
        content = raw if raw is not None else json.dumps(step.body).encode()
        return await self.http.post(f"/commands/{step.command}", content=content, headers=headers)

    async def counts(self) -> tuple[int, int]:
        row = await self.store.pool.fetchrow(
            f"SELECT count(*) AS n, coalesce(max(position), 0) AS last FROM {self.store.schema}.events")
        assert row is not None
        return int(row["n"]), int(row["last"])


def _allowed_role(command: CommandContract) -> Role:
    return sorted(command.roles, key=lambda r: r.value)[0]


def _field_cases(model: Any) -> list[tuple[str, str, bytes]]:
    """(field, what, JSON body) that must be refused naming the field: one per bound of each top-level field."""
    schema = model.model_json_schema()
    cases: list[tuple[str, str, bytes]] = []
    for name, prop in schema.get("properties", {}).items():
        branches = [b for b in prop.get("anyOf", [prop]) if b.get("type") != "null"]
        for b in branches:
            kind = b.get("type")
            if kind == "string" and "format" not in b and "enum" not in b and "const" not in b:
                if "maxLength" in b:
                    cases.append((name, "too long", json.dumps({name: "长" * (b["maxLength"] + 1)}).encode()))
                cases.append((name, "NUL", json.dumps({name: "a\x00b"}).encode()))
                cases.append((name, "lone surrogate", b'{"' + name.encode() + b'": "a\\ud800b"}'))
            elif kind == "integer":
                if "maximum" in b:
                    cases.append((name, "above maximum", json.dumps({name: b["maximum"] + 1}).encode()))
                if "minimum" in b:
                    cases.append((name, "below minimum", json.dumps({name: b["minimum"] - 1}).encode()))
            elif kind == "array" and "maxItems" in b:
                item = b.get("items", {})
                value: Any = "x" if item.get("type") == "string" else 1
                cases.append((name, "too many items", json.dumps({name: [value] * (b["maxItems"] + 1)}).encode()))
    return cases


def _names(fields: list[str], name: str) -> bool:
    return any(f == name or f.startswith(f"{name}.") for f in fields)


class ServiceContractTests:
    """Subclass as `Test<Service>ServiceContract`, set `scenario` and `refused`, and provide the `subject`
    fixture (see the module's docstring)."""

    # Commands that act, in order: the first is retried with a key; the second, sent by the same caller,
    # reuses that key with another body.
    scenario: ClassVar[list[Step]] = []
    refused: ClassVar[Step]  # a well-formed command a rule refuses

    # ---- every command ----------------------------------------------------------------------------------

    async def test_every_command_needs_a_token(self, subject: ContractSubject) -> None:
        answered = {}
        for command in subject.contract.commands:
            response = await subject.http.post(f"/commands/{command.name}", json={})
            answered[command.name] = response.status_code
        assert not {n: s for n, s in answered.items() if s != 401}, answered

    async def test_every_command_refuses_the_roles_it_does_not_allow(self, subject: ContractSubject) -> None:
        wrong: dict[str, int] = {}
        for command in subject.contract.commands:
            assert command.roles, f"{command.name} names no role that may send it"
            for role in Role:
                if role in command.roles:
                    continue
                response = await subject.send(Step(command.name, {}, role, member_id="m-x", unit_id="u-x"))
                if response.status_code != 403 or response.json()["error"]["code"] != "not_authorized":
                    wrong[f"{command.name} as {role.value}"] = response.status_code
        assert not wrong, "\n".join(f"{k}: {v}" for k, v in list(wrong.items())[:40])

    async def test_a_malformed_body_or_an_unknown_field_is_a_400_naming_it(self, subject: ContractSubject) -> None:
        wrong: dict[str, Any] = {}
        for command in subject.contract.commands:
            step = Step(command.name, {}, _allowed_role(command), member_id="m-x", unit_id="u-x")
            broken = await subject.send(step, raw=b'{"not json')
            if broken.status_code != 400:
                wrong[f"{command.name}: not JSON"] = broken.status_code
            unknown = await subject.send(step, raw=b'{"no_such_field": 1}')
            fields = unknown.json()["error"].get("fields", []) if unknown.status_code == 400 else []
            if not _names(fields, "no_such_field"):
                wrong[f"{command.name}: unknown field"] = (unknown.status_code, fields)
        assert not wrong, "\n".join(f"{k}: {v}" for k, v in list(wrong.items())[:40])

    async def test_text_too_long_numbers_out_of_range_nul_and_lone_surrogates_are_400s_naming_the_field(
            self, subject: ContractSubject) -> None:
        before = await subject.counts()
        wrong: dict[str, Any] = {}
        checked = 0
        for command in subject.contract.commands:
            step = Step(command.name, {}, _allowed_role(command), member_id="m-x", unit_id="u-x")
            for name, what, raw in _field_cases(command.model):
                checked += 1
                response = await subject.send(step, raw=raw)
                body = response.json()
                fields = body["error"].get("fields", []) if response.status_code == 400 else []
                if not _names(fields, name):
                    wrong[f"{command.name}.{name}: {what}"] = (response.status_code, body["error"].get("message"))
        assert checked > 0
        assert not wrong, "\n".join(f"{k}: {v}" for k, v in list(wrong.items())[:40])
        assert await subject.counts() == before, "nothing refused was stored"

    # ---- the scenario -------------------------------------------------------------------------------------

    async def test_a_retried_command_with_the_same_idempotency_key_acts_once(self, subject: ContractSubject) -> None:
        first_step = self.scenario[0]
        before = await subject.counts()
        first = await subject.send(first_step, key="contract-retry-1")
        assert first.status_code == 200, first.text
        after_first = await subject.counts()
        assert after_first[0] > before[0], "the command acted"
        again = await subject.send(first_step, key="contract-retry-1")
        assert again.status_code == 200 and again.headers.get("idempotent-replay") == "true"
        assert again.json() == first.json(), (again.json(), first.json())
        assert await subject.counts() == after_first, "the retry wrote nothing"

    async def test_the_same_idempotency_key_with_another_body_is_refused(self, subject: ContractSubject) -> None:
        first_step = self.scenario[0]
        assert (await subject.send(first_step, key="contract-reuse-1")).status_code == 200
        before = await subject.counts()
        other = self.scenario[1]
        assert (other.role, other.member_id, other.unit_id) == (first_step.role, first_step.member_id,
                                                                first_step.unit_id), "the same caller"
        reused = await subject.send(other, key="contract-reuse-1")
        assert reused.status_code == 422, reused.text
        assert reused.json()["error"]["code"] == "idempotency_key_reused"
        assert await subject.counts() == before

    async def test_an_idempotency_key_too_long_or_not_printable_ascii_is_a_400(self, subject: ContractSubject) -> None:
        step = self.scenario[0]
        for key in ["k" * 201, "键", "two words"]:
            response = await subject.send(step, key=key)
            assert response.status_code == 400, key
            assert response.json()["error"]["fields"] == ["Idempotency-Key"]

    async def test_a_refused_command_leaves_the_store_unchanged(self, subject: ContractSubject) -> None:
        before = await subject.counts()
        response = await subject.send(self.refused)
        assert response.status_code in (403, 404, 409, 422), response.text
        assert response.json()["error"]["code"], "the refusal names its rule"
        assert await subject.counts() == before

    async def test_every_event_it_publishes_validates_against_its_exported_json_schema(
            self, subject: ContractSubject) -> None:
        import jsonschema

        for step in self.scenario:
            response = await subject.send(step)
            assert response.status_code == 200, response.text
        written, _ = await subject.counts()
        messages = await _read_topic(subject.kafka_bootstrap, subject.topic, written)
        assert len(messages) >= written
        for message in messages:
            jsonschema.validate(message, event_json_schema(message["type"]))


async def _read_topic(bootstrap: KafkaAccess, topic: str, at_least: int, timeout: float = 30.0) -> list[dict[str, Any]]:
    consumer = AIOKafkaConsumer(topic, **bootstrap.client_kwargs(), auto_offset_reset="earliest",
                                enable_auto_commit=False, metadata_max_age_ms=500)
    await consumer.start()
    try:
        found: list[dict[str, Any]] = []
        deadline = time.monotonic() + timeout
        while len(found) < at_least:
            left = deadline - time.monotonic()
            if left <= 0:
                raise AssertionError(f"{topic} held {len(found)} of {at_least} events after {timeout:.0f} s")
            for records in (await consumer.getmany(timeout_ms=int(min(left, 0.5) * 1000))).values():
                found.extend(json.loads(r.value or b"null") for r in records)
            await asyncio.sleep(0)
        return found
    finally:
        await consumer.stop()
