"""The platform's services: one line each. Everything that needs to know them reads this list — `yizheng
serve/run/migrate/replay`, the gateway's command catalog and topics, the test platform, the demo loader,
the Kubernetes manifest test. See docs/adding-a-service.md.

A name here means: `contracts/<name>/service.py` declares `SERVICE` (a `contracts.service.ServiceContract`), and
`services/<name>/service.py` declares `DEFINITION` (an `eventstore.service.ServiceDefinition`)."""

from __future__ import annotations

import importlib

from contracts.service import ServiceContract

SERVICES: tuple[str, ...] = (
    "proposals",
    "members",
    "surveys",
    "notify",
)


def contract(name: str) -> ServiceContract:
    declared = getattr(importlib.import_module(f"contracts.{name}.service"), "SERVICE", None)
    if not isinstance(declared, ServiceContract):
        raise LookupError(f"contracts.{name}.service declares no SERVICE (a contracts.service.ServiceContract)")
    return declared


def contracts() -> list[ServiceContract]:
    """Every listed service's contract, in list order."""
    return [contract(name) for name in SERVICES]


def published_topics() -> list[str]:
    return [c.topic for c in contracts()]
