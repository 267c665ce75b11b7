"""What the generator produces and the loader executes: an ordered script of commands, each with the
service that owns it, who issues it, its JSON body and when it happens in the county's story, plus the
figures the script implies (so a test can compare them with what the platform computed)."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Any

MEMBERS = "members"
PROPOSALS = "proposals"
SURVEYS = "surveys"


@dataclass(frozen=True)
class Who:
    """Who issues a command: the claims of the bearer token the loader signs for it."""

    role: str  # contracts.envelope.Role value
    subject: str
    member_id: str | None = None
    unit_id: str | None = None

    def token(self, committee_id: str) -> str:
        from runtime.auth import issue_token

        return issue_token(self.role, committee_id, subject=self.subject, member_id=self.member_id,
                           unit_id=self.unit_id)


@dataclass(frozen=True)
class Ref:
    """A value of a body taken from the answer of an earlier step of the same lane (e.g. the check-in code
    that `schedule-meeting` answers with)."""

    step: int
    key: str


@dataclass(frozen=True)
class Step:
    index: int
    service: str  # MEMBERS, PROPOSALS or SURVEYS
    command: str  # the command API's name, e.g. "register-member", "submit-proposal"
    who: Who
    body: dict[str, Any]
    # When this happens in the county's story. The services stamp commands with their own clock; the
    # bodies carry these dates wherever a command has a date field.
    occurred_at: datetime
    # Steps of one lane run in order; lanes of one phase run concurrently; phases run one after another.
    lane: str
    phase: int
    # Refusals that mean "not yet" (e.g. a look-back the deadline watcher has not opened): retried.
    retry_on: frozenset[str] = frozenset()
    # A step that is not a command but one of the service's own routes (below): an appraisal's slips, a
    # ballot, a questionnaire ticket, an anonymous response. None: POST /commands/{command}.
    route: str | None = None

    def refs(self) -> list[Ref]:
        return [v for v in self.body.values() if isinstance(v, Ref)]


# The route steps the loader knows (`Step.route`), by their `Step.command`: what each posts, and to where.
ISSUE_CREDENTIALS = "issue-appraisal-credentials"  # office: POST /appraisals/{id}/credentials -> the slips, once
CAST_BALLOT = "cast-appraisal-ballot"  # no login: POST /appraisals/{id}/ballots, signed with a slip (`slip` Ref)
DRAW_TICKET = "draw-questionnaire-ticket"  # a member: POST /questionnaires/{id}/ticket -> their one ticket
ANSWER_ANONYMOUSLY = "submit-anonymous-questionnaire-response"  # no login: with the ticket (`ticket` Ref)


@dataclass(frozen=True)
class AppraisalFigures:
    """The demo's secret-ballot appraisal round as it closes (`appraisal-closed`), by the tally's rules."""

    appraisal_id: str
    departments: int
    entitled: int
    issued: int  # attendance: slips handed out
    returned: int  # ballots on the board (a corrected ballot counts once)
    ranking: dict[str, tuple[int | None, str | None]]  # unit -> (rank, rate as announced)
    top: tuple[str, ...]
    bottom: tuple[str, ...]
    rectifications: tuple[str, ...]  # the tracked items opened for the bottom three


@dataclass(frozen=True)
class QuestionnaireFigures:
    questionnaire_id: str
    mode: str  # identified / anonymous
    invited: int
    responses: int
    first_choice_counts: tuple[int, ...]  # the first question's count per option, in the form's order


@dataclass(frozen=True)
class ExpectedCard:
    """A member's scorecard as the default rulebook scores the script's facts."""

    member_id: str
    name: str
    total: Decimal
    by_category: dict[str, Decimal]
    flags: tuple[str, ...]  # live flags (shown before the year is graded)
    grade: str  # provisional: by points, capped by the live flags' ceilings
    grade_by_points: str


@dataclass(frozen=True)
class UnitFigures:
    assigned: int  # active rows (lead or separate) of the unit
    replied: int
    overdue: int  # as of `Expected.overdue_as_of`


@dataclass(frozen=True)
class TrackedFigures:
    """Tracked items of one kind (a `TrackedSubject` value), as the gateway's `trackedItems` counts them."""

    items: int
    open: int  # no verdict on the current round
    overdue: int  # as of `Expected.today`: open, due before it, some responsible unit not done
    verdicts: dict[str, int]  # closed items by their verdict
    reopened: int  # items reopened after a verdict (or a look-back)
    looked_back: int


@dataclass(frozen=True)
class SurveysFigures:
    """The surveys year the script implies: the consultation plan, the tracked items, the topics."""

    plan_items: int  # not withdrawn
    withdrawn: int
    amendments: int
    planned_by_month: dict[int, int]  # items (not withdrawn) by planned month
    held_by_month: dict[int, int]  # items held, by planned month
    held_items: tuple[str, ...]
    sessions: int  # scheduled (held or not)
    tracked: dict[str, TrackedFigures]
    overdue_today: tuple[str, ...]  # item ids, every kind
    not_reported_by_unit: dict[str, int]  # open items a unit has not reported on in the current round
    supervision_topics: int
    research_topics: int
    research_applications: int
    research_topics_applied_for: int  # topics taken on by an organization (application approved)
    carried_over: tuple[str, ...] = ()  # plan items carried over to next year's plan (still planned this year)
    appraisal: AppraisalFigures | None = None
    questionnaires: tuple[QuestionnaireFigures, ...] = ()


@dataclass(frozen=True)
class Expected:
    year: int
    today: date
    # The day the oversight view is asked about: after the shortest explicit deadlines have passed.
    overdue_as_of: date
    cards: dict[str, ExpectedCard]
    featured_members: tuple[str, ...]
    overdue_by_unit: dict[str, int]  # as of overdue_as_of
    # As of today, the day the county loads (oversight without asOf): handlings past their deadline with no
    # reply (and their proposals, by unit), first replies given after their deadline, and the reply-on-time
    # rate. The members' proposals run today; the paper proposals the office entered with the spring days they
    # happened on are the ones whose deadlines have passed.
    overdue_today: int
    overdue_today_by_unit: dict[str, tuple[str, ...]]  # unit -> proposal ids, sorted
    late_replies: int
    reply_on_time_today: tuple[int, int]
    # Steps the office entered from paper after the day they happened (`occurred_on`), by the event each
    # writes, as oversight's `backdated` lists them.
    backdated: dict[str, int]
    by_unit: dict[str, UnitFigures]
    classes: dict[str, int]  # A/B/C of the latest reply of each replying row
    satisfaction: tuple[int, int]  # (satisfied + basically satisfied, evaluations of the latest round)
    reply_on_time: tuple[int, int]  # as of overdue_as_of
    meeting: tuple[int, int]  # rows whose unit met the proposers / rows replied
    dissatisfied: int  # evaluations rating a reply dissatisfied
    key_proposals: int
    lookbacks_due: int  # recommendation look-backs due and left open
    lookbacks_concluded: dict[str, int]
    proposals_by_status: dict[str, int]
    counts: dict[str, int]
    surveys: SurveysFigures | None = None


@dataclass
class Script:
    seed: int
    committee_id: str
    year: int
    anchor: datetime  # the moment the script was generated for ("now")
    steps: list[Step]
    expected: Expected
    office: Who
    leadership: Who
    member: Who
    unit: Who
    labels: dict[str, str] = field(default_factory=dict)  # ids -> names, for the welcome text

    def idempotency_key(self, step: Step) -> str:
        # The same seed and step always use the same key, so a second load replays instead of writing.
        return f"demo-{self.seed}-{step.index:06d}"

    def command_counts(self) -> Counter[str]:
        return Counter(s.command for s in self.steps)

    def tokens(self) -> dict[str, str]:
        return {label: who.token(self.committee_id) for label, who in
                (("office", self.office), ("leadership", self.leadership), ("member", self.member),
                 ("unit", self.unit))}
