"""What an email is rendered from: a notification's template and variables (the rules' names, an event's
fields) turned into the email catalog's template id and the variables that template declares
(`templates/email/catalog.yaml`), so every notification the rules write can be mailed; and a digest's
items. A variable the notification cannot supply is given empty rather than failing the send."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date
from typing import Any

from contracts.labels import LabeledEnum
from contracts.members.enums import Grade, MeetingKind
from contracts.proposals.enums import UnitRole
from notify.channels.rendering import TemplateError, catalog, render
from runtime import settings

# Rules' template names that differ from the email catalog's.
RENAMED = {"cosignature-requested": "cosign-requested", "cosignature-due-before": "cosign-deadline-near"}
# A reminder's template is `<ladder template>-<step>`: a step before the deadline is the ladder's own template
# where the catalog has one (it says what is due), else the generic reminder; the later steps are generic.
STEPS = {"before": "deadline-reminder", "overdue": "deadline-overdue", "escalate_office": "deadline-escalated",
         "escalate_leader": "deadline-escalated"}
DEADLINE_FIELDS = ("deadline", "cosign_deadline", "due")
# Event fields whose recorded value (an enum's) a reader is shown in words.
TRANSLATED = frozenset({"grade", "role"})
TASKS = {"reply": "答复提案", "cosign": "联署提案", "tracked": "落实整改", "lookback": "回头看"}


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


def _weekdays_between(start: date, end: date) -> int:
    """Monday-to-Friday days from `start` to `end` (an approximation of the committee's working days)."""
    lo, hi = sorted((start, end))
    return sum(1 for n in range((hi - lo).days) if date.fromordinal(lo.toordinal() + n + 1).weekday() < 5)


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


def email_variables(template: str, variables: Mapping[str, Any], *, today: date,
                    recipient_id: str | None = None) -> dict[str, Any]:
    """The declared variables of the email template (and of its SMS: the same names), from the notification's
    and, where they depend on who reads it (a unit's role), from the recipient."""
    v = dict(variables)
    deadline = next((v[f] for f in DEADLINE_FIELDS if v.get(f)), None)
    subject = v.get("proposal_id") or v.get("subject_id")
    derived: dict[str, Any] = {
        "number": v.get("number") or subject or "",
        "deadline": _chinese_date(deadline) if deadline else "",
        "link": f"{public_url()}/proposals/{subject}" if v.get("proposal_id") else f"{public_url()}/notifications",
        "note": v.get("note") or v.get("reason") or "",
        # The invitation names the kind of meeting (the meeting's own title is the members service's).
        "meeting": v.get("meeting") or v.get("title") or (_label(MeetingKind, v["meeting_kind"])
                                                         if v.get("meeting_kind") else "会议"),
        "decision": ("已准假" if v["approved"] else "未准假") if "approved" in v else "",
        "role": _role(v, recipient_id),
        "grade": _label(Grade, v["grade"]) if v.get("grade") else "",
        # A tracked item's reminder knows the item only by its id until the item's title is recorded with it.
        "survey": v.get("survey") or v.get("title") or (f"事项{subject}" if subject else ""),
        "unit": v.get("unit") or v.get("unit_id") or "",
        "proposer": v.get("proposer") or "提案人",
        "task": TASKS.get(str(v.get("task_id", "")).split(":")[0], "办理事项"),
        "merged_into": v.get("merged_into") or v.get("into_proposal_id") or "",
    }
    if deadline:
        due = date.fromisoformat(str(deadline)[:10])
        derived["days_left"] = _weekdays_between(today, due) if due >= today else 0
        derived["days_overdue"] = _weekdays_between(due, today) if today > due else 0
    spec = catalog().get(template)
    declared = spec.sample.keys() if spec else ()
    given = {k: v[k] if k in v and k not in TRANSLATED else derived.get(k, "") for k in declared}
    return {**given, **{k: x for k, x in v.items() if k not in declared}}


def digest_variables(period: str, notes: Sequence[Mapping[str, Any]], *, today: date) -> dict[str, Any]:
    """The digest's items: each notification's own subject and why it was sent."""
    items = []
    for n in notes:
        template = email_template(str(n["template"]))
        variables = email_variables(template, n["variables"], today=today)
        try:
            subject = render(template, variables, reason=str(n["reason"])).subject
        except TemplateError:
            subject = str(n["reason"])
        items.append({"subject": subject, "summary": str(n["reason"]), "link": variables.get("link", "")})
    return {"period": period, "link": f"{public_url()}/notifications", "items": items}
