"""What an email is rendered from: a notification's template and variables (the rules' names, an event's
fields) turned into the email catalog's template id and the variables that template declares
(`templates/email/catalog.yaml`), so every notification the rules write can be mailed; and a digest's
items. A variable the notification cannot supply is given empty rather than failing the send."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date, datetime
from typing import Any

from contracts.clock import CHINA_TZ, aware
from contracts.labels import LabeledEnum
from contracts.members.enums import Grade, MeetingKind
from contracts.proposals.enums import UnitRole
from contracts.surveys.tracking import TrackedSubject
from eventstore.workdays import DEFAULT_CALENDAR, WorkCalendar
from notify.channels.rendering import TemplateError, catalog, render
from runtime import settings

# Rules' template names that differ from the email catalog's.
RENAMED = {"cosignature-requested": "cosign-requested", "cosignature-due-before": "cosign-deadline-near"}
# A reminder's template is `<ladder template>-<step>`: a step before the deadline is the ladder's own template
# where the catalog has one (it says what is due), else the generic reminder; the later steps are generic.
STEPS = {"before": "deadline-reminder", "overdue": "deadline-overdue", "escalate_office": "deadline-escalated",
         "escalate_leader": "deadline-escalated"}
DEADLINE_FIELDS = ("deadline", "cosign_deadline", "due", "closes_on")  # closes_on: a questionnaire's last day
# Event fields whose recorded value (an enum's) a reader is shown in words.
TRANSLATED = frozenset({"grade", "role", "item_kind"})
TASKS = {"reply": "答复提案", "cosign": "联署提案", "tracked": "报送落实情况", "lookback": "回头看",
         "questionnaire": "填写问卷", "evaluation": "评价答复"}


def public_url() -> str:
    import os

    return (os.environ.get("YIZHENG_PUBLIC_URL", "").strip() or f"http://{settings.LOOPBACK}:8000").rstrip("/")


def email_template(template: str) -> str:
    if template in RENAMED:
        return RENAMED[template]
    if template in catalog():
        return template
    step = next((s for s in STEPS if template.endswith(f"-{s}")), None)
    if step is None:
        return template
    ladder = template.removesuffix(f"-{step}")
    if step == "before" and ladder in catalog():
        return ladder
    return STEPS[step]


def _chinese_date(value: Any) -> str:
    try:
        d = value if isinstance(value, date) else date.fromisoformat(str(value))
    except ValueError:
        return str(value)
    return f"{d.year}年{d.month}月{d.day}日"


WEEKDAYS = "一二三四五六日"
UNKNOWN_YET = "见平台通知"  # a meeting's time or place not (yet) in notify's record of it


def days_left(calendar: WorkCalendar, today: date, due: date) -> int:
    """The committee's working days after today up to and including the deadline (0 once it is past)."""
    return calendar.working_days_between(today, due) if due >= today else 0


def days_overdue(calendar: WorkCalendar, today: date, due: date) -> int:
    """The committee's working days since the deadline, today included (0 before it has passed)."""
    return calendar.working_days_between(due, today) if today > due else 0


def meeting_time(starts_at: Any, ends_at: Any = None) -> str:
    """When a meeting is held, in China's time: 2026年4月10日（星期五）9:00–11:30."""
    try:
        start = aware(datetime.fromisoformat(str(starts_at))).astimezone(CHINA_TZ)
        end = aware(datetime.fromisoformat(str(ends_at))).astimezone(CHINA_TZ) if ends_at else None
    except ValueError:
        return str(starts_at)
    weekday = WEEKDAYS[start.weekday()]
    day = f"{start.year}年{start.month}月{start.day}日（星期{weekday}）{start.hour}:{start.minute:02d}"
    if end is None or end <= start:
        return day
    if end.date() == start.date():
        return f"{day}–{end.hour}:{end.minute:02d}"
    return f"{day}至{end.month}月{end.day}日 {end.hour}:{end.minute:02d}"


def _is_tracked(v: Mapping[str, Any]) -> bool:
    return bool(v.get("item_id") or v.get("item_kind")) or str(v.get("task_id", "")).startswith("tracked:")


def _item_kind(v: Mapping[str, Any]) -> str:
    """A tracked item's kind in words (协商成果, 监督整改, 调研视察建议): the reminder's, or the opening event's."""
    kind = v.get("item_kind") or v.get("subject")
    return _label(TrackedSubject, kind) if kind else "事项"


def _about(v: Mapping[str, Any], subject: Any) -> str:
    """What a deadline is about, as a reader names it: 提案2026-015《…》, 建议案《…》, or 协商成果「…」."""
    if _is_tracked(v):
        title = v.get("survey") or v.get("title")
        return f"{_item_kind(v)}「{title}」" if title else f"{_item_kind(v)}{subject or ''}"
    if v.get("questionnaire_id"):
        return f"问卷《{v['title']}》" if v.get("title") else "问卷"
    if v.get("recommendation_id") and not v.get("proposal_id"):  # a look-back at a recommendation report
        return f"建议案《{v['title']}》" if v.get("title") else "建议案"
    number, title = v.get("number") or subject or "", v.get("title")
    return f"提案{number}《{title}》" if title else f"提案{number}"


def _label(enum: type[LabeledEnum], value: Any) -> str:
    try:
        return enum(value).label_zh
    except ValueError:
        return str(value)


def _role(v: Mapping[str, Any], recipient_id: str | None) -> str:
    """The unit's part in handling the proposal: re-assigned with a role, assigned separately, or lead/co."""
    if v.get("role"):
        return _label(UnitRole, v["role"]).removesuffix("单位")
    if v.get("mode") == "separate":
        return "分办"
    if v.get("mode") == "lead_with_co" and recipient_id:
        return "主办" if recipient_id == v.get("lead_unit_id") else "协办"
    return "办理"


def email_variables(template: str, variables: Mapping[str, Any], *, today: date, recipient_id: str | None = None,
                    calendar: WorkCalendar = DEFAULT_CALENDAR) -> dict[str, Any]:
    """The declared variables of the email template (and of its SMS: the same names), from the notification's
    and, where they depend on who reads it (a unit's role), from the recipient; days left or overdue counted
    on the committee's working-day `calendar`."""
    v = dict(variables)
    deadline = next((v[f] for f in DEADLINE_FIELDS if v.get(f)), None)
    subject = v.get("proposal_id") or v.get("subject_id")
    derived: dict[str, Any] = {
        "number": v.get("number") or subject or "",
        "deadline": _chinese_date(deadline) if deadline else "",
        "link": f"{public_url()}/proposals/{subject}" if v.get("proposal_id")
        else f"{public_url()}/questionnaires/{v['questionnaire_id']}" if v.get("questionnaire_id")
        else f"{public_url()}/appraisals/{v['appraisal_id']}" if v.get("appraisal_id")
        else f"{public_url()}/notifications",
        # A questionnaire answered anonymously (匿名): nobody can tell notify who has answered.
        "anonymous": v.get("mode") == "anonymous" if v.get("questionnaire_id") else False,
        "note": v.get("note") or v.get("reason") or "",
        # The meeting as scheduled (notify's own record of it); only its kind before that record arrives.
        "meeting": v.get("meeting") or v.get("title") or (_label(MeetingKind, v["meeting_kind"])
                                                         if v.get("meeting_kind") else "会议"),
        "starts_at": meeting_time(v["meeting_starts_at"], v.get("meeting_ends_at"))
        if v.get("meeting_starts_at") else UNKNOWN_YET,
        "place": v.get("venue") or UNKNOWN_YET,
        "decision": ("已准假" if v["approved"] else "未准假") if "approved" in v else "",
        "role": _role(v, recipient_id),
        "grade": _label(Grade, v["grade"]) if v.get("grade") else "",
        # A tracked item by its title and kind (notify's record of it); by its id only if neither is known.
        "survey": v.get("survey") or v.get("title") or (f"事项{subject}" if subject else ""),
        "item_kind": _item_kind(v) if _is_tracked(v) else "事项",
        "about": _about(v, subject),
        "unit": v.get("unit") or v.get("unit_id") or "",
        "proposer": v.get("proposer") or "提案人",
        "task": TASKS.get(str(v.get("task_id", "")).split(":")[0], "办理事项"),
        "merged_into": v.get("merged_into") or v.get("into_proposal_id") or "",
    }
    if deadline:
        due = date.fromisoformat(str(deadline)[:10])
        derived["days_left"] = days_left(calendar, today, due)
        derived["days_overdue"] = days_overdue(calendar, today, due)
    spec = catalog().get(template)
    declared = spec.sample.keys() if spec else ()
    given = {k: v[k] if k in v and k not in TRANSLATED else derived.get(k, "") for k in declared}
    return {**given, **{k: x for k, x in v.items() if k not in declared}}


def digest_variables(period: str, notes: Sequence[Mapping[str, Any]], *, today: date,
                     calendar: WorkCalendar = DEFAULT_CALENDAR) -> dict[str, Any]:
    """The digest's items: each notification's own subject and why it was sent."""
    items = []
    for n in notes:
        template = email_template(str(n["template"]))
        variables = email_variables(template, n["variables"], today=today, calendar=calendar)
        try:
            subject = render(template, variables, reason=str(n["reason"])).subject
        except TemplateError:
            subject = str(n["reason"])
        items.append({"subject": subject, "summary": str(n["reason"]), "link": variables.get("link", "")})
    return {"period": period, "link": f"{public_url()}/notifications", "items": items}
