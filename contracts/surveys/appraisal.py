"""Democratic appraisal by secret ballot (民主评议, 民主测评): the events of one appraisal round.

A round appraises departments or service windows (`subjects`, by unit id) on one or more dimensions; the
entitled raters are special supervisors (特约监督员), members and invited representatives (特邀代表). For N
entitled raters the service issues N credentials (Ed25519 key pairs): `appraisal-credentials-issued` carries
the public keys only; the private parts go once to the office as printable slips that attendees draw at
sign-in, and nobody records who drew which. In an online round (`online`) the private parts stay in the
service's private pool of undrawn slips instead: `appraisal-online-voting-opened` tells the entitled raters,
each draws one slip at random while signed in, and nothing records which slip anyone drew. Ballots never
appear in an event: they wait in the service's private ballot box (no time, no actor) until close;
`appraisal-closed` records the sealed board's chain head, the counts and the tally; the board itself (every
ballot, sorted by tracker) is published by the service's read route (`contracts.surveys.appraisal_board` is
its canonical form).

No event names a credential together with a member: `appraisal-credentials-issued` names keys, no members;
`appraisal-online-voting-opened` names the raters told to draw, no keys;
`appraisal-closed` names counts and departments; participation (`appraisal-participation-recorded`) names
members and nothing of any ballot."""

from __future__ import annotations

from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from contracts.bounded import (
    MAX_ROSTER,
    Count,
    RecordedDate,
    RecordedId,
    RecordedList,
    RecordedOrgName,
    RecordedTitle,
    RecordedYear,
    Roster,
)
from contracts.labels import LabeledEnum
from contracts.registry import DomainEvent, event_type
from contracts.topics import SURVEYS

# A SHA-256 digest or an Ed25519 public key, in lower-case hex (32 bytes).
Hex32 = Annotated[str, StringConstraints(min_length=64, max_length=64, pattern=r"^[0-9a-f]{64}$")]
# Credentials of one round: one per entitled rater, at most the whole committee's roster.
PublicKeys = Annotated[list[Hex32], Field(max_length=MAX_ROSTER)]
# A satisfaction rate as the tally writes it: "0.8333" (four places, half up), or absent when nobody knew it.
RateText = Annotated[str, StringConstraints(max_length=6, pattern=r"^[0-9.]{1,6}$")]


class AppraisalKind(LabeledEnum):
    """What a round appraises."""

    law_enforcement = ("law_enforcement", "执纪执法部门")
    service_windows = ("service_windows", "窗口行业")


class Choice(LabeledEnum):
    """A rater's choice for one department on one dimension; a blank (no choice) is an abstention (弃权)."""

    satisfied = ("satisfied", "满意")
    basically_satisfied = ("basically_satisfied", "基本满意")
    dissatisfied = ("dissatisfied", "不满意")
    unknown = ("unknown", "不了解")


class VoidCause(LabeledEnum):
    """Why a round was declared invalid (to be run again)."""

    quorum_not_met = ("quorum_not_met", "到会人数未过半")
    more_returned_than_issued = ("more_returned_than_issued", "收回票数多于发出票数")
    other = ("other", "其他")


class AppraisedUnit(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    unit_id: RecordedId
    name: RecordedOrgName


class AppraisalDimension(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    dimension_id: RecordedId
    name: RecordedOrgName


@event_type("appraisal-opened", version=1, topic=SURVEYS)
class AppraisalOpened(DomainEvent):
    """The office opened an appraisal round: what is appraised, on which dimensions, by whom."""

    appraisal_id: RecordedId
    year: RecordedYear
    kind: AppraisalKind
    title: RecordedTitle
    held_on: RecordedDate
    subjects: RecordedList[AppraisedUnit] = Field(min_length=1)
    dimensions: RecordedList[AppraisalDimension] = Field(description="what each department is rated on; the "
                                                         "service writes `overall` (总体评价) when none is given")
    special_supervisor_ids: Roster = Field(default_factory=list)
    member_ids: Roster = Field(default_factory=list)
    invited_representatives: Count = 0
    entitled: Count = Field(description="raters entitled to a ballot: all of the above")
    online: bool = Field(default=False, description="an online round: each rater draws a slip while signed in, "
                                                    "instead of at the meeting's sign-in")


@event_type("appraisal-credentials-issued", version=1, topic=SURVEYS)
class AppraisalCredentialsIssued(DomainEvent):
    """One credential per entitled rater: only the public keys (sorted), and their digest, which the board's
    genesis commits to. The private parts were handed to the office once and are kept nowhere."""

    appraisal_id: RecordedId
    public_keys: PublicKeys
    credentials_digest: Hex32


@event_type("appraisal-online-voting-opened", version=1, topic=SURVEYS)
class AppraisalOnlineVotingOpened(DomainEvent):
    """An online round's credentials were issued (beside `appraisal-credentials-issued`): its slips wait in the
    service's pool, and each of its raters (`member_ids`: the special supervisors and members entitled) may draw
    one while signed in and vote. It names no slip and no key; no event records who drew."""

    appraisal_id: RecordedId
    title: RecordedTitle
    member_ids: Roster


class UnitResult(BaseModel):
    """One department's result: counts per choice over every ballot, its satisfaction rate over those who knew
    it (满意 + 基本满意 over 满意 + 基本满意 + 不满意), and its rank (ties share a rank)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    unit_id: RecordedId
    satisfied: Count
    basically_satisfied: Count
    dissatisfied: Count
    unknown: Count
    abstained: Count
    rate: RateText | None = None
    rank: Count | None = None


@event_type("appraisal-closed", version=1, topic=SURVEYS)
class AppraisalClosed(DomainEvent):
    """The round closed valid: quorum met, no more ballots returned than issued. The board is sealed (its chain
    head here); the results are announced (top and bottom three, ties included)."""

    appraisal_id: RecordedId
    held_on: RecordedDate
    entitled: Count
    issued: Count = Field(description="credentials handed out at sign-in (the attendance), or, online, the slips "
                                      "drawn")
    returned: Count = Field(description="ballots on the board")
    board_head: Hex32
    results: RecordedList[UnitResult]
    top_unit_ids: RecordedList[RecordedId]
    bottom_unit_ids: RecordedList[RecordedId]


@event_type("appraisal-voided", version=1, topic=SURVEYS)
class AppraisalVoided(DomainEvent):
    """The round was declared invalid (作废) and its ballot box emptied unread; the office runs it again."""

    appraisal_id: RecordedId
    cause: VoidCause
    reason: RecordedTitle
