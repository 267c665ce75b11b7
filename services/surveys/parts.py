"""What the surveys handlers are built from: the kernel's pieces for this service and a generator of new
aggregate ids. The service keeps no tables of its own beyond the event store and the kernel's holiday-calendar
consumer's rows (`eventstore.holiday_calendar`)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from uuid import uuid4

from eventstore.service import ServiceParts, ServiceRuntime


def new_id() -> str:
    return uuid4().hex


@dataclass
class SurveysParts(ServiceParts):
    ids: Callable[[], str] = new_id

    @classmethod
    async def build(cls, runtime: ServiceRuntime) -> SurveysParts:
        """Options: `ids` (a generator of new aggregate ids)."""
        return cls(runtime, ids=runtime.options.get("ids", new_id))
