"""Every rule of `rules/default.yaml`, and every step of every reminder ladder, from a real event to a real
message: the other services' facts, contract-valid, published onto notify's topics on the real broker; the
notify service's real email channel to an SMTP server on a loopback port and its Aliyun-shaped SMS channel to
the local SMS sink. Each recipient's mail is read back as a mail client would: the Chinese subject decoded
with every variable it names filled, a text and an HTML part saying why the person got it, a Message-ID
from the notification id, and a one-click unsubscribe for the person and the category. A rule that names
SMS reaches the recipient's phone with its approved template code.

The list is read from the rules file, so a rule added without a scenario here fails."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from email.message import EmailMessage, Message
from email.utils import parseaddr
from typing import Any

import asyncpg
import pytest
import pytest_asyncio
from aiokafka import AIOKafkaProducer
from jinja2 import Environment, meta

from contracts import topics
from contracts.clock import at_local
from contracts.members.meeting import LeaveDecided, MeetingInvitationSent, MeetingScheduled
from contracts.members.organization import UnitRegistered
from contracts.members.scoring import MemberGraded
from contracts.notify.reminders import StepKind
from contracts.proposals import HolidayScheduleRecorded
from contracts.proposals import proposal as p
from contracts.proposals.common import RatingEntry
from contracts.proposals.lookback import LookbackOpened
from contracts.registry import DomainEvent
from contracts.surveys.appraisal import AppraisalOnlineVotingOpened
from contracts.surveys.questionnaire import QuestionnaireInvitationsSent
from notify import mail
from notify.channels.aliyun_sms import AliyunSmsProvider
from notify.channels.email import ONE_CLICK, EmailChannel, message_id
from notify.channels.rendering import catalog
from notify.channels.settings import EmailSettings, SmsSettings, UnsubscribeSettings
from notify.channels.sms import SmsChannel
from notify.channels.sms import catalog as sms_catalog
from notify.channels.unsubscribe import UnsubscribeClaim, read_token
from notify.ladder import days_before
from notify.parts import CHANNELS, CONTACTS, NotifyParts
from notify.rules import Ladder, Rule, TimedNotice, default_rulebook, rulebook
from notify.service import DEFINITION
from runtime.service_host import HostConfig, ServiceHost, build_service
from yizheng.infra import Endpoints
from yizheng.testing.command_client import COMMITTEE, FakeClock, on
from yizheng.testing.platform import create_topics
from yizheng.testing.sms import SmsSink
from yizheng.testing.smtp import SmtpSink
from yizheng.testing.wait import wait_until

from ..facts import PROPOSAL, TITLE, key_proposal, replied, stream, submitted, tracked_item
from ..kit import ContactBook, Topics, envelope

SENDER_DOMAIN = "cppcc.example"
TODAY = date(2026, 3, 2)  # a Monday
PEOPLE = ("m-zhang", "m-li", "m-zhao", "m-wang", "u-env", "u-water", "u-agri")
NUMBER = "2026-015"


def email_of(rid: str) -> str:
    return f"{rid.replace('-', '.')}@county.example.cn"


def mobile_of(rid: str) -> str:
    return f"139{PEOPLE.index(rid):08d}"


# ---- the other services' facts -------------------------------------------------------------------------

Fact = tuple[str, DomainEvent, str]  # topic, event, stream


def _proposal(event: DomainEvent) -> Fact:
    return topics.PROPOSALS, event, stream()


def _accepted() -> p.ProposalAccepted:
    return p.ProposalAccepted(proposal_id=PROPOSAL, number=NUMBER, year=2026, sequence=15, category="economy",
                              submitter_kind="joint", lead_member_id="m-zhang", cosigner_member_ids=["m-li"],
                              reason="符合立案标准")


def _assigned(deadline: date = date(2026, 6, 30)) -> p.ProposalAssigned:
    return p.ProposalAssigned(proposal_id=PROPOSAL, mode="lead_with_co", lead_unit_id="u-env",
                              co_unit_ids=["u-water"], unit_ids=["u-env", "u-water"], assigned_on=TODAY,
                              deadline=deadline, deadline_rule="explicit", reassignment_window_ends=TODAY)


# The members service's registry names the units; every message names them so, never by id.
UNIT_NAMES = {"u-env": "县生态环境局", "u-water": "县水利局", "u-agri": "县农业农村局"}
REGISTRY: list[Fact] = [(topics.MEMBERS, UnitRegistered(unit_id=u, name=name), f"unit-cppcc-county-a-{u}")
                        for u, name in UNIT_NAMES.items()]
SUBMITTED = _proposal(submitted(cosigners=("m-li",)))
ACCEPTED = _proposal(_accepted())
ASSIGNED = _proposal(_assigned())


@dataclass(frozen=True)
class Scenario:
    """The facts before, the fact the rule answers, who each of the type's rules tells, and what each mail
    (both parts) and SMS says."""

    before: Sequence[Fact]
    fact: Fact
    told: Sequence[Sequence[str]]  # per rule of the event type, in the file's order; "office" for the office
    says: Sequence[str] = ()


MEETING_STREAM = "meeting-cppcc-county-a-mt-2026-05"
MEETING_TITLE = "县政协十届五次常委会议"
# Scheduled 9:00-11:30 in China on Friday 8 May 2026 (the members service records the instants in UTC).
SCHEDULED = (topics.MEMBERS, MeetingScheduled(
    meeting_id="mt-2026-05", kind="standing_committee", title=MEETING_TITLE,
    starts_at=at_local(date(2026, 5, 8), 9), ends_at=at_local(date(2026, 5, 8), 11, 30), venue="县政协三楼会议室"),
    MEETING_STREAM)
MEETING_SAYS = (MEETING_TITLE, "2026年5月8日（星期五）9:00–11:30", "县政协三楼会议室")
ITEM_SAYS = ("协商成果「农村污水治理协商意见」",)  # the tracked item's kind and title, not 「事项o-1」


PROPOSAL_SAYS = f"提案{NUMBER}《{TITLE}》"  # a look-back by its proposal's number and title, not its own id


QUESTIONNAIRE_STREAM = "questionnaire-cppcc-county-a-q-2026-03"
QUESTIONNAIRE_TITLE = "关于县域养老服务体系建设的委员问卷"


def _invited(closes_on: date, mode: str = "anonymous") -> Fact:
    return (topics.SURVEYS, QuestionnaireInvitationsSent(
        questionnaire_id="q-2026-03", title=QUESTIONNAIRE_TITLE, mode=mode, closes_on=closes_on,
        member_ids=["m-li", "m-zhao"]), QUESTIONNAIRE_STREAM)


APPRAISAL_TITLE = "2026年度执纪执法部门民主评议"
# An online appraisal round: the raters are told to draw their slips; the notice carries no slip.
ONLINE_APPRAISAL = (topics.SURVEYS, AppraisalOnlineVotingOpened(
    appraisal_id="ap-2026", title=APPRAISAL_TITLE, member_ids=["m-li", "m-zhao"]), "appraisal-cppcc-county-a-ap-2026")


def _lookback(due: date = date(2026, 11, 30)) -> LookbackOpened:
    return LookbackOpened(lookback_id=f"{PROPOSAL}-c1-lb", subject="commitment", due=due, proposal_id=PROPOSAL,
                          unit_id="u-env")


SCENARIOS: dict[str, Scenario] = {
    "proposal-submitted": Scenario([], _proposal(submitted(cosigners=("m-li", "m-zhao"),
                                                           cosign_deadline=date(2026, 3, 10))),
                                   [["m-li", "m-zhao"]]),
    "proposal-returned": Scenario([SUBMITTED], _proposal(p.ProposalReturned(
        proposal_id=PROPOSAL, reason="案由不清，请补充调研数据")), [["m-zhang"]]),
    "proposal-accepted": Scenario([SUBMITTED], ACCEPTED, [["m-zhang", "m-li"]]),
    "proposal-not-accepted": Scenario([SUBMITTED], _proposal(p.ProposalNotAccepted(
        proposal_id=PROPOSAL, converted_to="opinion_letter", reason="建议内容属于个人诉求，转意见建议函办理")),
        [["m-zhang"]]),
    "proposal-merged": Scenario([SUBMITTED], _proposal(p.ProposalMerged(
        proposal_id=PROPOSAL, into_proposal_id="p-2026-009", reason="与2026-009内容相近，并案办理")),
        [["m-zhang"]]),
    "proposal-assigned": Scenario([SUBMITTED, ACCEPTED], ASSIGNED, [["u-env", "u-water"]]),
    "reassignment-granted": Scenario([SUBMITTED, ACCEPTED, ASSIGNED], _proposal(p.ReassignmentGranted(
        proposal_id=PROPOSAL, unit_id="u-water", new_unit_id="u-agri", role="co", reason="职责调整",
        granted_on=TODAY, deadline=date(2026, 6, 30), reassignment_window_ends=TODAY, lead_unit_id="u-env",
        co_unit_ids=["u-agri"], unit_ids=["u-env", "u-agri"])), [["u-agri"]]),
    "proposal-replied": Scenario([SUBMITTED, ACCEPTED, ASSIGNED],
                                 _proposal(replied("u-env", TODAY, date(2026, 6, 30))), [["m-zhang", "m-li"]],
                                 ("县生态环境局",)),
    # A rating is sealed until every proposer has rated (contracts.sealed): the office is told at once ...
    "proposal-evaluated": Scenario([SUBMITTED, ACCEPTED, ASSIGNED], _proposal(p.ProposalEvaluated(
        proposal_id=PROPOSAL, unit_id="u-env", round=1, member_id="m-zhang", rating="dissatisfied",
        attitude="satisfied", contact="basically_satisfied", comment="答复未回应核心建议")),
        [["office"]], ("县生态环境局",)),
    # ... the unit when the round is complete.
    "evaluations-completed": Scenario([SUBMITTED, ACCEPTED, ASSIGNED], _proposal(p.EvaluationsCompleted(
        proposal_id=PROPOSAL, unit_id="u-env", round=1, dissatisfied=True,
        ratings=[RatingEntry(member_id="m-li", rating="satisfied"),
                 RatingEntry(member_id="m-zhang", rating="dissatisfied")])),
        [["u-env"]], ("县生态环境局",)),
    "lookback-opened": Scenario([SUBMITTED, ACCEPTED], (topics.PROPOSALS, _lookback(), stream()), [["office"]],
                                (PROPOSAL_SAYS,)),
    "key-proposal-designated": Scenario([SUBMITTED, ACCEPTED], _proposal(key_proposal(("m-wang",))),
                                        [["m-wang"]]),
    "meeting-invitation-sent": Scenario([SCHEDULED], (topics.MEMBERS, MeetingInvitationSent(
        meeting_id="mt-2026-05", meeting_kind="standing_committee", member_ids=["m-li", "m-zhao"]),
        MEETING_STREAM), [["m-li", "m-zhao"]], MEETING_SAYS),
    "leave-decided": Scenario([SCHEDULED], (topics.MEMBERS, LeaveDecided(
        meeting_id="mt-2026-05", member_id="m-li", approved=True, note="同意"),
        MEETING_STREAM), [["m-li"]], (MEETING_TITLE,)),
    "tracked-item-opened": Scenario([], (topics.SURVEYS, tracked_item(date(2026, 3, 9), TODAY),
                                         "trackedItem-cppcc-county-a-o-1"), [["u-water"]],
                                    (*ITEM_SAYS, "还有 5 个工作日")),  # Tue 3 to Mon 9 March
    "member-graded": Scenario([], (topics.MEMBERS, MemberGraded(
        member_id="m-li", year=2025, total=Decimal("92.5"), grade="excellent", grade_by_points="excellent",
        rulebook_version=1), "member-cppcc-county-a-m-li"), [["m-li"]]),
    # The questionnaire by its title and its last day in Chinese.
    "questionnaire-invitations-sent": Scenario([], _invited(date(2026, 4, 17)), [["m-li", "m-zhao"]],
                                               (f"《{QUESTIONNAIRE_TITLE}》", "2026年4月17日")),
    "appraisal-online-voting-opened": Scenario([], ONLINE_APPRAISAL, [["m-li", "m-zhao"]],
                                               (f"《{APPRAISAL_TITLE}》",)),
}


@dataclass(frozen=True)
class Task:
    """The facts that open a task with a reminder ladder, and who its steps before and overdue go to."""

    facts: Sequence[Fact]
    told: Sequence[str]  # one task per recipient: each is reminded, and each overdue task escalated
    says: Sequence[str] = ()  # in every step's mails and SMS


TASKS: dict[str, Task] = {
    "cosign-due": Task([_proposal(submitted(cosigners=("m-li",), cosign_deadline=date(2026, 3, 10)))], ["m-li"]),
    "reply-due": Task([SUBMITTED, ACCEPTED, _proposal(key_proposal(("m-wang",))),
                       _proposal(_assigned(date(2026, 3, 20)))], ["u-env", "u-water"], (NUMBER,)),
    "tracked-due": Task([(topics.SURVEYS, tracked_item(date(2026, 3, 13), TODAY), "trackedItem-cppcc-county-a-o-1")],
                        ["u-water"], ITEM_SAYS),
    "lookback-due": Task([SUBMITTED, ACCEPTED, (topics.PROPOSALS, _lookback(date(2026, 3, 13)), stream())], ["office"],
                         (PROPOSAL_SAYS,)),
    # Closing Friday 13 March: reminded Tuesday 10 (3 working days before) and Thursday 12; an anonymous
    # questionnaire's reminder tells who has answered to ignore it.
    "questionnaire-due": Task([_invited(date(2026, 3, 13))], ["m-li", "m-zhao"],
                              (f"《{QUESTIONNAIRE_TITLE}》", "2026年3月13日", "如已填写，请忽略本提醒")),
    # Replied Monday 2 March, to be rated by Monday 16 March: each proposer is reminded by the unit's name.
    "evaluation-due": Task([SUBMITTED, ACCEPTED, _proposal(p.ProposalReplied(
        proposal_id=PROPOSAL, unit_id="u-env", result_class="A", text="已解决", round=1, on_time=True,
        replied_on=TODAY, deadline=date(2026, 6, 30), evaluation_due=date(2026, 3, 16),
        evaluator_member_ids=["m-zhang", "m-li"]))], ["m-li", "m-zhang"], (NUMBER, "县生态环境局", "2026年3月16日")),
}


@dataclass(frozen=True)
class Timed:
    """The facts that time a notice, who it reaches when notify's clock comes to its instant, and what it says."""

    facts: Sequence[Fact]
    told: Sequence[str]
    says: Sequence[str] = ()


TIMED: dict[str, Timed] = {
    # Three invited; m-zhao's leave approved is not told to check in.
    "checkin-open": Timed([SCHEDULED, (topics.MEMBERS, MeetingInvitationSent(
        meeting_id="mt-2026-05", meeting_kind="standing_committee", member_ids=["m-li", "m-zhao", "m-wang"]),
        MEETING_STREAM), (topics.MEMBERS, LeaveDecided(meeting_id="mt-2026-05", member_id="m-zhao", approved=True),
                          MEETING_STREAM)], ["m-li", "m-wang"], MEETING_SAYS),
}


def rule_cases() -> list[Any]:
    return [pytest.param(t, i, id=f"{t}[{i}]") for t, rs in default_rulebook().rules.items() for i in range(len(rs))]


def step_kinds(ladder: Ladder) -> list[StepKind]:
    return [k for k, on_ladder in ((StepKind.before, bool(ladder.before)), (StepKind.overdue, ladder.overdue),
                                   (StepKind.escalate_office, ladder.escalate_office_after is not None),
                                   (StepKind.escalate_leader, ladder.escalate_leader_after is not None)) if on_ladder]


def step_cases() -> list[Any]:
    return [pytest.param(name, kind, id=f"{name}:{kind.value}") for name, ladder in default_rulebook().ladders.items()
            for kind in step_kinds(ladder)]


# ---- the service with its real channels ------------------------------------------------------------------

@dataclass
class Mailing:
    host: ServiceHost[NotifyParts]
    topics: Topics
    clock: FakeClock
    smtp: SmtpSink
    sms: SmsSink
    published: list[uuid.UUID] = field(default_factory=list)

    @property
    def parts(self) -> NotifyParts:
        return self.host.parts

    @property
    def pool(self) -> asyncpg.Pool:
        return self.host.pool

    @property
    def s(self) -> str:
        return f'"{self.host.schema}"'

    async def publish(self, fact: Fact) -> uuid.UUID:
        topic, event, stream_name = fact
        env = envelope(event, stream_name, self.clock.now,
                       source={topics.PROPOSALS: "proposals", topics.MEMBERS: "members"}.get(topic, "surveys"))
        await self.topics.publish(topic, env)
        self.published.append(env.event_id)
        return env.event_id

    async def heard(self) -> None:
        """Every published fact taken in by the intake consumer (its inbox keeps the event ids)."""
        async def all_in() -> bool:
            n = await self.pool.fetchval(f"SELECT count(DISTINCT event_id) FROM {self.s}.inbox "
                                         "WHERE event_id = ANY($1::uuid[])", self.published)
            return int(n) == len(self.published)
        await wait_until(all_in, timeout=30, message="the published facts taken in")

    async def deliver(self) -> None:
        """Delivery passes until nothing due is left to send (the channels answer at once)."""
        while await self.parts.deliveries.tick():
            pass


@pytest.fixture
def sms_sink() -> Iterator[SmsSink]:
    sink = SmsSink().start()
    try:
        yield sink
    finally:
        sink.stop()


@pytest_asyncio.fixture(loop_scope="session")
async def mailing(infra: Endpoints, fresh_schema: str, topic_prefix: str, smtp_server: SmtpSink,
                  sms_sink: SmsSink) -> AsyncIterator[Mailing]:
    await create_topics(infra.kafka_bootstrap, [f"{topic_prefix}{t}" for t in
                                                (topics.PROPOSALS, topics.MEMBERS, topics.SURVEYS, topics.NOTIFY)])
    clock = FakeClock(on(TODAY, 9))
    book = ContactBook({**{(r, "email"): email_of(r) for r in PEOPLE}, **{(r, "sms"): mobile_of(r) for r in PEOPLE}})
    channels = {
        "email": EmailChannel(EmailSettings(host=smtp_server.host, port=smtp_server.port,
                                            sender=f"县政协 <noreply@{SENDER_DOMAIN}>", timeout_seconds=10)),
        "sms": SmsChannel(AliyunSmsProvider(SmsSettings(endpoint=sms_sink.url, timeout_seconds=10))),
    }
    host = await build_service(DEFINITION, HostConfig(
        dsn=infra.database_url, kafka_bootstrap=infra.kafka_bootstrap, schema=fresh_schema, topic_prefix=topic_prefix,
        clock=clock, run_workers=False, pool_max_size=6, options={CHANNELS: channels, CONTACTS: book}))
    await host.start()
    producer = AIOKafkaProducer(**infra.kafka_bootstrap.client_kwargs())
    await producer.start()
    try:
        yield Mailing(host, Topics(producer, topic_prefix), clock, smtp_server, sms_sink)
    finally:
        await producer.stop()
        await host.stop()


# ---- what each person receives -------------------------------------------------------------------------

def _kind(rid: str) -> str:
    return "office" if rid == "office" else "unit" if rid.startswith("u-") else "member"


def _parts(message: Message) -> tuple[str, str]:
    assert isinstance(message, EmailMessage)
    text, html = message.get_body(("plain",)), message.get_body(("html",))
    assert text is not None and html is not None, "a text and an HTML part"
    return str(text.get_content()), str(html.get_content())


def _subject_names(template: str) -> set[str]:
    return meta.find_undeclared_variables(Environment().parse(catalog()[template].subject))


async def _notes(m: Mailing, template: str, where: str, arg: object) -> list[asyncpg.Record]:
    return list(await m.pool.fetch(f"SELECT * FROM {m.s}.notifications WHERE template = $1 AND {where} "
                                   "ORDER BY recipient_id", template, arg))


async def _status(m: Mailing, notification_id: str, channel: str) -> tuple[str, str] | None:
    row = await m.pool.fetchrow(f"SELECT status, detail FROM {m.s}.deliveries WHERE notification_id = $1 "
                                "AND channel = $2", notification_id, channel)
    return (row["status"], row["detail"] or "") if row else None


async def check_received(m: Mailing, note: asyncpg.Record, channels: Sequence[str], says: Sequence[str] = ()) -> None:
    """What the recipient of one notification finds in their mailbox and on their phone (each of `says` in
    the mail's both parts and in the SMS)."""
    rid, nid, reason = note["recipient_id"], note["notification_id"], note["reason"]
    if note["recipient_kind"] == "office":  # the office reads its inbox; its mail template must still render
        variables = mail.email_variables(mail.email_template(note["template"]), mail_variables(note), today=TODAY)
        rendered = mail.render(mail.email_template(note["template"]), variables, reason=reason)
        for words in says:
            assert words in rendered.text and words in rendered.html, f"the office's {note['template']} says {words!r}"
        assert await _status(m, nid, "email") is None, "no mail to the office"
        return
    if "email" in channels:
        assert await _status(m, nid, "email") == ("sent", ""), f"{rid}'s mail of {note['template']}"
        [received] = [x for x in m.smtp.messages_to(email_of(rid))
                      if x["Message-ID"] == message_id(nid, SENDER_DOMAIN)]
        assert parseaddr(str(received["To"]))[1] == email_of(rid)
        subject = str(received["Subject"])
        assert any("\u4e00" <= ch <= "\u9fff" for ch in subject), f"a Chinese subject, decoded: {subject!r}"
        assert "=?utf-8?" in received.as_string().lower(), "the subject travels RFC 2047-encoded"
        template = mail.email_template(note["template"])
        filled = mail.email_variables(template, mail_variables(note), today=m.clock.today)
        empty = sorted(n for n in _subject_names(template) if filled.get(n) in (None, ""))
        assert empty == [], f"subject {subject!r} of {template} lacks {empty}"
        text, html = _parts(received)
        assert reason in text and reason in html, "why the person got it, in both parts"
        for words in says:
            assert words in text and words in html, f"{rid}'s mail of {note['template']} says {words!r}: {text}"
        assert received["List-Unsubscribe-Post"] == ONE_CLICK
        link = str(received["List-Unsubscribe"]).strip().removeprefix("<").removesuffix(">")
        claim = read_token(link.split("token=", 1)[1], UnsubscribeSettings.from_env().secret)
        assert claim == UnsubscribeClaim(COMMITTEE, f"{note['recipient_kind']}.{rid}", note["category"])
    else:
        assert m.smtp.messages_to(email_of(rid)) == [] or all(
            x["Message-ID"] != message_id(nid, SENDER_DOMAIN) for x in m.smtp.messages_to(email_of(rid)))
    if "sms" in channels:
        assert await _status(m, nid, "sms") == ("sent", "BizId " + _biz(m, nid)), f"{rid}'s SMS of {note['template']}"
        [sms] = [x for x in m.sms.messages_to(mobile_of(rid)) if x.out_id == nid]
        spec = sms_catalog()[mail.email_template(note["template"])]
        assert sms.template_code == spec.code and sms.sign_name == "县政协"
        assert set(sms.template_param) == set(spec.params)
        assert all(v for v in sms.template_param.values()), f"every SMS variable filled: {sms.template_param}"
        read = spec.text
        for name, value in sms.template_param.items():
            read = read.replace(f"${{{name}}}", value)
        for words in says:
            assert words in read, f"{rid}'s SMS of {note['template']} says {words!r}: {read}"


def _biz(m: Mailing, nid: str) -> str:
    return next((x.biz_id for x in m.sms.received if x.out_id == nid), "<none>")


def mail_variables(note: asyncpg.Record) -> dict[str, Any]:
    import json

    value = note["variables"]
    return dict(value) if isinstance(value, dict) else dict(json.loads(value))


# ---- the tests ---------------------------------------------------------------------------------------------

def test_the_committee_of_these_tests_keeps_the_default_rules() -> None:
    assert rulebook(COMMITTEE) is default_rulebook()


@pytest.mark.parametrize(("event_type", "index"), rule_cases())
async def test_every_rule_reaches_each_person_it_names(mailing: Mailing, event_type: str, index: int) -> None:
    rule: Rule = default_rulebook().for_event(event_type)[index]
    scenario = SCENARIOS.get(event_type)
    assert scenario is not None, f"the rule for {event_type!r} has no scenario in this test: add one"
    for fact in (*REGISTRY, *scenario.before):
        await mailing.publish(fact)
    event_id = await mailing.publish(scenario.fact)
    await mailing.heard()
    await mailing.deliver()

    kinds = sorted({_kind(r) for r in scenario.told[index]})  # two rules of a type may share a template
    notes = [n for n in await _notes(mailing, rule.template, "source_event_id = $2", str(event_id))
             if n["recipient_kind"] in kinds]
    assert [n["recipient_id"] for n in notes] == sorted(scenario.told[index])
    for note in notes:
        assert note["recipient_kind"] == _kind(note["recipient_id"])
        assert note["reason"] == rule.reason
        await check_received(mailing, note, [c.value for c in rule.channels], scenario.says)


@pytest.mark.parametrize(("ladder_name", "kind"), step_cases())
async def test_every_reminder_step_reaches_each_person_it_names(mailing: Mailing, ladder_name: str,
                                                                kind: StepKind) -> None:
    task = TASKS.get(ladder_name)
    assert task is not None, f"the ladder {ladder_name!r} has no task in this test: add one"
    for fact in (*REGISTRY, *task.facts):
        await mailing.publish(fact)
    await mailing.heard()
    await mailing.deliver()  # what the facts themselves tell

    fire_on = await mailing.pool.fetchval(f"SELECT min(fire_on) FROM {mailing.s}.reminders WHERE task = $1 "
                                          "AND kind = $2 AND status = 'pending'", ladder_name, kind.value)
    assert fire_on is not None, f"a {kind.value} step of {ladder_name} scheduled"
    mailing.clock.set(fire_on, hour=9)  # notify's clock: the day the step falls due
    assert await mailing.parts.reminders.tick() >= 1
    await mailing.deliver()

    ladder = default_rulebook().ladders[ladder_name]
    template = f"{ladder.template}-{kind.value}"
    notes = await _notes(mailing, template, "reminder_id LIKE $2", f"%:{kind.value}%")
    expected = {StepKind.escalate_office: ["office"] * len(task.told),
                StepKind.escalate_leader: ["m-wang"] * len(task.told)}.get(kind, list(task.told))
    assert [n["recipient_id"] for n in notes] == expected
    for note in notes:
        assert note["urgency"] == ("critical" if kind in (StepKind.escalate_office, StepKind.escalate_leader)
                                   else "normal")
        n = days_before(note["reminder_id"])
        # A reminder N working days before says so, counted on the committee's calendar as the ladder was.
        left = (f"还有{n}个工作日", f"还有 {n} 个工作日") if n is not None and "days_left" in catalog()[
            mail.email_template(template)].sample else ()
        await check_received(mailing, note, [c.value for c in ladder.channels_of(kind, n)], task.says)
        if kind is StepKind.escalate_office and ladder_name != "lookback-due":  # the late unit, by its name
            unit = mail.email_variables("deadline-escalated", mail_variables(note), today=mailing.clock.today)["unit"]
            assert unit in UNIT_NAMES.values(), f"the escalation names the unit {unit!r}"
        if left:
            [received] = [x for x in mailing.smtp.messages_to(email_of(note["recipient_id"]))
                          if x["Message-ID"] == message_id(note["notification_id"], SENDER_DOMAIN)]
            assert any(w in str(received["Subject"]) or w in _parts(received)[0] for w in left), left



@pytest.mark.parametrize("name", list(default_rulebook().timed))
async def test_every_timed_notice_reaches_each_person_at_its_time(mailing: Mailing, name: str) -> None:
    timed = TIMED.get(name)
    assert timed is not None, f"the timed notice {name!r} has no scenario in this test: add one"
    notice: TimedNotice = default_rulebook().timed[name]
    for fact in timed.facts:
        await mailing.publish(fact)
    await mailing.heard()
    await mailing.deliver()

    at = SCHEDULED[1].starts_at - timedelta(minutes=notice.lead_minutes)  # type: ignore[attr-defined]
    mailing.clock.now = at - timedelta(minutes=1)
    assert await mailing.parts.reminders.tick() == 0, "not before its time"
    mailing.clock.now = at
    assert await mailing.parts.reminders.tick() == len(timed.told)
    await mailing.deliver()

    notes = await _notes(mailing, notice.template, "reminder_id IS NOT NULL AND $2", True)
    assert [n["recipient_id"] for n in notes] == sorted(timed.told)
    for note in notes:
        assert note["reason"] == notice.reason and note["urgency"] == notice.urgency.value
        await check_received(mailing, note, [c.value for c in notice.channels], timed.says)


async def test_a_mail_sent_before_the_spring_festival_counts_the_committees_working_days(mailing: Mailing) -> None:
    """On Friday 13 February 2026 a department is sent an item due Wednesday 25 February. The committee
    recorded this year's schedule with 24 February off as well (a local arrangement) and Saturday 14 February
    a make-up workday: two working days are left, not the eight of a Monday-to-Friday count."""
    sent_on, due = date(2026, 2, 13), date(2026, 2, 25)
    mailing.clock.set(sent_on, hour=9)
    schedule = HolidayScheduleRecorded(year=2026, days_off=[date(2026, 2, d) for d in range(15, 25)],
                                       workdays=[date(2026, 2, 14), date(2026, 2, 28)], source="县政府办公室通知")
    await mailing.topics.publish(topics.PROPOSALS, envelope(schedule, "holidaySchedule-cppcc-county-a-2026",
                                                            mailing.clock.now))
    await wait_until(lambda: mailing.pool.fetchval(f"SELECT count(*) FROM {mailing.s}.holiday_schedules"),
                     timeout=30, message="the recorded schedule kept")
    event_id = await mailing.publish((topics.SURVEYS, tracked_item(due, sent_on), "trackedItem-cppcc-county-a-o-1"))
    await mailing.heard()
    await mailing.deliver()

    [note] = await _notes(mailing, "rectification-due", "source_event_id = $2", str(event_id))
    await check_received(mailing, note, ("email",), (*ITEM_SAYS, "还有 2 个工作日", "2026年2月25日"))
