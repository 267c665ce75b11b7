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

What a subscription hands a unit's staff of an event (`event_data`, `UNIT_STAFF_EVENT_FIELDS`): not the
internal event, but only the fields its queries expose about that fact: an office's assignment note, a
reopening's or a re-computed deadline's reason, a verdict's notes reach the office's subscriptions, never a
unit's. Each event type a unit's subscription can carry has its declared fields (a test checks every one of
them, against the contracts); a type not declared reaches a unit as no data at all.

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


def _fields(*names: str) -> frozenset[str]:
    return frozenset(names)


# Event type -> the fields of it that a unit's staff read in their queries (the GraphQL types a unit may read:
# Proposal, Handling, Reply, Evaluation once released, Commitment, Reassignment, OpinionLetter, HandlingContact,
# Lookback, TrackedItem, SupervisionTopic/Activity/Report, Unit). What no query shows a unit (an office's note,
# a reason given to the office, a proposer's contact, a sequence number) is not here.
UNIT_STAFF_EVENT_FIELDS: dict[str, frozenset[str]] = {
    # proposals: the proposal itself (`Proposal`; `decisionReason` is the acceptance's reason)
    "proposal-drafted": _fields("proposal_id"),  # a draft is the proposer's
    "proposal-revised": _fields("proposal_id", "title", "category"),
    "proposal-submitted": _fields("proposal_id", "title", "category", "submitter_kind", "lead_member_id",
                                  "cosigner_member_ids", "organization_id", "special_committee", "sector", "year"),
    "proposal-resubmitted": _fields("proposal_id", "title", "category", "year"),
    "proposal-accepted": _fields("proposal_id", "reason", "number", "year", "category", "submitter_kind",
                                 "lead_member_id", "cosigner_member_ids", "organization_id", "special_committee",
                                 "sector"),
    "proposal-not-accepted": _fields("proposal_id", "reason", "converted_to"),
    "proposal-returned": _fields("proposal_id"),
    "proposal-withdrawn": _fields("proposal_id"),
    "proposal-merged": _fields("proposal_id", "into_proposal_id"),
    "proposal-merge-received": _fields("proposal_id", "from_proposal_id"),
    "proposal-number-assigned": _fields("proposal_id", "number", "year"),
    "past-proposal-imported": _fields("proposal_id", "number", "year", "title", "result_class", "unit_ids"),
    "cosigner-confirmed": _fields("proposal_id", "member_id"),
    "cosigner-declined": _fields("proposal_id", "member_id"),
    "cosigner-lapsed": _fields("proposal_id", "member_id", "deadline"),
    "key-proposal-designated": _fields("proposal_id", "year", "supervising_leaders", "lead_member_id",
                                       "cosigner_member_ids", "organization_id"),
    "key-proposal-progress-reported": _fields("proposal_id", "unit_id", "reported_on", "text"),
    "proposal-result-recorded": _fields("proposal_id", "result_id", "description", "document_ref", "adopted_on"),
    # its handling (`Handling`, `Reply`, `Reassignment`, `HandlingContact`, `Commitment`)
    "proposal-assigned": _fields("proposal_id", "assigned_on", "mode", "lead_unit_id", "co_unit_ids", "unit_ids",
                                 "deadline", "reassignment_window_ends"),
    "reassignment-requested": _fields("proposal_id", "unit_id", "reason", "suggested_unit_id"),
    "reassignment-granted": _fields("proposal_id", "unit_id", "new_unit_id", "role", "lead_unit_id", "co_unit_ids",
                                    "unit_ids", "deadline", "granted_on", "reason", "reassignment_window_ends"),
    "reassignment-refused": _fields("proposal_id", "unit_id", "reason"),
    "handling-deadline-recomputed": _fields("proposal_id", "unit_id", "round", "deadline"),
    "handling-overdue": _fields("proposal_id", "unit_id", "round", "deadline"),
    "handling-reopened": _fields("proposal_id", "unit_id", "round", "deadline", "reopened_on"),
    "handling-contact-recorded": _fields("proposal_id", "unit_id", "kind", "held_on", "member_ids", "summary"),
    "proposal-replied": _fields("proposal_id", "unit_id", "round", "result_class", "on_time", "replied_on",
                                "deadline", "text", "evaluation_due", "cosigning_unit_ids"),
    "reply-cosigned": _fields("proposal_id", "unit_id", "lead_unit_id", "round"),
    "reply-class-revised": _fields("proposal_id", "unit_id", "round", "result_class"),
    "commitment-recorded": _fields("proposal_id", "unit_id", "commitment_id", "round", "text", "due"),
    # its evaluations (`Evaluation`, sealed until the round completes: `contracts.sealed` removes them first)
    "proposal-evaluated": _fields("proposal_id", "unit_id", "round", "member_id", "rating", "attitude", "contact",
                                  "comment"),
    "evaluation-lapsed": _fields("proposal_id", "unit_id", "round", "deadline", "rated", "not_rated"),
    "evaluations-completed": _fields("proposal_id", "unit_id", "round", "ratings", "dissatisfied"),
    # look-backs at a unit's commitments (`Lookback`)
    "lookback-opened": _fields("lookback_id", "subject", "due", "proposal_id", "commitment_id", "unit_id",
                               "recommendation_id"),
    "lookback-scheduled": _fields("lookback_id", "subject", "due", "proposal_id", "commitment_id", "unit_id",
                                  "recommendation_id"),
    "lookback-concluded": _fields("lookback_id", "subject", "proposal_id", "commitment_id", "unit_id",
                                  "recommendation_id", "outcome", "notes"),
    # opinion letters sent to a unit (`OpinionLetter`)
    "opinion-letter-sent": _fields("letter_id", "proposal_id", "unit_id", "title", "text", "category",
                                   "edited_by_office", "sent_on"),
    "opinion-letter-acknowledged": _fields("letter_id", "proposal_id", "unit_id", "acknowledged_on"),
    # tracked items sent to a unit (`TrackedItem`: its verdict, not the verdict's notes; no follow-up's note)
    "tracked-item-opened": _fields("item_id", "parent_item_id", "source_id", "subject", "title", "summary",
                                   "unit_ids", "sent_on", "due", "due_working_days"),
    "tracked-item-progress-reported": _fields("item_id", "unit_id", "round", "status", "progress", "milestones",
                                              "text", "reported_on"),
    "tracked-item-followed-up": _fields("item_id", "round", "unit_ids", "followed_up_on"),
    "tracked-item-verdict-recorded": _fields("item_id", "round", "verdict", "given_on"),
    "tracked-item-reopened": _fields("item_id", "round", "due", "due_working_days", "reopened_on"),
    "tracked-item-looked-back": _fields("item_id", "round", "outcome", "looked_back_on", "notes"),
    # supervision of a unit (`SupervisionTopic`, `SupervisionActivity`, `SupervisionReport`: its findings'
    # count, not the findings)
    "supervision-topic-opened": _fields("supervision_id", "year", "title", "unit_ids", "team_member_ids"),
    "supervision-activity-logged": _fields("supervision_id", "activity_id", "kind", "held_on",
                                           "participant_member_ids", "unit_ids", "summary"),
    "supervision-reported": _fields("supervision_id", "report_id", "reported_on", "unit_ids", "member_ids",
                                    "rectification_due"),
    # the unit itself (`Unit`: its name; its staff are the members service's)
    "unit-registered": _fields("unit_id", "name"),
    "unit-staff-added": _fields("unit_id"),
    "appraisal-participation-recorded": _fields("unit_id"),  # a unit reads no appraisal
}
# The projection per role; a role not named here reads what `contracts.sealed` leaves it.
EVENT_FIELDS: dict[Role, dict[str, frozenset[str]]] = {Role.unit_staff: UNIT_STAFF_EVENT_FIELDS}


def event_data(viewer: Viewer, event_type: str, data: Mapping[str, Any]) -> dict[str, Any]:
    """An event's payload as a subscription hands it to the caller as it happens: without the values sealed
    from them (an event read live is never yet released: the releasing fact comes after it), and, for a role
    with a projection (a unit's staff), only the fields its queries expose about the fact (`EVENT_FIELDS`;
    a type it does not declare: none)."""
    visible = sealed.visible(event_type, data, reader(viewer))
    projection = EVENT_FIELDS.get(viewer.role)
    if projection is None:
        return visible
    shown = projection.get(event_type, frozenset())
    return {k: v for k, v in visible.items() if k in shown}


def sealed_from(viewer: Viewer, event_type: str, data: Mapping[str, Any]) -> bool:
    """Some of this event's values are sealed from the caller (they would not see it in any query yet)."""
    return sealed.visible(event_type, data, reader(viewer)).keys() != data.keys()




def sees_tracked_item(viewer: Viewer, unit_ids: list[str]) -> bool:
    """A tracked item nested in what a caller reads (a topic's rectifications or recommendations, an item's
    children): the `trackedItems` rule — staff all, unit staff those sent to their unit, others none."""
    if viewer.role is Role.unit_staff:
        return viewer.unit_id is not None and viewer.unit_id in unit_ids
    return viewer.role in STAFF
