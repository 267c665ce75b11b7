"""Who may read what — one policy for the gateway's queries and every service's own read routes, so a token
that the gateway refuses is refused by the service too (a service account calling a service directly reads
what service accounts may read through the gateway, nothing more). Rows are named for the gateway's
operations; rows only a service serves (visit plan progress, contact data) are named for what they read.

Each row gives the roles that may ask at all; `OWN_ONLY` narrows a row, for some roles, to the caller's own
records (a member reads their own scorecard and contact data only). How a list narrows further for a role
(a unit's items, a member's proposals) is decided where the list is read."""

from __future__ import annotations

from contracts.envelope import Role
from contracts.roles import MEMBER, OFFICE, OFFICE_OR_ADMIN, PEOPLE, STAFF, SYSTEM

EVERYONE = frozenset(Role)
# Whoever has an inbox at the notify service (`notify.inbox.inbox_of`).
INBOX = frozenset({Role.member, Role.leadership, Role.unit_staff, Role.office_staff})

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
    # The proposals like one under review (earlier years', the same year's for merging): the reviewers.
    "similarProposals": STAFF,
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
    # Lookups (`gateway.read.lookups`). The registry's units and organizations, the solicitations with their
    # reference topics and the rulebooks are public facts: every signed-in role.
    "units": EVERYONE,
    "organizations": EVERYONE,
    "solicitations": EVERYONE,
    "rulebooks": EVERYONE,
    # Recommendation reports (建议案) go to the county party committee and government: the office and leadership.
    "recommendationReports": STAFF,
    # Opinion letters (转意见建议函): staff all; unit staff those sent to their unit (`gateway.read.opinion_letters`).
    "opinionLetters": STAFF | {Role.unit_staff},
    # Look-backs: staff all; a unit those at its own commitments, a member those at their proposals' commitments.
    "lookbacks": STAFF | {Role.member, Role.unit_staff},
    # Liaison contacts are citizens the office keeps (withheld from the public topic); a member sees only their
    # own enterprise.
    "liaisonContacts": STAFF | MEMBER,
    # Trainings, charity and awards: staff all; a member those naming them, and of those only themself.
    "trainings": STAFF | MEMBER,
    "charityRecords": STAFF | MEMBER,
    "awards": STAFF | MEMBER,
    # Served by the members service only: the visit plan's coverage is derived from every member's visits.
    "visitPlanProgress": STAFF,
    # Personal contact data: office staff and admin, or the member themself (not leadership, not services).
    "memberContact": OFFICE_OR_ADMIN | MEMBER,
    # Where notifications go (email and mobile only, per member or per unit's staff): the notify service's
    # account alone — see `SERVICE_ACCOUNTS`.
    "notificationAddresses": SYSTEM,
    # Notify: a person's own inbox and preferences (members, leaders, unit staff, the office; an admin account
    # and a service token have no inbox); webhook endpoints and the delivery list are the office's or admin's.
    "notifications": INBOX,
    "notificationPreferences": INBOX,
    "notificationReceived": INBOX,
    "webhookEndpoints": OFFICE_OR_ADMIN,
    "notificationDeliveries": OFFICE_OR_ADMIN,
    # Questionnaires (surveys service routes): the form for staff and for the members invited (the service
    # checks the invitation); results and exports for staff; an anonymous questionnaire's ticket for the invited
    # member themself (its response goes by the ticket alone, with no login).
    "questionnaire": STAFF | MEMBER,
    "questionnaireResults": STAFF,
    "questionnaireExport": STAFF,
    "questionnaireTicket": MEMBER,
    # The questionnaires themselves (the gateway's view): staff all, a member those they are invited to.
    "questionnaires": STAFF | MEMBER,
    # Appraisal rounds (民主评议): what is appraised, by how many, and after close the results, the board and
    # its tally are published (`contracts.surveys.public`), so every signed-in role reads them.
    "appraisals": EVERYONE,
    "appraisal": EVERYONE,
    "appraisalBoard": EVERYONE,
    "appraisalTally": EVERYONE,
    # The slips of a round (issued once, by the office: the service refuses a second issue).
    "appraisalCredentials": OFFICE,
    # A rater of an online round draws one slip, signed in as themselves (the service checks they are entitled).
    "appraisalSlip": MEMBER,
    # Casting a ballot (`castAppraisalBallot`) and an anonymous questionnaire response
    # (`submitAnonymousQuestionnaireResponse`) have no row: they take no login — the credential's signature,
    # or the ticket, is the only authorization, and the gateway forwards them without any token.
}

# Rows that, for these roles, hold only for the caller's own records.
OWN_ONLY: dict[str, frozenset[Role]] = {
    "memberScorecard": MEMBER,
    "memberContact": MEMBER,
}


# The notify service's account: the subject (`sub`) of its service token (`runtime.auth.issue_token(Role.service,
# committee, subject=NOTIFY_ACCOUNT)`; in production, the OIDC client the provider issues notify's tokens to).
NOTIFY_ACCOUNT = "notify"

# Rows that, for a service token, hold only for these service accounts (the token's subject). Every service and
# every county system integrating with the platform calls as the one role `service`, so the role alone would
# hand each of them every member's email and mobile; the subject names which service is calling, and only
# the one that sends notifications needs them.
SERVICE_ACCOUNTS: dict[str, frozenset[str]] = {
    "notificationAddresses": frozenset({NOTIFY_ACCOUNT}),
}


def may_read(role: Role, operation: str, *, own: bool = True, subject: str | None = None) -> bool:
    """Whether `role` may ask `operation`; `own` says whether what is asked about is the caller's own record
    (it matters only for an `OWN_ONLY` row), `subject` who is calling (only for a `SERVICE_ACCOUNTS` row). An
    unknown operation is a programming error (KeyError)."""
    if role not in ALLOWED[operation]:
        return False
    if role is Role.service and operation in SERVICE_ACCOUNTS and subject not in SERVICE_ACCOUNTS[operation]:
        return False
    return own or role not in OWN_ONLY.get(operation, frozenset())
