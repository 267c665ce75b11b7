"""Organizations, handling units with their staff, and liaison contacts: small registry aggregates
(streams `organization-{committee}-{id}`, `unit-…`, `liaisonContact-…`)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Any

from contracts.members.commands import (
    AddLiaisonContact,
    AddOrganizationMember,
    AddUnitStaff,
    RegisterOrganization,
    RegisterUnit,
)
from contracts.members.enums import LiaisonContactKind
from contracts.members.organization import (
    LiaisonContactAdded,
    OrganizationMemberAdded,
    OrganizationRegistered,
    UnitRegistered,
    UnitStaffAdded,
)
from contracts.registry import DomainEvent
from eventstore.decider import Decider
from eventstore.errors import DomainError
from eventstore.issued import Issued
from members.domain.common import require_active_members, require_office


@dataclass(frozen=True)
class OrganizationState:
    exists: bool = False
    members: frozenset[str] = frozenset()


def _org_evolve(state: OrganizationState, event: DomainEvent) -> OrganizationState:
    if isinstance(event, OrganizationRegistered):
        return OrganizationState(True)
    if isinstance(event, OrganizationMemberAdded):
        return replace(state, members=state.members | {event.member_id})
    return state


def _org_decide(state: OrganizationState, issued: Issued[Any]) -> Sequence[DomainEvent]:
    b = issued.command
    require_office(issued, "managing organizations")
    if isinstance(b, RegisterOrganization):
        if state.exists:
            raise DomainError("organization_already_registered", f"organization {b.organization_id} exists",
                              fields=["organization_id"])
        return [OrganizationRegistered(organization_id=b.organization_id, name=b.name, kind=b.kind, sector=b.sector)]
    if isinstance(b, AddOrganizationMember):
        if not state.exists:
            raise DomainError("unknown_organization", f"no organization {b.organization_id}",
                              fields=["organization_id"])
        require_active_members(issued, [b.member_id], "member_id")
        if b.member_id in state.members:
            raise DomainError("already_a_member", f"{b.member_id} already belongs to {b.organization_id}",
                              fields=["member_id"])
        return [OrganizationMemberAdded(organization_id=b.organization_id, member_id=b.member_id, position=b.position)]
    raise TypeError(type(b).__name__)


organization = Decider[OrganizationState, Issued[Any]](OrganizationState, _org_decide, _org_evolve)


@dataclass(frozen=True)
class UnitState:
    exists: bool = False
    staff: frozenset[str] = frozenset()


def _unit_evolve(state: UnitState, event: DomainEvent) -> UnitState:
    if isinstance(event, UnitRegistered):
        return UnitState(True)
    if isinstance(event, UnitStaffAdded):
        return replace(state, staff=state.staff | {event.staff_id})
    return state


def _unit_decide(state: UnitState, issued: Issued[Any]) -> Sequence[DomainEvent]:
    b = issued.command
    require_office(issued, "managing handling units")
    if isinstance(b, RegisterUnit):
        if state.exists:
            raise DomainError("unit_already_registered", f"unit {b.unit_id} exists", fields=["unit_id"])
        return [UnitRegistered(unit_id=b.unit_id, name=b.name)]
    if isinstance(b, AddUnitStaff):
        if not state.exists:
            raise DomainError("unknown_unit", f"no unit {b.unit_id}", fields=["unit_id"])
        if b.staff_id in state.staff:
            raise DomainError("staff_already_added", f"{b.staff_id} is already staff of {b.unit_id}",
                              fields=["staff_id"])
        return [UnitStaffAdded(unit_id=b.unit_id, staff_id=b.staff_id, name=b.name, title=b.title,
                               is_liaison=b.is_liaison)]
    raise TypeError(type(b).__name__)


unit = Decider[UnitState, Issued[Any]](UnitState, _unit_decide, _unit_evolve)


def _contact_evolve(state: bool, event: DomainEvent) -> bool:
    return state or isinstance(event, LiaisonContactAdded)


def _contact_decide(exists: bool, issued: Issued[Any]) -> Sequence[DomainEvent]:
    b = issued.command
    require_office(issued, "managing liaison contacts")
    if not isinstance(b, AddLiaisonContact):
        raise TypeError(type(b).__name__)
    if exists:
        raise DomainError("contact_already_added", f"liaison contact {b.contact_id} exists", fields=["contact_id"])
    if b.kind is LiaisonContactKind.member_enterprise:
        if b.member_id is None:
            raise DomainError("enterprise_needs_member", "a member enterprise names the member",
                              fields=["member_id"])
        require_active_members(issued, [b.member_id], "member_id")
    return [LiaisonContactAdded(contact_id=b.contact_id, kind=b.kind, name=b.name, township_id=b.township_id,
                                sector=b.sector, member_id=b.member_id, based_in=b.based_in)]


liaison_contact = Decider[bool, Issued[Any]](lambda: False, _contact_decide, _contact_evolve)
