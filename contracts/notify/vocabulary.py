"""The notify service's words, shared by its events and commands: who a notification is for, its category
(what a person may opt out of), its urgency and the channels it may travel on."""

from __future__ import annotations

from contracts.labels import LabeledEnum


class RecipientKind(LabeledEnum):
    """Whose inbox: a member (leaders are members too), a handling unit's staff, the committee office."""

    member = ("member", "委员")
    unit = ("unit", "承办单位")
    office = ("office", "政协机关")


class Category(LabeledEnum):
    """What a person chooses channels for, or unsubscribes from."""

    proposal_workflow = ("proposal_workflow", "提案流程")
    handling = ("handling", "提案办理")
    deadline = ("deadline", "办理时限提醒")
    meetings = ("meetings", "会议活动")
    surveys = ("surveys", "协商监督")
    duty = ("duty", "履职考核")


class Urgency(LabeledEnum):
    """`critical` (overdue escalations) bypasses digests and quiet hours."""

    normal = ("normal", "一般")
    critical = ("critical", "紧急")


class ChannelName(LabeledEnum):
    inbox = ("inbox", "站内消息")
    email = ("email", "电子邮件")
    sms = ("sms", "短信")
    webhook = ("webhook", "Webhook")


class Digest(LabeledEnum):
    """How mail and SMS of `normal` urgency reach a person: one by one, or gathered once a day or week."""

    none = ("none", "逐条发送")
    daily = ("daily", "每日汇总")
    weekly = ("weekly", "每周汇总")
