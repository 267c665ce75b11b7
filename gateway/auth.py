"""Who is calling: the bearer token of an HTTP request or of a WebSocket's `connection_init`.

Verification is `runtime.auth` (HS256 with the local secret in development, RS256 against a JWKS URL in
production). The gateway only adds the notion of an anonymous caller, so that introspection in
development works without a token while every data field still demands one."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from contracts.envelope import Role
from runtime.auth import InvalidToken, Principal, bearer


@dataclass(frozen=True)
class Viewer:
    """The caller of one request: a verified principal, or nobody (with the reason)."""

    principal: Principal | None
    token: str | None = None
    problem: str | None = None

    @property
    def authenticated(self) -> bool:
        return self.principal is not None

    def _p(self) -> Principal:
        if self.principal is None:
            raise InvalidToken(self.problem or "missing bearer token")
        return self.principal

    @property
    def committee_id(self) -> str:
        return self._p().committee_id

    @property
    def role(self) -> Role:
        return self._p().role

    @property
    def member_id(self) -> str | None:
        return self._p().actor.member_id

    @property
    def unit_id(self) -> str | None:
        return self._p().actor.unit_id

    @property
    def actor_id(self) -> str:
        return self._p().actor.id

    def is_member(self, member_id: str | None) -> bool:
        return self.principal is not None and member_id is not None and self.member_id == member_id


ANONYMOUS = Viewer(None, None, "missing bearer token")


def from_header(header: str | None) -> Viewer:
    if not header:
        return ANONYMOUS
    try:
        principal = bearer(header)
    except InvalidToken as err:
        return Viewer(None, None, str(err))
    return Viewer(principal, header.split(" ", 1)[1].strip())


def from_connection_params(params: Mapping[str, Any] | None) -> Viewer:
    """graphql-transport-ws clients send the token in `connection_init`'s payload, as
    `{"Authorization": "Bearer …"}` (headers style) or `{"token": "…"}`."""
    params = params or {}
    for key in ("Authorization", "authorization"):
        value = params.get(key)
        if isinstance(value, str):
            return from_header(value)
    headers = params.get("headers")
    if isinstance(headers, Mapping):
        return from_connection_params(headers)
    token = params.get("token")
    if isinstance(token, str) and token:
        return from_header(f"Bearer {token}")
    return ANONYMOUS
