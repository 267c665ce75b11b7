"""Which channels each step of a reminder ladder takes is the rules' data: the default sends every step to the
inbox, by mail and by SMS; a committee may keep SMS for the last reminder and the escalations."""

from __future__ import annotations

from typing import Any

import pytest

from contracts.notify.reminders import StepKind
from contracts.notify.vocabulary import ChannelName
from notify.rules import default_rulebook, parse

EVERY = (ChannelName.inbox, ChannelName.email, ChannelName.sms)
MAIL = (ChannelName.inbox, ChannelName.email)


def committee(channels: Any) -> dict[str, Any]:
    return {"ladders": {"reply-due": {"before": [10, 5, 1], "overdue": True, "escalate_office_after": 3,
                                      "escalate_leader_after": 5, "category": "deadline", "template": "reply-due",
                                      "channels": channels}}}


def test_by_default_every_step_goes_to_the_inbox_by_mail_and_by_sms() -> None:
    for ladder in default_rulebook().ladders.values():
        for kind in StepKind:
            assert ladder.channels_of(kind, 1) == EVERY and ladder.channels_of(kind, 10) == EVERY


def test_a_committee_keeps_sms_for_the_last_reminder_and_the_escalations() -> None:
    book = parse(committee({"before": ["inbox", "email"], "last_before": ["inbox", "email", "sms"],
                            "overdue": ["email", "inbox"]}), default_rulebook())
    reply = book.ladders["reply-due"]
    assert [reply.channels_of(StepKind.before, n) for n in (10, 5, 1)] == [MAIL, MAIL, EVERY]
    assert reply.channels_of(StepKind.overdue) == MAIL  # in the usual order, whatever the file's
    assert reply.channels_of(StepKind.escalate_office) == EVERY and reply.channels_of(StepKind.escalate_leader) == EVERY
    assert book.ladders["cosign-due"] == default_rulebook().ladders["cosign-due"], "the other ladders: the default's"


@pytest.mark.parametrize(("channels", "refused"), [
    ({"reminder": ["inbox"]}, "ladder reply-due: channels for unknown steps ['reminder']"),
    ({"overdue": ["inbox", "webhook"]}, "ladder reply-due: step overdue may use only inbox, email and sms"),
    ({"overdue": ["fax"]}, "step overdue may use only inbox, email and sms"),
    ({"before": []}, "the channels of step before must be a non-empty list"),
    ({"before": "sms"}, "the channels of step before must be a non-empty list"),
])
def test_a_ladder_naming_an_unknown_step_or_channel_is_refused(channels: Any, refused: str) -> None:
    with pytest.raises(ValueError, match=refused.replace("[", r"\[").replace("]", r"\]")):
        parse(committee(channels), default_rulebook())
