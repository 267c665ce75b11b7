"""Forwarding a command to the owning service's command API (eventstore.command_api) over HTTP, with the
caller's bearer token and an idempotency key. Transport failures, 5xx answers and 409 (a concurrent change)
are retried with the SAME key, so a retry never acts twice: the service answers a repeated key from its
idempotency record."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import httpx

from gateway.errors import ServiceUnavailable

log = logging.getLogger("gateway.forward")


@dataclass(frozen=True)
class ServiceAnswer:
    status: int
    body: dict[str, Any]
    replayed: bool = False

    @property
    def ok(self) -> bool:
        return self.status == 200

    @property
    def error(self) -> dict[str, Any]:
        err = self.body.get("error")
        return err if isinstance(err, dict) else {"code": f"http_{self.status}", "message": str(self.body)[:500]}


@dataclass
class Forwarder:
    service_urls: Mapping[str, str]
    client: httpx.AsyncClient = field(default_factory=lambda: httpx.AsyncClient(timeout=10.0))
    attempts: int = 3
    backoff_seconds: float = 0.05

    async def send(self, service: str, command: str, body: dict[str, Any], *, token: str,
                   idempotency_key: str) -> ServiceAnswer:
        base = self.service_urls.get(service)
        if not base:
            raise ServiceUnavailable(f"no address configured for the {service} service")
        url = f"{base.rstrip('/')}/commands/{command}"
        headers = {"Authorization": f"Bearer {token}", "Idempotency-Key": idempotency_key}
        last: str = ""
        for attempt in range(1, self.attempts + 1):
            try:
                response = await self.client.post(url, json=body, headers=headers)
            except httpx.TransportError as err:
                last = f"{type(err).__name__}: {err}"
            else:
                answer = _answer(response)
                retry = response.status_code >= 500 or response.status_code == 409
                if not retry or attempt == self.attempts:
                    if response.status_code >= 500:
                        raise ServiceUnavailable(f"the {service} service failed: {answer.error.get('message')}")
                    return answer
                last = f"HTTP {response.status_code}"
            log.warning("%s %s attempt %d failed (%s); retrying with the same idempotency key",
                        service, command, attempt, last)
            if attempt < self.attempts:
                await asyncio.sleep(self.backoff_seconds * 2 ** (attempt - 1))
        raise ServiceUnavailable(f"the {service} service did not answer: {last}")

    async def aclose(self) -> None:
        await self.client.aclose()


def _answer(response: httpx.Response) -> ServiceAnswer:
    try:
        body = response.json()
    except ValueError:
        body = {"error": {"code": f"http_{response.status_code}", "message": response.text[:500]}}
    if not isinstance(body, dict):
        body = {"value": body}
    return ServiceAnswer(response.status_code, body, response.headers.get("idempotent-replay") == "true")
