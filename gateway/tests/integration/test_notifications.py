"""Notifications through the gateway, with the real notify service behind it (its intake consuming the
test's topics, its relay publishing `notify.internal` to the gateway's projector): a member reads their
inbox with the reason for each item, marks read and archives; nobody else sees it; the office sees each
delivery's status and the reminders escalated this month; preferences and webhook endpoints round-trip;
`notificationReceived` tells a new notification to its addressee only."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any

import asyncpg
import pytest
import pytest_asyncio
from aiokafka import AIOKafkaProducer

from contracts.envelope import Role
from gateway.app import Gateway, build_gateway
from gateway.commands.catalog import load_catalog
from gateway.config import GatewayConfig
from gateway.tests import events as ev
from gateway.tests.harness import Api, Feed, token
from gateway.tests.integration.test_live import Subscriber, subscribed
from notify.channels.base import Outcome, Outgoing, SendResult
from notify.parts import CHANNELS, CONTACTS, NotifyParts
from notify.tests.kit import ContactBook
from runtime import settings
from runtime.service_host import HostConfig, ServiceHost, build_service
from yizheng.infra import Endpoints
from yizheng.serve import definition
from yizheng.testing.asgi_server import serve
from yizheng.testing.command_client import FakeClock, on
from yizheng.testing.platform import create_topics, platform_topics
from yizheng.testing.wait import wait_until

INBOX = """query Inbox($unread: Boolean, $archived: Boolean) {
  notifications(unreadOnly: $unread, archived: $archived) {
    totalCount
    nodes { id template category urgency title summary reason state read archived createdAt subjectId
            deliveries { channel status attempts } } } }"""
DELIVERIES = """query D($status: DeliveryStatus) { notificationDeliveries(status: $status, first: 100) {
  totalCount nodes { channel status end attempts recipientId template title detail } } }"""
RECEIVED = "subscription { notificationReceived { id template reason subjectId title } }"


@dataclass
class AnsweringChannel:
    """A mail or SMS channel answering by address: `unknown@…` may have been taken (timeout after DATA)."""

    name: str
    sent: list[Outgoing] = field(default_factory=list)

    async def send(self, message: Outgoing) -> SendResult:
        self.sent.append(message)
        if message.address.startswith("unknown@"):
            return SendResult(Outcome.unknown, "timeout after DATA")
        return SendResult(Outcome.sent, "250 OK")


@dataclass
class NotifyStack:
    api: Api
    gateway: Gateway
    host: ServiceHost[NotifyParts]
    clock: FakeClock
    contacts: ContactBook
    producer: AIOKafkaProducer
    prefix: str

    def feed(self, committee: str) -> Feed:
        return Feed(self.producer, self.prefix, committee)


@pytest_asyncio.fixture(loop_scope="session", scope="module")
async def ns(infra: Endpoints, pg_pool: asyncpg.Pool, producer: AIOKafkaProducer) -> AsyncIterator[NotifyStack]:
    """The real notify service and a gateway of their own, on topics of their own (so notify's intake hears
    only this module's facts); notify's workers are driven by the tests on a clock they set."""
    tag = uuid.uuid4().hex[:8]
    prefix, notify_schema, gateway_schema = f"tnt{tag}.", f"gwnotify_{tag}", f"gwn_{tag}"
    await create_topics(infra.kafka_bootstrap, [f"{prefix}{t}" for t in platform_topics()])
    clock, contacts = FakeClock(), ContactBook()
    host = await build_service(definition("notify"), HostConfig(
        dsn=infra.database_url, kafka_bootstrap=infra.kafka_bootstrap, schema=notify_schema, topic_prefix=prefix,
        clock=clock, run_workers=False, pool_max_size=4,
        options={CHANNELS: {"email": AnsweringChannel("email"), "sms": AnsweringChannel("sms")},
                 CONTACTS: contacts}))
    await host.start()
    try:
        async with serve(host.app) as notify_url:
            config = GatewayConfig(dsn=infra.database_url, kafka_bootstrap=infra.kafka_bootstrap,
                                   schema=gateway_schema, topic_prefix=prefix, service_urls={"notify": notify_url})
            gateway = await build_gateway(config, catalog=load_catalog(["notify"]), pool_max_size=4)
            await gateway.start()
            try:
                async with serve(gateway.app) as url:
                    yield NotifyStack(Api(url), gateway, host, clock, contacts, producer, prefix)
            finally:
                await gateway.stop()
    finally:
        await host.stop()
        for s in (notify_schema, gateway_schema):
            await pg_pool.execute(f"DROP SCHEMA IF EXISTS {s} CASCADE")


def committee_id() -> str:
    return f"c-n-{uuid.uuid4().hex[:8]}"


async def inbox(ns: NotifyStack, bearer: str, **variables: Any) -> dict[str, Any]:
    return dict((await ns.api.run(INBOX, variables, bearer=bearer)).ok()["notifications"])


async def inbox_holds(ns: NotifyStack, bearer: str, n: int) -> dict[str, Any] | None:
    found = await inbox(ns, bearer)
    return found if found["totalCount"] >= n else None


async def mutate(ns: NotifyStack, bearer: str, field_name: str, type_name: str,
                 value: dict[str, Any]) -> dict[str, Any]:
    query = (f"mutation M($input: {type_name}Input!) {{ {field_name}(input: $input) {{ __typename "
             "... on CommandAccepted { result } ... on CommandRefused { rule message details } "
             "... on CommandInvalid { message fields } } }")
    return dict((await ns.api.run(query, {"input": value}, bearer=bearer)).ok()[field_name])


# ---- a member's inbox ------------------------------------------------------------------------------------

async def test_a_member_reads_their_inbox_with_reasons_marks_read_and_archives(ns: NotifyStack) -> None:
    c = committee_id()
    feed = ns.feed(c)
    li, zhao = token(Role.member, c, member="m-li"), token(Role.member, c, member="m-zhao")
    await feed.emit(*ev.proposal_submitted("P1", "关于农村饮水安全的提案", "m-zhang", cosigners=["m-li", "m-zhao"]))
    await feed.emit(*ev.proposal_submitted("P2", "关于校车安全的提案", "m-zhang", cosigners=["m-li"]))

    mine = await wait_until(lambda: inbox_holds(ns, li, 2), timeout=20, message="m-li's two invitations")
    assert mine["totalCount"] == 2
    assert {n["subjectId"] for n in mine["nodes"]} == {"P1", "P2"}
    for n in mine["nodes"]:
        assert n["reason"] == "你被邀请联名该提案"
        assert n["category"] == "proposal_workflow" and n["urgency"] == "normal"
        assert n["state"] == "unread" and not n["read"] and not n["archived"]
        assert n["title"], "every item has a title"
        assert n["deliveries"] is None, "a member is not shown delivery detail"
    by_subject = {n["subjectId"]: n["id"] for n in mine["nodes"]}

    # another member sees only their own, and cannot touch m-li's
    theirs = await wait_until(lambda: inbox_holds(ns, zhao, 1), timeout=20, message="m-zhao's invitation")
    assert [n["subjectId"] for n in theirs["nodes"]] == ["P1"]
    assert theirs["nodes"][0]["id"] != by_subject["P1"]
    refused = await mutate(ns, zhao, "archiveNotification", "ArchiveNotification",
                           {"notificationId": by_subject["P2"]})
    assert refused["__typename"] == "CommandRefused" and refused["rule"] == "not_found"

    read = await mutate(ns, li, "markNotificationsRead", "MarkNotificationsRead",
                        {"notificationIds": [by_subject["P1"]]})
    assert read["__typename"] == "CommandAccepted" and read["result"]["read"] == 1
    unread = await inbox(ns, li, unread=True)
    assert [n["subjectId"] for n in unread["nodes"]] == ["P2"] and unread["totalCount"] == 1
    assert {n["subjectId"]: n["read"] for n in (await inbox(ns, li))["nodes"]} == {"P1": True, "P2": False}

    archived = await mutate(ns, li, "archiveNotification", "ArchiveNotification", {"notificationId": by_subject["P1"]})
    assert archived["__typename"] == "CommandAccepted"
    assert [n["subjectId"] for n in (await inbox(ns, li))["nodes"]] == ["P2"]
    assert [(n["subjectId"], n["state"]) for n in (await inbox(ns, li, archived=True))["nodes"]] == [
        ("P1", "archived")]
    assert [n["subjectId"] for n in (await inbox(ns, zhao))["nodes"]] == ["P1"], "m-zhao's own is untouched"


@pytest.mark.parametrize("role", [Role.service, Role.admin])
async def test_a_service_token_and_an_admin_have_no_inbox(ns: NotifyStack, role: Role) -> None:
    c = committee_id()
    for query in (INBOX, "{ notificationPreferences { digest } }"):
        result = await ns.api.run(query, bearer=token(role, c))
        assert result.codes == ["FORBIDDEN"], result.errors
    if role is Role.service:
        for query in ("{ webhookEndpoints { id } }", "{ notificationDeliveries { totalCount } }",
                      "{ oversight(year: 2026) { remindersEscalated { toOffice } } }"):
            assert (await ns.api.run(query, bearer=token(role, c))).codes == ["FORBIDDEN"]


async def test_members_and_units_may_not_read_the_delivery_list_or_endpoints(ns: NotifyStack) -> None:
    c = committee_id()
    for bearer in (token(Role.member, c, member="m-1"), token(Role.unit_staff, c, unit="U1")):
        for query in ("{ webhookEndpoints { id } }", "{ notificationDeliveries { totalCount } }"):
            assert (await ns.api.run(query, bearer=bearer)).codes == ["FORBIDDEN"]


# ---- preferences and webhook endpoints -------------------------------------------------------------------

PREFS = """{ notificationPreferences { chosen digest digestHour quietFrom quietUntil
             categories { category channels } } }"""


async def test_preferences_are_set_and_read_back(ns: NotifyStack) -> None:
    c = committee_id()
    bearer = token(Role.member, c, member="m-pref")
    before = (await ns.api.run(PREFS, bearer=bearer)).ok()["notificationPreferences"]
    assert before["chosen"] is False
    done = await mutate(ns, bearer, "setNotificationPreferences", "SetNotificationPreferences", {
        "categories": [{"category": "meetings", "channels": ["sms"]}, {"category": "duty", "channels": []}],
        "digest": "daily", "digestHour": 20, "quietFrom": 22 * 60, "quietUntil": 7 * 60})
    assert done["__typename"] == "CommandAccepted", done
    after = (await ns.api.run(PREFS, bearer=bearer)).ok()["notificationPreferences"]
    assert after == {"chosen": True, "digest": "daily", "digestHour": 20, "quietFrom": 1320, "quietUntil": 420,
                     "categories": [{"category": "duty", "channels": []},
                                    {"category": "meetings", "channels": ["sms"]}]}
    other = (await ns.api.run(PREFS, bearer=token(Role.member, c, member="m-else"))).ok()
    assert other["notificationPreferences"]["chosen"] is False, "one person's choice is theirs alone"


ENDPOINTS = "{ webhookEndpoints { id name url categories enabled disabledReason gone } }"


async def test_a_webhook_endpoint_is_registered_listed_and_disabled(ns: NotifyStack) -> None:
    c = committee_id()
    office = token(Role.office_staff, c)
    done = await mutate(ns, office, "registerWebhookEndpoint", "RegisterWebhookEndpoint", {
        "endpointId": "oa", "name": "县政府OA", "url": "https://oa.example.org/hooks/cppcc",
        "categories": ["handling", "deadline"]})
    assert done["__typename"] == "CommandAccepted", done
    listed = (await ns.api.run(ENDPOINTS, bearer=token(Role.admin, c))).ok()["webhookEndpoints"]
    assert listed == [{"id": "oa", "name": "县政府OA", "url": "https://oa.example.org/hooks/cppcc",
                       "categories": ["handling", "deadline"], "enabled": True, "disabledReason": None,
                       "gone": False}]
    off = await mutate(ns, office, "disableWebhookEndpoint", "DisableWebhookEndpoint", {"endpointId": "oa"})
    assert off["__typename"] == "CommandAccepted", off
    (endpoint,) = (await ns.api.run(ENDPOINTS, bearer=office)).ok()["webhookEndpoints"]
    assert (endpoint["enabled"], endpoint["disabledReason"]) == (False, "disabled by the office")


async def test_in_production_a_loopback_or_private_webhook_url_is_refused(ns: NotifyStack,
                                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("YIZHENG_ENV", "production")
    monkeypatch.setenv("YIZHENG_JWT_SECRET", settings.DEV_JWT_SECRET)  # production refuses the implicit dev key
    c = committee_id()
    office = token(Role.office_staff, c)
    for url in ("https://127.0.0.1/hook", "https://10.1.2.3/hook", "https://[::1]/hook"):
        refused = await mutate(ns, office, "registerWebhookEndpoint", "RegisterWebhookEndpoint", {
            "endpointId": "bad", "name": "内网", "url": url, "categories": ["handling"]})
        assert refused["__typename"] == "CommandRefused", (url, refused)
        assert refused["rule"] == "webhook_url_invalid", refused
    assert (await ns.api.run(ENDPOINTS, bearer=office)).ok()["webhookEndpoints"] == [], "nothing stored"


# ---- the office: delivery statuses and escalations -----------------------------------------------------

async def test_the_office_sees_delivery_statuses_and_the_escalations_of_the_month(ns: NotifyStack) -> None:
    c = committee_id()
    feed = ns.feed(c)
    office, leader = token(Role.office_staff, c), token(Role.leadership, c, member="m-wang")
    ns.contacts.addresses.update({("m-ok", "email"): "ok@example.org", ("m-ok", "sms"): "13800000001",
                                  ("m-hang", "email"): "unknown@example.org", ("m-hang", "sms"): "13800000002"})
    # Each chose mail and SMS at once, so nothing waits for a digest.
    for m in ("m-ok", "m-hang"):
        chosen = await mutate(ns, token(Role.member, c, member=m), "setNotificationPreferences",
                              "SetNotificationPreferences", {"digest": "none", "categories": [
                                  {"category": "proposal_workflow", "channels": ["email", "sms"]}]})
        assert chosen["__typename"] == "CommandAccepted", chosen
    at = datetime(2026, 2, 27, 2, tzinfo=UTC)
    submitted, data = ev.proposal_submitted("E1", "关于河道整治的提案", "m-zhang", cosigners=["m-ok", "m-hang"])
    await feed.emit(submitted, {**data, "cosign_deadline": None}, at=at)  # no co-signing reminders here
    await feed.emit("key-proposal-designated", {"proposal_id": "E1", "year": 2026, "supervising_leaders": ["m-wang"],
                                                "lead_member_id": "m-zhang"}, at=at)
    await feed.emit(*ev.proposal_assigned("E1", ["U-water"], "2026-03-03", assigned_on="2026-02-27"), at=at)

    async def four_deliveries() -> bool:
        found = (await ns.api.run(DELIVERIES, bearer=office)).ok()["notificationDeliveries"]["nodes"]
        return len([d for d in found if d["recipientId"] in ("m-ok", "m-hang")]) == 4

    await wait_until(four_deliveries, timeout=20, message="the co-signers' mail and SMS deliveries written")
    # The unit told of the assignment: its reply's reminder ladder is scheduled in the same transaction.
    await wait_until(lambda: inbox_holds(ns, token(Role.unit_staff, c, unit="U-water"), 1), timeout=20,
                     message="the unit told of the assignment")
    ns.clock.now = on(date(2026, 3, 20))  # past the deadline, its overdue notice and both escalations
    await ns.host.parts.reminders.tick()
    await ns.host.parts.deliveries.tick()

    async def statuses() -> dict[tuple[str, str], tuple[str, int]]:
        found = (await ns.api.run(DELIVERIES, bearer=office)).ok()["notificationDeliveries"]["nodes"]
        return {(d["recipientId"], d["channel"]): (d["status"], d["attempts"]) for d in found
                if d["recipientId"] in ("m-ok", "m-hang")}

    seen = await statuses()
    assert seen[("m-ok", "email")] == ("sent", 1) and seen[("m-ok", "sms")] == ("sent", 1)
    assert seen[("m-hang", "email")] == ("unknown", 1), "may have been taken: shown, not retried"
    assert seen[("m-hang", "sms")] == ("sent", 1)
    unknown = (await ns.api.run(DELIVERIES, {"status": "unknown"}, bearer=office)).ok()["notificationDeliveries"]
    assert [(d["recipientId"], d["channel"], d["end"], d["detail"]) for d in unknown["nodes"]] == [
        ("m-hang", "email", "unknown", "timeout after DATA")]

    # The office's own inbox has the escalation (督办), with why.
    escalated = await wait_until(lambda: inbox_holds(ns, office, 1), timeout=10, message="the office's 督办")
    assert [(n["template"], n["urgency"], n["reason"], n["subjectId"]) for n in escalated["nodes"]] == [
        ("reply-due-escalate_office", "critical", "该事项已逾期，请机关督办", "E1")]
    assert escalated["nodes"][0]["deliveries"] == [], "the office reads its inbox; it has no mailbox"

    figure = """{ oversight(year: 2026, asOf: "2026-03-20") { remindersEscalated { month toOffice toLeaders
                  items { kind subjectId due toIds } } } }"""
    got = (await ns.api.run(figure, bearer=leader)).ok()["oversight"]["remindersEscalated"]
    assert (got["month"], got["toOffice"], got["toLeaders"]) == ("2026-03", 1, 1)
    assert sorted((i["kind"], tuple(i["toIds"])) for i in got["items"]) == [
        ("escalate_leader", ("m-wang",)), ("escalate_office", ("office",))]
    earlier = figure.replace("2026-03-20", "2026-02-20")
    none = (await ns.api.run(earlier, bearer=office)).ok()["oversight"]["remindersEscalated"]
    assert (none["month"], none["toOffice"], none["toLeaders"], none["items"]) == ("2026-02", 0, 0, [])
    ns.clock.now = datetime.now(UTC) + timedelta(minutes=1)  # back to about now for the other tests


# ---- the subscription ------------------------------------------------------------------------------------

async def test_a_new_notification_reaches_its_addressee_only(ns: NotifyStack) -> None:
    c = committee_id()
    feed = ns.feed(c)
    hub = ns.gateway.hub
    before = hub.subscriber_count
    async with Subscriber(ns.api, token(Role.member, c, member="m-sub"), RECEIVED) as addressee, \
            Subscriber(ns.api, token(Role.member, c, member="m-other"), RECEIVED) as other, \
            Subscriber(ns.api, token(Role.member, f"{c}-b", member="m-sub"), RECEIVED) as elsewhere:
        await subscribed(hub, before + 2)
        await feed.emit(*ev.proposal_submitted("S1", "关于社区养老的提案", "m-lead", cosigners=["m-sub"]))
        await wait_until(lambda: addressee.received, timeout=20, message="the addressee was told")
        (_, item), = addressee.received
        assert item["notificationReceived"]["subjectId"] == "S1"
        assert item["notificationReceived"]["reason"] == "你被邀请联名该提案"
        listed = (await inbox(ns, token(Role.member, c, member="m-sub")))["nodes"]
        assert [n["id"] for n in listed] == [item["notificationReceived"]["id"]]
        # the other member's first notification is their own; the addressee hears nothing more
        await feed.emit(*ev.proposal_submitted("S2", "关于农田水利的提案", "m-lead", cosigners=["m-other"]))
        await wait_until(lambda: other.received, timeout=20, message="the other member was told")
        assert [i["notificationReceived"]["subjectId"] for _, i in other.received] == ["S2"]
        assert len(addressee.received) == 1
        assert elsewhere.received == [], "the same member id in another committee is someone else"
        assert addressee.error is None and other.error is None and elsewhere.error is None
