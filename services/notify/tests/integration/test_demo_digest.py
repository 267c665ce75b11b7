"""The demo county gathers a member's normal mail into one daily digest (its own rules file,
`rules/demo-county.yaml`), so loading a year of events does not send a mail per event: two facts in a
day reach a co-signer as one digest at 18:00, at a real SMTP server, with both in it."""

from __future__ import annotations

from datetime import date, timedelta
from email.message import EmailMessage

from contracts import topics
from yizheng.testing.wait import wait_until

from ..facts import stream, submitted
from ..kit import envelope
from .test_exactly_once import Mailing, address, mailing, smtp  # noqa: F401 - the fixtures

DEMO = "demo-county"


async def test_a_demo_members_mail_arrives_as_one_daily_digest(mailing: Mailing) -> None:  # noqa: F811
    mailing.clock.set(date(2026, 3, 2), hour=10)
    for proposal in ("p-1", "p-2"):
        fact = submitted(("m-li",)).model_copy(update={"proposal_id": proposal})
        await mailing.topics.publish(topics.PROPOSALS, envelope(fact, stream(proposal), mailing.clock.now,
                                                                committee=DEMO))
    await wait_until(lambda: _count(mailing, 2), message="both notifications written")

    assert await mailing.host.parts.deliveries.tick() == 0, "nothing goes before the digest hour"
    assert mailing.smtp.messages_to(address("m-li")) == []
    mailing.clock.set(date(2026, 3, 2), hour=18)
    mailing.clock.now += timedelta(minutes=1)
    assert await mailing.host.parts.deliveries.tick() >= 1
    [digest] = mailing.smtp.messages_to(address("m-li"))
    assert "2条新通知" in str(digest["Subject"])
    assert isinstance(digest, EmailMessage)  # parsed with email.policy.default
    text = digest.get_body(preferencelist=("plain",))
    assert text is not None and text.get_content().count("联署") >= 2
    assert (await mailing.statuses()) == {"m-li": "sent"}


async def _count(m: Mailing, n: int) -> bool:
    return await m.notifications() >= n
