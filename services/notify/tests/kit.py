"""Helpers for the notify tests: facts of the other services as their relays publish them, a channel that
keeps what it is handed, a contact book, and the inbox as a person sees it."""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import httpx
from aiokafka import AIOKafkaProducer

from contracts.envelope import Actor, EventEnvelope, Role
from contracts.registry import DomainEvent
from notify.channels.base import Outcome, Outgoing, SendResult
from yizheng.testing.command_client import COMMITTEE, token

OFFICE_ACTOR = Actor(id="office-li", role=Role.office_staff)


def envelope(event: DomainEvent, stream: str, at: datetime, *, source: str = "proposals",
             committee: str = COMMITTEE, event_id: uuid.UUID | None = None) -> EventEnvelope:
    return EventEnvelope(event_id=event_id or uuid.uuid4(), type=event.event_type, schema_version=event.schema_version,
                         stream_id=stream, stream_version=1, occurred_at=at, actor=OFFICE_ACTOR,
                         committee_id=committee, correlation_id=uuid.uuid4(), source=source,
                         data=event.model_dump(mode="json"))


@dataclass
class Topics:
    """Publishes facts onto the test's prefixed topics, as the other services' relays do."""

    producer: AIOKafkaProducer
    prefix: str

    async def publish(self, topic: str, env: EventEnvelope) -> None:
        await self.producer.send_and_wait(f"{self.prefix}{topic}", env.model_dump_json().encode(),
                                          key=env.stream_id.encode())


@dataclass
class FakeChannel:
    """Keeps every message it is handed and answers with the outcomes queued (sent when none)."""

    name: str
    sent: list[Outgoing] = field(default_factory=list)
    answers: list[Outcome] = field(default_factory=list)

    async def send(self, message: Outgoing) -> SendResult:
        self.sent.append(message)
        return SendResult(self.answers.pop(0) if self.answers else Outcome.sent, "test")


@dataclass
class ContactBook:
    """Members' addresses as the members service's private store would answer them."""

    addresses: dict[tuple[str, str], str] = field(default_factory=dict)  # (member, channel) -> address
    asked: int = 0

    async def address(self, committee_id: str, recipient_kind: str, recipient_id: str, channel: str) -> str | None:
        self.asked += 1
        return self.addresses.get((recipient_id, channel))

    async def aclose(self) -> None:
        pass


async def inbox(http: httpx.AsyncClient, actor: Actor, **params: Any) -> dict[str, Any]:
    response = await http.get("/notifications", params=params, headers={"Authorization": f"Bearer {token(actor)}"})
    assert response.status_code == 200, response.text
    return dict(json.loads(response.text))
