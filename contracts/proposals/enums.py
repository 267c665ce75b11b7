"""Enumerations of the proposals contracts. Each member carries its Chinese label (`label_zh`) so clients
can show the committee's own words; `labels_zh()` gives the whole mapping of one enum."""

from __future__ import annotations

from contracts.labels import LabeledEnum

__all__ = ["LabeledEnum"]


class Category(LabeledEnum):
    economy = ("economy", "经济建设")
    politics = ("politics", "政治建设")
    culture = ("culture", "文化建设")
    society = ("society", "社会建设")
    ecology = ("ecology", "生态文明建设")
    agriculture = ("agriculture", "农业农村")
    education = ("education", "教育科技")
    health = ("health", "医疗卫生")
    urban_rural = ("urban_rural", "城乡建设")
    other = ("other", "其他")


class SubmitterKind(LabeledEnum):
    individual = ("individual", "委员个人提案")
    joint = ("joint", "委员联名提案")
    organization = ("organization", "党派团体提案")
    special_committee = ("special_committee", "专门委员会提案")
    sector = ("sector", "界别提案")


class NotAcceptedConversion(LabeledEnum):
    opinion_letter = ("opinion_letter", "转意见建议函")
    opinion_report = ("opinion_report", "转社情民意信息")


class AssignmentMode(LabeledEnum):
    lead_with_co = ("lead_with_co", "主办协办")
    separate = ("separate", "分办")


class UnitRole(LabeledEnum):
    lead = ("lead", "主办单位")
    co = ("co", "协办单位")
    separate = ("separate", "分办单位")

    @property
    def replies(self) -> bool:
        """Whether a unit in this role owes the proposers a reply: the lead and each separately assigned unit;
        a co-handling unit contributes to (and co-signs) the lead's reply instead."""
        return self is not UnitRole.co


def owes_reply(role: object, active: bool, replied_round: int | None, round: int) -> bool:
    """A unit still owes this round's reply: it is on the slip (not re-assigned away), its role replies, and
    the round's reply has not come. Every per-proposal field and every figure asks this. `role`: the role's
    value, or any enum of it (the GraphQL mirror)."""
    replies = UnitRole(str(getattr(role, "value", role))).replies
    return active and replies and (replied_round is None or replied_round < round)


class DeadlineRule(LabeledEnum):
    three_months = ("three_months", "三个月（遇节假日顺延）")
    one_month = ("one_month", "一个月（遇节假日顺延）")
    explicit = ("explicit", "交办单指定")


class ContactKind(LabeledEnum):
    contact = ("contact", "联系沟通")
    meeting = ("meeting", "见面协商")


class ResultClass(LabeledEnum):
    A = ("A", "已解决或采纳")
    B = ("B", "正在解决或列入计划")
    C = ("C", "留作参考")


class Rating(LabeledEnum):
    satisfied = ("satisfied", "满意")
    basically_satisfied = ("basically_satisfied", "基本满意")
    dissatisfied = ("dissatisfied", "不满意")


class ReopenReason(LabeledEnum):
    dissatisfied = ("dissatisfied", "提案者不满意，重新办理")
    lookback_not_implemented = ("lookback_not_implemented", "回头看未落实，继续跟进")
    office = ("office", "提案委要求重新办理")


class LookbackSubject(LabeledEnum):
    commitment = ("commitment", "B类答复承诺")
    recommendation = ("recommendation", "建议案")


class LookbackOutcome(LabeledEnum):
    implemented = ("implemented", "已落实")
    partly = ("partly", "部分落实")
    not_implemented = ("not", "未落实")


class ReportLevel(LabeledEnum):
    county = ("county", "县级")
    city = ("city", "市级")
    province = ("province", "省级")

    @property
    def rank(self) -> int:
        return _LEVEL_RANK[self.value]


_LEVEL_RANK = {"county": 1, "city": 2, "province": 3}


ENUMS: tuple[type[LabeledEnum], ...] = (
    Category, SubmitterKind, NotAcceptedConversion, AssignmentMode, UnitRole, DeadlineRule, ContactKind,
    ResultClass, Rating, ReopenReason, LookbackSubject, LookbackOutcome, ReportLevel,
)


def labels_zh() -> dict[str, dict[str, str]]:
    """Every enum of the proposals contracts: enum name -> value -> Chinese label."""
    return {e.__name__: e.labels_zh() for e in ENUMS}
