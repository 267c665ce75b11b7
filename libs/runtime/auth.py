"""Bearer tokens: who is calling, in which role, for which committee.

HS256 with a local secret in development; RS256 against a JWKS URL (an OIDC provider) in production,
chosen by setting YIZHENG_JWKS_URL. The same check runs in the gateway and in every service."""

from __future__ import annotations

import os
import time
from collections import OrderedDict
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import jwt

from contracts.envelope import Actor, Role

ISSUER = "yizheng"
AUDIENCE = "yizheng"


class InvalidToken(Exception):
    pass


@dataclass(frozen=True)
class Principal:
    actor: Actor
    committee_id: str

    @property
    def role(self) -> Role:
        return self.actor.role


def _secret() -> str:
    from runtime.settings import jwt_secret

    return jwt_secret()


@lru_cache(maxsize=4)
def _jwks_client(url: str) -> jwt.PyJWKClient:
    return jwt.PyJWKClient(url, cache_keys=True)


def issue_token(role: Role | str, committee_id: str, *, subject: str | None = None, member_id: str | None = None,
                unit_id: str | None = None, ttl_seconds: int = 30 * 24 * 3600) -> str:
    """A development token signed with the local secret (production tokens come from the OIDC provider)."""
    role = Role(role)
    now = int(time.time())
    claims: dict[str, Any] = {
        "iss": ISSUER, "aud": AUDIENCE, "iat": now, "exp": now + ttl_seconds,
        "sub": subject or member_id or unit_id or f"{role.value}@{committee_id}",
        "role": role.value, "committee": committee_id,
    }
    if member_id:
        claims["member_id"] = member_id
    if unit_id:
        claims["unit_id"] = unit_id
    return jwt.encode(claims, _secret(), algorithm="HS256")


# Tokens already verified, by (token, what verified it): a client sends the same token with every request, and
# checking its signature and claims again is a measurable share of a small request. Until the token's `exp`.
_VERIFIED: OrderedDict[tuple[str, str], tuple[Principal, float]] = OrderedDict()
VERIFIED_KEPT = 4096


def verify_token(token: str) -> Principal:
    jwks_url = os.environ.get("YIZHENG_JWKS_URL")
    key = (token, jwks_url or _secret())
    found = _VERIFIED.get(key)
    if found is not None and found[1] > time.time():
        _VERIFIED.move_to_end(key)
        return found[0]
    principal, expires = _verify(token, jwks_url)
    _VERIFIED[key] = (principal, expires)
    if len(_VERIFIED) > VERIFIED_KEPT:
        _VERIFIED.popitem(last=False)
    return principal


def _verify(token: str, jwks_url: str | None) -> tuple[Principal, float]:
    try:
        if jwks_url:
            key = _jwks_client(jwks_url).get_signing_key_from_jwt(token).key
            claims = jwt.decode(token, key, algorithms=["RS256"], audience=AUDIENCE)
        else:
            claims = jwt.decode(token, _secret(), algorithms=["HS256"], audience=AUDIENCE, issuer=ISSUER)
    except jwt.PyJWTError as err:
        raise InvalidToken(f"invalid bearer token: {err}") from err
    try:
        actor = Actor(id=str(claims["sub"]), role=Role(claims["role"]), member_id=claims.get("member_id"),
                      unit_id=claims.get("unit_id"))
        committee = str(claims["committee"])
    except (KeyError, ValueError) as err:
        raise InvalidToken(f"token lacks a valid claim: {err}") from err
    if actor.role is Role.member and not actor.member_id:
        raise InvalidToken("a member token must carry member_id")
    if actor.role is Role.unit_staff and not actor.unit_id:
        raise InvalidToken("a unit staff token must carry unit_id")
    exp = claims.get("exp")
    # A token without `exp` is checked every time rather than kept for ever.
    return Principal(actor, committee), float(exp) if isinstance(exp, int | float) else 0.0


def bearer(header: str | None) -> Principal:
    if not header or not header.lower().startswith("bearer "):
        raise InvalidToken("missing bearer token")
    return verify_token(header.split(" ", 1)[1].strip())
