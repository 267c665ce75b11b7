"""Deadline reminders (办理时限提醒): a ladder of steps per task, on working days, cancelled the moment the
task is done."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from contracts.bounded import RecordedDate, RecordedId, RecordedList, RecordedShortText
from contracts.labels import LabeledEnum
from contracts.notify.vocabulary import RecipientKind
from contracts.registry import DomainEvent, event_type
from contracts.topics import NOTIFY


class StepKind(LabeledEnum):
    before = ("before", "到期提醒")
    overdue = ("overdue", "逾期通知")
    escalate_office = ("escalate_office", "机关督办")
    escalate_leader = ("escalate_leader", "领导督办")


class ReminderStep(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    step_id: RecordedId
    kind: StepKind
    on: RecordedDate = Field(description="the working day it is sent")


@event_type("reminders-scheduled", version=1, topic=NOTIFY)
class RemindersScheduled(DomainEvent):
    """A task with a deadline got its ladder (a later schedule of the same task replaces the pending steps)."""

    task_id: RecordedId = Field(description="e.g. reply:<proposal>:<unit>")
    task: RecordedShortText = Field(description="the ladder's name, e.g. reply-due")
    subject_id: RecordedId
    recipient_kind: RecipientKind
    recipient_id: RecordedId
    due: RecordedDate
    steps: RecordedList[ReminderStep]


@event_type("reminders-cancelled", version=1, topic=NOTIFY)
class RemindersCancelled(DomainEvent):
    """The task was done (or withdrawn): every pending step is cancelled."""

    task_id: RecordedId
    cancelled_steps: RecordedList[RecordedId]
    because: RecordedShortText = Field(description="the fact that ended the task, e.g. proposal-replied")


@event_type("reminder-escalated", version=1, topic=NOTIFY)
class ReminderEscalated(DomainEvent):
    """The task was overdue and the ladder reached the office (督办) or the supervising leader."""

    task_id: RecordedId
    step_id: RecordedId
    to_kind: RecipientKind
    to_ids: RecordedList[RecordedId]
    due: RecordedDate
