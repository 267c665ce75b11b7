"""Members' private contact data, fetched from the members service's office-only endpoint
(`GET /members/{id}/contact`) with the caller's own token, per request. The gateway never stores it and
public topics never carry it; the members service decides who may read it (office staff, admin, the
member themself), and the gateway refuses everyone else before asking."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from typing import Any

import httpx

from gateway.errors import Forbidden, ServiceUnavailable


class ContactDirectory:
    CONCURRENCY = 8

    def __init__(self, client: httpx.AsyncClient, members_url: str | None) -> None:
        self.client = client
        self.members_url = members_url

    async def fetch(self, member_ids: Sequence[str], token: str) -> list[dict[str, Any] | None]:
        if not self.members_url:
            raise ServiceUnavailable("no address configured for the members service")
        base = self.members_url.rstrip("/")
        gate = asyncio.Semaphore(self.CONCURRENCY)

        async def one(member_id: str) -> dict[str, Any] | None:
            async with gate:
                try:
                    response = await self.client.get(f"{base}/members/{member_id}/contact",
                                                     headers={"Authorization": f"Bearer {token}"})
                except httpx.TransportError as err:
                    raise ServiceUnavailable(f"the members service did not answer: {err}") from err
            if response.status_code == 404:
                return None
            if response.status_code in (401, 403):
                raise Forbidden("contact data is for office staff and the member themself")
            if response.status_code != 200:
                raise ServiceUnavailable(f"the members service answered {response.status_code}")
            body: dict[str, Any] = response.json()
            return body

        return list(await asyncio.gather(*(one(m) for m in member_ids)))
