"""Whose inbox a caller reads and writes: a member's (leaders are members), a unit's, or the office's —
always from the bearer token, never from a body or a query."""

from __future__ import annotations

from contracts.envelope import Actor, Role
from contracts.notify.vocabulary import RecipientKind
from eventstore.errors import DomainError


def inbox_of(actor: Actor) -> tuple[RecipientKind, str]:
    if actor.role in (Role.member, Role.leadership) and actor.member_id:
        return RecipientKind.member, actor.member_id
    if actor.role is Role.unit_staff and actor.unit_id:
        return RecipientKind.unit, actor.unit_id
    if actor.role is Role.office_staff:
        return RecipientKind.office, "office"
    raise DomainError("no_inbox", "this account has no inbox: notifications go to members, units and the office")
