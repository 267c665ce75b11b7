"""Where a delivery goes: a member's mobile or email from the members service's private store, through its
authorized read endpoint (`GET /members/{member_id}/contact`), never from a topic. Addresses are used for
the one send and never stored, logged or put in an event (bounces are counted by a hash of the address)."""

from __future__ import annotations

import hashlib
import logging
import os
from typing import Protocol

import httpx

from contracts.envelope import Role
from runtime.auth import issue_token

log = logging.getLogger("notify.contacts")

# The field of the members service's contact data each channel reads.
FIELDS = {"sms": "phone", "email": "email"}


class Contacts(Protocol):
    async def address(self, committee_id: str, recipient_kind: str, recipient_id: str, channel: str) -> str | None:
        """The address for the channel, or None when none is on file."""


def address_hash(address: str) -> str:
    return hashlib.sha256(address.strip().lower().encode()).hexdigest()


class MembersContacts:
    """Reads contact data from the members service as the notify service's own account (role `service`)."""

    def __init__(self, base_url: str, *, timeout_seconds: float = 5.0) -> None:
        self.base_url = base_url.rstrip("/")
        self.timeout_seconds = timeout_seconds

    @classmethod
    def from_env(cls) -> MembersContacts:
        return cls(os.environ.get("YIZHENG_MEMBERS_URL", "http://127.0.0.1:8102"))

    async def address(self, committee_id: str, recipient_kind: str, recipient_id: str, channel: str) -> str | None:
        if recipient_kind != "member" or channel not in FIELDS:
            return None  # units' staff contacts have no read endpoint yet
        token = issue_token(Role.service, committee_id, subject="notify")
        try:
            async with httpx.AsyncClient(timeout=self.timeout_seconds) as client:
                response = await client.get(f"{self.base_url}/members/{recipient_id}/contact",
                                            headers={"Authorization": f"Bearer {token}"})
        except httpx.HTTPError as err:
            raise ContactLookupFailed(f"members contact endpoint unreachable: {type(err).__name__}") from None
        if response.status_code == 404:
            return None
        if response.status_code != 200:
            # Never the body: it may carry contact data.
            raise ContactLookupFailed(f"members contact endpoint answered {response.status_code}")
        value = response.json().get(FIELDS[channel])
        return str(value) if value else None


class ContactLookupFailed(Exception):
    """The members service could not be asked (the delivery is retried)."""
