"""The demo county, generated: from a seed, an ordered script of the services' own commands for one year
of a county committee's work, and the figures that script implies.

Pure: `generate(seed, now=..., size=...)` reads no clock, no network and no database; the same arguments
always give the same script. The structure (which commands, in which lanes, with which ids) depends only
on the seed, the size and the year (whose official holiday schedule may be known), so the step numbers — and
the idempotency keys derived from them — are stable from one day of the year to the next; the dates in the
bodies follow `now`.

Time. The services stamp every command with their own clock and accept dates only where a command has a
date field, never in the future. So everything with a date field (visits, training, charity, awards,
liaison visits, recommendation reports) is spread over the year so far, and everything else (the members'
proposal workflow, public-opinion reports, attendance) happens "now": meetings with attendance are in session
today, deadlines are computed from today. An explicit deadline cannot be in the past (the service refuses one
not after the day of assignment), so some of the members' proposals get explicit deadlines in the coming
week; `Expected.overdue_as_of` is the day after the last of them.

Paper. What the office enters from paper is also given the day it happened (`occurred_on`, office only,
never before the step it follows: `eventstore.backdating`): the visit forms it logs, the liaison visits, and a
direct-report point's report with its forwarding up to the first step taken today, and a few paper
proposals (`paper_proposals`): drafted in spring, accepted, assigned, some answered by a reply letter weeks
after the deadline, the rest unanswered — so on the day the county loads some deadlines have passed
(`Expected.backdated` counts what is back-dated, `overdue_today` and `late_replies` what the dates imply)."""

from __future__ import annotations

import calendar
import re
from collections import defaultdict
from collections.abc import Iterable, Sequence
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import Any

from contracts.clock import CHINA_TZ, at_local, aware, local_date
from yizheng.demo import texts
from yizheng.demo.county import County, Fate, Member, Proposal, Row, Size
from yizheng.demo.script import (
    MEMBERS,
    PROPOSALS,
    Expected,
    ExpectedCard,
    Ref,
    Script,
    Step,
    UnitFigures,
    Who,
)
from yizheng.demo.surveys_year import SurveysYear

DEFAULT_SEED = 20260101
DEFAULT_COMMITTEE = "demo-county"
TERM = 10

OFFICE = Who("office_staff", "office-demo")
# The county's mailboxes are under a reserved domain (RFC 2606's `.example`): mail to them can never reach a
# real person, while the notify service mails them as it would anyone (`make run` keeps it in .yizheng/mailbox).
MAIL_TLD = "example"


def mail_domain(committee_id: str) -> str:
    """`demo-county.example` for the committee `demo-county`: a DNS label made of the committee's id."""
    label = re.sub(r"[^a-z0-9-]+", "-", committee_id.lower()).strip("-")[:63].strip("-") or "county"
    return f"{label}.{MAIL_TLD}"


def mail_address(person_id: str, committee_id: str) -> str:
    """A member's or a unit staff member's address: their id (already a valid local part) at the county's
    domain. From ids only, so the script stays a pure function of the seed and size."""
    return f"{person_id.lower()}@{mail_domain(committee_id)}"


FATE_WEIGHTS: dict[Fate, float] = {
    Fate.DRAFT: 2, Fate.WITHDRAWN: 1.5, Fate.UNDER_REVIEW: 5, Fate.RETURNED: 1.5, Fate.RESUBMITTED: 1.5,
    Fate.LETTER: 3, Fate.CONVERTED: 3, Fate.MERGED: 2.5, Fate.ACCEPTED: 4, Fate.ASSIGNED: 12, Fate.DUE_SOON: 7,
    Fate.REASSIGN_PENDING: 1, Fate.REASSIGN_GRANTED: 1.5, Fate.REASSIGN_REFUSED: 1, Fate.REPLIED: 10,
    Fate.EVALUATED: 37, Fate.DISSATISFIED_OPEN: 3, Fate.DISSATISFIED_DONE: 3,
}
SUBMITTED_FATES = frozenset(Fate) - {Fate.DRAFT}
ACCEPTED_FATES = frozenset({Fate.ACCEPTED, Fate.ASSIGNED, Fate.DUE_SOON, Fate.REASSIGN_PENDING,
                            Fate.REASSIGN_GRANTED, Fate.REASSIGN_REFUSED, Fate.REPLIED, Fate.EVALUATED,
                            Fate.DISSATISFIED_OPEN, Fate.DISSATISFIED_DONE})
ASSIGNED_FATES = ACCEPTED_FATES - {Fate.ACCEPTED}
REPLIED_FATES = frozenset({Fate.REASSIGN_REFUSED, Fate.REPLIED, Fate.EVALUATED, Fate.DISSATISFIED_OPEN,
                           Fate.DISSATISFIED_DONE})

# ---- the default rulebook, as the members service ships it (services/members/scoring/default_rulebook.yaml)
# Only the rules the demo's facts meet. Kept here, not imported, so the expected cards are an independent
# reading of the rules; a changed default makes the demo test fail loudly.
BASE_POINTS = Decimal(70)
CATEGORY_CAPS = {"attendance": Decimal(50), "research": Decimal(10), "awards": Decimal(20),
                 "consultation": Decimal(10)}
RULE_CAPS = {"visit": Decimal(10), "training": Decimal(5), "charity": Decimal(10), "liaison_visit": Decimal(5)}
GRADE_BANDS = ((Decimal(90), "excellent"), (Decimal(80), "good"), (Decimal(60), "competent"))
GRADE_RANK = {"excellent": 3, "good": 2, "competent": 1, "incompetent": 0}


def rule_points(kind: str, attrs: dict[str, str], role: str) -> tuple[str, str, Decimal] | None:
    """(rule id, category, points) of the first matching rule of the default rulebook, as it scores."""
    if kind == "attendance":
        mk, st = attrs["meeting_kind"], attrs["status"]
        if mk == "plenary" and st == "absent":
            return "attendance.plenary.absent", "attendance", Decimal(-30)
        if mk == "plenary" and st == "on_leave":
            return "attendance.plenary.on_leave", "attendance", Decimal(-10)
        if mk == "standing_committee" and st == "on_leave":
            return "attendance.standing.on_leave", "attendance", Decimal(-2)
        if st == "absent":
            return "attendance.other.absent", "attendance", Decimal(-5)
        return None
    if kind in ("proposal_accepted", "key_proposal"):
        return kind, "proposals", Decimal(15 if role == "lead" else 3)
    simple = {"opinion_report_submitted": ("opinion_reports", 5), "opinion_report_adopted": ("opinion_reports", 10),
              "opinion_report_instructed": ("opinion_reports", 10), "visit": ("visits", 2),
              "training": ("training", 1), "charity": ("charity", 2), "liaison_visit": ("liaison", 1)}
    if kind in simple:
        category, points = simple[kind]
        return kind, category, Decimal(points)
    if kind == "award":
        return f"award.{attrs['level']}", "awards", Decimal({"county": 5, "city": 8, "province": 10,
                                                              "national": 15}[attrs["level"]])
    if kind == "research":  # a field day: research or inspection, 2 each
        return f"research.{attrs['kind']}", "research", Decimal(2)
    surveys = {"supervision": ("supervision.participated", "supervision", 2),
               "appraisal": ("appraisal.participated", "appraisal", 2),
               "consultation_speech": ("consultation.spoke", "consultation", 3),
               "consultation_written_opinion": ("consultation.written", "consultation", 2)}
    if kind in surveys:
        rule, category, points = surveys[kind]
        return rule, category, Decimal(points)
    return None


def on_time(rows: Iterable[Row], as_of: date) -> tuple[int, int]:
    """Oversight's reply-on-time rate as of a day: first replies given by the deadline, of the rows due by then
    (replied, or the deadline passed)."""
    due = [r for r in rows if r.replied_round or r.deadline < as_of]
    return sum(1 for r in due if r.first_replied_on and r.first_replied_on <= r.deadline), len(due)


def largest_remainder(weights: Sequence[float], total: int, *, at_least_one: bool) -> list[int]:
    """Split `total` in proportion to `weights` (every share ≥ 1 if asked and possible)."""
    n = len(weights)
    base = [1] * n if at_least_one and total >= n else [0] * n
    rest = total - sum(base)
    s = sum(weights)
    raw = [w / s * rest for w in weights]
    counts = [int(r) for r in raw]
    order = sorted(range(n), key=lambda i: (-(raw[i] - counts[i]), i))
    for i in order[: rest - sum(counts)]:
        counts[i] += 1
    return [b + c for b, c in zip(base, counts, strict=True)]


class _County(County):
    # ---- the registry ------------------------------------------------------------------------------------

    def build_members(self) -> None:
        n = max(12, self.size.members)
        sectors = [s for s, _ in texts.SECTOR_WEIGHTS]
        counts = largest_remainder([w for _, w in texts.SECTOR_WEIGHTS], n, at_least_one=True)
        pool = [s for s, c in zip(sectors, counts, strict=True) for _ in range(c)]
        # The chair-meeting members first: a chair and a secretary-general of the party, vice-chairs of
        # a democratic party, non-party and business circles.
        head = ["cpc", "democratic_league", "non_party", "industry_commerce", "cpc", "cpc"]
        for s in head:
            pool.remove(s)
        self.rng.shuffle(pool)
        sector_of = head + pool
        taken: set[str] = set()
        term_start = date(self.year - 4, 1, 10)
        standing = max(8, n * 3 // 20)
        roles = ["chair", "vice_chair", "vice_chair", "vice_chair", "vice_chair", "secretary_general"]
        for i in range(n):
            m = Member(f"m{i + 1:03d}", self.unique_name(taken), sector_of[i], None)
            m.township = self.townships[i % len(self.townships)] if i >= 6 and self.rng.random() < 0.9 else (
                self.townships[0] if i < 6 else None)
            if i < len(roles):
                m.chair_role = roles[i]
            m.standing = i < standing
            if m.standing or self.rng.random() < 0.3:
                m.special_committee = self.rng.choice(texts.SPECIAL_COMMITTEES)
            if i >= standing and self.rng.random() < 0.04:
                m.supervisor_unit = self.rng.choice(self.unit_ids)
            if self.rng.random() < 0.08 and i >= standing:
                m.joined_on, m.session = date(self.year - 2, 1, 12), 3
            else:
                m.joined_on = term_start
            # Activity: most members do an ordinary year's work, some a lot, a few almost nothing.
            r = self.rng.random()
            m.activity = next(a for cut, a in ((0.06, 0.0), (0.36, 0.15), (0.70, 0.6), (0.91, 1.5), (1.0, 4.0))
                              if r < cut)
            if m.chair_meeting:
                m.activity = max(m.activity, 1.0)
            self.members.append(m)
            self.labels[m.member_id] = m.name

    def registry(self) -> None:
        self.step(MEMBERS, "publish-rulebook", OFFICE, {"year": self.year, "note": "采用默认考评积分规则"},
                  lane="rulebook", phase=0)
        for u in self.units:
            self.labels[u.unit_id] = u.name
            self.step(MEMBERS, "register-unit", OFFICE, {"unit_id": u.unit_id, "name": u.name},
                      lane=f"unit-{u.unit_id}", phase=0)
        orgs = [o for o in texts.ORGANIZATIONS if any(m.sector == o.sector for m in self.members)]
        for o in orgs:
            self.labels[o.organization_id] = o.name
            self.step(MEMBERS, "register-organization", OFFICE,
                      {"organization_id": o.organization_id, "name": o.name, "kind": o.kind, "sector": o.sector},
                      lane=f"org-{o.organization_id}", phase=0)
        topics = [{"title": t.topic, "category": t.category, "description": "、".join(t.subjects[:2])}
                  for t in texts.THEMES]
        self.step(PROPOSALS, "publish-solicitation", OFFICE, {
            "solicitation_id": f"sol-{self.year}", "year": self.year,
            "title": f"县政协{self.year}年度提案征集参考要目", "topics": topics,
            "opens_on": date(self.year - 1, 12, 1).isoformat(), "closes_on": date(self.year, 12, 31).isoformat(),
        }, lane="solicitation", phase=0)
        for m in self.members:
            body: dict[str, Any] = {"member_id": m.member_id, "name": m.name, "sector": m.sector, "term": TERM,
                                    "session": m.session, "joined_on": m.joined_on.isoformat(),
                                    "standing_committee": m.standing,
                                    "contact": {"email": mail_address(m.member_id, self.committee_id)}}
            for key, value in (("township_id", m.township), ("chair_role", m.chair_role),
                               ("special_committee_id", m.special_committee),
                               ("special_supervisor_unit_id", m.supervisor_unit)):
                if value is not None:
                    body[key] = value
            self.step(MEMBERS, "register-member", OFFICE, body, lane=f"member-{m.member_id}", phase=1)
        taken = set(self.labels.values())
        for u in self.units:
            staff_id = f"{u.unit_id}-staff"
            self.step(MEMBERS, "add-unit-staff", OFFICE,
                      {"unit_id": u.unit_id, "staff_id": staff_id, "name": self.unique_name(taken),
                       "title": self.rng.choice(texts.STAFF_TITLES), "is_liaison": True,
                       "email": mail_address(staff_id, self.committee_id)},
                      lane=f"unit-{u.unit_id}", phase=1)
        for o in orgs:
            in_org = [m for m in self.members if m.sector == o.sector]
            for j, m in enumerate(in_org):
                position = "主委" if j == 0 else ("副主委" if j == 1 else None)
                body = {"organization_id": o.organization_id, "member_id": m.member_id}
                if position:
                    body["position"] = position
                self.step(MEMBERS, "add-organization-member", OFFICE, body, lane=f"org-{o.organization_id}",
                          phase=2)
        self.counts["members"] = len(self.members)
        self.counts["units"] = len(self.units)
        self.counts["organizations"] = len(orgs)
        self.orgs = orgs

    # ---- proposals ---------------------------------------------------------------------------------------

    def proposal_text(self, theme: texts.Theme, member: Member | None) -> dict[str, Any]:
        for _ in range(20):  # a title of its own, if one is left
            subject = self.rng.choice(theme.subjects)
            place = (member.township if member and member.township else self.rng.choice(self.townships))
            patterns: tuple[str, ...] = texts.VERB_TITLES if subject.startswith(texts.VERBS) else texts.NOUN_TITLES
            if theme.key in texts.COUNTY_WIDE:
                patterns = tuple(p for p in patterns if "{place}" not in p)
            title = self.rng.choice(patterns).format(subject=subject, place=place)
            if title not in self.titles:
                break
        self.titles.add(title)
        problems = self.rng.sample(theme.problems, k=min(2, len(theme.problems)))
        case = "；".join(problems) + "。"
        analysis = "。".join(self.rng.sample(theme.causes, k=min(2, len(theme.causes)))) + "。"
        suggestions = self.rng.sample(theme.suggestions, k=self.rng.randint(2, min(4, len(theme.suggestions))))
        return {"category": theme.category, "title": title, "case": case, "analysis": analysis,
                "suggestions": suggestions}

    def build_proposals(self) -> None:
        n = self.size.proposals
        fates = list(FATE_WEIGHTS)
        counts = largest_remainder([FATE_WEIGHTS[f] for f in fates], n, at_least_one=True)
        plan = [f for f, c in zip(fates, counts, strict=True) for _ in range(c)]
        self.rng.shuffle(plan)
        grassroots = [m for m in self.members if not m.chair_meeting]
        for i, fate in enumerate(plan):
            r = self.rng.random()
            kind = ("individual" if r < 0.55 else "joint" if r < 0.80 else "organization" if r < 0.92
                    else "sector" if r < 0.97 else "special_committee")
            if kind == "organization" and not self.orgs:
                kind = "individual"
            lead: Member | None = None
            cosigners: list[Member] = []
            org: texts.OrganizationInfo | None = None
            if kind in ("individual", "joint"):
                lead = self.weighted_member(self.members)
                owner = lead
                if kind == "joint":
                    k = self.rng.randint(1, 3)
                    while len(cosigners) < k:
                        c = self.weighted_member(self.members, exclude=[lead, *cosigners])
                        cosigners.append(c)
            elif kind == "organization":
                org = self.rng.choice(self.orgs)
                owner = next(m for m in self.members if m.sector == org.sector)
            elif kind == "sector":
                owner = self.weighted_member(grassroots)
            else:
                owner = self.rng.choice([m for m in self.members if m.special_committee])
            theme = self.theme_for(owner, org.sector if org else None)
            p = Proposal(f"p-{i + 1:04d}", fate, theme, kind, owner, lead, cosigners, org=org)
            self.proposals.append(p)
        self.feature_member_work()
        for p in self.proposals:
            self.proposal_lane(p)
        self.key_proposals()
        self.merges()

    def feature_member_work(self) -> None:
        """Give the featured member (whose token is printed) something in each list of their work queue."""
        f = self.featured
        wanted = [(Fate.EVALUATED, "lead"), (Fate.REPLIED, "lead"), (Fate.UNDER_REVIEW, "pending"),
                  (Fate.ASSIGNED, "cosigner")]
        used: set[str] = set()
        for fate, part in wanted:
            p = next((p for p in self.proposals if p.fate is fate and p.proposal_id not in used
                      and p.kind in ("individual", "joint")), None)
            if p is None:
                continue
            used.add(p.proposal_id)
            if part == "lead":
                p.lead = p.owner = f
                p.cosigners = [c for c in p.cosigners if c.member_id != f.member_id]
            else:
                if p.lead is f:
                    continue
                p.kind = "joint"
                p.cosigners = [f, *[c for c in p.cosigners if c.member_id != f.member_id]]
                p.pending_featured = part == "pending"

    def proposal_lane(self, p: Proposal) -> None:
        lane, pid, owner = p.proposal_id, p.proposal_id, p.owner
        by_office = self.rng.random() < 0.05 and p.kind in ("individual", "joint")
        drafter = OFFICE if by_office else owner.who
        body: dict[str, Any] = {"proposal_id": pid, "submitter_kind": p.kind, **self.proposal_text(p.theme, p.lead)}
        if p.kind in ("individual", "joint"):
            if by_office:
                body["lead_member_id"] = p.lead.member_id if p.lead else owner.member_id
            if p.cosigners:
                body["cosigner_member_ids"] = [c.member_id for c in p.cosigners]
        elif p.kind == "organization":
            assert p.org is not None
            body["organization_id"] = p.org.organization_id
            body["title"] = body["title"].replace("的建议", "的提案")
        elif p.kind == "sector":
            body["sector"] = owner.sector
        else:
            body["special_committee"] = owner.special_committee
        if p.kind != "individual" and p.kind != "joint":
            if by_office:
                body["contact_member_id"] = owner.member_id
        if self.rng.random() < 0.6:
            body["solicitation_id"] = f"sol-{self.year}"
            body["reference_topic"] = p.theme.topic
        self.labels[pid] = body["title"]
        self.step(PROPOSALS, "draft-proposal", drafter, body, lane=lane, phase=2)
        self.counts["proposals"] += 1
        if p.fate is Fate.DRAFT:
            return
        self.step(PROPOSALS, "submit-proposal", drafter, {"proposal_id": pid}, lane=lane, phase=2)
        for c in p.cosigners:
            if p.pending_featured and c is self.featured:
                continue  # left for the featured member's work queue
            if p.fate is Fate.UNDER_REVIEW and self.rng.random() < 0.3:
                continue  # still pending: the co-signer has five working days
            if self.rng.random() < 0.85 or c is self.featured:
                self.step(PROPOSALS, "confirm-cosignature", c.who, {"proposal_id": pid}, lane=lane, phase=2)
                p.confirmed.append(c)
            else:
                self.step(PROPOSALS, "decline-cosignature", c.who, {"proposal_id": pid}, lane=lane, phase=2)
        fate = p.fate
        reasons = texts.REVIEW_REASONS
        if fate is Fate.WITHDRAWN:
            self.step(PROPOSALS, "withdraw-proposal", drafter,
                      {"proposal_id": pid, "reason": "经与有关部门沟通，所提问题已在推进解决，申请撤回"},
                      lane=lane, phase=2)
            return
        if fate in (Fate.UNDER_REVIEW, Fate.MERGED):
            return  # merged later (phase 3), into a proposal accepted by then
        if fate in (Fate.RETURNED, Fate.RESUBMITTED):
            self.step(PROPOSALS, "return-proposal", OFFICE,
                      {"proposal_id": pid, "reason": self.rng.choice(reasons["return"])}, lane=lane, phase=2)
            if fate is Fate.RESUBMITTED:
                revised = {"proposal_id": pid, **self.proposal_text(p.theme, p.lead)}
                self.step(PROPOSALS, "revise-proposal", drafter, revised, lane=lane, phase=2)
                self.step(PROPOSALS, "submit-proposal", drafter, {"proposal_id": pid}, lane=lane, phase=2)
            return
        if fate in (Fate.LETTER, Fate.CONVERTED):
            conversion = "opinion_letter" if fate is Fate.LETTER else "opinion_report"
            review = {"proposal_id": pid, "converted_to": conversion,
                      "reason": self.rng.choice(reasons["letter" if fate is Fate.LETTER else "report"])}
            if fate is Fate.LETTER:
                # The letter goes to a unit; chosen from the id, not the random stream, so every other draw of
                # the county stays as it was.
                review["unit_id"] = self.unit_ids[sum(map(ord, pid)) % len(self.unit_ids)]
            self.step(PROPOSALS, "not-accept-proposal", OFFICE, review, lane=lane, phase=2)
            if fate is Fate.CONVERTED:
                # The report written from it counts for its author (the lead, or the collective's contact).
                author = p.lead or p.owner
                self.fact(author.member_id, f"opinion-report-submitted:from:{pid}", "opinion_report_submitted",
                          "author")
                self.counts["reports_from_proposals"] += 1
            return
        self.step(PROPOSALS, "accept-proposal", OFFICE,
                  {"proposal_id": pid, "reason": self.rng.choice(reasons["accept"])}, lane=lane, phase=2)
        if p.lead is not None:
            self.fact(p.lead.member_id, f"proposal-accepted:{pid}", "proposal_accepted", "lead")
            for c in p.confirmed:
                self.fact(c.member_id, f"proposal-accepted:{pid}", "proposal_accepted", "cosigner")
        if fate is Fate.ACCEPTED:
            return
        self.assign(p)

    def assign(self, p: Proposal) -> None:
        pid, lane, fate = p.proposal_id, p.proposal_id, p.fate
        r = self.rng.random()
        simple = fate in (Fate.REASSIGN_PENDING, Fate.REASSIGN_GRANTED, Fate.REASSIGN_REFUSED)
        mode = "lead" if simple or r < 0.6 or len(self.unit_ids) < 3 else ("co" if r < 0.9 or fate is Fate.DUE_SOON
                                                                            else "separate")
        slip: dict[str, Any] = {"proposal_id": pid}
        deadline = self.three_months()
        if fate is Fate.DUE_SOON:
            deadline = self.today + timedelta(days=self.rng.randint(1, 7))
            slip["deadline"] = deadline.isoformat()
            slip["note"] = "请于交办单规定时限内办结答复"
        if mode == "separate":
            units = self.pick_units(p.theme, 2)
            slip.update(mode="separate", unit_ids=units)
            p.rows = [Row(pid, u, "separate", deadline) for u in units]
        else:
            units = self.pick_units(p.theme, 1 + (self.rng.randint(1, 2) if mode == "co" else 0))
            slip.update(mode="lead_with_co", lead_unit_id=units[0])
            if len(units) > 1:
                slip["co_unit_ids"] = units[1:]
            p.rows = [Row(pid, units[0], "lead", deadline), *[Row(pid, u, "co", deadline) for u in units[1:]]]
        self.step(PROPOSALS, "assign-proposal", OFFICE, slip, lane=lane, phase=2)
        lead_row = p.rows[0]
        if fate in (Fate.REASSIGN_PENDING, Fate.REASSIGN_GRANTED, Fate.REASSIGN_REFUSED):
            others = [u for u in self.unit_ids if u != lead_row.unit_id]
            suggested = self.rng.choice(others)
            self.step(PROPOSALS, "request-reassignment", self.unit_staff(lead_row.unit_id),
                      {"proposal_id": pid, "reason": "该事项主要职责不在我单位，申请调整承办单位",
                       "suggested_unit_id": suggested}, lane=lane, phase=2)
            if fate is Fate.REASSIGN_GRANTED:
                self.step(PROPOSALS, "grant-reassignment", OFFICE,
                          {"proposal_id": pid, "unit_id": lead_row.unit_id, "new_unit_id": suggested,
                           "reason": "经核实职责分工，同意调整"}, lane=lane, phase=2)
                lead_row.active = False
                p.rows.append(Row(pid, suggested, "lead", self.three_months()))
                return
            if fate is Fate.REASSIGN_REFUSED:
                self.step(PROPOSALS, "refuse-reassignment", OFFICE,
                          {"proposal_id": pid, "unit_id": lead_row.unit_id,
                           "reason": "该事项属你单位职责范围，请认真办理"}, lane=lane, phase=2)
            else:
                return
        if fate in (Fate.ASSIGNED, Fate.DUE_SOON):
            if self.rng.random() < 0.4:
                for row in p.rows:
                    if row.role != "co":
                        self.contact(p, row)
            return
        for row in [r for r in p.rows if r.role != "co"]:
            self.reply(p, row)
        if fate is Fate.REPLIED:
            return
        for row in [r for r in p.rows if r.role != "co"]:
            dissatisfied = fate in (Fate.DISSATISFIED_OPEN, Fate.DISSATISFIED_DONE) and row is p.rows[0]
            self.evaluate(p, row, dissatisfied=dissatisfied)
            if dissatisfied:
                row.round = 2
                if fate is Fate.DISSATISFIED_DONE:
                    self.reply(p, row, again=True)
                    self.evaluate(p, row, dissatisfied=False)
        if fate is Fate.EVALUATED:
            row = p.rows[0]
            if row.result_class == "A" and self.rng.random() < 0.25:
                self.step(PROPOSALS, "record-proposal-result", OFFICE, {
                    "proposal_id": pid, "result_id": f"{pid}-r1",
                    "description": f"提案建议被{self.labels[row.unit_id]}采纳，写入年度工作实施方案",
                    "document_ref": f"县政办发〔{self.year}〕{self.rng.randint(10, 99)}号",
                    "adopted_on": self.today.isoformat(), "suggestion_indexes": [0]}, lane=pid, phase=2)
                self.counts["proposal_results"] += 1
            elif row.result_class == "B" and self.rng.random() < 0.08:
                self.step(PROPOSALS, "revise-reply-class", OFFICE, {
                    "proposal_id": pid, "unit_id": row.unit_id, "result_class": "A",
                    "reason": "经提案委核查，承诺事项已基本落实，调整为A类"}, lane=pid, phase=2)
                row.result_class = "A"
                self.counts["reply_classes_revised"] += 1

    def paper_proposals(self) -> None:
        """Proposals the office received on paper in spring and enters now, each step on the day it happened:
        drafted and submitted for an organization (or a sector), accepted, assigned to one unit; every other one
        answered by a reply letter that came weeks after its deadline, the rest still unanswered — overdue on
        the day the county loads. Chosen from their index, not the random stream, so the rest of the county
        stays as it was. One lane, in phase 1: their acceptances take the year's first numbers in date order,
        before any acceptance dated today (the numbering stream refuses one dated before the latest)."""
        n = 4 if self.size.proposals < 100 else 10
        lane = "paper-proposals"
        for k in range(n):
            pid = f"p-{self.size.proposals + k + 1:04d}"
            theme = texts.THEMES[(3 * k + 1) % len(texts.THEMES)]
            org = self.orgs[k % len(self.orgs)] if self.orgs and k % 3 != 2 else None
            contact = (next(m for m in self.members if m.sector == org.sector) if org
                       else self.members[6 + k % (len(self.members) - 6)])
            p = Proposal(pid, Fate.REPLIED if k % 2 == 0 else Fate.ASSIGNED, theme,
                         "organization" if org else "sector", contact, None, [], org=org)
            body: dict[str, Any] = {"proposal_id": pid, "submitter_kind": p.kind,
                                    "contact_member_id": contact.member_id, **self.paper_text(theme, contact, k)}
            if org:
                body["organization_id"] = org.organization_id
                body["title"] = body["title"].replace("的建议", "的提案")
            else:
                body["sector"] = contact.sector
            self.labels[pid] = body["title"]
            # A week apart from early March; never after today (a load early in the year dates them today).
            submitted = min(date(self.year, 3, 2) + timedelta(days=7 * k), self.today)
            accepted, assigned = (min(submitted + timedelta(days=d), self.today) for d in (5, 9))
            self.step(PROPOSALS, "draft-proposal", OFFICE, self.from_paper(body, submitted, "proposal-drafted"),
                      lane=lane, phase=1, retry_on={"unknown_member", "unknown_organization"})
            self.step(PROPOSALS, "submit-proposal", OFFICE,
                      self.from_paper({"proposal_id": pid}, submitted, "proposal-submitted"), lane=lane, phase=1)
            self.step(PROPOSALS, "accept-proposal", OFFICE, self.from_paper(
                {"proposal_id": pid, "reason": texts.REVIEW_REASONS["accept"][k % len(texts.REVIEW_REASONS["accept"])]},
                accepted, "proposal-accepted"), lane=lane, phase=1)
            if accepted < self.today:
                self.backdated["proposal-number-assigned"] += 1  # the year's numbering records the same day
            preferred = [u for u in theme.units if u in self.unit_ids] or self.unit_ids
            unit = preferred[k % len(preferred)]
            self.step(PROPOSALS, "assign-proposal", OFFICE, self.from_paper(
                {"proposal_id": pid, "mode": "lead_with_co", "lead_unit_id": unit}, assigned, "proposal-assigned"),
                lane=lane, phase=1, retry_on={"unknown_unit"})
            row = Row(pid, unit, "lead", self.handling_deadline(assigned))
            p.rows = [row]
            if p.fate is Fate.REPLIED:
                replied = min(row.deadline + timedelta(days=21 + k), self.today)
                cls = "A" if k % 4 == 0 else "C"
                self.step(PROPOSALS, "reply-to-proposal", OFFICE, self.from_paper(
                    {"proposal_id": pid, "unit_id": unit, "result_class": cls, "text": texts.REPLY_TEXTS[cls][0]},
                    replied, "proposal-replied"), lane=lane, phase=1)
                row.replied_round, row.result_class, row.first_replied_on = 1, cls, replied
            self.proposals.append(p)
            self.counts["proposals"] += 1
            self.counts["paper_proposals"] += 1

    def paper_text(self, theme: texts.Theme, contact: Member, k: int) -> dict[str, Any]:
        """A paper proposal's text, from the theme by index (no draws): a title no other proposal has."""
        place = contact.township or self.townships[0]
        title = ""
        for j in range(len(theme.subjects) * 4):
            subject = theme.subjects[(k + j) % len(theme.subjects)]
            patterns: tuple[str, ...] = texts.VERB_TITLES if subject.startswith(texts.VERBS) else texts.NOUN_TITLES
            if theme.key in texts.COUNTY_WIDE:
                patterns = tuple(p for p in patterns if "{place}" not in p)
            title = patterns[(k + j // len(theme.subjects)) % len(patterns)].format(subject=subject, place=place)
            if title not in self.titles:
                break
        self.titles.add(title)
        return {"category": theme.category, "title": title, "case": "；".join(theme.problems[:2]) + "。",
                "analysis": "。".join(theme.causes[:2]) + "。", "suggestions": list(theme.suggestions[:3])}

    def handling_deadline(self, assigned: date) -> date:
        """Three months after the assignment day, rolled forward to a working day of the year's schedule (as the
        proposals service counts once the schedule is recorded; weekends only when the demo knows none)."""
        days_off, workdays = texts.HOLIDAY_SCHEDULES.get(self.year, ((), ()))
        month = assigned.month + 2
        year, month = assigned.year + month // 12, month % 12 + 1
        day = date(year, month, min(assigned.day, calendar.monthrange(year, month)[1]))
        while not (day.isoformat() in workdays or (day.weekday() < 5 and day.isoformat() not in days_off)):
            day += timedelta(days=1)
        return day

    def three_months(self) -> date:
        # Only for the expected figures' "not overdue by overdue_as_of"; the service computes the real one.
        return self.today + timedelta(days=89)

    def contact(self, p: Proposal, row: Row) -> None:
        meeting = self.rng.random() < 0.75
        body = {"proposal_id": p.proposal_id, "kind": "meeting" if meeting else "contact",
                "held_on": self.today.isoformat(), "member_ids": [m.member_id for m in p.proposers[:2]],
                "summary": "与提案人见面沟通办理思路" if meeting else "电话联系提案人了解具体诉求"}
        self.step(PROPOSALS, "record-handling-contact", self.unit_staff(row.unit_id), body, lane=p.proposal_id,
                  phase=2)
        row.met = row.met or meeting

    def reply(self, p: Proposal, row: Row, *, again: bool = False) -> None:
        if not again or self.rng.random() < 0.7:
            self.contact(p, row)
        r = self.rng.random()
        cls = "A" if r < 0.45 else ("B" if r < 0.85 else "C")
        if again:
            cls = "A" if r < 0.6 else "B"
        body: dict[str, Any] = {"proposal_id": p.proposal_id, "result_class": cls,
                                "text": self.rng.choice(texts.REPLY_TEXTS[cls])}
        if cls == "B":
            promises = self.rng.sample(texts.COMMITMENTS, k=self.rng.randint(1, 2))
            body["commitments"] = [{"text": t, "due": (self.today + timedelta(days=self.rng.randint(30, 240)))
                                    .isoformat()} for t in promises]
        self.step(PROPOSALS, "reply-to-proposal", self.unit_staff(row.unit_id), body, lane=p.proposal_id, phase=2)
        row.replied_round = row.round
        row.result_class = cls
        if not again:
            row.first_replied_on = self.today
        if row.role == "lead" and not again:
            for co in p.rows:
                if co.role == "co" and self.rng.random() < 0.8:  # the others still have it in their queue
                    self.step(PROPOSALS, "cosign-reply", self.unit_staff(co.unit_id), {"proposal_id": p.proposal_id},
                              lane=p.proposal_id, phase=2)

    def evaluate(self, p: Proposal, row: Row, *, dissatisfied: bool) -> None:
        ratings: dict[str, str] = {}
        for i, m in enumerate(p.proposers):
            if dissatisfied and i == 0:
                rating = "dissatisfied"
                self.dissatisfied += 1
            else:
                rating = "satisfied" if self.rng.random() < 0.65 else "basically_satisfied"
            attitude = "satisfied" if rating != "dissatisfied" else "basically_satisfied"
            body = {"proposal_id": p.proposal_id, "unit_id": row.unit_id, "rating": rating, "attitude": attitude,
                    "contact": "satisfied" if row.met else "basically_satisfied",
                    "comment": self.rng.choice(texts.EVALUATION_COMMENTS[rating])}
            self.step(PROPOSALS, "evaluate-reply", m.who, body, lane=p.proposal_id, phase=2)
            ratings[m.member_id] = rating
        row.evaluations[row.replied_round] = ratings

    def key_proposals(self) -> None:
        eligible = [p for p in self.proposals if p.fate in (Fate.ASSIGNED, Fate.REPLIED, Fate.EVALUATED,
                                                            Fate.DISSATISFIED_DONE)]
        n = max(1, round(len(self.proposals) * 0.05))
        chairs = [m for m in self.members if m.chair_meeting]
        chair = chairs[0]
        for p in self.rng.sample(eligible, k=min(n, len(eligible))):
            p.key = True
            leaders = self.rng.sample([m.member_id for m in chairs], k=2)
            if chair.member_id not in leaders and self.rng.random() < 0.5:
                leaders[0] = chair.member_id
            self.step(PROPOSALS, "designate-key-proposal", self.leadership,
                      {"proposal_id": p.proposal_id, "supervising_leaders": leaders,
                       "reason": "经主席会议研究，确定为年度重点提案，由主席会议成员领衔督办"},
                      lane=p.proposal_id, phase=2)
            row = p.rows[0]
            progress = ("已召开专题推进会，制定办理工作方案", "已完成实地调研，正在协调落实项目资金")
            for text in progress[: self.rng.randint(1, 2)]:
                self.step(PROPOSALS, "report-key-proposal-progress", self.unit_staff(row.unit_id),
                          {"proposal_id": p.proposal_id, "text": text}, lane=p.proposal_id, phase=2)
            if p.lead is not None:
                self.fact(p.lead.member_id, f"key-proposal:{p.proposal_id}", "key_proposal", "lead")
                for c in p.confirmed:
                    self.fact(c.member_id, f"key-proposal:{p.proposal_id}", "key_proposal", "cosigner")
            self.counts["key_proposals"] += 1

    def merges(self) -> None:
        targets = [p for p in self.proposals if p.fate in ACCEPTED_FATES]
        for p in self.proposals:
            if p.fate is not Fate.MERGED:
                continue
            same = [t for t in targets if t.theme.key == p.theme.key] or targets
            target = self.rng.choice(same)
            self.step(PROPOSALS, "merge-proposal", OFFICE,
                      {"proposal_id": p.proposal_id, "into_proposal_id": target.proposal_id,
                       "reason": texts.REVIEW_REASONS["merge"][0]}, lane=f"merge-{p.proposal_id}", phase=3)
            # Its proposers become proposers of the one it joins, credited with it as joint proposers (co-signers)
            # for its acceptance and, if it is key, its designation.
            own = {m.member_id for m in target.proposers}
            for m in p.proposers:
                if m.member_id in own:
                    continue
                self.fact(m.member_id, f"proposal-accepted:{target.proposal_id}", "proposal_accepted", "cosigner")
                if target.key:
                    self.fact(m.member_id, f"key-proposal:{target.proposal_id}", "key_proposal", "cosigner")

    # ---- public-opinion reports ---------------------------------------------------------------------------

    def build_reports(self) -> None:
        issue = 1
        in_issue = 0
        for i in range(self.size.reports):
            rid = f"r-{i + 1:04d}"
            point = self.rng.random() < 0.1
            author = None if point else self.weighted_member(self.members)
            theme = self.theme_for(author)
            problem = self.rng.choice(theme.problems)
            place = (author.township if author and author.township else self.rng.choice(self.townships))
            title = self.rng.choice(texts.REPORT_TITLE_PATTERNS).format(problem=problem.split("，")[0], place=place)
            body_text = (f"{place}{problem}。{self.rng.choice(theme.causes)}。建议："
                         f"{self.rng.choice(theme.suggestions)}。")
            body: dict[str, Any] = {"report_id": rid, "title": title[:60], "body": body_text,
                                    "category": theme.category}
            if point:
                body["direct_report_point_id"] = f"{place}社情民意直报点"
                who = OFFICE
            else:
                assert author is not None
                who = author.who
                self.fact(author.member_id, f"opinion-report-submitted:{rid}", "opinion_report_submitted", "author")
            # A direct-report point's report reaches the office on paper: entered on the day it was written, and
            # each forwarding on the day it went out, until a step the office takes today (an edit, an adoption,
            # an instruction) comes first — no step is dated before the one it follows.
            paper: date | None = self.paper_day(rid) if point else None
            if paper is not None and paper < self.today:
                self.from_paper(body, paper, "opinion-report-submitted")
            else:
                paper = None
            self.step(PROPOSALS, "submit-opinion-report", who, body, lane=rid, phase=2)
            self.counts["reports"] += 1
            if self.rng.random() < 0.1:
                paper = None
                self.step(PROPOSALS, "edit-opinion-report", OFFICE,
                          {"report_id": rid, "title": title[:60], "body": body_text + "（经编辑）",
                           "note": "精简文字，补充数据"}, lane=rid, phase=2)
            for level, forward_p, adopt_p, instruct_p in (("county", 0.6, 0.55, 0.15), ("city", 0.25, 0.4, 0.15),
                                                          ("province", 0.2, 0.3, 0.1)):
                if self.rng.random() >= forward_p:
                    break
                recipient = {"county": "县委办公室、县政府办公室", "city": "市政协办公室",
                             "province": "省政协办公厅"}[level]
                forward: dict[str, Any] = {"report_id": rid, "level": level, "recipient": recipient}
                if paper is not None:
                    paper = min(paper + timedelta(days=5), self.today - timedelta(days=1))
                    self.from_paper(forward, paper, "opinion-report-forwarded")
                self.step(PROPOSALS, "forward-opinion-report", OFFICE, forward, lane=rid, phase=2)
                self.counts[f"reports_forwarded_{level}"] += 1
                if self.rng.random() < adopt_p:
                    paper = None
                    self.step(PROPOSALS, "record-opinion-report-adoption", OFFICE,
                              {"report_id": rid, "level": level, "adopted_by": recipient.split("、")[0]},
                              lane=rid, phase=2)
                    self.counts[f"reports_adopted_{level}"] += 1
                    if author is not None:
                        self.fact(author.member_id, f"opinion-report-adopted:{rid}:{level}", "opinion_report_adopted",
                                  "author", level=level)
                if self.rng.random() < instruct_p:
                    paper = None
                    leaders = self.rng.sample(texts.LEADER_TITLES[level],
                                              k=min(len(texts.LEADER_TITLES[level]), self.rng.randint(1, 2)))
                    for leader in leaders:
                        self.step(PROPOSALS, "record-opinion-report-instruction", OFFICE,
                                  {"report_id": rid, "leader": leader, "level": level,
                                   "instruction": "请相关部门认真研究，提出解决办法"}, lane=rid, phase=2)
                    self.counts["report_instructions"] += len(leaders)
                    if author is not None:
                        self.fact(author.member_id, f"opinion-report-instructed:{rid}:{level}",
                                  "opinion_report_instructed", "author", level=level)
            if self.rng.random() < 0.15:
                self.step(PROPOSALS, "publish-opinion-report", OFFICE,
                          {"report_id": rid, "issue": f"{self.year}年第{issue}期"}, lane=rid, phase=2)
                self.counts["reports_published"] += 1
                in_issue += 1
                if in_issue == 4:
                    issue, in_issue = issue + 1, 0

    # ---- meetings -----------------------------------------------------------------------------------------

    def build_meetings(self) -> None:
        everyone = list(self.members)
        standing = [m for m in self.members if m.standing]
        chairs = [m for m in self.members if m.chair_meeting]
        n_consult = max(8, len(self.members) // 8)
        theme = self.rng.choice(texts.THEMES)
        consult = chairs[:2] + self.rng.sample([m for m in self.members if not m.chair_meeting],
                                               k=min(n_consult, len(self.members) - len(chairs)))
        sectors = self.rng.sample(sorted({m.sector for m in self.members}), k=3)
        sector_group = [m for m in self.members if m.sector in sectors]
        trainees = self.rng.sample(everyone, k=min(len(everyone), max(10, len(everyone) // 4)))
        today_meetings: list[tuple[str, str, str, list[Member], int]] = [
            ("plenary-1", "plenary", "县政协第十届委员会第五次会议开幕大会", everyone, 240),
            ("plenary-2", "plenary", "县政协第十届委员会第五次会议第二次全体会议", everyone, 225),
            ("plenary-3", "plenary", "县政协第十届委员会第五次会议闭幕大会", everyone, 210),
            ("standing-1", "standing_committee", "县政协十届常委会第二十次会议", standing, 195),
            ("chair-1", "chair_meeting", "县政协十届第四十次主席会议", chairs, 180),
            ("consult-1", "consultation", f"“{theme.topic}”专题协商会", consult, 165),
            ("consult-2", "consultation",
             "界别协商会（" + "、".join(texts.SECTOR_LABELS[s] for s in sectors) + "界别）", sector_group, 150),
            ("training-class", "training_class", "政协委员履职能力提升培训班", trainees, 135),
        ]
        # The one member who missed two plenary sittings without leave (a live flag on their card).
        self.truant = self.rng.choice([m for m in self.members if not m.chair_meeting and m is not self.featured])
        # In session today: begun (so attendance can be recorded) and not over (so members can still be
        # invited and check in). In office hours they began this morning; otherwise a few hours ago.
        local = aware(self.now).astimezone(CHINA_TZ).replace(second=0, microsecond=0)
        office_hours = time(9, 30) <= local.time() <= time(16, 0)
        for k, (meeting_id, kind, title, invited, minutes_ago) in enumerate(today_meetings):
            if office_hours:
                starts = min(at_local(self.today, 8, 30) + timedelta(minutes=15 * k), local - timedelta(minutes=5))
                ends = max(at_local(self.today, 17, 30), local + timedelta(hours=1))
            else:
                starts = local - timedelta(minutes=minutes_ago)
                ends = local + timedelta(hours=3 if kind != "plenary" else 6)
            self.meeting_today(meeting_id, kind, title, invited, starts, ends)
        # Upcoming: invitations out, a few have asked leave already.
        for meeting_id, kind, title, invited, days in (
                ("standing-2", "standing_committee", "县政协十届常委会第二十一次会议", standing, 20),
                ("consult-3", "consultation", f"“{self.rng.choice(texts.THEMES).topic}”对口协商会",
                 [*consult, *([] if self.featured in consult else [self.featured])], 27)):
            starts = at_local(self.today + timedelta(days=days), 9)
            self.meeting_upcoming(meeting_id, kind, title, invited, starts, starts + timedelta(hours=3))

    def schedule(self, meeting_id: str, kind: str, title: str, starts: datetime, ends: datetime) -> int:
        self.labels[meeting_id] = title
        self.counts["meetings"] += 1
        return self.step(MEMBERS, "schedule-meeting", OFFICE, {
            "meeting_id": meeting_id, "kind": kind, "title": title, "starts_at": starts.isoformat(),
            "ends_at": ends.isoformat(), "venue": self.rng.choice(texts.MEETING_VENUES), "term": TERM},
            lane=meeting_id, phase=2, at=starts)

    def meeting_today(self, meeting_id: str, kind: str, title: str, invited: list[Member], starts: datetime,
                      ends: datetime) -> None:
        lane = meeting_id
        scheduled = self.schedule(meeting_id, kind, title, starts, ends)
        ids = [m.member_id for m in invited]
        self.step(MEMBERS, "invite-to-meeting", OFFICE, {"meeting_id": meeting_id, "member_ids": ids}, lane=lane,
                  phase=2, at=starts)
        held_on = local_date(starts)
        status: dict[str, str] = {}
        leave: list[tuple[Member, bool]] = []
        present: list[tuple[Member, bool]] = []
        for m in invited:
            if m is self.truant and kind == "plenary" and meeting_id != "plenary-3":
                status[m.member_id] = "absent"
                continue
            r = self.rng.random()
            if m is self.featured:
                r = 0.5  # present
            if r < 0.06:
                approved = self.rng.random() < 0.85
                leave.append((m, approved))
                status[m.member_id] = "on_leave" if approved else "absent"
            elif r < 0.975 or m.chair_meeting:
                present.append((m, self.rng.random() < 0.75))
                status[m.member_id] = "present"
            else:
                status[m.member_id] = "absent"
        for m, _ in leave:
            by_self = self.rng.random() < 0.6
            self.step(MEMBERS, "request-leave", m.who if by_self else OFFICE,
                      {"meeting_id": meeting_id, "member_id": m.member_id,
                       "reason": self.rng.choice(["official_duty", "illness", "personal"])},
                      lane=lane, phase=2, at=starts)
        for m, approved in leave:
            self.step(MEMBERS, "decide-leave", OFFICE,
                      {"meeting_id": meeting_id, "member_id": m.member_id, "approved": approved,
                       "note": "" if approved else "本次会议为重要会议，原则上不予请假"}, lane=lane, phase=2, at=starts)
        for m, by_code in present:
            if by_code:
                self.step(MEMBERS, "check-in", m.who,
                          {"meeting_id": meeting_id, "code": Ref(scheduled, "check_in_code")},
                          lane=lane, phase=2, at=starts)
            else:
                self.step(MEMBERS, "record-attendance", OFFICE,
                          {"meeting_id": meeting_id, "member_id": m.member_id, "status": "present"},
                          lane=lane, phase=2, at=starts)
        self.step(MEMBERS, "close-attendance", OFFICE, {"meeting_id": meeting_id}, lane=lane, phase=2, at=ends)
        for member_id, st in status.items():
            self.fact(member_id, f"attendance:{meeting_id}", "attendance", meeting_kind=kind, status=st)
        self.meeting_status[meeting_id] = (held_on, kind, status)

    def meeting_upcoming(self, meeting_id: str, kind: str, title: str, invited: list[Member], starts: datetime,
                         ends: datetime) -> None:
        self.schedule(meeting_id, kind, title, starts, ends)
        self.step(MEMBERS, "invite-to-meeting", OFFICE,
                  {"meeting_id": meeting_id, "member_ids": [m.member_id for m in invited]}, lane=meeting_id, phase=2)
        asking = [m for m in invited if m is not self.featured and self.rng.random() < 0.1]
        for m in asking:
            self.step(MEMBERS, "request-leave", m.who,
                      {"meeting_id": meeting_id, "member_id": m.member_id, "reason": "official_duty"},
                      lane=meeting_id, phase=2)
        for m in asking[: len(asking) // 2]:
            self.step(MEMBERS, "decide-leave", OFFICE,
                      {"meeting_id": meeting_id, "member_id": m.member_id, "approved": True}, lane=meeting_id, phase=2)

    # ---- visits, training, charity, awards, liaison ----------------------------------------------------

    def build_visits(self) -> None:
        chairs = [m for m in self.members if m.chair_meeting]
        grassroots = [m for m in self.members if not m.chair_meeting]
        pairings: dict[str, list[str]] = {c.member_id: [] for c in chairs}
        for i, m in enumerate(grassroots):
            pairings[chairs[i % len(chairs)].member_id].append(m.member_id)
        self.step(MEMBERS, "set-visit-plan", OFFICE,
                  {"year": self.year, "grassroots_visited_by_chair": True, "sector_visits_per_member": 2,
                   "pairings": pairings}, lane="visit-plan", phase=2)
        roles = ["grassroots_investigator", "policy_explainer", "service_provider"]
        by_member = {m.member_id: m for m in self.members}
        self.visit_ids: list[tuple[str, Member]] = []
        for i in range(self.size.visits):
            vid = f"v-{i + 1:05d}"
            if self.rng.random() < 0.1:
                chair = self.rng.choice(chairs)
                paired = pairings[chair.member_id] or [m.member_id for m in grassroots]
                visited = self.rng.sample(paired, k=min(len(paired), self.rng.randint(1, 3)))
                visitor = chair
                body: dict[str, Any] = {"visit_id": vid, "kind": "chair_visits_member",
                                        "visitor_member_id": chair.member_id, "visited_member_ids": visited}
                township = by_member[visited[0]].township
                theme = self.theme_for(by_member[visited[0]])
            else:
                visitor = self.weighted_member(grassroots)
                body = {"visit_id": vid, "kind": "member_visits_sector", "visitor_member_id": visitor.member_id,
                        "visited_sector": visitor.sector, "visited_group": texts.SECTOR_PEOPLE[visitor.sector]}
                township = visitor.township
                theme = self.theme_for(visitor)
            day = self.past_day()
            body.update(visited_on=day.isoformat(),
                        roles=sorted(self.rng.sample(roles, k=self.rng.randint(1, 3))),
                        people_reached=self.rng.randint(2, 40),
                        issues_heard=self.rng.sample(theme.heard, k=min(len(theme.heard), self.rng.randint(1, 2))))
            if township:
                body["township_id"] = township
            if self.rng.random() < 0.3:
                body["follow_up"] = self.rng.choice(["拟形成社情民意信息报送", "已向有关部门反映", "拟作为提案素材",
                                                     "现场答疑解惑，群众表示满意"])
            by_office = self.rng.random() < 0.15
            if by_office:  # the visit form handed in at month's end: the office enters it on the day of the visit
                self.from_paper(body, day, "visit-logged")
            self.step(MEMBERS, "log-visit", OFFICE if by_office else visitor.who, body,
                      lane=f"visits-{visitor.member_id}", phase=2, at=at_local(day, 15))
            self.fact(visitor.member_id, f"visit:{vid}", "visit", "visitor")
            self.visit_ids.append((vid, visitor))
            self.counts["visits"] += 1
        # Some visits led to a proposal or a report (linked once both exist).
        reports = [s for s in self.steps if s.command == "submit-opinion-report" and s.who.member_id]
        for vid, visitor in self.visit_ids:
            mine = [s for s in reports if s.who.member_id == visitor.member_id]
            if mine and self.rng.random() < 0.08:
                self.step(MEMBERS, "link-visit-outcome", visitor.who,
                          {"visit_id": vid, "outcome_kind": "opinion_report", "outcome_id": mine[0].body["report_id"]},
                          lane=f"visits-{visitor.member_id}", phase=3)
                self.counts["visits_linked"] += 1

    def build_records(self) -> None:
        active = [m for m in self.members if m.activity > 0]
        for i, (kind, title) in enumerate(texts.TRAININGS):
            k = len(active) if kind == "theory_study" and i == 0 else max(5, len(active) * self.rng.randint(2, 5) // 10)
            people = sorted(self.rng.sample(active, k=min(k, len(active))), key=lambda m: m.member_id)
            day = self.past_day(0.05, 0.95)
            ids = [m.member_id for m in people]
            self.group_record("record-training", {"training_id": f"t-{i + 1:02d}", "kind": kind, "title": title,
                                                  "held_on": day.isoformat(), "member_ids": ids},
                              people, lane=f"training-{i}", at=at_local(day, 9), fact_key=f"training:t-{i + 1:02d}",
                              fact_kind="training", count="trainings", kind=kind)
        n_charity = max(3, len(self.members) // 8)
        for i in range(n_charity):
            kind, title = self.rng.choice(texts.CHARITIES)
            place = self.rng.choice(self.townships)
            people = sorted(self.rng.sample(active, k=min(len(active), self.rng.randint(3, 15))),
                            key=lambda m: m.member_id)
            day = self.past_day()
            body: dict[str, Any] = {"charity_id": f"c-{i + 1:03d}", "kind": kind, "title": f"{place}{title}",
                                    "done_on": day.isoformat(), "member_ids": [m.member_id for m in people]}
            if kind != "three_to_countryside":
                body["amount_yuan"] = self.rng.randint(5, 200) * 100
            self.group_record("record-charity", body, people, lane=f"charity-{i}", at=at_local(day, 10),
                              fact_key=f"charity:c-{i + 1:03d}", fact_kind="charity", count="charity", kind=kind)
        for i, (level, title) in enumerate(texts.AWARDS):
            k = max(1, len(active) // (20 if level == "county" else 60))
            people = sorted(self.rng.sample(active, k=k), key=lambda m: m.member_id)
            day = self.past_day(0.1, 0.4)
            ids = [m.member_id for m in people]
            self.group_record("grant-award", {"award_id": f"a-{i + 1:02d}", "title": title, "level": level,
                                              "granted_on": day.isoformat(), "member_ids": ids},
                              people, lane=f"award-{i}", at=at_local(day, 10), fact_key=f"award:a-{i + 1:02d}",
                              fact_kind="award", count="awards", level=level)
        self.liaison()

    def group_record(self, command: str, body: dict[str, Any], people: list[Any], *, lane: str, at: Any,
                     fact_key: str, fact_kind: str, count: str, **fact: Any) -> None:
        """An office record naming several members (a training, a charity act, an award): the command, a
        duty fact for each member named, and the count."""
        self.step(MEMBERS, command, OFFICE, body, lane=lane, phase=2, at=at)
        for m in people:
            self.fact(m.member_id, fact_key, fact_kind, **fact)
        self.counts[count] += 1

    def liaison(self) -> None:
        contacts: list[str] = []
        taken = set(self.labels.values())
        for i, (kind, _label, based_in) in enumerate(texts.LIAISON_CONTACTS):
            cid = f"lc-{i + 1:02d}"
            body: dict[str, Any] = {"contact_id": cid, "kind": kind, "name": self.unique_name(taken),
                                    "township_id": self.rng.choice(self.townships)}
            if based_in:
                body["based_in"] = based_in
            self.step(MEMBERS, "add-liaison-contact", OFFICE, body, lane=f"contact-{cid}", phase=2)
            contacts.append(cid)
        entrepreneurs = [m for m in self.members if m.sector in ("industry_commerce", "economy")][:2]
        for j, m in enumerate(entrepreneurs):
            cid = f"lc-e{j + 1}"
            self.step(MEMBERS, "add-liaison-contact", OFFICE,
                      {"contact_id": cid, "kind": "member_enterprise",
                       "name": f"{m.township or self.townships[0]}{self.rng.choice(texts.ENTERPRISE_KINDS)}",
                       "member_id": m.member_id, "township_id": m.township or self.townships[0]},
                      lane=f"contact-{cid}", phase=2)
        chairs = [m for m in self.members if m.chair_meeting]
        for i in range(max(3, len(self.members) // 10)):
            visitors = sorted(self.rng.sample(chairs, k=self.rng.randint(1, 2)), key=lambda m: m.member_id)
            day = self.past_day()
            body = {"liaison_visit_id": f"lv-{i + 1:03d}", "visitor_member_ids": [m.member_id for m in visitors],
                    "visited_on": day.isoformat()}
            if entrepreneurs and self.rng.random() < 0.4:
                body["visited_member_id"] = self.rng.choice(entrepreneurs).member_id
                body["purpose"] = "走访委员企业，了解生产经营困难"
            else:
                body["contact_id"] = self.rng.choice(contacts)
                body["purpose"] = "联系在外乡贤和新的社会阶层人士，邀请回乡参与家乡建设"
            # The office logs the chair-meeting members' liaison visits from their notes, on the day of the visit.
            self.step(MEMBERS, "record-liaison-visit", OFFICE, self.from_paper(body, day, "liaison-visit-recorded"),
                      lane=f"liaison-{i}", phase=3)
            for m in visitors:
                self.fact(m.member_id, f"liaison-visit:lv-{i + 1:03d}", "liaison_visit", "visitor")
            self.counts["liaison_visits"] += 1

    # ---- recommendation reports and their look-backs -----------------------------------------------------

    def build_recommendations(self) -> None:
        n = len(texts.RECOMMENDATIONS) if self.size.proposals >= 100 else 3
        schedule = texts.HOLIDAY_SCHEDULES.get(self.year)
        due: list[str] = []
        for i, (title, addressed_to) in enumerate(texts.RECOMMENDATIONS[:n]):
            rid = f"rec-{i + 1:02d}"
            sent = self.past_day(0.05, 0.4)
            if i % 3 == 2:
                lookback_due = self.today + timedelta(days=self.rng.randint(30, 90))
            else:
                lookback_due = min(sent + timedelta(days=self.rng.randint(90, 150)), self.today)
                lookback_due = max(lookback_due, sent + timedelta(days=1))
            self.step(PROPOSALS, "record-recommendation-report", OFFICE, {
                "recommendation_id": rid, "title": title,
                "summary": title.removeprefix("关于").removesuffix("的建议案"),
                "addressed_to": addressed_to, "sent_on": sent.isoformat(), "lookback_due": lookback_due.isoformat()},
                lane=rid, phase=2, at=at_local(sent, 10))
            self.labels[rid] = title
            self.counts["recommendations"] += 1
            if lookback_due <= self.today:
                due.append(rid)
        # Recording the year's official holiday schedule wakes the proposals service's deadline watcher,
        # which opens the look-backs due; the office then concludes some of them.
        if schedule is None:
            self.lookbacks_due = len(due)
            return
        days_off, workdays = schedule
        self.step(PROPOSALS, "record-holiday-schedule", OFFICE,
                  {"year": self.year, "days_off": list(days_off), "workdays": list(workdays),
                   "source": f"国务院办公厅关于{self.year}年部分节假日安排的通知"}, lane="holidays", phase=3)
        outcomes = ["implemented", "partly", "not"]
        for j, rid in enumerate(due[:-1]):
            outcome = outcomes[j % len(outcomes)]
            body: dict[str, Any] = {"recommendation_id": rid, "lookback_id": f"{rid}-lb1", "outcome": outcome,
                                    "notes": {"implemented": "建议案提出的措施已全部落实",
                                              "partly": "部分措施已落实，其余正在推进",
                                              "not": "主要建议尚未落实，继续跟踪督办"}[outcome]}
            if outcome == "not":
                body["next_lookback_due"] = (self.today + timedelta(days=90)).isoformat()
            self.step(PROPOSALS, "conclude-recommendation-lookback", OFFICE, body, lane=rid, phase=4,
                      retry_on={"lookback_not_found"})
            self.lookbacks_concluded[outcome] += 1
        self.lookbacks_due = 1 if due else 0

    # ---- the expected figures ------------------------------------------------------------------------------

    def expected_cards(self) -> dict[str, ExpectedCard]:
        by_member: dict[str, list[tuple[str, dict[str, str], str]]] = defaultdict(list)
        for (member_id, _key), fact in self.facts.items():
            by_member[member_id].append(fact)
        cards: dict[str, ExpectedCard] = {}
        for m in self.members:
            rule_total: dict[str, Decimal] = defaultdict(Decimal)
            rule_category: dict[str, str] = {}
            plenary_absent = standing_missed = 0
            for kind, attrs, role in by_member[m.member_id]:
                if kind == "attendance":
                    if attrs["meeting_kind"] == "plenary" and attrs["status"] == "absent":
                        plenary_absent += 1
                    if attrs["meeting_kind"] == "standing_committee" and attrs["status"] in ("absent", "on_leave"):
                        standing_missed += 1
                matched = rule_points(kind, attrs, role)
                if matched is None:
                    continue
                rule, category, points = matched
                rule_total[rule] += points
                rule_category[rule] = category
            by_category: dict[str, Decimal] = defaultdict(Decimal)
            for rule, points in rule_total.items():
                cap = RULE_CAPS.get(rule)
                if cap is not None:
                    points = max(min(points, cap), -cap)
                by_category[rule_category[rule]] += points
            for category, cap in CATEGORY_CAPS.items():
                if category in by_category:
                    by_category[category] = max(min(by_category[category], cap), -cap)
            by_category = {k: v for k, v in by_category.items() if v != 0}
            total = BASE_POINTS + sum(by_category.values(), Decimal(0))
            by_category["base"] = BASE_POINTS
            flags = []
            if plenary_absent >= 2:
                flags.append("plenary_unexcused_twice")
            if standing_missed >= 3:
                flags.append("standing_absent_thrice")
            by_points = next((g for floor, g in GRADE_BANDS if total >= floor), "incompetent")
            grade = "incompetent" if "plenary_unexcused_twice" in flags else by_points
            cards[m.member_id] = ExpectedCard(m.member_id, m.name, total, dict(by_category), tuple(flags), grade,
                                              by_points)
        return cards

    def expected(self) -> Expected:
        as_of = self.today + timedelta(days=8)
        rows = [r for p in self.proposals for r in p.rows if r.active and r.role != "co"]
        overdue = [r for r in rows if r.replied_round < r.round and r.deadline < as_of]
        overdue_now = [r for r in rows if r.replied_round < r.round and r.deadline < self.today]
        by_unit: dict[str, UnitFigures] = {}
        for unit in sorted({r.unit_id for r in rows}):
            mine = [r for r in rows if r.unit_id == unit]
            by_unit[unit] = UnitFigures(len(mine), sum(1 for r in mine if r.replied_round),
                                        sum(1 for r in overdue if r.unit_id == unit))
        classes = {"A": 0, "B": 0, "C": 0}
        for r in rows:
            if r.replied_round and r.result_class:
                classes[r.result_class] += 1
        ratings = [rating for p in self.proposals for r in p.rows if r.evaluations
                   for rating in r.evaluations[max(r.evaluations)].values()]
        replied = [r for r in rows if r.replied_round]
        statuses: dict[str, int] = defaultdict(int)
        status_of = {Fate.DRAFT: "draft", Fate.WITHDRAWN: "withdrawn", Fate.UNDER_REVIEW: "submitted",
                     Fate.RESUBMITTED: "submitted", Fate.RETURNED: "returned", Fate.LETTER: "not_accepted",
                     Fate.CONVERTED: "not_accepted", Fate.MERGED: "merged", Fate.ACCEPTED: "accepted"}
        for p in self.proposals:
            statuses[status_of.get(p.fate, "assigned")] += 1
        return Expected(
            year=self.year, today=self.today, overdue_as_of=as_of, cards=self.expected_cards(),
            featured_members=tuple(dict.fromkeys([self.featured.member_id, self.truant.member_id,
                                                  self.members[0].member_id, self.busiest().member_id])),
            overdue_by_unit={u: f.overdue for u, f in by_unit.items() if f.overdue},
            overdue_today=len(overdue_now), overdue_today_by_unit={
                u: tuple(sorted(r.proposal_id for r in overdue_now if r.unit_id == u))
                for u in sorted({r.unit_id for r in overdue_now})},
            late_replies=sum(1 for r in rows if r.first_replied_on and r.first_replied_on > r.deadline),
            reply_on_time_today=on_time(rows, self.today), backdated=dict(self.backdated),
            by_unit=by_unit, classes=classes,
            satisfaction=(sum(1 for x in ratings if x != "dissatisfied"), len(ratings)),
            reply_on_time=on_time(rows, as_of),
            meeting=(sum(1 for r in replied if r.met), len(replied)),
            dissatisfied=self.dissatisfied, key_proposals=sum(1 for p in self.proposals if p.key),
            lookbacks_due=self.lookbacks_due, lookbacks_concluded=dict(self.lookbacks_concluded),
            proposals_by_status=dict(statuses), counts=dict(self.counts), surveys=self.surveys)

    def busiest(self) -> Member:
        keys: dict[str, int] = defaultdict(int)
        for member_id, _key in self.facts:
            keys[member_id] += 1
        return next(m for m in self.members if m.member_id == max(keys, key=lambda k: (keys[k], k)))

    # ---- the whole county ------------------------------------------------------------------------------

    def build(self) -> Script:
        self.build_members()
        grassroots = [m for m in self.members if not m.chair_meeting and m.township]
        self.featured = next((m for m in grassroots if m.sector == "education"), grassroots[0])
        self.featured.activity = max(self.featured.activity, 1.0)
        chair = self.members[0]
        self.leadership = Who("leadership", chair.member_id, member_id=chair.member_id)
        self.meeting_status: dict[str, tuple[date, str, dict[str, str]]] = {}
        self.registry()
        self.build_proposals()
        self.build_reports()
        self.build_meetings()
        self.build_visits()
        self.build_records()
        self.build_recommendations()
        self.surveys = SurveysYear(self).build()
        self.paper_proposals()  # last: its proposals are in no earlier choice (the surveys year draws from them)
        featured_unit = "u-jyj" if "u-jyj" in self.unit_ids else self.unit_ids[0]
        steps = sorted(self.steps, key=lambda s: (s.phase, s.index))
        # Renumber in execution order so step numbers (and idempotency keys) follow the script's order.
        renumber = {s.index: i for i, s in enumerate(steps)}
        ordered = [Step(renumber[s.index], s.service, s.command, s.who,
                        {k: (Ref(renumber[v.step], v.key) if isinstance(v, Ref) else v) for k, v in s.body.items()},
                        s.occurred_at, s.lane, s.phase, s.retry_on, s.route) for s in steps]
        return Script(seed=self.seed, committee_id=self.committee_id, year=self.year, anchor=self.now,
                      steps=ordered, expected=self.expected(), office=OFFICE, leadership=self.leadership,
                      member=self.featured.who, unit=self.unit_staff(featured_unit), labels=self.labels)




def generate(seed: int = DEFAULT_SEED, *, now: datetime, size: Size | None = None,
             committee_id: str = DEFAULT_COMMITTEE) -> Script:
    """The demo county's script for the year of `now` (its local date in China), from `seed`."""
    return _County(seed, now, size or Size(), committee_id).build()
