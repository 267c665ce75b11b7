"""What `yizheng run` starts for development: mail lands in a Maildir a developer can open, SMS in a list
they can read, and notify finds both through the environment the supervisor gives its children."""

from __future__ import annotations

import mailbox
from pathlib import Path

import httpx
import pytest

from notify.channels.aliyun_sms import AliyunSmsProvider
from notify.channels.base import Outcome, Outgoing
from notify.channels.email import EmailChannel
from notify.channels.settings import EmailSettings, SmsSettings
from notify.channels.sms import SmsChannel
from yizheng import local_sinks


def invitation(channel: str, address: str) -> Outgoing:
    return Outgoing(notification_id=f"n-meeting-5-m-1-{channel}", committee_id="c-demo", channel=channel,
                    recipient_id="m-1", address=address, template="meeting-invitation", category="meetings",
                    urgency="normal", variables={"meeting": "县政协十届五次常委会议", "starts_at": "4月10日9:00",
                                                 "place": "县政协三楼会议室", "link": "https://cppcc.example/m/5"})


async def test_the_local_sinks_keep_what_notify_sends(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    sinks = local_sinks.start(tmp_path / "mailbox", smtp_port=0, sms_port=0)  # free ports: tests run side by side
    try:
        for name, value in sinks.env().items():
            monkeypatch.setenv(name, value)
        mailed = await EmailChannel(EmailSettings.from_env()).send(invitation("email", "li.ming@cppcc.example"))
        settings = SmsSettings.from_env()
        texted = await SmsChannel(AliyunSmsProvider(settings), settings).send(invitation("sms", "13900139000"))
        assert (mailed.outcome, texted.outcome) == (Outcome.sent, Outcome.sent), (mailed, texted)

        (stored,) = list(mailbox.Maildir(sinks.mailbox, create=False))
        assert stored["Message-ID"] == "<n-meeting-5-m-1-email@cppcc.example>"
        async with httpx.AsyncClient() as client:
            listed = (await client.get(f"{sinks.sms.url}messages")).json()["messages"]
        assert [(m["phone"], m["template_param"]["meeting"]) for m in listed] == [
            ("13900139000", "县政协十届五次常委会议")]
        assert any(str(sinks.mailbox) in line for line in sinks.describe())
        assert any(f"{sinks.sms.url}messages" in line for line in sinks.describe())
    finally:
        sinks.stop()
