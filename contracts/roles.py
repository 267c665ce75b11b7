"""Who may do what, as named sets of roles — one definition for every service and the gateway."""

from __future__ import annotations

from contracts.envelope import Role

# The committee office doing casework (review, assign, schedule, record). Admin administers accounts and
# the registry; it is not casework, so it is not in OFFICE.
OFFICE = frozenset({Role.office_staff})
# The registry and the office's records (members, units, organizations, rulebooks, roster imports).
OFFICE_OR_ADMIN = frozenset({Role.office_staff, Role.admin})
OFFICE_OR_LEADERSHIP = frozenset({Role.office_staff, Role.leadership})
# Everyone who reads across the committee.
STAFF = frozenset({Role.office_staff, Role.leadership, Role.admin})
PEOPLE = frozenset({Role.member, Role.unit_staff, Role.office_staff, Role.leadership, Role.admin})
# A service's own background workers (deadline watchers) and other platform processes.
SYSTEM = frozenset({Role.service})
MEMBER = frozenset({Role.member})
UNIT = frozenset({Role.unit_staff})
# A unit for itself, or the office recording what the unit sent on paper (a reply letter).
UNIT_OR_OFFICE = frozenset({Role.unit_staff, Role.office_staff})
# A member for themself, or the office on a member's behalf (drafting, submitting, logging).
MEMBER_OR_OFFICE = frozenset({Role.member, Role.office_staff})
MEMBER_OR_OFFICE_OR_ADMIN = frozenset({Role.member, Role.office_staff, Role.admin})
UNIT_OR_OFFICE_OR_LEADERSHIP = frozenset({Role.unit_staff, Role.office_staff, Role.leadership})
