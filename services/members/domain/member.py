"""The member aggregate (stream `member-{committee}-{member_id}`): registration, registry changes, status
over time. Contact data travels in the commands but is stored privately by the handler, never in events."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import date
from typing import Any

from contracts.members.commands import ChangeMemberStatus, RegisterMember, UpdateMember
from contracts.members.enums import MemberStatus
from contracts.members.member import MemberRegistered, MemberStatusChanged, MemberUpdated, family_name_of
from contracts.members.member_view import MemberView
from contracts.registry import DomainEvent
from eventstore.decider import Decider
from eventstore.errors import DomainError
from eventstore.issued import Issued
from members.domain.common import require_office

FINAL = frozenset({MemberStatus.resigned, MemberStatus.removed, MemberStatus.deceased, MemberStatus.term_ended})
PUBLIC_FIELDS = ("name", "sector", "township_id", "special_committee_id", "standing_committee", "chair_role",
                 "special_supervisor_unit_id")


@dataclass(frozen=True)
class MemberState:
    registered: bool = False
    member_id: str = ""
    fields: dict[str, Any] = field(default_factory=dict)
    joined_on: date | None = None
    status: MemberStatus = MemberStatus.active
    history: tuple[tuple[MemberStatus, date], ...] = ()

    def view(self) -> MemberView:
        return MemberView(self.member_id, self.status, self.fields["sector"], self.fields.get("chair_role"),
                          bool(self.fields.get("standing_committee")), self.fields.get("township_id"),
                          self.joined_on)

    def left_on(self) -> date | None:
        return self.history[-1][1] if self.history and self.status in FINAL else None


def evolve(state: MemberState, event: DomainEvent) -> MemberState:
    if isinstance(event, MemberRegistered):
        values = {f: getattr(event, f) for f in PUBLIC_FIELDS}
        return MemberState(True, event.member_id, values, event.joined_on, MemberStatus.active,
                           ((MemberStatus.active, event.joined_on),))
    if isinstance(event, MemberUpdated):
        changed = {f: getattr(event, f) for f in event.changed if f in PUBLIC_FIELDS}
        return replace(state, fields={**state.fields, **changed})
    if isinstance(event, MemberStatusChanged):
        return replace(state, status=event.status, history=(*state.history, (event.status, event.effective_on)))
    return state


def _register(state: MemberState, issued: Issued[RegisterMember]) -> list[DomainEvent]:
    require_office(issued, "registering members")
    b = issued.command
    if state.registered:
        raise DomainError("member_already_registered", f"member {b.member_id} is already registered",
                          fields=["member_id"])
    if b.chair_role is not None and not b.standing_committee:
        raise DomainError("chair_must_be_standing", "chair-meeting members are standing-committee members",
                          fields=["chair_role", "standing_committee"])
    return [MemberRegistered(
        member_id=b.member_id, name=b.name.strip(), family_name=family_name_of(b.name), sector=b.sector,
        township_id=b.township_id, special_committee_id=b.special_committee_id,
        standing_committee=b.standing_committee, chair_role=b.chair_role,
        special_supervisor_unit_id=b.special_supervisor_unit_id, term=b.term, session=b.session,
        joined_on=b.joined_on, contact_on_file=b.contact is not None and not b.contact.is_empty())]


def _update(state: MemberState, issued: Issued[UpdateMember]) -> list[DomainEvent]:
    require_office(issued, "updating the registry")
    b = issued.command
    if not state.registered:
        raise DomainError("unknown_member", f"no member {b.member_id}", fields=["member_id"])
    unknown_clear = [f for f in b.clear if f not in PUBLIC_FIELDS or f in ("name", "sector", "standing_committee")]
    if unknown_clear:
        raise DomainError("cannot_clear", f"these fields cannot be cleared: {', '.join(unknown_clear)}",
                          fields=["clear"])
    given = {f: getattr(b, f) for f in PUBLIC_FIELDS if getattr(b, f) is not None}
    given.update({f: None for f in b.clear})
    changes = {f: v for f, v in given.items() if state.fields.get(f) != v}
    after = {**state.fields, **changes}
    if after.get("chair_role") is not None and not after.get("standing_committee"):
        named = [f for f in ("chair_role", "standing_committee") if f in changes]
        raise DomainError("chair_must_be_standing", "chair-meeting members are standing-committee members",
                          fields=named)
    changed = sorted(changes) + (["contact"] if b.contact is not None else [])
    if not changed:
        raise DomainError("nothing_to_change", "the update changes nothing")
    extra: dict[str, Any] = dict(changes)
    if "name" in changes:
        extra["family_name"] = family_name_of(changes["name"])
    return [MemberUpdated(member_id=b.member_id, changed=changed, **extra)]


def _change_status(state: MemberState, issued: Issued[ChangeMemberStatus]) -> list[DomainEvent]:
    require_office(issued, "changing a member's status")
    b = issued.command
    if not state.registered:
        raise DomainError("unknown_member", f"no member {b.member_id}", fields=["member_id"])
    if state.status is b.status:
        raise DomainError("status_unchanged", f"member {b.member_id} is already {b.status.value}",
                          fields=["status"])
    if state.status in FINAL:
        raise DomainError("status_final", f"member {b.member_id} has left ({state.status.value}); the status is final",
                          fields=["status"])
    if state.joined_on is not None and b.effective_on < state.joined_on:
        raise DomainError("effective_before_joining", "a status cannot change before the member joined",
                          fields=["effective_on"])
    if state.history and b.effective_on < state.history[-1][1]:
        raise DomainError("effective_before_last_change", "status changes are recorded in date order",
                          fields=["effective_on"])
    return [MemberStatusChanged(member_id=b.member_id, status=b.status, previous_status=state.status,
                                effective_on=b.effective_on, reason=b.reason)]


def decide(state: MemberState, issued: Issued[Any]) -> Sequence[DomainEvent]:
    body = issued.command
    if isinstance(body, RegisterMember):
        return _register(state, issued)
    if isinstance(body, UpdateMember):
        return _update(state, issued)
    if isinstance(body, ChangeMemberStatus):
        return _change_status(state, issued)
    raise TypeError(f"member aggregate has no command {type(body).__name__}")


member = Decider[MemberState, Issued[Any]](initial=MemberState, decide=decide, evolve=evolve)
