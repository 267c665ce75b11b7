"""Sealed values (`contracts.sealed`) in what notify hands on. A notification's variables keep only what its
recipient may read (a unit is not told a proposer's rating before every proposer has rated the reply); a
webhook endpoint is another county system, an outsider, and its payload is sealed again at sending (the
variables were kept for the inbox's recipient, who may be the office). A rule whose condition reads a sealed
value tells that value by the notice's mere existence: the rulebook lets it address only readers who may read
the value, and its notices reach no webhook (`notify.rules.Rule.sealed`)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from contracts.envelope import Role
from contracts.notify.vocabulary import RecipientKind
from contracts.sealed import OUTSIDER, Reader, visible


def reader_of(kind: RecipientKind, recipient_id: str) -> Reader:
    """An inbox's owner as a reader: a member (a leader's inbox is a member's), a unit's staff, the office."""
    if kind is RecipientKind.member:
        return Reader(Role.member, recipient_id)
    if kind is RecipientKind.unit:
        return Reader(Role.unit_staff)
    return Reader(Role.office_staff)


def for_recipient(event_type: str, data: Mapping[str, Any], kind: RecipientKind,
                  recipient_id: str) -> dict[str, Any]:
    """The event's data as this recipient may read it (an event is told as it happens: not yet released)."""
    return visible(event_type, data, reader_of(kind, recipient_id))


def for_webhook(source_type: str, variables: Mapping[str, Any]) -> dict[str, Any]:
    """A notification's variables as a webhook endpoint may read them."""
    return visible(source_type, variables, OUTSIDER)
