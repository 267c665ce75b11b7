"""Deliveries, exactly once: each delivery is claimed before it is sent, a send interrupted by a crash is
marked `unknown` and never sent again, a refusal before handover is retried later, and an address that
keeps bouncing gets no more mail."""

from __future__ import annotations

from datetime import date, timedelta

from contracts import topics
from notify.channels.base import Outcome
from yizheng.testing.command_client import member
from yizheng.testing.wait import wait_until

from ..conftest import Notify
from ..facts import stream, submitted
from ..kit import envelope, inbox

MONDAY = date(2026, 3, 2)


async def cosignature_requested(n: Notify, cosigners: tuple[str, ...] = ("m-li",), proposal: str = "p-1") -> None:
    n.clock.set(MONDAY, hour=10)
    fact = submitted(cosigners).model_copy(update={"proposal_id": proposal})
    await n.topics.publish(topics.PROPOSALS, envelope(fact, stream(proposal), n.clock.now))
    await wait_until(lambda: _about(n, cosigners[-1], proposal), message="the notification written")


async def _about(n: Notify, member_id: str, subject: str) -> bool:
    return any(i["subject_id"] == subject for i in (await inbox(n.http, member(member_id)))["items"])


async def _deliveries(n: Notify, member_id: str) -> dict[str, str]:
    items = (await inbox(n.http, member(member_id)))["items"]
    return dict(items[0]["deliveries"]) if items else {}


async def test_a_cosigner_is_mailed_once_and_the_delivery_is_a_fact(notify: Notify) -> None:
    notify.contacts.addresses[("m-li", "email")] = "li@example.cn"
    await cosignature_requested(notify)

    assert await notify.parts.deliveries.tick() == 2  # the mail, and the SMS attempt (no mobile on file)
    assert [(m.template, m.address, m.reason) for m in notify.email.sent] == [
        ("cosign-requested", "li@example.cn", "你被邀请联名该提案")]  # the email catalog's template
    assert notify.email.sent[0].unsubscribe_url and "token=" in notify.email.sent[0].unsubscribe_url
    assert await notify.parts.deliveries.tick() == 0
    assert len(notify.email.sent) == 1
    assert await _deliveries(notify, "m-li") == {"email": "sent", "sms": "failed"}
    types = await notify.host.pool.fetch(f'SELECT type, data FROM "{notify.host.schema}".events ORDER BY position')
    assert sorted(r["type"] for r in types if r["type"].startswith("notification-deliver")) == [
        "notification-delivered", "notification-delivery-failed"]
    assert "li@example.cn" not in str([dict(r) for r in types]), "no address in any event"


async def test_a_delivery_claimed_when_the_process_died_is_not_sent_twice(notify: Notify) -> None:
    notify.contacts.addresses[("m-li", "email")] = "li@example.cn"
    await cosignature_requested(notify)
    worker = notify.parts.deliveries
    claimed = await worker._claim(notify.clock.now, 10)  # claimed and marked sending; then the process is killed
    assert {r["channel"] for r in claimed} == {"email", "sms"}

    assert await worker.tick() == 0, "a row being sent is not claimed again"
    notify.clock.now += timedelta(minutes=10)  # after the sending lease: found by the restarted worker
    assert await worker.tick() == 0
    assert notify.email.sent == []
    assert await _deliveries(notify, "m-li") == {"email": "unknown", "sms": "unknown"}


async def test_a_refusal_before_handover_is_retried_later_and_an_ambiguous_one_never(notify: Notify) -> None:
    notify.contacts.addresses[("m-li", "email")] = "li@example.cn"
    notify.contacts.addresses[("m-li", "sms")] = "13800000000"
    notify.email.answers = [Outcome.retry]
    notify.sms.answers = [Outcome.unknown]
    await cosignature_requested(notify)

    assert await notify.parts.deliveries.tick() == 2
    assert await _deliveries(notify, "m-li") == {"email": "retry", "sms": "unknown"}
    assert await notify.parts.deliveries.tick() == 0, "not before its backoff"
    notify.clock.now += timedelta(minutes=1)
    assert await notify.parts.deliveries.tick() == 1
    assert await _deliveries(notify, "m-li") == {"email": "sent", "sms": "unknown"}
    assert (len(notify.email.sent), len(notify.sms.sent)) == (2, 1)


async def test_mail_stops_after_three_bounces(notify: Notify) -> None:
    notify.contacts.addresses[("m-li", "email")] = "li@example.cn"
    notify.email.answers = [Outcome.failed] * 3
    for n in range(4):
        await cosignature_requested(notify, proposal=f"p-{n}")
        await notify.parts.deliveries.tick()
    assert len(notify.email.sent) == 3, "the fourth mail is not attempted"
    rows = await notify.host.pool.fetch(f'SELECT status FROM "{notify.host.schema}".deliveries '
                                        "WHERE channel = 'email' ORDER BY not_before, delivery_id")
    assert sorted(r["status"] for r in rows) == ["failed", "failed", "failed", "suppressed"]

