"""Organizations (党派团体, 工商联, 人民团体), handling units (承办单位) and their staff, liaison contacts."""

from __future__ import annotations

from datetime import date

from pydantic import Field

from contracts.members.enums import LiaisonContactKind, OrganizationKind, Sector
from contracts.registry import DomainEvent, event_type
from contracts.topics import MEMBERS


@event_type("organization-registered", version=1, topic=MEMBERS)
class OrganizationRegistered(DomainEvent):
    organization_id: str = Field(min_length=1)
    name: str = Field(min_length=1, max_length=80)
    kind: OrganizationKind
    sector: Sector | None = None


@event_type("organization-member-added", version=1, topic=MEMBERS)
class OrganizationMemberAdded(DomainEvent):
    organization_id: str
    member_id: str
    position: str | None = Field(default=None, max_length=40, description="e.g. 主委, 副主委")


@event_type("unit-registered", version=1, topic=MEMBERS)
class UnitRegistered(DomainEvent):
    """A handling unit (承办单位): a county government department that answers proposals."""

    unit_id: str = Field(min_length=1)
    name: str = Field(min_length=1, max_length=80)


@event_type("unit-staff-added", version=1, topic=MEMBERS)
class UnitStaffAdded(DomainEvent):
    """A staff account of a unit; its `staff_id` is the token subject. Phone stays private."""

    unit_id: str
    staff_id: str = Field(min_length=1)
    name: str = Field(min_length=1, max_length=40)
    title: str | None = Field(default=None, max_length=40)
    is_liaison: bool = Field(default=False, description="the unit's contact person for proposals (联络员)")


@event_type("liaison-contact-added", version=1, topic=MEMBERS)
class LiaisonContactAdded(DomainEvent):
    """Someone the committee keeps in touch with (hometown talent, private-economy person, a member's
    enterprise). Phone and address stay private."""

    contact_id: str = Field(min_length=1)
    kind: LiaisonContactKind
    name: str = Field(min_length=1, max_length=80)
    township_id: str | None = None
    sector: Sector | None = None
    member_id: str | None = Field(default=None, description="for a member enterprise: the member")
    based_in: str | None = Field(default=None, max_length=40, description="city or region, e.g. 深圳")


@event_type("liaison-visit-recorded", version=1, topic=MEMBERS)
class LiaisonVisitRecorded(DomainEvent):
    """A visit to a liaison contact or a member's enterprise (走访委员和委员企业)."""

    liaison_visit_id: str = Field(min_length=1)
    contact_id: str | None = None
    visited_member_id: str | None = None
    visitor_member_ids: list[str] = Field(default_factory=list)
    visited_on: date
    purpose: str = Field(default="", max_length=200)
