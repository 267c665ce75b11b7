"""Test plumbing: talk GraphQL to the gateway with gql (HTTP and graphql-transport-ws), and publish contract
events to Kafka as the services' relays would. (Serving an app for real: yizheng.testing.asgi_server.)"""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from aiokafka import AIOKafkaProducer
from gql import Client, GraphQLRequest
from gql.transport.exceptions import TransportQueryError
from gql.transport.httpx import HTTPXAsyncTransport
from gql.transport.websockets import WebsocketsTransport

from contracts import REGISTRY
from contracts.envelope import Role
from gateway.projector import Projector
from runtime.auth import issue_token
from yizheng.testing.wait import wait_until


def token(role: Role | str, committee: str, *, member: str | None = None, unit: str | None = None) -> str:
    return issue_token(role, committee, member_id=member, unit_id=unit)


@dataclass
class Result:
    data: dict[str, Any] | None
    errors: list[dict[str, Any]] = field(default_factory=list)
    extensions: dict[str, Any] = field(default_factory=dict)

    @property
    def codes(self) -> list[str]:
        return [str((e.get("extensions") or {}).get("code")) for e in self.errors]

    def ok(self) -> dict[str, Any]:
        assert not self.errors, self.errors
        assert self.data is not None
        return self.data


class Api:
    """A GraphQL client of the gateway over HTTP (gql + httpx)."""

    def __init__(self, base_url: str) -> None:
        self.url = f"{base_url}/graphql"
        self.ws_url = self.url.replace("http://", "ws://")

    async def run(self, query: str, variables: dict[str, Any] | None = None, *, bearer: str | None = None) -> Result:
        headers = {"Authorization": f"Bearer {bearer}"} if bearer else {}
        transport = HTTPXAsyncTransport(url=self.url, headers=headers, timeout=30)
        async with Client(transport=transport, fetch_schema_from_transport=False) as session:
            try:
                result = await session.execute(GraphQLRequest(query, variable_values=variables),
                                               get_execution_result=True)
            except TransportQueryError as err:
                return Result(err.data, list(err.errors or []), {})
        return Result(result.data, [e if isinstance(e, dict) else e.formatted for e in result.errors or []],
                      dict(result.extensions or {}))

    def ws_client(self, bearer: str | None) -> Client:
        payload = {"Authorization": f"Bearer {bearer}"} if bearer else {}
        transport = WebsocketsTransport(url=self.ws_url, init_payload=payload,
                                        subprotocols=[WebsocketsTransport.GRAPHQLWS_SUBPROTOCOL])
        return Client(transport=transport, fetch_schema_from_transport=False)


class Feed:
    """Publishes contract events of one committee to the (prefixed) internal topics, the way a service's relay
    does. All events of a feed share one key, so one partition carries them in order."""

    def __init__(self, producer: AIOKafkaProducer, prefix: str, committee: str) -> None:
        self.producer = producer
        self.prefix = prefix
        self.committee = committee
        self.ids: list[str] = []
        self._versions: dict[str, int] = {}

    async def emit(self, type_: str, data: dict[str, Any], *, stream: str | None = None,
                   at: datetime | None = None, actor: dict[str, Any] | None = None) -> str:
        version = REGISTRY.current_version(type_)
        REGISTRY.parse(type_, version, data)  # the contract must accept the payload
        stream = stream or f"{type_}:{self.committee}:{uuid.uuid4().hex[:8]}"
        self._versions[stream] = self._versions.get(stream, 0) + 1
        event_id = str(uuid.uuid4())
        envelope = {
            "event_id": event_id, "type": type_, "schema_version": version, "stream_id": stream,
            "stream_version": self._versions[stream], "position": None,
            "occurred_at": (at or datetime.now(UTC)).isoformat(),
            "actor": actor or {"id": "office-1", "role": "office_staff"}, "committee_id": self.committee,
            "correlation_id": str(uuid.uuid4()), "causation_id": None,
            "source": REGISTRY.topic(type_).split(".")[0], "data": data,
        }
        await self.producer.send_and_wait(f"{self.prefix}{REGISTRY.topic(type_)}",
                                          json.dumps(envelope, ensure_ascii=False).encode(),
                                          key=f"feed:{self.committee}".encode())
        self.ids.append(event_id)
        return event_id

    async def settle(self, projector: Projector, timeout: float = 20.0) -> None:
        """Wait until the gateway's views applied every event this feed published."""
        ids = list(self.ids)
        await wait_until(lambda: projector.applied(ids), timeout=timeout,
                         message=f"the views applied {len(ids)} events of {self.committee}")
