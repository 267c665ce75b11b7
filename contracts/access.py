"""Who may read what — one policy for the gateway's queries and every service's own read routes, so a token
that the gateway refuses is refused by the service too (a service account calling a service directly reads
what service accounts may read through the gateway, nothing more). Rows are named for the gateway's
operations; rows only a service serves (visit plan progress, contact data) are named for what they read.

Each row gives the roles that may ask at all; `OWN_ONLY` narrows a row, for some roles, to the caller's own
records (a member reads their own scorecard and contact data only). How a list narrows further for a role
(a unit's items, a member's proposals) is decided where the list is read."""

from __future__ import annotations

from contracts.envelope import Role
from contracts.roles import MEMBER, OFFICE_OR_ADMIN, PEOPLE, STAFF

EVERYONE = frozenset(Role)

ALLOWED: dict[str, frozenset[Role]] = {
    "me": EVERYONE,
    "members": EVERYONE,
    "member": EVERYONE,
    "enumLabels": EVERYONE,
    "workQueue": PEOPLE,
    "workQueueChanged": PEOPLE,
    "memberScorecard": STAFF | {Role.member},
    "scorecards": STAFF,
    "oversight": STAFF,
    "oversightFeed": STAFF,
    "proposals": EVERYONE,
    "proposal": EVERYONE,
    "opinionReports": STAFF | {Role.member, Role.service},
    "meetings": STAFF | {Role.member, Role.service},
    "visits": STAFF | {Role.member},
    "consultationPlan": STAFF | {Role.member},
    "consultations": STAFF | {Role.member},
    # Unit staff see only the items sent to their unit (`gateway.read.surveys`).
    "trackedItems": STAFF | {Role.unit_staff},
    # Unit staff see the topics that concern their unit (`gateway.read.supervision`, `gateway.read.research`).
    "supervisionTopics": STAFF | {Role.member, Role.unit_staff},
    "researchTopics": STAFF | {Role.member, Role.unit_staff},
    # Served by the members service only: the visit plan's coverage is derived from every member's visits.
    "visitPlanProgress": STAFF,
    # Personal contact data: office staff and admin, or the member themself (not leadership, not services).
    "memberContact": OFFICE_OR_ADMIN | MEMBER,
}

# Rows that, for these roles, hold only for the caller's own records.
OWN_ONLY: dict[str, frozenset[Role]] = {
    "memberScorecard": MEMBER,
    "memberContact": MEMBER,
}


def may_read(role: Role, operation: str, *, own: bool = True) -> bool:
    """Whether `role` may ask `operation`; `own` says whether what is asked about is the caller's own record
    (it matters only for an `OWN_ONLY` row). An unknown operation is a programming error (KeyError)."""
    if role not in ALLOWED[operation]:
        return False
    return own or role not in OWN_ONLY.get(operation, frozenset())
