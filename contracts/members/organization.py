"""Organizations (党派团体, 工商联, 人民团体), handling units (承办单位) and their staff, liaison contacts."""

from __future__ import annotations

from pydantic import Field

from contracts.bounded import (
    Identifier,
    RecordedDate,
    RecordedId,
    RecordedLabel,
    RecordedList,
    RecordedOrgName,
    RecordedPersonName,
    RecordedShortText,
)
from contracts.members.enums import LiaisonContactKind, OrganizationKind, Sector
from contracts.registry import DomainEvent, event_type
from contracts.topics import MEMBERS

# Organizations, units, staff and contacts are registered under checked ids, and the members named are
# checked against the roster, so those ids keep the registry's pattern; ids the service takes as given (a
# township, a contact a liaison visit names) are `RecordedId`.


@event_type("organization-registered", version=1, topic=MEMBERS)
class OrganizationRegistered(DomainEvent):
    organization_id: Identifier
    name: RecordedOrgName
    kind: OrganizationKind
    sector: Sector | None = None


@event_type("organization-member-added", version=1, topic=MEMBERS)
class OrganizationMemberAdded(DomainEvent):
    organization_id: Identifier
    member_id: Identifier
    position: RecordedLabel | None = Field(default=None, description="e.g. 主委, 副主委")


@event_type("unit-registered", version=1, topic=MEMBERS)
class UnitRegistered(DomainEvent):
    """A handling unit (承办单位): a county government department that answers proposals."""

    unit_id: Identifier
    name: RecordedOrgName


@event_type("unit-staff-added", version=1, topic=MEMBERS)
class UnitStaffAdded(DomainEvent):
    """A staff account of a unit; its `staff_id` is the token subject. Phone stays private."""

    unit_id: Identifier
    staff_id: Identifier
    name: RecordedPersonName
    title: RecordedLabel | None = None
    is_liaison: bool = Field(default=False, description="the unit's contact person for proposals (联络员)")


@event_type("liaison-contact-added", version=1, topic=MEMBERS)
class LiaisonContactAdded(DomainEvent):
    """Someone the committee keeps in touch with (hometown talent, private-economy person, a member's
    enterprise). Phone and address stay private."""

    contact_id: Identifier
    kind: LiaisonContactKind
    name: RecordedOrgName
    township_id: RecordedId | None = None
    sector: Sector | None = None
    # Checked for a member enterprise; taken as given for other kinds.
    member_id: RecordedId | None = Field(default=None, description="for a member enterprise: the member")
    based_in: RecordedLabel | None = Field(default=None, description="city or region, e.g. 深圳")


@event_type("liaison-visit-recorded", version=1, topic=MEMBERS)
class LiaisonVisitRecorded(DomainEvent):
    """A visit to a liaison contact or a member's enterprise (走访委员和委员企业)."""

    liaison_visit_id: Identifier
    contact_id: RecordedId | None = None
    visited_member_id: RecordedId | None = None
    visitor_member_ids: RecordedList[Identifier] = Field(default_factory=list)
    visited_on: RecordedDate
    purpose: RecordedShortText = ""
