"""Outcome tracking (成果运用, 跟进督促落实, 视察督办, 整改): one life shared by consultation outcomes, supervision
rectifications and research recommendations. An item is sent to the departments responsible for it with a due
date in working days; the departments report progress; the office follows up; the office gives a verdict once
at least one report has come back, and a verdict of "partly" or "not" may reopen follow-up.

Every event names its `item_id`; `subject` says what the item is and `source_id` the record it came from (a
consultation session, a supervision report, a research topic). Departments appear by unit id only."""

from __future__ import annotations

from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field

from contracts.bounded import (
    BoundedList,
    Count,
    RecordedDate,
    RecordedId,
    RecordedList,
    RecordedListItem,
    RecordedLongText,
    RecordedTitle,
)
from contracts.labels import LabeledEnum
from contracts.registry import DomainEvent, event_type
from contracts.topics import SURVEYS


class TrackedSubject(LabeledEnum):
    """What a tracked item is; the mechanism is the same for each."""

    consultation_outcome = ("consultation_outcome", "协商成果")
    rectification = ("rectification", "监督整改")
    research_recommendation = ("research_recommendation", "调研视察建议")
    appraisal_rectification = ("appraisal_rectification", "民主评议整改")


class ProgressStatus(LabeledEnum):
    """The ladder a department reports on: not started, under way, mostly done, done."""

    not_started = ("not_started", "未启动")
    in_progress = ("in_progress", "推进中")
    mostly_done = ("mostly_done", "基本完成")
    done = ("done", "已完成")


class FollowUpMethod(LabeledEnum):
    """How the office followed up (跟进督促)."""

    notice = ("notice", "督办通知")
    call = ("call", "电话督促")
    visit = ("visit", "实地督办")
    meeting = ("meeting", "督办会议")


class Verdict(LabeledEnum):
    """The office's verdict on an item (落实情况)."""

    implemented = ("implemented", "已落实")
    partly = ("partly", "部分落实")
    not_implemented = ("not_implemented", "未落实")


# A day's progress in percent: 0-100 (a command's bound; events keep it as a `Count`, looser).
Percent = Annotated[Count, Field(ge=0, le=100)]


class Milestone(BaseModel):
    """A dated step of the work, as the department reports it (e.g. 2026-05-10: 完成管网招标)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    reached_on: RecordedDate
    text: RecordedListItem


# The command's bound (50): a report's text is long already, and its worst case must stay well under a Kafka
# message (contracts/tests/test_message_size.py).
RecordedMilestones = BoundedList[Milestone]


@event_type("tracked-item-opened", version=1, topic=SURVEYS)
class TrackedItemOpened(DomainEvent):
    """An item was sent to the departments responsible for it, due on a working day."""

    item_id: RecordedId
    subject: TrackedSubject
    source_id: RecordedId = Field(description="the consultation session, supervision report or research topic")
    parent_item_id: RecordedId | None = Field(default=None, description="an item this one is part of")
    title: RecordedTitle
    summary: RecordedLongText = ""
    unit_ids: RecordedList[RecordedId] = Field(description="the departments responsible")
    sent_on: RecordedDate
    due_working_days: Count
    due: RecordedDate


@event_type("tracked-item-progress-reported", version=1, topic=SURVEYS)
class TrackedItemProgressReported(DomainEvent):
    """A responsible department reported its progress on the item (落实情况报告, 整改报告)."""

    item_id: RecordedId
    unit_id: RecordedId
    round: Count = Field(description="1 for the first sending, +1 for each reopening")
    status: ProgressStatus
    progress: Count = Field(description="percent, 0-100")
    text: RecordedLongText
    reported_on: RecordedDate
    milestones: RecordedMilestones = Field(default_factory=list)


@event_type("tracked-item-followed-up", version=1, topic=SURVEYS)
class TrackedItemFollowedUp(DomainEvent):
    """The office (or a supervising leader) followed up on the item with the departments (跟进督促)."""

    item_id: RecordedId
    round: Count
    method: FollowUpMethod
    unit_ids: RecordedList[RecordedId] = Field(description="the departments urged")
    followed_up_on: RecordedDate
    note: RecordedLongText = ""


@event_type("tracked-item-verdict-recorded", version=1, topic=SURVEYS)
class TrackedItemVerdictRecorded(DomainEvent):
    """The office's verdict on the item: implemented, partly or not."""

    item_id: RecordedId
    round: Count
    verdict: Verdict
    given_on: RecordedDate
    notes: RecordedLongText = ""


@event_type("tracked-item-reopened", version=1, topic=SURVEYS)
class TrackedItemReopened(DomainEvent):
    """After a verdict of partly or not, follow-up starts again with a new due date; a new report is needed
    before a new verdict."""

    item_id: RecordedId
    round: Count = Field(description="the round that starts")
    reason: RecordedLongText
    reopened_on: RecordedDate
    due_working_days: Count
    due: RecordedDate


@event_type("tracked-item-looked-back", version=1, topic=SURVEYS)
class TrackedItemLookedBack(DomainEvent):
    """A look-back (回头看) at an item found implemented: whether it holds. Partly or not is followed by
    `tracked-item-reopened`."""

    item_id: RecordedId
    round: Count = Field(description="the round that was found implemented")
    outcome: Verdict
    looked_back_on: RecordedDate
    notes: RecordedLongText = ""
