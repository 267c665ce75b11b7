"""Driving the surveys service the way the gateway does: HTTP commands with bearer tokens, on a fake clock,
against the real PostgreSQL."""

from __future__ import annotations

from runtime.service_host import ServiceHost
from surveys.parts import SurveysParts
from yizheng.testing.command_client import (
    OTHER_COMMITTEE,
    CommandClient,
    FakeClock,
    Refused,
    count_events,
    event_types,
    token,
)

SurveysService = ServiceHost[SurveysParts]


Api = CommandClient

__all__ = ["OTHER_COMMITTEE", "Api", "FakeClock", "Refused", "SurveysService", "count_events", "event_types", "token"]
