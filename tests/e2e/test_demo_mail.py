"""The demo county's mail, from its events to the mailbox: the small county loaded through the services'
command APIs into the in-process platform (committee `demo-county`, so notify gathers a member's normal
mail into one daily digest at 18:00 — `rules/demo-county.yaml`), notify's email channel pointed at a real
SMTP server on loopback, its addresses read from the members service (the generator gives every member and
unit liaison one under `demo-county.example`). Nothing goes before 18:00; at 18:00 everyone told anything by
mail gets one digest listing each of their notifications, and the digest's unsubscribe link works."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from email.message import EmailMessage, Message
from typing import Any

import asyncpg
import httpx
import pytest
import pytest_asyncio

from contracts.envelope import Role
from contracts.members.commands import AddUnitStaff, RegisterMember
from notify.channels.email import ONE_CLICK, EmailChannel
from notify.channels.settings import EmailSettings
from notify.intake import consumed_types
from runtime.auth import issue_token
from yizheng.demo.generator import DEFAULT_COMMITTEE, Size, generate, mail_address
from yizheng.demo.load import load
from yizheng.infra import Endpoints
from yizheng.testing.command_client import FakeClock
from yizheng.testing.platform import InProcessPlatform, in_process_platform
from yizheng.testing.smtp import SmtpSink
from yizheng.testing.wait import WaitUntil

DEMO = DEFAULT_COMMITTEE  # the demo county's own rules file applies to this committee
ITEM = re.compile(r"^\d+\. ", re.MULTILINE)  # an item of the digest's text part


@pytest_asyncio.fixture(loop_scope="session")
async def platform(infra: Endpoints, pg_pool: asyncpg.Pool, smtp_server: SmtpSink,
                   monkeypatch: pytest.MonkeyPatch) -> AsyncIterator[InProcessPlatform]:
    """Notify's workers are driven by the test on a clock it sets (the digest hour); every other service's
    run as in `yizheng run`."""
    email = EmailChannel(EmailSettings(port=smtp_server.port, timeout_seconds=10))
    async with in_process_platform(infra, pg_pool, label="dmail", workers_paused=("notify",), pool_max_size=10,
                                   channels={"email": email}, watcher_interval_seconds=2.0) as running:
        monkeypatch.setenv("YIZHENG_MEMBERS_URL", running.urls["members"])
        monkeypatch.setenv("YIZHENG_PUBLIC_URL", running.urls["notify"])
        yield running


async def _intake_caught_up(p: InProcessPlatform) -> bool:
    """Notify's intake has applied every event of the types it reads that the three services have stored."""
    types = list(consumed_types())
    stored = 0
    for service in ("proposals", "members", "surveys"):
        stored += await p.services[service].pool.fetchval(
            f"SELECT count(*) FROM {p.schemas[service]}.events WHERE type = ANY($1)", types)
    intake = next(c for c in p.notify.consumers if c.name.endswith("notify-intake"))
    applied = await p.notify.pool.fetchval(f"SELECT count(*) FROM {p.schemas['notify']}.inbox WHERE consumer = $1",
                                           intake.name)
    return bool(stored and applied == stored)


def _address(recipient_kind: str, recipient_id: str) -> str:
    # A unit's mail goes to its liaison, the one staff member the generator adds per unit.
    return mail_address(recipient_id if recipient_kind == "member" else f"{recipient_id}-staff", DEMO)


def _text(mail: Message) -> str:
    assert isinstance(mail, EmailMessage)
    part = mail.get_body(("plain",))
    assert part is not None, "a text part"
    return str(part.get_content())


def test_every_member_and_unit_liaison_has_a_mailbox_of_a_reserved_domain() -> None:
    """Addresses the contracts accept, one per person, under RFC 2606's `.example`: nobody real is mailed."""
    script = generate(5, now=datetime(2026, 4, 1, 2, tzinfo=UTC), size=Size.small())
    members = [RegisterMember.model_validate(s.body) for s in script.steps if s.command == "register-member"]
    staff = [AddUnitStaff.model_validate(s.body) for s in script.steps if s.command == "add-unit-staff"]
    addresses = [m.contact.email if m.contact else None for m in members] + [s.email for s in staff]
    assert len(set(addresses)) == len(addresses) == 40 + 8
    assert all(a and a.endswith("@demo-county.example") for a in addresses)
    other = generate(5, now=datetime(2026, 4, 1, 2, tzinfo=UTC), size=Size.small(), committee_id="County_B")
    assert next(s.body["email"] for s in other.steps if s.command == "add-unit-staff").endswith("@county-b.example")


async def test_the_demo_countys_people_get_one_digest_each_at_18_00(
        platform: InProcessPlatform, smtp_server: SmtpSink, wait_until: WaitUntil) -> None:
    script = generate(7, now=datetime.now(UTC), size=Size.small(), committee_id=DEMO)
    report = await load(script, platform.urls)
    assert report.failures == []
    await wait_until(lambda: _intake_caught_up(platform), timeout=180, message="notify read the county's events")

    s = platform.schemas["notify"]
    rows = await platform.notify.pool.fetch(
        f"SELECT n.recipient_kind, n.recipient_id, n.reason, d.status, d.not_before FROM {s}.deliveries d "
        f"JOIN {s}.notifications n USING (notification_id) WHERE d.channel = 'email'")
    told = await platform.notify.pool.fetchval(
        f"SELECT count(DISTINCT (recipient_kind, recipient_id)) FROM {s}.notifications "
        "WHERE recipient_kind <> 'office'")
    assert rows, "the county's events gave mail to send"
    assert {r["status"] for r in rows} == {"digest"}, "normal mail of the demo county waits for the digest"
    per_person = Counter((r["recipient_kind"], r["recipient_id"]) for r in rows)
    assert any(kind == "member" for kind, _ in per_person) and max(per_person.values()) > 1

    worker = platform.notify.parts.deliveries
    due = [r["not_before"] for r in rows]
    worker.clock = FakeClock(min(due) - timedelta(minutes=1))
    assert await worker.tick() == 0 and smtp_server.messages == [], "nothing goes before the digest hour"
    worker.clock = FakeClock(max(due) + timedelta(minutes=1))  # 18:00 in Asia/Shanghai has come
    while await worker.tick():
        pass

    mails = smtp_server.messages
    assert len(mails) == len(per_person) <= told, "one digest per person with mail, not one mail per event"
    assert len(mails) < len(rows)
    for (kind, rid), count in per_person.items():
        [digest] = smtp_server.messages_to(_address(kind, rid))
        assert f"您有{count}条新通知" in str(digest["Subject"]), (kind, rid)
        text = _text(digest)
        assert len(ITEM.findall(text)) == count, f"the digest lists each of {rid}'s notifications"
        for reason in {r["reason"] for r in rows if (r["recipient_kind"], r["recipient_id"]) == (kind, rid)}:
            assert reason in text
    statuses = await platform.notify.pool.fetch(f"SELECT DISTINCT status FROM {s}.deliveries WHERE channel = 'email'")
    assert [r["status"] for r in statuses] == ["sent"]

    # The busiest member unsubscribes from the digest's category with one click (RFC 8058), no login.
    (kind, member_id), _ = next((who, n) for who, n in per_person.most_common() if who[0] == "member")
    [digest] = smtp_server.messages_to(_address(kind, member_id))
    assert digest["List-Unsubscribe-Post"] == ONE_CLICK
    link = str(digest["List-Unsubscribe"]).strip().removeprefix("<").removesuffix(">")
    async with httpx.AsyncClient() as http:
        clicked = await http.post(link, content=ONE_CLICK,
                                  headers={"Content-Type": "application/x-www-form-urlencoded"})
        assert clicked.status_code == 200, clicked.text
        category = clicked.json()["unsubscribed"]
        mine = issue_token(Role.member, DEMO, subject=member_id, member_id=member_id)
        prefs: dict[str, Any] = (await http.get(f"{platform.urls['notify']}/preferences",
                                                headers={"Authorization": f"Bearer {mine}"})).json()
    assert prefs["set"] and prefs["categories"][category] == ["inbox"], "mail of that category stops; the inbox stays"
