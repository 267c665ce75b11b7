"""The envelope every stored and published event travels in."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field

from contracts.topics import COMMITTEE_ID_PATTERN


class Role(StrEnum):
    member = "member"
    unit_staff = "unit_staff"
    office_staff = "office_staff"
    leadership = "leadership"
    admin = "admin"
    service = "service"


class Actor(BaseModel):
    """Who caused an event: a person acting in a role, or a service account."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    id: str = Field(min_length=1)
    role: Role
    member_id: str | None = None
    unit_id: str | None = None


class EventEnvelope(BaseModel):
    """An event as stored and published: the fact (`data`) plus where, when, who and why.

    `data` is validated against the contract of (`type`, `schema_version`) by `REGISTRY.parse`."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    event_id: UUID
    type: str
    schema_version: int = Field(ge=1)
    stream_id: str
    stream_version: int = Field(ge=1)
    position: int | None = Field(default=None, description="global position in the owning service's store")
    occurred_at: datetime
    recorded_at: datetime | None = None
    actor: Actor
    committee_id: str = Field(pattern=COMMITTEE_ID_PATTERN,
                              description="the committee (tenant) the fact belongs to; part of public topic names")
    correlation_id: UUID
    causation_id: UUID | None = None
    source: str = Field(description="the service that recorded the event, e.g. 'proposals'")
    data: dict[str, Any]
