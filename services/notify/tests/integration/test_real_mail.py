"""From a real event to a real mail, through the running platform (real PostgreSQL, Kafka and an SMTP server
on a loopback port): the office registers 张委员 and 李委员 with their emails; 张 submits a joint proposal
naming 李 as co-signer; 李's mailbox receives exactly one mail — Chinese subject, text and HTML parts, why
李 got it, a Message-ID from the notification id, and a one-click unsubscribe link that works without a
login, after which the next such proposal reaches 李's inbox but sends no mail. Notify learns 李's address
from the members service's private store (its authorized route), and the address is in no event and no log."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from email.message import EmailMessage, Message
from email.utils import parseaddr
from typing import Any

import asyncpg
import httpx
import pytest
import pytest_asyncio

from contracts.envelope import Role
from notify.channels.email import ONE_CLICK, EmailChannel, message_id
from notify.channels.settings import EmailSettings
from runtime.auth import issue_token
from yizheng.infra import Endpoints
from yizheng.testing.command_client import COMMITTEE, OFFICE, CommandClient, member, token
from yizheng.testing.platform import InProcessPlatform, in_process_platform
from yizheng.testing.smtp import SmtpSink
from yizheng.testing.wait import WaitUntil

ZHANG, LI = member("m-zhang"), member("m-li")
ZHANG_MAIL, LI_MAIL = "zhang.wei@county.example.cn", "li.ming@county.example.cn"
ZHANG_MOBILE, LI_MOBILE = "13800138001", "13900139002"
PRIVATE = (ZHANG_MAIL, LI_MAIL, ZHANG_MOBILE, LI_MOBILE, "li.ming@", "zhang.wei@")
REASON = "你被邀请联名该提案"
SENDER_DOMAIN = "cppcc.example"


@pytest_asyncio.fixture(loop_scope="session")
async def platform(infra: Endpoints, pg_pool: asyncpg.Pool, smtp_server: SmtpSink,
                   monkeypatch: pytest.MonkeyPatch) -> AsyncIterator[InProcessPlatform]:
    """The platform with notify's email channel pointed at the test's SMTP server; notify finds the members
    service and serves the unsubscribe link where its settings say (read on each use)."""
    email = EmailChannel(EmailSettings(port=smtp_server.port, sender=f"县政协 <noreply@{SENDER_DOMAIN}>",
                                       timeout_seconds=10))
    async with in_process_platform(infra, pg_pool, label="mail", pool_max_size=5, channels={"email": email},
                                   poll_seconds=1.0) as running:
        monkeypatch.setenv("YIZHENG_MEMBERS_URL", running.urls["members"])
        monkeypatch.setenv("YIZHENG_PUBLIC_URL", running.urls["notify"])
        yield running


def _draft(title: str) -> dict[str, Any]:
    return {"submitter_kind": "joint", "category": "society", "title": title, "case": "部分村组饮用水水质不稳定",
            "analysis": "管网老化，监测不足", "suggestions": ["更新管网", "建立水质监测制度"],
            "cosigner_member_ids": [LI.member_id]}


async def _submit(proposals: CommandClient, title: str) -> str:
    pid: str = (await proposals.do("draft-proposal", _draft(title), ZHANG))["proposal_id"]
    await proposals.do("submit-proposal", {"proposal_id": pid}, ZHANG)
    return pid


async def _inbox(platform: InProcessPlatform) -> list[dict[str, Any]]:
    async with httpx.AsyncClient(base_url=platform.urls["notify"]) as http:
        response = await http.get("/notifications", headers={"Authorization": f"Bearer {token(LI)}"})
    assert response.status_code == 200, response.text
    items: list[dict[str, Any]] = response.json()["items"]
    return items


async def _email_status(platform: InProcessPlatform, notification_id: str) -> str | None:
    status: str | None = await platform.notify.pool.fetchval(
        f"SELECT status FROM {platform.schemas['notify']}.deliveries WHERE notification_id = $1 AND channel = 'email'",
        notification_id)
    return status


def _parts(mail: Message) -> tuple[str, str]:
    assert isinstance(mail, EmailMessage)
    text, html = mail.get_body(("plain",)), mail.get_body(("html",))
    assert text is not None and html is not None, "a text and an HTML part"
    return str(text.get_content()), str(html.get_content())


async def test_a_cosigner_gets_one_real_mail_and_its_unsubscribe_link_works(
        platform: InProcessPlatform, smtp_server: SmtpSink, wait_until: WaitUntil,
        caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)  # every record of the platform's own loggers, debug included
    caplog.set_level(logging.INFO, logger="aiokafka")  # the broker protocol's bytes: not the platform's words
    async with CommandClient.over(platform.members) as members, CommandClient.over(platform.proposals) as proposals:
        for who, name, address, mobile in ((ZHANG, "张伟", ZHANG_MAIL, ZHANG_MOBILE),
                                           (LI, "李明", LI_MAIL, LI_MOBILE)):
            await members.do("register-member", {
                "member_id": who.member_id, "name": name, "sector": "education", "term": 16,
                "joined_on": "2022-01-10", "contact": {"email": address, "phone": mobile}}, OFFICE)
        await _submit(proposals, "关于加强农村饮用水安全保障的建议")

        await wait_until(lambda: len(smtp_server.messages_to(LI_MAIL)) >= 1, timeout=60,
                         message="李's invitation to co-sign reaches the SMTP server")
        [note] = await _inbox(platform)
        await wait_until(lambda: _is_sent(platform, note["notification_id"]), timeout=30,
                         message="the mail's delivery recorded as sent")
        [mail] = smtp_server.messages_to(LI_MAIL)
        assert smtp_server.messages_to(ZHANG_MAIL) == [], "the proposer is not told of their own submission"

        # What 李 sees in the mail.
        subject = str(mail["Subject"])
        assert any("\u4e00" <= ch <= "\u9fff" for ch in subject), f"a Chinese subject, decoded: {subject!r}"
        assert "=?utf-8?" in mail.as_string().lower(), "the subject travels RFC 2047-encoded"
        assert parseaddr(str(mail["To"]))[1] == LI_MAIL
        text, html = _parts(mail)
        assert REASON in text and REASON in html, "why 李 got it, in both parts"
        assert note["reason"] == REASON
        assert mail["Message-ID"] == message_id(note["notification_id"], SENDER_DOMAIN)
        assert mail["List-Unsubscribe-Post"] == ONE_CLICK
        link = str(mail["List-Unsubscribe"]).strip().removeprefix("<").removesuffix(">")
        assert link.startswith(f"{platform.urls['notify']}/unsubscribe?token=")

        # One click, as a mail client sends it (RFC 8058): no login.
        async with httpx.AsyncClient() as http:
            clicked = await http.post(link, content=ONE_CLICK,
                                      headers={"Content-Type": "application/x-www-form-urlencoded"})
        assert clicked.status_code == 200, clicked.text
        assert clicked.json()["unsubscribed"] == note["category"]

        # The next invitation reaches 李's inbox, and no mail goes out for it.
        await _submit(proposals, "关于推进养老服务体系建设的建议")

        async def second_note() -> dict[str, Any] | None:
            items = await _inbox(platform)
            return items[0] if len(items) == 2 else None

        latest = await wait_until(second_note, timeout=60, message="the second invitation in 李's inbox")
        assert latest["reason"] == REASON
        assert await _email_status(platform, latest["notification_id"]) is None, "no mail delivery for it"
        await platform.notify.parts.deliveries.tick()  # a delivery pass after it: still nothing to mail
        assert len(smtp_server.messages_to(LI_MAIL)) == 1

    await _no_contact_data_in_events(platform)
    leaked = [(r.name, r.getMessage()) for r in caplog.records
              if not r.name.startswith("mail.log") and any(p in r.getMessage() for p in PRIVATE)]
    assert leaked == [], "contact data in a log record of the platform"


async def _is_sent(platform: InProcessPlatform, notification_id: str) -> bool:
    return await _email_status(platform, notification_id) == "sent"


async def _no_contact_data_in_events(platform: InProcessPlatform) -> None:
    for service in ("members", "notify", "proposals"):
        rows = await platform.services[service].pool.fetch(
            f"SELECT type, data::text AS data, metadata::text AS metadata FROM {platform.schemas[service]}.events")
        assert rows, f"the {service} service recorded events"
        found = [(r["type"], p) for r in rows for p in PRIVATE if p in r["data"] or p in (r["metadata"] or "")]
        assert found == [], f"contact data in the {service} service's events"


async def test_only_notify_reads_the_addresses_on_the_running_platform(platform: InProcessPlatform) -> None:
    async with CommandClient.over(platform.members) as members:
        await members.do("register-member", {
            "member_id": LI.member_id, "name": "李明", "sector": "education", "term": 16, "joined_on": "2022-01-10",
            "contact": {"email": LI_MAIL}}, OFFICE)
        notify = issue_token(Role.service, COMMITTEE, subject="notify")
        for bearer, expect in ((notify, 200), (issue_token(Role.service, COMMITTEE, subject="proposals"), 403),
                               (token(LI), 403), (token(OFFICE), 403)):
            answer = await members.http.get("/notification-addresses", params={"member_id": LI.member_id},
                                            headers={"Authorization": f"Bearer {bearer}"})
            assert answer.status_code == expect, answer.text
            assert (LI_MAIL in answer.text) is (expect == 200)
