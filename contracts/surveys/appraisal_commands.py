"""Commands of democratic appraisal (民主评议) the office sends through the command API: open a round, close it
(valid: the tally is announced, the lowest ranked are asked to rectify), or void it (作废, to be run again).
Issuing the credentials and casting ballots are the service's own routes (`surveys.appraisal.routes`): the
slips' private parts must never reach a stored command answer (the command API keeps answers for idempotent
replays), and a ballot carries no login."""

from __future__ import annotations

from typing import Annotated

from pydantic import Field

from contracts.bounded import MAX_ROSTER, AnyDate, BoundedList, Count, Identifier, OrgName, Roster, ShortText
from contracts.surveys.appraisal import AppraisalKind, VoidCause
from contracts.surveys.commands import Command, NewId, PlanYear, WorkingDays

# Invited representatives (特邀代表) entitled beside members: 0-1,000.
Representatives = Annotated[Count, Field(le=MAX_ROSTER)]


class UnitInput(Command):
    unit_id: Identifier
    name: OrgName = Field(description="as the ballot prints it, e.g. 县公安局")


class DimensionInput(Command):
    dimension_id: Identifier
    name: OrgName = Field(description="e.g. 工作作风")


class OpenAppraisal(Command):
    """The office opens an appraisal round (year, kind, the departments or windows appraised, dimensions if any,
    the entitled raters). Without dimensions a ballot has one, `overall` (总体评价)."""

    appraisal_id: Identifier | None = NewId
    year: PlanYear
    kind: AppraisalKind
    title: ShortText
    held_on: AnyDate = Field(description="the day of the appraisal meeting")
    subjects: BoundedList[UnitInput] = Field(min_length=1, description="the departments or windows appraised")
    dimensions: BoundedList[DimensionInput] = Field(default_factory=list)
    special_supervisor_ids: Roster = Field(default_factory=list, description="special supervisors (特约监督员)")
    member_ids: Roster = Field(default_factory=list, description="members (委员) entitled to rate")
    invited_representatives: Representatives = Field(default=0, description="invited representatives (特邀代表)")
    online: bool = Field(default=False, description="an online round: the slips wait in the service's pool and "
                         "each special supervisor or member draws one while signed in (notify tells them); "
                         "invited representatives, who have no login, cannot take part")


class CloseAppraisal(Command):
    """The office closes the round: how many credentials were handed out at sign-in (the attendance), and which
    registered raters signed in (their participation is credited; who drew which slip is not known). Refused
    when fewer than half plus one of those entitled attended, or more ballots came back than were handed out.
    An online round counts itself: the slips drawn are the credentials issued, those who drew are credited;
    `issued` may be left out (if given it must be the number drawn) and no attendees are named."""

    appraisal_id: Identifier
    issued: Count | None = Field(default=None, description="credentials handed out at sign-in (required unless "
                                                           "the round is online)")
    attendee_member_ids: Roster = Field(default_factory=list,
                                        description="special supervisors and members who signed in (none for an "
                                                    "online round)")
    rectification_due_working_days: WorkingDays = Field(default=30, description="for the bottom three's rectification")


class VoidAppraisal(Command):
    """The office declares the round invalid (作废): the ballot box is emptied unread, the round is run again."""

    appraisal_id: Identifier
    cause: VoidCause
    reason: ShortText

