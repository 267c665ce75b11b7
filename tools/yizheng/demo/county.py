"""The county being generated: its size, its people and bodies, what it has recorded so far (steps, duty facts,
labels, counts), and the drawing helpers every part of its year uses — the generator's and the surveys year's
common ground, so neither imports the other."""

from __future__ import annotations

import random
import zlib
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from enum import Enum
from typing import Any

from contracts.clock import local_date
from yizheng.demo import texts
from yizheng.demo.script import Step, Who


@dataclass(frozen=True)
class Size:
    """How big a county: the defaults are the demo county; `small()` is the same county in miniature."""

    members: int = 200
    townships: int = 12
    units: int = 30
    proposals: int = 300
    reports: int = 400
    visits: int = 1500

    @classmethod
    def small(cls) -> Size:
        return cls(members=40, townships=4, units=8, proposals=40, reports=40, visits=120)


class Fate(Enum):
    """Where a proposal stands at the end of the script."""

    DRAFT = "draft"
    WITHDRAWN = "withdrawn"
    UNDER_REVIEW = "under_review"
    RETURNED = "returned"
    RESUBMITTED = "resubmitted"
    LETTER = "not_accepted_letter"
    CONVERTED = "not_accepted_report"
    MERGED = "merged"
    ACCEPTED = "accepted"
    ASSIGNED = "assigned"
    DUE_SOON = "due_soon"  # explicit deadline in the coming week: overdue from then on
    REASSIGN_PENDING = "reassignment_pending"
    REASSIGN_GRANTED = "reassignment_granted"
    REASSIGN_REFUSED = "reassignment_refused"
    REPLIED = "replied"
    EVALUATED = "evaluated"
    DISSATISFIED_OPEN = "dissatisfied_rehandling"
    DISSATISFIED_DONE = "dissatisfied_replied_again"


# ---- the county's people and bodies -------------------------------------------------------------------

@dataclass
class Member:
    member_id: str
    name: str
    sector: str
    township: str | None
    chair_role: str | None = None
    standing: bool = False
    special_committee: str | None = None
    supervisor_unit: str | None = None
    joined_on: date = date(2022, 1, 10)
    session: int = 1
    activity: float = 1.0  # how much of the year's work falls to this member

    @property
    def who(self) -> Who:
        return Who("member", self.member_id, member_id=self.member_id)

    @property
    def chair_meeting(self) -> bool:
        return self.chair_role is not None


@dataclass
class Row:
    """One unit's handling of a proposal, as the oversight view will count it."""

    proposal_id: str
    unit_id: str
    role: str  # lead / co / separate
    deadline: date
    active: bool = True
    round: int = 1
    replied_round: int = 0
    result_class: str | None = None
    first_replied_on: date | None = None  # the day of the first round's reply (what on time is counted by)
    met: bool = False
    evaluations: dict[int, dict[str, str]] = field(default_factory=dict)  # round -> member -> rating


@dataclass
class Proposal:
    proposal_id: str
    fate: Fate
    theme: texts.Theme
    kind: str
    owner: Member
    lead: Member | None
    cosigners: list[Member]
    confirmed: list[Member] = field(default_factory=list)
    rows: list[Row] = field(default_factory=list)
    key: bool = False
    org: texts.OrganizationInfo | None = None  # an organization's proposal
    pending_featured: bool = False  # the featured member has yet to answer the co-signing invitation

    @property
    def proposers(self) -> list[Member]:
        if self.kind in ("individual", "joint"):
            return [m for m in [self.lead, *self.confirmed] if m is not None]
        return [self.owner]


class County:
    # Set as the year is built (the registry, then `build`), before the surveys year reads them.
    orgs: list[texts.OrganizationInfo]
    featured: Member
    leadership: Who

    def __init__(self, seed: int, now: datetime, size: Size, committee_id: str) -> None:
        self.seed = seed
        self.rng = random.Random(seed)
        self.now = now if now.tzinfo else now.replace(tzinfo=UTC)
        self.today = local_date(self.now)
        self.year = self.today.year
        self.jan1 = date(self.year, 1, 1)
        self.size = size
        self.committee_id = committee_id
        self.steps: list[Step] = []
        self.members: list[Member] = []
        self.units = list(texts.UNITS[: max(2, min(size.units, len(texts.UNITS)))])
        self.unit_ids = [u.unit_id for u in self.units]
        self.townships = list(texts.TOWNSHIPS[: max(1, min(size.townships, len(texts.TOWNSHIPS)))])
        self.proposals: list[Proposal] = []
        # (member, fact key) -> (kind, attrs, role)
        self.facts: dict[tuple[str, str], tuple[str, dict[str, str], str]] = {}
        self.labels: dict[str, str] = {}
        self.counts: dict[str, int] = defaultdict(int)
        self.lookbacks_due = 0
        self.lookbacks_concluded: dict[str, int] = defaultdict(int)
        self.dissatisfied = 0
        self.titles: set[str] = set()
        self.backdated: dict[str, int] = defaultdict(int)  # event type -> steps entered from paper

    # ---- helpers -------------------------------------------------------------------------------------

    def step(self, service: str, command: str, who: Who, body: dict[str, Any], *, lane: str, phase: int,
             at: datetime | None = None, retry_on: Iterable[str] = (), route: str | None = None) -> int:
        index = len(self.steps)
        self.steps.append(Step(index, service, command, who, body, at or self.now, lane, phase,
                               frozenset(retry_on), route))
        return index

    def past_day(self, lo: float = 0.0, hi: float = 1.0) -> date:
        """A day of the year so far (never after today), between the fractions `lo` and `hi` of it."""
        elapsed = (self.today - self.jan1).days
        frac = lo + (hi - lo) * self.rng.random()
        return self.jan1 + timedelta(days=int(frac * elapsed))

    def from_paper(self, body: dict[str, Any], day: date, event_type: str) -> dict[str, Any]:
        """The body of a step the office enters from paper after the day it happened: with that day as
        `occurred_on` (`eventstore.backdating`). A day that is today is no back-dating and is left out."""
        if day < self.today:
            body["occurred_on"] = day.isoformat()
            self.backdated[event_type] += 1
        return body

    def paper_day(self, key: str) -> date:
        """A day of the year so far, before today when the year has one: derived from `key` rather than drawn,
        so the county's random stream stays as it was."""
        elapsed = (self.today - self.jan1).days
        return self.jan1 + timedelta(days=zlib.crc32(key.encode()) % max(1, elapsed))

    def fact(self, member_id: str, key: str, fact_kind: str, role: str = "participant", **attrs: str) -> None:
        self.facts[(member_id, key)] = (fact_kind, attrs, role)

    def theme_for(self, member: Member | None, sector: str | None = None) -> texts.Theme:
        """Mostly a theme of the member's sector, sometimes any."""
        keys = texts.SECTOR_THEMES.get(sector or (member.sector if member else ""), ())
        if keys and self.rng.random() < 0.75:
            key = self.rng.choice(keys)
            return next(t for t in texts.THEMES if t.key == key)
        return self.rng.choice(texts.THEMES)

    def pick_units(self, theme: texts.Theme, n: int) -> list[str]:
        preferred = [u for u in theme.units if u in self.unit_ids]
        others = [u for u in self.unit_ids if u not in preferred]
        self.rng.shuffle(others)
        return (preferred + others)[:n]

    def weighted_member(self, pool: Sequence[Member], exclude: Iterable[Member] = ()) -> Member:
        skip = {m.member_id for m in exclude}
        candidates = [m for m in pool if m.member_id not in skip and m.activity > 0]
        return self.rng.choices(candidates, weights=[m.activity for m in candidates])[0]

    def unit_staff(self, unit_id: str) -> Who:
        return Who("unit_staff", f"{unit_id}-staff", unit_id=unit_id)


    def unique_name(self, taken: set[str]) -> str:
        while True:
            surname = self.rng.choice(texts.SURNAMES)
            if self.rng.random() < 0.25:
                given = self.rng.choice(texts.SINGLE_GIVEN)
            else:
                given = self.rng.choice(texts.GIVEN_FIRST) + self.rng.choice(texts.GIVEN_SECOND)
            name = surname + given
            if name not in taken:
                taken.add(name)
                return name
