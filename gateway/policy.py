"""Who may see what — the one place the gateway decides it. Every query also filters by the caller's
committee; the rules here decide which roles may ask at all and how a list is narrowed for a role.

| query / subscription     | member           | unit_staff        | office, leadership, admin | service        |
|--------------------------|------------------|-------------------|---------------------------|----------------|
| me, members, enumLabels  | yes              | yes               | yes                       | yes            |
| workQueue(Changed)       | yes              | yes               | yes                       | no             |
| memberScorecard          | own card only    | no                | yes                       | no             |
| scorecards               | no               | no                | yes                       | no             |
| oversight, oversightFeed | no               | no                | yes                       | no             |
| proposals, proposal      | own (lead, co-signer, contact) | their unit's | all but drafts | accepted/assigned |
| opinionReports           | own              | no                | yes                       | published only |
| meetings                 | invited to       | no                | yes                       | yes (no roll)  |
| visits                   | made or received | no                | yes                       | no             |
| consultationPlan, consultations | yes       | no                | yes                       | no             |
| trackedItems             | no               | sent to their unit | yes                      | no             |
| supervisionTopics        | yes              | supervising their unit | yes                  | no             |
| researchTopics           | yes              | a recommendation sent to their unit | yes     | no             |
| units, organizations, solicitations, rulebooks | yes | yes          | yes                       | yes            |
| recommendationReports    | no               | no                | yes                       | no             |
| lookbacks                | at own proposals | at their unit's commitments | yes             | no             |
| liaisonContacts          | own enterprise   | no                | yes                       | no             |
| trainings, charityRecords, awards | naming them (only them named) | no | yes            | no             |

(Surveys: the detail and the definitions are in `gateway/read/surveys.py`; the lookups: `gateway/read/lookups.py`.)

Sealed values (`contracts.sealed`): a proposer's rating, attitude, contact and comment reach a unit, another
proposer or a service account only once every proposer has rated the reply — in a query (`sees_evaluation`)
and in a subscription's event data (`event_data`) alike, so a subscription tells a unit no more than its
queries would.

Personal contact data never reaches the gateway's views (public topics carry none). `Member.contact` is
fetched per request from the members service's own endpoint, with the caller's token, for office staff,
admin and the member themself only (`require_contact`).
Mutations are forwarded with the caller's own token; the owning service decides (its refusal comes back as
`CommandRefused { rule: "not_authorized" }`)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from contracts import sealed
from contracts.access import ALLOWED as ALLOWED
from contracts.access import EVERYONE as EVERYONE
from contracts.envelope import Role
from contracts.roles import PEOPLE as PEOPLE
from contracts.roles import STAFF as STAFF
from gateway.auth import Viewer
from gateway.errors import Forbidden, Unauthenticated

# The table itself is `contracts.access.ALLOWED`, shared with the services' own read routes so a token
# the gateway refuses is refused there too; re-exported here under the names the gateway has always used.

EVALUATED = "proposal-evaluated"
# Proposal states a service account may see: decided by the review, no longer a private draft.
PUBLIC_PROPOSAL_STATES = ("accepted", "assigned")


def require(viewer: Viewer, operation: str) -> Viewer:
    """The caller, if authenticated and in a role allowed to ask `operation`; raises otherwise."""
    if not viewer.authenticated:
        raise Unauthenticated(viewer.problem or "a bearer token is required")
    if viewer.role not in ALLOWED[operation]:
        raise Forbidden(f"{operation} is not available to the {viewer.role.value} role")
    return viewer


def require_own_card(viewer: Viewer, member_id: str) -> None:
    """A member reads only their own scorecard."""
    if viewer.role is Role.member and viewer.member_id != member_id:
        raise Forbidden("a member may read only their own scorecard")


def require_contact(viewer: Viewer, member_id: str) -> None:
    """Personal contact data: office staff and admin, or the member themself (the members service checks
    again; the gateway does not even ask it for anyone else)."""
    if viewer.role in (Role.office_staff, Role.admin) or viewer.is_member(member_id):
        return
    raise Forbidden("contact data is for office staff and the member themself")


def sees_all_attendance(viewer: Viewer) -> bool:
    return viewer.role in STAFF


def reader(viewer: Viewer) -> sealed.Reader:
    """The caller as `contracts.sealed` knows readers: the role, and a member's own id."""
    return sealed.Reader(viewer.role, viewer.member_id if viewer.role is Role.member else None)


def sees_evaluation(viewer: Viewer, evaluation: Mapping[str, Any], completed: bool) -> bool:
    """A proposer's feedback form on a unit's reply (a row of `proposal-evaluated`): staff and members read
    them, a unit only its own reply's; and its answers are sealed (`contracts.sealed`): before the round is
    `completed` only the office and the proposer themself read them."""
    if viewer.role is Role.unit_staff and viewer.unit_id != evaluation["unit_id"]:
        return False
    if viewer.role not in STAFF | {Role.member, Role.unit_staff}:
        return False
    return sealed.may_see(EVALUATED, evaluation, reader(viewer), released=completed)


def event_data(viewer: Viewer, event_type: str, data: Mapping[str, Any]) -> dict[str, Any]:
    """An event's payload as a subscription hands it to the caller as it happens: without the values sealed
    from them (an event read live is never yet released: the releasing fact comes after it)."""
    return sealed.visible(event_type, data, reader(viewer))


def sealed_from(viewer: Viewer, event_type: str, data: Mapping[str, Any]) -> bool:
    """Some of this event's values are sealed from the caller (they would not see it in any query yet)."""
    return event_data(viewer, event_type, data).keys() != data.keys()


def sees_tracked_item(viewer: Viewer, unit_ids: list[str]) -> bool:
    """A tracked item nested in what a caller reads (a topic's rectifications or recommendations, an item's
    children): the `trackedItems` rule — staff all, unit staff those sent to their unit, others none."""
    if viewer.role is Role.unit_staff:
        return viewer.unit_id is not None and viewer.unit_id in unit_ids
    return viewer.role in STAFF
