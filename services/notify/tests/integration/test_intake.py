"""From a fact on a public topic to a person's inbox, by the committee's rules: who is told, why, on which
channels; a fact delivered again tells no one twice."""

from __future__ import annotations

from datetime import date
from typing import Any

from contracts import topics
from yizheng.testing.command_client import OFFICE, member, on, token, unit
from yizheng.testing.wait import wait_until

from ..conftest import Notify
from ..facts import assigned, confirmed, returned, stream, submitted
from ..kit import envelope, inbox


async def count(n: Notify, table: str) -> int:
    return int(await n.host.pool.fetchval(f'SELECT count(*) FROM "{n.host.schema}".{table}'))


async def test_each_invited_cosigner_finds_the_request_in_their_inbox_with_the_reason(notify: Notify) -> None:
    await notify.topics.publish(topics.PROPOSALS, envelope(submitted(), stream(), on(date(2026, 3, 2))))

    li = await wait_until(lambda: _items(notify, "m-li"), message="m-li's inbox")
    assert [(i["template"], i["reason"], i["state"]) for i in li] == [
        ("cosignature-requested", "你被邀请联名该提案", "unread")]
    assert li[0]["variables"]["title"] == "关于加快农村生活污水治理的提案"
    assert li[0]["deliveries"] == {"email": "pending", "sms": "pending"}
    assert await _items(notify, "m-zhao")
    assert await _items(notify, "m-zhang") == [], "the lead proposer is not asked to co-sign"


async def test_a_fact_delivered_again_creates_nothing_new(notify: Notify) -> None:
    fact = envelope(submitted(), stream(), on(date(2026, 3, 2)))
    await notify.topics.publish(topics.PROPOSALS, fact)
    await wait_until(lambda: _items(notify, "m-zhao"), message="the first delivery")
    before = (await count(notify, "notifications"), await count(notify, "deliveries"), await count(notify, "events"))

    await notify.topics.publish(topics.PROPOSALS, fact)  # the relay sent it twice
    await notify.topics.publish(topics.PROPOSALS, envelope(returned(), stream(), on(date(2026, 3, 3))))
    await wait_until(lambda: _items(notify, "m-zhang"), message="the later fact, read after the duplicate")

    assert await count(notify, "notifications") == before[0] + 1, "only the return notice is new"
    assert len(await _items(notify, "m-li")) == 1


async def test_the_proposers_hear_of_a_return_and_the_units_of_an_assignment(notify: Notify) -> None:
    await notify.topics.publish(topics.PROPOSALS, envelope(submitted(), stream(), on(date(2026, 3, 2))))
    await notify.topics.publish(topics.PROPOSALS, envelope(confirmed("m-li"), stream(), on(date(2026, 3, 2))))
    await notify.topics.publish(topics.PROPOSALS, envelope(returned(), stream(), on(date(2026, 3, 3))))
    await notify.topics.publish(topics.PROPOSALS, envelope(
        assigned(date(2026, 6, 1), date(2026, 3, 4), units=("u-env", "u-water")), stream(), on(date(2026, 3, 4))))

    await wait_until(lambda: _items(notify, "u-water", unit_inbox=True), message="the second unit's inbox")
    for person in ("m-zhang", "m-li"):  # the lead and the co-signer who confirmed
        templates = [i["template"] for i in await _items(notify, person)]
        assert "proposal-returned" in templates, person
    assert "proposal-returned" not in [i["template"] for i in await _items(notify, "m-zhao")], "did not confirm"
    env = await inbox(notify.http, unit("u-env"))
    assert [(i["template"], i["reason"]) for i in env["items"]] == [("proposal-assigned", "你单位承办该提案")]


async def test_a_member_marks_read_and_archives_only_their_own(notify: Notify) -> None:
    await notify.topics.publish(topics.PROPOSALS, envelope(submitted(), stream(), on(date(2026, 3, 2))))
    [item] = await wait_until(lambda: _items(notify, "m-li"), message="m-li's inbox")
    other = await notify.http.post("/commands/archive-notification", json={"notification_id": item["notification_id"]},
                                   headers={"Authorization": f"Bearer {token(member('m-zhao'))}"})
    assert other.status_code == 422 and other.json()["error"]["code"] == "not_found"
    headers = {"Authorization": f"Bearer {token(member('m-li'))}"}
    read = await notify.http.post("/commands/mark-notifications-read", json={}, headers=headers)
    assert read.status_code == 200 and read.json()["result"]["read"] == 1
    assert (await inbox(notify.http, member("m-li")))["unread"] == 0
    archived = await notify.http.post("/commands/archive-notification",
                                      json={"notification_id": item["notification_id"]}, headers=headers)
    assert archived.status_code == 200
    assert (await inbox(notify.http, member("m-li")))["items"] == []
    assert [i["notification_id"] for i in (await inbox(notify.http, member("m-li"), archived="true"))["items"]] == [
        item["notification_id"]]
    assert (await inbox(notify.http, OFFICE))["items"] == []


async def _items(n: Notify, recipient: str, *, unit_inbox: bool = False) -> list[dict[str, Any]]:
    actor = unit(recipient) if unit_inbox else member(recipient)
    return list((await inbox(n.http, actor))["items"])
