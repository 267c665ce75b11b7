"""Calling a service's own routes (beside its command API) from the gateway: the one way every reader of a
service's routes does it (`gateway.read.notifications`, `gateway.read.surveys_routes`).

A request carries the caller's own bearer token, or none at all for the routes whose authorization is in the
body (an appraisal ballot's signature, a questionnaire's ticket). The service's error body
(`{"error": {"code", "message", "fields"}}`) becomes the gateway's public error of the same meaning; a
transport failure or a 5xx is `SERVICE_UNAVAILABLE`. Nothing here logs a request or its body."""

from __future__ import annotations

from typing import Any

import httpx

from gateway.errors import BadRequest, Conflict, Forbidden, NotFound, ServiceUnavailable, Unauthenticated


def error_of(response: httpx.Response) -> dict[str, Any]:
    """The service's error body (`code`, `message`, `fields`), or one made from the status."""
    try:
        body = response.json()
    except ValueError:
        body = {}
    error = body.get("error") if isinstance(body, dict) else None
    return error if isinstance(error, dict) else {"code": f"http_{response.status_code}", "message": ""}


class ServiceRoutes:
    """One service's routes at `base_url` (None: no address configured)."""

    def __init__(self, client: httpx.AsyncClient, base_url: str | None, service: str) -> None:
        self.client = client
        self.base_url = base_url
        self.service = service

    async def request(self, method: str, path: str, token: str | None, *, params: dict[str, Any] | None = None,
                      json: Any = None, accept: str | None = None) -> httpx.Response:
        """The service's answer, whatever its status below 500; `token` None sends no Authorization."""
        if not self.base_url:
            raise ServiceUnavailable(f"no address configured for the {self.service} service")
        headers = {"Authorization": f"Bearer {token}"} if token is not None else {}
        if accept:
            headers["Accept"] = accept
        query = {k: v for k, v in (params or {}).items() if v is not None}
        try:
            response = await self.client.request(method, f"{self.base_url.rstrip('/')}{path}", params=query,
                                                 json=json, headers=headers)
        except httpx.TransportError as err:
            raise ServiceUnavailable(f"the {self.service} service did not answer: {type(err).__name__}") from err
        if response.status_code >= 500:
            raise ServiceUnavailable(f"the {self.service} service failed ({response.status_code})")
        return response

    def raise_for(self, response: httpx.Response) -> None:
        """The service's refusal as the gateway's public error (nothing for a 2xx answer)."""
        if response.status_code < 300:
            return
        error = error_of(response)
        message = str(error.get("message") or f"the {self.service} service answered {response.status_code}")
        code = str(error.get("code") or "")
        if response.status_code == 401:
            raise Unauthenticated(message)
        if response.status_code == 403:
            raise Forbidden(message)
        if response.status_code == 404:
            raise NotFound(message, rule=code)
        if response.status_code == 409:
            raise Conflict(message, rule=code)
        if response.status_code in (400, 422):
            raise BadRequest(message, rule=code, fields=error.get("fields") or [])
        raise ServiceUnavailable(message)

    async def get_json(self, path: str, token: str, params: dict[str, Any] | None = None) -> dict[str, Any]:
        response = await self.request("GET", path, token, params=params)
        self.raise_for(response)
        try:
            body = response.json()
        except ValueError:
            body = None
        if not isinstance(body, dict):
            raise ServiceUnavailable(f"the {self.service} service answered {path} with no JSON object")
        return body
