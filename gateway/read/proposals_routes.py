"""The proposals service's read routes (`services/proposals/queries.py`), called the one way
(`gateway.read.routes`): the proposals most like one, which only the service's similarity index can say."""

from __future__ import annotations

from typing import Any

import httpx

from gateway.read.routes import ServiceRoutes


class ProposalsReader(ServiceRoutes):
    def __init__(self, client: httpx.AsyncClient, proposals_url: str | None) -> None:
        super().__init__(client, proposals_url, "proposals")

    async def similar(self, token: str, proposal_id: str, *, same_year: bool) -> dict[str, Any]:
        return await self.get_json(f"/proposals/{proposal_id}/similar", token,
                                   {"same_year": str(same_year).lower()})
