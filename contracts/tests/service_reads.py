"""The check each service's suite runs with a `service` token (issue 13: service-to-service calls authorize by
the gateway's policy): every read route the service serves is named with the `contracts.access.ALLOWED` row it
answers by, and is called; where the row gives service accounts nothing the route answers 403
`not_authorized`, and where it does the route does not refuse the token. A read route added without a row
fails the check."""

from __future__ import annotations

import re
from collections.abc import Mapping

import httpx
from starlette.routing import BaseRoute, Route

from contracts.access import may_read
from contracts.envelope import Role

# The command API's own reads (`eventstore.command_api`): its OpenAPI document and the probes, for anyone.
COMMAND_API_READS = frozenset({"/openapi.json", "/healthz", "/readyz"})
_PARAM = re.compile(r"\{(\w+)(?::\w+)?\}")


def read_routes(routes: list[BaseRoute]) -> set[str]:
    return {r.path for r in routes if isinstance(r, Route) and "GET" in (r.methods or ())} - COMMAND_API_READS


async def check_service_token_reads(http: httpx.AsyncClient, routes: list[BaseRoute],
                                    policy: Mapping[str, str | None], *, bearer: str, subject: str,
                                    params: Mapping[str, str]) -> dict[str, int]:
    """Calls every route of `policy` (path → its ALLOWED row, None for a route that takes no login) with the
    service token `bearer` (whose subject is `subject`); returns each route's status."""
    assert read_routes(routes) == set(policy), "name every read route with the access row it answers by"
    statuses: dict[str, int] = {}
    for path, operation in sorted(policy.items()):
        url = _PARAM.sub(lambda m: params[m.group(1)], path)
        response = await http.get(url, headers={"authorization": f"Bearer {bearer}"})
        statuses[path] = response.status_code
        if operation is None:
            continue
        if may_read(Role.service, operation, subject=subject):
            assert response.status_code not in (401, 403), f"{path} refuses a service token: {response.text}"
        else:
            assert response.status_code == 403, f"a service token reads {path} ({operation}): {response.status_code}"
            assert response.json()["error"]["code"] == "not_authorized", response.text
    return statuses
