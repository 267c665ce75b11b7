"""The demo county's surveys year (the surveys service's commands): the yearly consultation & supervision
plan with its sessions and their outcomes, special supervision topics with their rectifications, research
topics (two taken on by organizations) with their recommendations, and special supervisors' part in the
departments' democratic appraisal, one closed secret-ballot appraisal round (slips, signed ballots, the bottom
three asked to rectify) and two closed questionnaires — each tracked item left in a state of its own, and the
figures it all implies (`SurveysFigures`).

Called by the generator once the rest of the county is built; it writes the generator's steps, duty facts,
labels and counts through the county it is given. Like the generator it is pure: the structure (commands,
lanes, ids) depends on the seed and the size only, the dates and the planned months on the day.

Time. Every date field is a past fact (never after today). Sessions are held in (or just after the start of)
their planned month, so only items planned for a month up to now are held. Due dates are working days after
sending on the kernel's calendar (the one the surveys service counts with), so items sent long enough ago
with a short due are overdue today — here, unlike proposals, nothing forbids a due date in the past.

Joined up: every session invites its participants (but one member of the second session, who comes
uninvited), two organizations and the item's departments; the first session's first outcome has two parts
(outcomes of their own, tracked as its children) and a county leader's instruction; the first proposal-handling
session's outcome names the proposals of its item and a public-opinion report; the plan's last item not held
nor withdrawn is carried over to next year's plan, which the carry-over drafts."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction
from typing import Any

from contracts.clock import at_local
from eventstore.workdays import DEFAULT_CALENDAR, OfficialSchedule, WorkCalendar
from yizheng.demo import texts
from yizheng.demo.county import County, Member
from yizheng.demo.script import (
    ANSWER_ANONYMOUSLY,
    CAST_BALLOT,
    DRAW_TICKET,
    ISSUE_CREDENTIALS,
    SURVEYS,
    AppraisalFigures,
    QuestionnaireFigures,
    Ref,
    SurveysFigures,
    TrackedFigures,
    Who,
)

OFFICE = Who("office_staff", "office-demo")


def calendar_of(year: int) -> WorkCalendar:
    """The calendar the surveys service counts working days on: the schedule the demo records in the proposals
    service (which the surveys service keeps a copy of as it arrives), else the holidays package's. The demo's
    recorded schedules equal the package's, so an outcome sent before the schedule reaches the surveys service
    is due on the same day."""
    schedule = texts.HOLIDAY_SCHEDULES.get(year)
    if schedule is None:
        return DEFAULT_CALENDAR
    days_off, workdays = schedule
    return WorkCalendar().with_schedule(OfficialSchedule(year, frozenset(map(date.fromisoformat, days_off)),
                                                         frozenset(map(date.fromisoformat, workdays))))

OUTCOME, RECTIFICATION, RECOMMENDATION = "consultation_outcome", "rectification", "research_recommendation"
APPRAISAL_RECTIFICATION = "appraisal_rectification"
# The secret-ballot round: departments appraised (at most) and raters entitled (at most).
APPRAISED, RATERS = 30, 40
# A ballot or an anonymous response is sent by nobody: its signature or its ticket is its authorization.
NOBODY = Who("member", "nobody")
QUESTIONNAIRE: list[dict[str, Any]] = [
    {"question_id": "q1", "kind": "single_choice", "title": "您对政协机关服务委员履职的总体评价", "required": True,
     "options": [{"key": "a", "label": "满意"}, {"key": "b", "label": "基本满意"}, {"key": "c", "label": "不满意"}]},
    {"question_id": "q2", "kind": "long_text", "title": "您的意见和建议"},
]
QUESTIONNAIRE_TEXTS = ("希望多组织委员视察调研活动", "履职平台使用方便，建议增加提醒功能", "会议通知可以再提前一些",
                       "建议加强与承办单位的沟通")


def appraisal_tally(unit_ids: list[str], ballots: list[dict[str, dict[str, str]]]
                    ) -> tuple[dict[str, tuple[int | None, str | None]], list[str], list[str]]:
    """The round's results by the README's rules (restated here, not imported, so the expected figures are an
    independent reading): the rate is 满意 + 基本满意 over those who knew the department, four places half up;
    ranks by exact rate, ties sharing; top and bottom three with ties, in the round's order within a rank."""
    rates: dict[str, Fraction] = {}
    for u in unit_ids:
        picked = [b[u]["overall"] for b in ballots if u in b]
        good = sum(p in ("satisfied", "basically_satisfied") for p in picked)
        knew = good + sum(p == "dissatisfied" for p in picked)
        if knew:
            rates[u] = Fraction(good, knew)
    rank = {u: 1 + sum(o > r for o in rates.values()) for u, r in rates.items()}
    from_bottom = {u: 1 + sum(o < r for o in rates.values()) for u, r in rates.items()}
    order = {u: i for i, u in enumerate(unit_ids)}
    text = {u: f"{(Decimal(r.numerator) / Decimal(r.denominator)).quantize(Decimal('0.0001'), ROUND_HALF_UP):.4f}"
            for u, r in rates.items()}
    top = sorted((u for u in rank if rank[u] <= 3), key=lambda u: (rank[u], order[u]))
    bottom = sorted((u for u in from_bottom if from_bottom[u] <= 3), key=lambda u: (from_bottom[u], order[u]))
    return {u: (rank.get(u), text.get(u)) for u in unit_ids}, top, bottom
KINDS = ("topic", "counterpart", "sector", "proposal_handling", "grassroots")

# Where a tracked item is left at the end of the script (what the loader's commands do to it after sending).
UNREPORTED = "unreported"  # sent, nobody has reported, due later
OVERDUE = "overdue"  # sent long ago with a short due, not all done, followed up
IN_PROGRESS = "in_progress"  # one unit reported it under way
DONE_OPEN = "done_open"  # every unit reported it done; the office has not given its verdict
IMPLEMENTED = "implemented"  # reported done, found implemented
PARTLY = "partly"  # reported mostly done, found partly implemented
NOT = "not_implemented"  # reported not started, found not implemented
REOPENED = "reopened"  # found partly implemented, returned: follow-up starts again (round 2)
LOOKED_BACK = "looked_back"  # found implemented, and it held at the look-back (回头看)
OPEN_FATES = frozenset({UNREPORTED, OVERDUE, IN_PROGRESS, DONE_OPEN, REOPENED})

# The order fates are dealt in, so that each kind has every state once there are enough items.
OUTCOME_FATES = (IMPLEMENTED, OVERDUE, IN_PROGRESS, REOPENED, PARTLY, UNREPORTED, NOT, DONE_OPEN, OVERDUE,
                 IMPLEMENTED, IN_PROGRESS, LOOKED_BACK)
RECTIFICATION_FATES = (LOOKED_BACK, OVERDUE, REOPENED, IMPLEMENTED, IN_PROGRESS, OVERDUE, DONE_OPEN, IMPLEMENTED,
                       UNREPORTED)
RECOMMENDATION_FATES = (IMPLEMENTED, UNREPORTED, IN_PROGRESS, PARTLY, NOT, OVERDUE, DONE_OPEN, REOPENED,
                        IMPLEMENTED, IN_PROGRESS)

SUPERVISION_TOPICS = (
    ("县城老旧小区改造政策落实情况专项民主监督", ("u-zjj", "u-cgj", "u-czj")),
    ("义务教育“双减”政策落实情况专项民主监督", ("u-jyj", "u-scj", "u-wjj")),
    ("农村人居环境整治提升专项民主监督", ("u-nyj", "u-hbj", "u-xzj")),
)
SUPERVISION_FINDINGS = (
    ("整改进度滞后于年度计划", "部分项目开工晚、进度慢，年度计划完成率偏低，群众反映较多。"),
    ("资金拨付不及时", "专项资金拨付环节多、周期长，影响项目按期推进。"),
    ("长效管护机制不健全", "建成后的管护责任主体不明确，日常管护经费缺乏保障。"),
    ("群众参与渠道不畅", "项目实施前征求群众意见不充分，部分群众对政策知晓率不高。"),
)
ACTIVITY_KINDS = ("inspection", "forum", "hearing", "questionnaire")
ACTIVITY_SUMMARIES = {"inspection": "实地查看项目现场，听取部门情况汇报",
                      "forum": "召开座谈会，听取基层干部群众意见",
                      "hearing": "召开听证会，就整改方案听取各方意见",
                      "questionnaire": "开展问卷调查，收回有效问卷三百余份"}
RESEARCH_TOPICS = (
    ("县域医共体建设情况调研", "research", ("u-wjj", "u-ybj", "u-czj")),
    ("养老服务体系建设体验式调研", "experiential", ("u-mzj", "u-wjj")),
    ("县重点项目建设融入性视察", "embedded_inspection", ("u-fgj", "u-zjj")),
    ("民营经济高质量发展调研", "research", ("u-gxj", "u-swj", "u-fgj")),
    ("政务服务“一网通办”体验式调研", "experiential", ("u-sjj", "u-scj")),
    ("河湖长制落实情况融入性视察", "embedded_inspection", ("u-slj", "u-hbj")),
)
RECOMMENDATIONS = (
    ("完善工作机制", "建立部门协同推进机制，明确责任分工和时间节点。"),
    ("加大投入保障", "将相关经费纳入年度预算，积极争取上级专项资金支持。"),
    ("强化督促考核", "将落实情况纳入部门年度目标考核，定期通报进展。"),
)
REPORT_TEXTS = {"not_started": "已制定工作方案，正在筹备启动", "in_progress": "已完成前期调研，正在组织实施",
                "mostly_done": "主要任务已基本完成，正在完善配套措施", "done": "已全部办理完成，相关措施落实到位"}


@dataclass
class TrackedItem:
    """One tracked item as the script leaves it (what the gateway's `trackedItems` will show)."""

    item_id: str
    kind: str
    unit_ids: list[str]
    sent_on: date
    due: date
    fate: str
    round: int = 1
    closed: bool = False
    verdict: str | None = None
    reopened: bool = False
    looked_back: bool = False
    reported: dict[str, str] = field(default_factory=dict)  # unit -> status, in the current round

    def overdue(self, as_of: date) -> bool:
        """The gateway's definition: open, due before the day, some responsible unit not done."""
        return (not self.closed and self.due < as_of
                and any(self.reported.get(u) != "done" for u in self.unit_ids))


class SurveysYear:
    def __init__(self, county: County) -> None:
        self.c = county
        self.rng = county.rng
        self.today = county.today
        self.year = county.year
        self.big = county.size.members >= 100
        self.calendar = calendar_of(self.year)
        self.items: list[TrackedItem] = []
        self.phase = 3  # after the registry (phase 1) and the plan (phase 2)
        self.dealt = {OUTCOME: 0, RECTIFICATION: 0, RECOMMENDATION: 0}  # fates dealt so far, by kind
        self.lane_of: dict[str, str] = {}  # a tracked item's lane: its record's
        self.n_supervision = 3 if self.big else 2
        self.n_research = 6 if self.big else 4
        self.linked = False  # a proposal-handling outcome named its proposals

    # ---- helpers ---------------------------------------------------------------------------------------

    def step(self, command: str, body: dict[str, Any], *, lane: str, who: Who = OFFICE, phase: int | None = None,
             on: date | None = None, route: str | None = None) -> int:
        return self.c.step(SURVEYS, command, who, body, lane=lane, phase=self.phase if phase is None else phase,
                           at=at_local(on, 10) if on else None, route=route)

    def between(self, lo: date, hi: date | None = None) -> date:
        """A day from `lo` to `hi` (default today), never after today."""
        hi = min(hi or self.today, self.today)
        lo = min(lo, hi)
        # One draw whatever the span (as `past_day`): the draws that follow do not depend on the day.
        span = (hi - lo).days
        return lo + timedelta(days=min(span, int(self.rng.random() * (span + 1))))

    def units(self, preferred: tuple[str, ...], n: int) -> list[str]:
        """`n` of the county's units, the preferred ones first."""
        have = [u for u in preferred if u in self.c.unit_ids]
        others = [u for u in self.c.unit_ids if u not in have]
        self.rng.shuffle(others)
        return (have + others)[:n]

    def people(self, k: int, *, exclude: list[Member] | None = None) -> list[Member]:
        """`k` active members, the busier ones likelier, in registry order."""
        chosen: list[Member] = []
        while len(chosen) < k:
            chosen.append(self.c.weighted_member(self.c.members, exclude=[*(exclude or []), *chosen]))
        return sorted(chosen, key=lambda m: m.member_id)

    @staticmethod
    def unique(*groups: list[Member]) -> list[Member]:
        """The members of the groups, each once, in registry order."""
        by_id = {m.member_id: m for g in groups for m in g}
        return [by_id[k] for k in sorted(by_id)]

    def due_days(self, fate: str, sent_on: date) -> int:
        """Working days until due: short enough to be past for an overdue item, past today for the other open
        ones (as far as the year allows), anything for those the office concludes."""
        elapsed = self.calendar.working_days_between(sent_on, self.today)
        if fate == OVERDUE:
            return max(1, min(60, elapsed // 2))
        if fate in OPEN_FATES:
            return min(250, elapsed + self.rng.randint(10, 40))
        return self.rng.choice((20, 30, 60))

    # ---- tracking ---------------------------------------------------------------------------------------

    def opened(self, item_id: str, kind: str, unit_ids: list[str], sent_on: date, due_days: int,
               fate: str) -> TrackedItem:
        item = TrackedItem(item_id, kind, unit_ids, sent_on, self.calendar.add_working_days(sent_on, due_days), fate)
        self.items.append(item)
        return item

    def report(self, item: TrackedItem, unit_id: str, status: str, lane: str, *, since: date) -> date:
        progress = {"not_started": 0, "done": 100, "mostly_done": self.rng.randint(80, 95)}.get(
            status, self.rng.randint(20, 70))
        on = self.between(since)
        body: dict[str, Any] = {"item_id": item.item_id, "status": status, "progress": progress,
                                "text": REPORT_TEXTS[status], "reported_on": on.isoformat()}
        if status != "not_started":
            body["milestones"] = [{"reached_on": self.between(item.sent_on, on).isoformat(),
                                   "text": "召开专题会议研究部署，制定落实方案"}]
        self.step("report-tracked-item-progress", body, lane=lane, who=self.c.unit_staff(unit_id), on=on)
        item.reported[unit_id] = status
        return on

    def follow(self, item: TrackedItem) -> None:
        """What happens to the item after it is sent, by its fate, in its record's lane (after the sending)."""
        lane, fate = self.lane_of[item.item_id], item.fate
        first, rest = item.unit_ids[0], item.unit_ids[1:]
        last = item.sent_on
        if fate in (IN_PROGRESS, OVERDUE) and (fate == IN_PROGRESS or rest):
            last = self.report(item, first, "in_progress", lane, since=item.sent_on)
        if fate == OVERDUE or (fate == IN_PROGRESS and len(self.items) % 2):
            after = min(item.due + timedelta(days=1), self.today) if fate == OVERDUE else item.sent_on
            self.step("follow-up-tracked-item",
                      {"item_id": item.item_id, "method": self.rng.choice(("notice", "call", "visit", "meeting")),
                       "followed_up_on": self.between(max(after, item.sent_on)).isoformat(),
                       "note": "请抓紧办理并按时报送落实情况"}, lane=lane)
        status = {DONE_OPEN: "done", IMPLEMENTED: "done", LOOKED_BACK: "done", PARTLY: "mostly_done",
                  REOPENED: "mostly_done", NOT: "not_started"}.get(fate)
        if status is None:
            return
        for u in item.unit_ids:
            last = max(last, self.report(item, u, status if u == first or fate != NOT else "in_progress", lane,
                                         since=item.sent_on))
        if fate == DONE_OPEN:
            return
        verdict = {PARTLY: "partly", REOPENED: "partly", NOT: "not_implemented"}.get(fate, "implemented")
        self.step("record-tracked-item-verdict",
                  {"item_id": item.item_id, "verdict": verdict,
                   "notes": {"implemented": "经核实，已落实到位", "partly": "部分落实，尚有差距",
                             "not_implemented": "未见实质性进展"}[verdict]}, lane=lane)
        item.closed, item.verdict = True, verdict
        if fate == REOPENED:
            self.step("reopen-tracked-item", {"item_id": item.item_id, "due_working_days": 20,
                                              "reason": "落实不到位，退回重新办理并限期报送"}, lane=lane)
            item.closed, item.round, item.reopened, item.reported = False, 2, True, {}
            item.due = self.calendar.add_working_days(self.today, 20)
        if fate == LOOKED_BACK:
            self.step("record-tracked-item-lookback",
                      {"item_id": item.item_id, "outcome": "implemented",
                       "looked_back_on": self.between(last).isoformat(),
                       "notes": "回头看：整改成效巩固，未出现反弹"}, lane=lane)
            item.looked_back = True

    # ---- the plan and its sessions -------------------------------------------------------------------------

    def plan(self) -> None:
        c = self.c
        n = 12 if self.big else 6
        n_held = n - 3 if self.big else n - 2
        month = self.today.month
        chairs = [m for m in c.members if m.chair_meeting]
        accepted = [p.proposal_id for p in c.proposals if p.rows] or [p.proposal_id for p in c.proposals]
        self.plan_items: list[dict[str, Any]] = []
        for i in range(n):
            kind = KINDS[i % len(KINDS)]
            theme = self.rng.choice(texts.THEMES)
            units = self.units(theme.units, self.rng.randint(1, 3))
            item: dict[str, Any] = {"item_id": f"pi-{i + 1:02d}", "kind": kind, "lead": self.rng.choice(
                texts.SPECIAL_COMMITTEES), "leader_member_id": chairs[i % len(chairs)].member_id,
                "participating_unit_ids": units}
            if i < n_held:  # held: planned for a month up to now, spread over them
                item["planned_month"] = 1 + i * month // n_held
            else:
                item["planned_month"] = min(12, month + 1 + (i - n_held) // 2)
            if kind == "topic":
                item["title"] = f"“{theme.topic}”专题协商"
            elif kind == "counterpart":
                item["counterpart_unit_id"] = units[0]
                item["title"] = f"与{c.labels.get(units[0], units[0])}就“{theme.topic}”开展对口协商"
            elif kind == "sector":
                sectors = self.rng.sample(sorted({m.sector for m in c.members}), k=2)
                item["sectors"] = [f"{texts.SECTOR_LABELS[s]}界" for s in sectors]
                item["title"] = "、".join(item["sectors"]) + f"联组界别协商：{theme.topic}"
            elif kind == "proposal_handling":
                item["proposal_ids"] = sorted(self.rng.sample(accepted, k=min(len(accepted), 3)))
                item["title"] = f"重点提案办理协商：{theme.topic}"
            else:
                township = self.rng.choice(c.townships)
                item["liaison_group"] = f"{township}政协联络组"
                item["title"] = f"{township}基层协商议事：{theme.topic}"
            self.plan_items.append(item)
            c.labels[item["item_id"]] = item["title"]
        lane = "consultation-plan"
        self.adopted_on = min(c.jan1 + timedelta(days=14), self.today)
        self.step("draft-consultation-plan", {"year": self.year, "title": f"县政协{self.year}年度协商监督计划",
                                              "items": [dict(i) for i in self.plan_items]}, lane=lane, phase=2)
        self.step("adopt-consultation-plan", {"year": self.year, "adopted_on": self.adopted_on.isoformat(),
                                              "meeting": "县政协十届第三十八次主席会议"},
                  lane=lane, phase=2, who=c.leadership, on=self.adopted_on)
        # Amended once: the last item withdrawn, the one before it moved a month later.
        revised = {**self.plan_items[n_held], "planned_month": min(12, self.plan_items[n_held]["planned_month"] + 1),
                   "notes": "根据县委工作安排调整协商时间"}
        self.plan_items[n_held] = revised
        self.withdrawn = self.plan_items[-1]["item_id"]
        self.step("amend-consultation-plan", {"year": self.year, "reason": "根据县委年度工作要点调整部分协商议题",
                                              "items": [revised], "withdraw_item_ids": [self.withdrawn]},
                  lane=lane, phase=2)
        self.held: list[dict[str, Any]] = self.plan_items[:n_held]
        self.sessions = n_held + 1
        for k, item in enumerate(self.held):
            self.session(k, item)
        # The revised item is scheduled for next month and not held yet.
        pending = self.plan_items[n_held]
        self.step("schedule-consultation", {
            "consultation_id": f"cs-{n_held + 1:02d}", "year": self.year, "item_id": pending["item_id"],
            "scheduled_on": (self.today + timedelta(days=self.rng.randint(10, 30))).isoformat(),
            "venue": self.rng.choice(texts.MEETING_VENUES), **self.invitations(pending, [])},
            lane=f"cs-{n_held + 1:02d}")
        # At the year's end the last item neither held nor withdrawn moves to next year's plan (after every
        # session's steps: its own session, if any, stays scheduled here and is not held from this plan).
        self.carried_over = self.plan_items[-2]["item_id"]
        self.step("carry-over-plan-items", {"year": self.year, "item_ids": [self.carried_over],
                                            "reason": "受项目前期工作影响，年内未能开展，结转下年度"},
                  lane=lane, phase=self.phase + 1)

    def invitations(self, item: dict[str, Any], invited: list[Member]) -> dict[str, Any]:
        """Whom a session invites: members by name, two organizations, the item's departments."""
        units = list(dict.fromkeys([*([item["counterpart_unit_id"]] if item.get("counterpart_unit_id") else []),
                                    *item["participating_unit_ids"]]))
        return {"invited_member_ids": [m.member_id for m in invited],
                "invited_organization_ids": [o.organization_id for o in self.c.orgs[:2]], "invited_unit_ids": units}

    def session(self, k: int, item: dict[str, Any]) -> None:
        c = self.c
        cid = lane = f"cs-{k + 1:02d}"
        start = max(date(self.year, item["planned_month"], 1), self.adopted_on)
        month_end = date(self.year + item["planned_month"] // 12, item["planned_month"] % 12 + 1, 1) - timedelta(1)
        held_on = self.between(start, month_end)
        leader = next(m for m in c.members if m.member_id == item["leader_member_id"])
        participants = self.people(self.rng.randint(6, 12) if self.big else self.rng.randint(4, 7), exclude=[leader])
        participants = self.unique([leader], participants, [c.featured] if k == 0 else [])
        speakers = sorted(self.rng.sample(participants, k=min(len(participants), self.rng.randint(2, 4))),
                          key=lambda m: m.member_id)
        if k == 0:
            speakers = self.unique(speakers, [c.featured])
        # Written opinions from members who did not speak (present or not).
        writers = [m for m in self.people(self.rng.randint(1, 3)) if m not in speakers]
        # The second session's last participant came without an invitation (recorded, not refused).
        invited = participants[:-1] if k == 1 else participants
        self.step("schedule-consultation", {"consultation_id": cid, "year": self.year, "item_id": item["item_id"],
                                            "scheduled_on": held_on.isoformat(),
                                            "venue": self.rng.choice(texts.MEETING_VENUES),
                                            **self.invitations(item, invited)}, lane=lane)
        self.step("hold-consultation", {
            "consultation_id": cid, "held_on": held_on.isoformat(),
            "participant_member_ids": [m.member_id for m in participants],
            "speaker_member_ids": [m.member_id for m in speakers],
            "written_opinion_member_ids": [m.member_id for m in writers],
            "summary": f"围绕{item['title']}协商议政，提出意见建议"}, lane=lane, on=held_on)
        for m in speakers:
            c.fact(m.member_id, f"consultation-spoke:{cid}", "consultation_speech", "speaker")
        for m in writers:
            c.fact(m.member_id, f"consultation-written:{cid}", "consultation_written_opinion", "writer")
        c.counts["consultations_held"] += 1
        units = list(dict.fromkeys([*([item["counterpart_unit_id"]] if item.get("counterpart_unit_id") else []),
                                    *item["participating_unit_ids"]]))
        # The first session's first outcome has two parts; a proposal-handling session's first outcome names
        # the proposals and a public-opinion report it grew from (the first such session's).
        links: dict[str, Any] = {}
        if item["kind"] == "proposal_handling" and not self.linked:
            self.linked = True
            links = {"proposal_ids": item["proposal_ids"],
                     "opinion_report_ids": ["r-0001"] if self.c.size.reports else []}
        for j in range(3 if k == 0 else 2 if k % 2 == 0 else 1):
            oid = f"{cid}-o{j + 1}"
            fate = OUTCOME_FATES[self.dealt[OUTCOME] % len(OUTCOME_FATES)]
            self.dealt[OUTCOME] += 1
            sent_on = self.between(held_on, held_on + timedelta(days=10))
            responsible = units[: 1 + (j + k) % 2] if len(units) > 1 else units
            days = self.due_days(fate, sent_on)
            self.step("record-consultation-outcome", {
                "consultation_id": cid, "outcome_id": oid, "title": f"{item['title']}成果（{j + 1}）",
                "text": f"就{item['title']}形成的协商意见，请有关部门研究落实。",
                "sent_to": [["county_party_committee", "county_government"], ["county_government"],
                            ["county_party_committee"]][(k + j) % 3],
                "sent_on": sent_on.isoformat(), "responsible_unit_ids": responsible, "due_working_days": days,
                **({"parent_outcome_id": f"{cid}-o1"} if k == 0 and j else {}), **(links if j == 0 else {})},
                lane=lane, on=sent_on)
            if k == 0 and j == 0:
                instructed_on = self.between(sent_on, sent_on + timedelta(days=15))
                self.step("record-outcome-instruction", {
                    "consultation_id": cid, "outcome_id": oid, "instruction_id": f"{oid}-i1",
                    "leader": "县委书记", "level": "county_party_committee",
                    "text": "请县政府分管领导牵头，有关部门认真研究吸纳，抓好落实。",
                    "instructed_on": instructed_on.isoformat()}, lane=lane, on=instructed_on)
            self.lane_of[oid] = lane
            self.follow(self.opened(oid, OUTCOME, responsible, sent_on, days, fate))

    # ---- democratic supervision ---------------------------------------------------------------------------

    def supervision(self) -> None:
        c = self.c
        n_topics = self.n_supervision
        supervisors = [m for m in c.members if m.supervisor_unit]
        activity = 0
        for t, (title, preferred) in enumerate(SUPERVISION_TOPICS[:n_topics]):
            sid = lane = f"sv-{t + 1:02d}"
            units = self.units(preferred, 3 if self.big else 2)
            team = self.unique(supervisors[t::n_topics], self.people(4 if self.big else 3))
            self.step("open-supervision-topic", {"supervision_id": sid, "year": self.year, "title": title,
                                                 "unit_ids": units, "team_member_ids": [m.member_id for m in team]},
                      lane=lane)
            c.labels[sid] = title
            lo, hi = 0.05 + 0.2 * t, 0.3 + 0.2 * t
            days = sorted(c.past_day(lo, hi) for _ in range(2))
            participants: list[Member] = []
            for d in days:
                kind = ACTIVITY_KINDS[activity % len(ACTIVITY_KINDS)]
                activity += 1
                present = self.unique(self.rng.sample(team, k=max(1, len(team) - 1)), self.people(1))
                participants = self.unique(participants, present)
                self.step("log-supervision-activity", {
                    "supervision_id": sid, "activity_id": f"{sid}-a{activity}", "kind": kind, "held_on": d.isoformat(),
                    "participant_member_ids": [m.member_id for m in present],
                    "unit_ids": self.rng.sample(units, k=self.rng.randint(1, len(units))),
                    "summary": ACTIVITY_SUMMARIES[kind]}, lane=lane, on=d)
            reported_on = self.between(days[-1], days[-1] + timedelta(days=7))
            rid = f"{sid}-r1"
            findings = []
            opened: list[tuple[str, list[str], int, str]] = []
            for f, (ftitle, ftext) in enumerate(SUPERVISION_FINDINGS[: 3]):
                fate = RECTIFICATION_FATES[self.dealt[RECTIFICATION] % len(RECTIFICATION_FATES)]
                self.dealt[RECTIFICATION] += 1
                named = sorted(self.rng.sample(units, k=1 + (f + t) % 2))
                n_days = self.due_days(fate, reported_on)
                findings.append({"finding_id": f"f{f + 1}", "title": ftitle, "text": ftext, "unit_ids": named,
                                 "due_working_days": n_days})
                opened.append((f"{rid}.f{f + 1}", named, n_days, fate))
            self.step("report-supervision", {"supervision_id": sid, "report_id": rid,
                                             "reported_on": reported_on.isoformat(),
                                             "summary": f"{title}报告：发现问题{len(findings)}项，提出整改要求",
                                             "findings": findings}, lane=lane, on=reported_on)
            # The members service credits the team and everyone who took part in an activity.
            for m in self.unique(team, participants):
                c.fact(m.member_id, f"supervision:{rid}", "supervision")
            c.counts["supervision_reports"] += 1
            for item_id, named, n_days, fate in opened:
                self.lane_of[item_id] = lane
                self.follow(self.opened(item_id, RECTIFICATION, named, reported_on, n_days, fate))

    def appraisal(self) -> None:
        """Special supervisors (and, in a county with few, members the office seconded) in the departments'
        democratic appraisal rounds (民主评议)."""
        c = self.c
        pairs: list[tuple[Member, str]] = [(m, m.supervisor_unit) for m in c.members if m.supervisor_unit]
        for m in c.members[len(c.members) // 2:]:
            if len(pairs) >= (6 if self.big else 3):
                break
            if not m.supervisor_unit and not m.chair_meeting:
                pairs.append((m, self.rng.choice(c.unit_ids)))
        aid = f"appraisal-{self.year}"
        for r, (lo, hi) in enumerate(((0.2, 0.5), (0.55, 0.95))):
            rid = f"round-{r + 1}"
            held = c.past_day(lo, hi)
            for i, (m, unit) in enumerate(pairs):
                if r == 1 and i % 2:
                    continue
                self.step("record-appraisal-participation", {"appraisal_id": aid, "round_id": rid,
                                                             "member_id": m.member_id, "unit_id": unit,
                                                             "held_on": held.isoformat()}, lane="appraisal", on=held)
                c.fact(m.member_id, f"appraisal:{aid}:{rid}", "appraisal")
                c.counts["appraisal_participations"] += 1

    # ---- democratic appraisal by secret ballot ----------------------------------------------------------------

    def secret_ballot(self) -> None:
        """One closed round of democratic appraisal by secret ballot (民主评议): the county's departments (30 in
        the demo county, every unit of a smaller one) rated by 40 raters — the special supervisors, then members
        — of whom 36 attend and 35 vote (one corrects their ballot before close). The office opens the round,
        prints the slips (a route: they are answered once), the raters cast signed ballots with no login (a
        route), the office closes it: the bottom three are asked to rectify (tracked items)."""
        c = self.c
        aid = lane = f"ballot-{self.year}"
        units = c.units[:APPRAISED]
        supervisors = [m for m in c.members if m.supervisor_unit][:RATERS]
        others = [m for m in c.members if not m.supervisor_unit]
        members = sorted(self.rng.sample(others, k=min(len(others), RATERS - len(supervisors))),
                         key=lambda m: m.member_id)
        raters = [*supervisors, *members]
        held = c.past_day(0.6, 0.9)
        self.step("open-appraisal", {
            "appraisal_id": aid, "year": self.year, "kind": "law_enforcement",
            "title": f"{self.year}年度政府工作部门民主评议", "held_on": held.isoformat(),
            "subjects": [{"unit_id": u.unit_id, "name": u.name} for u in units],
            "special_supervisor_ids": [m.member_id for m in supervisors],
            "member_ids": [m.member_id for m in members]}, lane=lane, on=held)
        c.labels[aid] = f"{self.year}年度政府工作部门民主评议"
        slips = self.step(ISSUE_CREDENTIALS, {}, lane=lane, route=f"/appraisals/{aid}/credentials")
        attendees = sorted(self.rng.sample(raters, k=len(raters) - max(1, len(raters) // 10)),
                           key=lambda m: m.member_id)
        # How each department fares: a quality of its own, so the ranking is clear but not fixed.
        quality = {u.unit_id: 0.35 + 0.6 * self.rng.random() for u in units}
        ballots: list[dict[str, dict[str, str]]] = []
        for _ in range(len(attendees) - 1):  # one attendee hands in nothing
            marks: dict[str, dict[str, str]] = {}
            for u in units:
                r = self.rng.random()
                if r < 0.03:
                    continue  # a blank: an abstention
                q = quality[u.unit_id]
                choice = ("unknown" if r < 0.09 else "satisfied" if (r2 := self.rng.random()) < q * 0.65
                          else "basically_satisfied" if r2 < q else "dissatisfied")
                marks[u.unit_id] = {"overall": choice}
            ballots.append(marks)
        for i, marks in enumerate(ballots):
            if i == 0:  # the first rater sends a mistaken ballot first, then corrects it
                mistaken = {u.unit_id: {"overall": "dissatisfied"} for u in units}
                self.ballot(aid, slips, i, mistaken, lane)
            self.ballot(aid, slips, i, marks, lane)
        self.step("close-appraisal", {"appraisal_id": aid, "issued": len(attendees),
                                      "attendee_member_ids": [m.member_id for m in attendees],
                                      "rectification_due_working_days": 30}, lane=lane)
        for m in attendees:  # the surveys service credits each attendee; the members service scores it
            c.fact(m.member_id, f"appraisal:{aid}:ballot", "appraisal")
            c.counts["appraisal_participations"] += 1
        ranking, top, bottom = appraisal_tally([u.unit_id for u in units], ballots)
        rectifications = []
        for unit_id in bottom:
            position = 1 + [u.unit_id for u in units].index(unit_id)
            item_id = f"{aid}.rect{position}"
            self.opened(item_id, APPRAISAL_RECTIFICATION, [unit_id], self.today, 30, UNREPORTED)
            rectifications.append(item_id)
        self.appraisal_figures = AppraisalFigures(
            appraisal_id=aid, departments=len(units), entitled=len(raters), issued=len(attendees),
            returned=len(ballots), ranking=ranking, top=tuple(top), bottom=tuple(bottom),
            rectifications=tuple(rectifications))

    def ballot(self, aid: str, slips: int, i: int, marks: dict[str, dict[str, str]], lane: str) -> None:
        self.step(CAST_BALLOT, {"appraisal_id": aid, "slip": Ref(slips, f"slip-{i}"), "marks": marks}, lane=lane,
                  who=NOBODY, route=f"/appraisals/{aid}/ballots")

    # ---- questionnaires ----------------------------------------------------------------------------------------

    def questionnaires(self) -> None:
        """Two questionnaires, closed: one identified (members answer under their login), one anonymous
        (members draw a ticket and answer with it, no login)."""
        c = self.c
        found = []
        for n, (mode, title) in enumerate((("identified", "委员履职服务满意度调查"),
                                           ("anonymous", "政协机关作风建设匿名问卷"))):
            qid = lane = f"qn-{self.year}-{n + 1}"
            invited = self.people(10 if self.big else 6)
            published = c.past_day(0.5, 0.7)
            self.step("publish-questionnaire", {
                "questionnaire_id": qid, "title": title, "mode": mode, "intro": "请根据实际情况填写，感谢支持。",
                "closes_on": (self.today + timedelta(days=14)).isoformat(), "questions": QUESTIONNAIRE,
                "member_ids": [m.member_id for m in invited]}, lane=lane, on=published)
            c.labels[qid] = title
            answering = invited[: len(invited) * 2 // 3]
            counts = [0] * len(QUESTIONNAIRE[0]["options"])
            for m in answering:
                pick = self.rng.choice(range(len(counts)))
                counts[pick] += 1
                answers = [{"question_id": "q1", "options": [QUESTIONNAIRE[0]["options"][pick]["key"]]},
                           {"question_id": "q2", "text": self.rng.choice(QUESTIONNAIRE_TEXTS)}]
                if mode == "identified":
                    self.step("submit-questionnaire-response", {"questionnaire_id": qid, "answers": answers},
                              lane=lane, who=m.who)
                else:
                    ticket = self.step(DRAW_TICKET, {}, lane=lane, who=m.who, route=f"/questionnaires/{qid}/ticket")
                    self.step(ANSWER_ANONYMOUSLY, {"ticket": Ref(ticket, "ticket"), "answers": answers}, lane=lane,
                              who=NOBODY, route=f"/questionnaire-responses/{c.committee_id}/{qid}")
            self.step("close-questionnaire", {"questionnaire_id": qid}, lane=lane)
            found.append(QuestionnaireFigures(qid, mode, len(invited), len(answering), tuple(counts)))
        self.questionnaire_figures = tuple(found)

    # ---- research and inspection ----------------------------------------------------------------------------

    def research(self) -> None:
        c = self.c
        n_topics = self.n_research
        orgs = list(c.orgs)
        # Two topics taken on by organizations; for the second, a first application was declined.
        applications: dict[int, list[tuple[str, bool]]] = {}
        if orgs:
            applications[0] = [(orgs[0].organization_id, True)]
        if len(orgs) >= 3:
            applications[n_topics // 2] = [(orgs[1].organization_id, False), (orgs[2].organization_id, True)]
        elif len(orgs) == 2:
            applications[n_topics // 2] = [(orgs[1].organization_id, True)]
        self.applications = sum(len(v) for v in applications.values())
        self.applied_for = sum(any(ok for _, ok in v) for v in applications.values())
        for t, (title, kind, preferred) in enumerate(RESEARCH_TOPICS[:n_topics]):
            tid = lane = f"rt-{t + 1:02d}"
            c.labels[tid] = title
            self.step("plan-research-topic", {"topic_id": tid, "year": self.year, "title": title, "kind": kind,
                                              "open_for_application": t in applications}, lane=lane)
            taken: list[str] = []
            for a, (org, approved) in enumerate(applications.get(t, [])):
                applied = c.past_day(0.02, 0.15)
                self.step("apply-for-research-topic", {
                    "topic_id": tid, "application_id": f"{tid}-ap{a + 1}", "organization_id": org,
                    "applied_on": applied.isoformat(), "plan": "组织本党派（团体）成员开展专题调研，形成调研报告"},
                    lane=lane, on=applied)
                self.step("decide-research-application", {
                    "topic_id": tid, "application_id": f"{tid}-ap{a + 1}", "approved": approved,
                    "reason": ("申报方案切实可行，同意承担该课题" if approved
                               else "该课题已有更合适的承担单位，建议另行申报")},
                    lane=lane)
                if approved:
                    taken.append(org)
            team = self.people(5 if self.big else 3)
            if t == 1 and c.featured not in team:
                team = self.unique(team, [c.featured])
            self.step("form-research-team", {"topic_id": tid, "member_ids": [m.member_id for m in team],
                                             "organization_ids": taken}, lane=lane)
            days = sorted(c.past_day(0.15, 0.7) for _ in range(2 if t % 2 else 3))
            scored = "inspection" if kind == "embedded_inspection" else "research"
            for d, day in enumerate(days):
                present = sorted(self.rng.sample(team, k=max(1, len(team) - d % 2)), key=lambda m: m.member_id)
                aid = f"{tid}-d{d + 1}"
                self.step("log-research-field-day", {"topic_id": tid, "activity_id": aid, "held_on": day.isoformat(),
                                                     "member_ids": [m.member_id for m in present],
                                                     "summary": "深入乡镇、企业和项目现场实地调研"}, lane=lane, on=day)
                for m in present:
                    c.fact(m.member_id, f"research:{aid}", "research", kind=scored)
                c.counts["research_field_days"] += 1
            if t == n_topics - 1:
                continue  # the last topic's report is still being written
            reported_on = self.between(days[-1], days[-1] + timedelta(days=20))
            rid = f"{tid}-r1"
            recs = []
            opened: list[tuple[str, list[str], int, str]] = []
            for k, (rtitle, rtext) in enumerate(RECOMMENDATIONS[:2]):
                fate = RECOMMENDATION_FATES[self.dealt[RECOMMENDATION] % len(RECOMMENDATION_FATES)]
                self.dealt[RECOMMENDATION] += 1
                named = self.units(preferred, 1 + (k + t) % 2)
                n_days = self.due_days(fate, reported_on)
                recs.append({"recommendation_id": f"k{k + 1}", "title": f"{title}：{rtitle}", "text": rtext,
                             "unit_ids": named, "due_working_days": n_days})
                opened.append((f"{rid}.k{k + 1}", named, n_days, fate))
            self.step("report-research", {"topic_id": tid, "report_id": rid, "reported_on": reported_on.isoformat(),
                                          "summary": f"{title}报告", "recommendations": recs},
                      lane=lane, on=reported_on)
            c.counts["research_reports"] += 1
            for item_id, named, n_days, fate in opened:
                self.lane_of[item_id] = lane
                self.follow(self.opened(item_id, RECOMMENDATION, named, reported_on, n_days, fate))

    # ---- the whole year -------------------------------------------------------------------------------------

    def build(self) -> SurveysFigures:
        self.plan()
        self.supervision()
        self.appraisal()
        self.secret_ballot()
        self.questionnaires()
        self.research()
        return self.figures()

    def figures(self) -> SurveysFigures:
        active = [i for i in self.plan_items if i["item_id"] != self.withdrawn]
        planned: dict[int, int] = {}
        held: dict[int, int] = {}
        for p in active:
            planned[p["planned_month"]] = planned.get(p["planned_month"], 0) + 1
        for p in self.held:
            held[p["planned_month"]] = held.get(p["planned_month"], 0) + 1
        tracked = {}
        for kind in (OUTCOME, RECTIFICATION, RECOMMENDATION, APPRAISAL_RECTIFICATION):
            mine = [i for i in self.items if i.kind == kind]
            verdicts: dict[str, int] = {}
            for i in mine:
                if i.closed and i.verdict:
                    verdicts[i.verdict] = verdicts.get(i.verdict, 0) + 1
            tracked[kind] = TrackedFigures(items=len(mine), open=sum(not i.closed for i in mine),
                                           overdue=sum(i.overdue(self.today) for i in mine), verdicts=verdicts,
                                           reopened=sum(i.reopened for i in mine),
                                           looked_back=sum(i.looked_back for i in mine))
        not_reported: dict[str, int] = {}
        for i in self.items:
            for u in i.unit_ids:
                if not i.closed and u not in i.reported:
                    not_reported[u] = not_reported.get(u, 0) + 1
        self.c.counts["consultation_plan_items"] = len(active)
        self.c.counts["tracked_items"] = len(self.items)
        return SurveysFigures(
            plan_items=len(active), withdrawn=1, amendments=1, planned_by_month=dict(sorted(planned.items())),
            held_by_month=dict(sorted(held.items())), held_items=tuple(i["item_id"] for i in self.held),
            sessions=self.sessions, tracked=tracked,
            overdue_today=tuple(sorted(i.item_id for i in self.items if i.overdue(self.today))),
            not_reported_by_unit=dict(sorted(not_reported.items())), supervision_topics=self.n_supervision,
            research_topics=self.n_research,
            research_applications=self.applications, research_topics_applied_for=self.applied_for,
            carried_over=(self.carried_over,), appraisal=self.appraisal_figures,
            questionnaires=self.questionnaire_figures)
