"""A notification mailed through a real SMTP server, read back the way a mail client reads it."""

from __future__ import annotations

from email.message import EmailMessage, Message
from urllib.parse import parse_qs, urlsplit

from notify.channels.base import Outcome, Outgoing
from notify.channels.email import EmailChannel
from notify.channels.settings import EmailSettings, UnsubscribeSettings
from notify.channels.unsubscribe import UnsubscribeClaim, read_token, unsubscribe_url
from yizheng.infra.ports import free_port
from yizheng.testing.smtp import SmtpSink
from yizheng.testing.wait import wait_until

MEMBER = "wang.jianguo@cppcc.example"


def assigned(notification_id: str = "n-2026-015-unit-7", *, address: str = MEMBER,
             unsubscribe: str | None = None, urgency: str = "normal") -> Outgoing:
    return Outgoing(
        notification_id=notification_id, committee_id="c-demo", channel="email", recipient_id="unit-7",
        address=address, template="proposal-assigned", category="handling", urgency=urgency,
        variables={"number": "2026-015", "title": "关于加强农村饮用水安全保障的建议", "role": "主办",
                   "deadline": "2026年6月30日", "link": "https://cppcc.example/proposals/2026-015"},
        reason="贵单位是提案2026-015的主办单位", unsubscribe_url=unsubscribe)


def parts(message: Message) -> tuple[str, str]:
    assert isinstance(message, EmailMessage)  # parsed with the modern policy
    text, html = message.get_body(("plain",)), message.get_body(("html",))
    assert text is not None and html is not None
    return text.get_content(), html.get_content()


async def test_a_unit_receives_the_assignment_as_a_chinese_mail_with_both_parts(
        email_channel: EmailChannel, smtp_server: SmtpSink, unsubscribe_settings: UnsubscribeSettings) -> None:
    link = unsubscribe_url(UnsubscribeClaim("c-demo", "unit-7", "handling"), unsubscribe_settings)

    result = await email_channel.send(assigned(unsubscribe=link))

    assert result.outcome is Outcome.sent, result
    (mail,) = smtp_server.messages_to(MEMBER)
    assert isinstance(mail, EmailMessage)
    assert mail["Subject"] == "【交办通知】提案2026-015《关于加强农村饮用水安全保障的建议》请主办"
    assert mail["To"] == MEMBER
    assert mail["Message-ID"] == "<n-2026-015-unit-7@cppcc.example>"
    assert mail["List-Unsubscribe"] == f"<{link}>"
    assert mail["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    text, html = parts(mail)
    assert "提案 2026-015《关于加强农村饮用水安全保障的建议》已交由贵单位主办。" in text
    assert "您收到此消息，是因为贵单位是提案2026-015的主办单位。" in text
    assert f"不再接收此类邮件：{link}" in text
    assert "<p>请于 2026年6月30日 前答复提案者。</p>" in html
    assert 'href="https://cppcc.example/proposals/2026-015"' in html
    # The link in the header reads back as this unit's unsubscribe from this category.
    token = parse_qs(urlsplit(mail["List-Unsubscribe"].strip("<>")).query)["token"][0]
    assert read_token(token, unsubscribe_settings.secret) == UnsubscribeClaim("c-demo", "unit-7", "handling")


async def test_the_subject_travels_rfc2047_encoded(email_channel: EmailChannel, smtp_server: SmtpSink) -> None:
    assert (await email_channel.send(assigned())).outcome is Outcome.sent
    await wait_until(lambda: smtp_server.received, timeout=5, message="the mail to arrive")
    raw_subject = smtp_server.messages[0].as_string().split("Subject:", 1)[1].split("\n", 1)[0]
    assert "=?utf-8?" in raw_subject.lower() and "交办" not in raw_subject
    assert "List-Unsubscribe" not in smtp_server.messages[0]  # no link, no header


async def test_the_same_notification_sent_twice_carries_one_message_id(
        email_channel: EmailChannel, smtp_server: SmtpSink) -> None:
    await email_channel.send(assigned("n-1"))
    await email_channel.send(assigned("n-1"))
    await email_channel.send(assigned("n-2"))
    ids = [m["Message-ID"] for m in smtp_server.messages]
    assert ids[0] == ids[1] != ids[2]


async def test_a_critical_escalation_is_marked_urgent(email_channel: EmailChannel, smtp_server: SmtpSink) -> None:
    assert (await email_channel.send(assigned(urgency="critical"))).outcome is Outcome.sent
    (mail,) = smtp_server.messages
    assert mail["Subject"].startswith("【紧急】")
    assert parts(mail)[0].startswith("【紧急】")


async def test_a_digest_lists_every_item(email_channel: EmailChannel, smtp_server: SmtpSink) -> None:
    items = [{"subject": f"【交办通知】提案2026-0{n}", "summary": "请按时答复。",
              "link": f"https://cppcc.example/proposals/2026-0{n}"} for n in (11, 12, 13)]
    digest = Outgoing(notification_id="d-unit-7-2026-03-02", committee_id="c-demo", channel="email",
                      recipient_id="unit-7", address=MEMBER, template="digest", category="handling",
                      urgency="normal", variables={"items": items, "period": "每日",
                                                   "link": "https://cppcc.example/notifications"})
    assert (await email_channel.send(digest)).outcome is Outcome.sent
    (mail,) = smtp_server.messages
    assert mail["Subject"] == "【每日汇总】您有3条新通知"
    text, html = parts(mail)
    for n in (11, 12, 13):
        assert f"【交办通知】提案2026-0{n}" in text
        assert f'href="https://cppcc.example/proposals/2026-0{n}"' in html


async def test_a_mailbox_the_server_refuses_is_a_bounce(email_channel: EmailChannel, smtp_server: SmtpSink) -> None:
    smtp_server.refuse_rcpt[MEMBER] = "550 5.1.1 <wang.jianguo@cppcc.example>: mailbox unavailable"
    result = await email_channel.send(assigned())
    assert (result.outcome, result.detail) == (Outcome.failed, "bounce")
    assert smtp_server.messages == []


async def test_a_mailbox_temporarily_unavailable_is_retried(
        email_channel: EmailChannel, smtp_server: SmtpSink) -> None:
    smtp_server.refuse_rcpt[MEMBER] = "451 4.2.0 mailbox busy, try later"
    result = await email_channel.send(assigned())
    assert result.outcome is Outcome.retry
    assert MEMBER not in result.detail


async def test_a_connection_dropped_after_the_message_is_unknown(
        email_channel: EmailChannel, smtp_server: SmtpSink) -> None:
    smtp_server.drop_after_data = True
    result = await email_channel.send(assigned())
    assert result.outcome is Outcome.unknown, result
    assert len(smtp_server.messages_to(MEMBER)) == 1  # the server has it: sending again would duplicate it


async def test_no_server_listening_is_retried() -> None:
    channel = EmailChannel(EmailSettings(host="127.0.0.1", port=free_port(), timeout_seconds=5.0))
    result = await channel.send(assigned())
    assert result.outcome is Outcome.retry, result


async def test_starttls_refused_by_the_server_is_retried(smtp_server: SmtpSink) -> None:
    # The local server offers no STARTTLS: a relay that must be TLS is not reached, nothing is sent.
    channel = EmailChannel(EmailSettings(host=smtp_server.host, port=smtp_server.port, tls="starttls",
                                         timeout_seconds=5.0))
    result = await channel.send(assigned())
    assert result.outcome is Outcome.retry, result
    assert smtp_server.messages == []


async def test_a_malformed_address_fails_without_a_connection(smtp_server: SmtpSink) -> None:
    channel = EmailChannel(EmailSettings(host="127.0.0.1", port=free_port(), timeout_seconds=5.0))
    result = await channel.send(assigned(address="not an address\r\nBcc: x@y"))
    assert (result.outcome, result.detail) == (Outcome.failed, "malformed address")


async def test_a_template_variable_missing_fails_the_send_not_the_worker(email_channel: EmailChannel) -> None:
    message = assigned()
    broken = Outgoing(**{**message.__dict__, "variables": {"number": "2026-015"}})
    result = await email_channel.send(broken)
    assert result.outcome is Outcome.failed
    assert "title" in result.detail
