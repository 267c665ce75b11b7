"""Where a delivery goes: a member's or a unit's email or mobile from the members service's private store,
through its read route for the notify service's account (`GET /notification-addresses`, `contracts.access`
row `notificationAddresses`), never from a topic. Addresses are asked for each delivery attempt and used for
that one send: never cached, stored, logged or put in an event (bounces are counted by a hash of the address)."""

from __future__ import annotations

import asyncio
import functools
import hashlib
import logging
import os
import ssl
from typing import Any, Protocol

import httpx

from contracts.access import NOTIFY_ACCOUNT
from contracts.envelope import Role
from contracts.members.service import SERVICE as MEMBERS
from runtime.auth import issue_token

log = logging.getLogger("notify.contacts")

# The field of the members service's notification addresses each channel reads.
FIELDS = {"sms": "mobile", "email": "email"}
# How the route is asked for each kind of recipient (the office's addresses are not the members service's).
QUERY = {"member": "member_id", "unit": "unit_id"}
# Each token lives only as long as the one lookup it is made for.
TOKEN_SECONDS = 60


class Contacts(Protocol):
    async def address(self, committee_id: str, recipient_kind: str, recipient_id: str, channel: str) -> str | None:
        """The address for the channel, or None when none is on file."""

    async def aclose(self) -> None:
        """The worker stopped: let go of any connections."""


def address_hash(address: str) -> str:
    return hashlib.sha256(address.strip().lower().encode()).hexdigest()


@functools.cache
def _tls() -> ssl.SSLContext:
    """One TLS context for every lookup's client: building one loads the CA bundle (about 0.1 s of CPU), which
    done per lookup was half of the delivery worker's time (`yizheng bench notify`, bench/RESULTS.md)."""
    return httpx.create_ssl_context()


def members_url() -> str:
    """Where the members service answers: YIZHENG_MEMBERS_URL (read on each call, as `runtime.settings` reads
    its settings, so a test can point it at a platform it started), else its local port."""
    return os.environ.get("YIZHENG_MEMBERS_URL", "").strip() or f"http://127.0.0.1:{MEMBERS.port}"


class MembersContacts:
    """Reads addresses from the members service as the notify service's own account (role `service`, subject
    `contracts.access.NOTIFY_ACCOUNT`: the members service refuses any other service's token)."""

    def __init__(self, base_url: str | None = None, *, timeout_seconds: float = 5.0) -> None:
        self._base_url = base_url.rstrip("/") if base_url else None
        self.timeout_seconds = timeout_seconds
        self._client: httpx.AsyncClient | None = None
        self._loop: asyncio.AbstractEventLoop | None = None

    def _connections(self) -> httpx.AsyncClient:
        """One client, keeping its connections open, for every lookup: a client per lookup opened a TCP connection
        (and a members-side accept) for every delivery, a fifth of the delivery worker's time under a backlog
        (py-spy, bench/RESULTS.md). A client belongs to the event loop it was first used on."""
        loop = asyncio.get_running_loop()
        if self._client is None or self._client.is_closed or self._loop is not loop:
            self._client = httpx.AsyncClient(timeout=self.timeout_seconds, verify=_tls())
            self._loop = loop
        return self._client

    async def aclose(self) -> None:
        client, self._client = self._client, None
        if client is not None and self._loop is asyncio.get_running_loop():
            await client.aclose()

    @classmethod
    def from_env(cls) -> MembersContacts:
        return cls()

    @property
    def base_url(self) -> str:
        return self._base_url or members_url().rstrip("/")

    async def address(self, committee_id: str, recipient_kind: str, recipient_id: str, channel: str) -> str | None:
        if recipient_kind not in QUERY or channel not in FIELDS:
            return None
        token = issue_token(Role.service, committee_id, subject=NOTIFY_ACCOUNT, ttl_seconds=TOKEN_SECONDS)
        try:
            response = await self._connections().get(f"{self.base_url}/notification-addresses",
                                                     params={QUERY[recipient_kind]: recipient_id},
                                                     headers={"Authorization": f"Bearer {token}"})
        except httpx.HTTPError as err:
            raise ContactLookupFailed(f"members address route unreachable: {type(err).__name__}") from None
        if response.status_code != 200:
            # Never the body: it may carry contact data.
            raise ContactLookupFailed(f"members address route answered {response.status_code}")
        return _pick(response.json(), recipient_kind, recipient_id, FIELDS[channel])


def _pick(body: dict[str, Any], recipient_kind: str, recipient_id: str, field: str) -> str | None:
    """A member's own address; for a unit, that of its liaison (联络员, listed first) or else of the first staff
    member who has one — a delivery goes to one address."""
    if recipient_kind == "member":
        entries = [(body.get("members") or {}).get(recipient_id) or {}]
    else:
        entries = list((body.get("units") or {}).get(recipient_id) or [])
    value = next((e.get(field) for e in entries if e.get(field)), None)
    return str(value) if value else None


class ContactLookupFailed(Exception):
    """The members service could not be asked (the delivery is retried)."""
