"""A person's preferences, applied to what reaches them: quiet hours in Asia/Shanghai defer mail and SMS to
their end, a daily digest gathers the day's mail into one at the chosen hour, `critical` escalations bypass
both, and the one-click unsubscribe link in a mail stops that category's mail without logging in."""

from __future__ import annotations

from datetime import date
from typing import Any
from urllib.parse import parse_qs, urlsplit

from contracts import topics
from notify.channels.base import Outgoing
from yizheng.testing.command_client import member, token
from yizheng.testing.wait import wait_until

from ..conftest import Notify
from ..facts import assigned, key_proposal, returned, stream, submitted
from ..kit import envelope, inbox

MONDAY = date(2026, 3, 2)


async def prefer(n: Notify, member_id: str, body: dict[str, Any]) -> None:
    response = await n.http.post("/commands/set-notification-preferences", json=body,
                                 headers={"Authorization": f"Bearer {token(member(member_id))}"})
    assert response.status_code == 200, response.text


def mail_to(n: Notify, member_id: str) -> list[Outgoing]:
    return [m for m in n.email.sent if m.recipient_id == member_id]


async def told(n: Notify, member_id: str, count: int) -> list[dict[str, Any]] | None:
    items = list((await inbox(n.http, member(member_id)))["items"])
    return items if len(items) >= count else None


async def test_quiet_hours_defer_mail_to_the_morning(notify: Notify) -> None:
    notify.contacts.addresses[("m-li", "email")] = "li@example.cn"
    await prefer(notify, "m-li", {"quiet_from": 22 * 60, "quiet_until": 7 * 60,
                                  "categories": [{"category": "proposal_workflow", "channels": ["inbox", "email"]}]})
    notify.clock.set(MONDAY, hour=23)
    await notify.topics.publish(topics.PROPOSALS, envelope(submitted(("m-li",)), stream(), notify.clock.now))
    [item] = await wait_until(lambda: told(notify, "m-li", 1), message="the request in the inbox at once")
    assert item["deliveries"] == {"email": "pending"}, "SMS was not chosen for this category"

    assert await notify.parts.deliveries.tick() == 0
    notify.clock.set(date(2026, 3, 3), hour=6)
    assert await notify.parts.deliveries.tick() == 0
    notify.clock.set(date(2026, 3, 3), hour=7)
    assert await notify.parts.deliveries.tick() == 1
    assert [m.template for m in notify.email.sent] == ["cosign-requested"]  # the email catalog's id


async def test_a_daily_digest_goes_out_once_at_the_chosen_hour(notify: Notify) -> None:
    notify.contacts.addresses[("m-zhang", "email")] = "zhang@example.cn"
    await prefer(notify, "m-zhang", {"digest": "daily", "digest_hour": 18,
                                     "categories": [{"category": "proposal_workflow", "channels": ["inbox", "email"]}]})
    notify.clock.set(MONDAY, hour=9)
    await notify.topics.publish(topics.PROPOSALS, envelope(submitted(), stream(), notify.clock.now))
    notify.clock.set(MONDAY, hour=10)
    await notify.topics.publish(topics.PROPOSALS, envelope(returned(), stream(), notify.clock.now))
    notify.clock.set(MONDAY, hour=11)
    await notify.topics.publish(topics.PROPOSALS, envelope(returned().model_copy(update={"reason": "再次退回"}),
                                                           stream(), notify.clock.now))
    await wait_until(lambda: told(notify, "m-zhang", 2), message="both returns in the inbox")

    notify.clock.set(MONDAY, hour=17)
    await notify.parts.deliveries.tick()
    assert mail_to(notify, "m-zhang") == []
    notify.clock.set(MONDAY, hour=18)
    await notify.parts.deliveries.tick()
    await notify.parts.deliveries.tick()
    [digest] = mail_to(notify, "m-zhang")
    assert digest.template == "digest" and len(digest.variables["items"]) == 2


async def test_an_overdue_escalation_bypasses_digest_and_quiet_hours(notify: Notify) -> None:
    notify.contacts.addresses[("m-wang", "email")] = "wang@example.cn"
    await prefer(notify, "m-wang", {"digest": "weekly", "quiet_from": 0, "quiet_until": 23 * 60 + 59})
    notify.clock.set(date(2026, 2, 9))
    await notify.topics.publish(topics.PROPOSALS, envelope(key_proposal(), stream(), notify.clock.now))
    await notify.topics.publish(topics.PROPOSALS, envelope(assigned(date(2026, 3, 3), date(2026, 2, 9)), stream(),
                                                           notify.clock.now))
    await wait_until(lambda: notify.host.pool.fetchval(
        f"""SELECT count(*) = 6 FROM "{notify.host.schema}".reminders"""), message="the ladder scheduled")

    notify.clock.set(date(2026, 3, 16), hour=9)
    assert await notify.parts.reminders.tick() == 6  # every step due by now, the leader's escalation last
    await notify.parts.deliveries.tick()
    # The weekly digest (Friday 18:00) holds the normal news; the escalation went out at once, in quiet hours.
    assert sorted((m.template, m.urgency) for m in mail_to(notify, "m-wang")) == [
        ("deadline-escalated", "critical"), ("digest", "normal")]  # reply-due-escalate_leader, mailed


async def test_the_one_click_link_unsubscribes_from_the_category_without_login(notify: Notify) -> None:
    notify.contacts.addresses[("m-li", "email")] = "li@example.cn"
    notify.clock.set(MONDAY, hour=10)
    await notify.topics.publish(topics.PROPOSALS, envelope(submitted(), stream(), notify.clock.now))
    await wait_until(lambda: told(notify, "m-li", 1), message="the request")
    await notify.parts.deliveries.tick()
    link = notify.email.sent[0].unsubscribe_url
    assert link is not None
    query = urlsplit(link).query

    page = await notify.http.get(f"/unsubscribe?{query}")
    assert page.status_code == 200 and "提案流程" in page.text
    clicked = await notify.http.post(f"/unsubscribe?{query}", content=b"List-Unsubscribe=One-Click",
                                     headers={"Content-Type": "application/x-www-form-urlencoded"})
    assert clicked.status_code == 200, clicked.text
    forged = await notify.http.post("/unsubscribe?token=" + parse_qs(query)["token"][0][:-4] + "AAAA")
    assert forged.status_code == 400 and forged.json()["error"]["fields"] == ["token"]

    later = submitted(("m-li",)).model_copy(update={"proposal_id": "p-2026-016"})
    await notify.topics.publish(topics.PROPOSALS, envelope(later, stream("p-2026-016"), notify.clock.now))
    items = await wait_until(lambda: told(notify, "m-li", 2), message="the next request, in the inbox only")
    [item] = [i for i in items if i["subject_id"] == "p-2026-016"]
    assert item["deliveries"] == {}, "no mail or SMS in the category unsubscribed from"
