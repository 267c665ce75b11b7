"""Email over real SMTP (aiosmtplib): one connection, one message, one recipient, and an outcome that says
exactly how far the message got.

- refused before the message was handed over (connection refused, TLS or login failure, a 4xx) → `retry`;
- 5xx at RCPT → `failed` with detail `bounce` (the core counts bounces per mailbox);
- the server's 5xx to MAIL or to the message itself → `failed`;
- no answer after the message was sent (timeout, dropped connection after DATA) → `unknown`: the server
  may have it, so it is never retried blindly;
- 250 after the message → `sent`, whatever happens at QUIT.

The Message-ID is derived from the notification id, so a message sent twice is recognisably one message."""

from __future__ import annotations

import functools
import hashlib
import re
import socket
import ssl
from email.headerregistry import Address
from email.message import EmailMessage
from email.policy import SMTP as SMTP_POLICY
from email.utils import formatdate, parseaddr

import aiosmtplib

from notify.channels.base import Outcome, Outgoing, SendResult
from notify.channels.rendering import TemplateError, render
from notify.channels.settings import EmailSettings

ONE_CLICK = "List-Unsubscribe=One-Click"  # RFC 8058's fixed List-Unsubscribe-Post value
_ID_LEFT = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,100}$")
_ADDRESS = re.compile(r"^[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9](?:[A-Za-z0-9.-]*[A-Za-z0-9])?$")


def message_id(notification_id: str, domain: str) -> str:
    """`<notification-id@domain>`: the same notification always has the same Message-ID."""
    left = notification_id if _ID_LEFT.match(notification_id) else hashlib.sha256(notification_id.encode()).hexdigest()
    return f"<{left}@{domain}>"


def sender_address(sender: str) -> str:
    return parseaddr(sender)[1]


def build_message(message: Outgoing, config: EmailSettings) -> EmailMessage:
    """The MIME message (text and HTML alternatives) for one recipient. Raises TemplateError."""
    rendered = render(message.template, message.variables, reason=message.reason,
                      unsubscribe_url=message.unsubscribe_url, urgency=message.urgency)
    sender = sender_address(config.sender)
    mail = EmailMessage(policy=SMTP_POLICY)
    # The email package encodes a Chinese subject and display name per RFC 2047.
    mail["Subject"] = rendered.subject
    mail["From"] = config.sender
    mail["To"] = Address(addr_spec=message.address)
    mail["Date"] = formatdate(usegmt=True)
    mail["Message-ID"] = message_id(message.notification_id, sender.rpartition("@")[2] or "localhost")
    mail["Auto-Submitted"] = "auto-generated"  # RFC 3834: auto-responders must not answer
    if message.urgency == "critical":
        mail["Importance"] = "high"
    if message.unsubscribe_url:
        mail["List-Unsubscribe"] = f"<{message.unsubscribe_url}>"
        mail["List-Unsubscribe-Post"] = ONE_CLICK
    # base64 keeps the body 7-bit, so no relay needs 8BITMIME.
    mail.set_content(rendered.text, subtype="plain", charset="utf-8", cte="base64")
    mail.add_alternative(rendered.html, subtype="html", charset="utf-8", cte="base64")
    return mail


@functools.cache
def _local_hostname() -> str:
    """The name given in EHLO, looked up once: left to aiosmtplib, each message's connection resolved it again
    in a worker thread."""
    return socket.getfqdn()


def _refused(code: int, what: str, permanent: str) -> SendResult:
    """A definite answer: 4xx asks to come back later; anything else refuses for good. The server's text is
    left out of the detail, since it often repeats the address."""
    if 400 <= code < 500:
        return SendResult(Outcome.retry, f"{what} deferred: {code}")
    return SendResult(Outcome.failed, permanent if permanent == "bounce" else f"{permanent}: {code}")


class EmailChannel:
    name = "email"

    def __init__(self, config: EmailSettings | None = None) -> None:
        self.config = config or EmailSettings.from_env()

    def _client(self) -> aiosmtplib.SMTP:
        c = self.config
        return aiosmtplib.SMTP(hostname=c.host, port=c.port, timeout=c.timeout_seconds,
                               local_hostname=_local_hostname(), use_tls=c.tls == "tls",
                               start_tls=True if c.tls == "starttls" else False,
                               username=c.username, password=c.password, validate_certs=c.validate_certs)

    async def send(self, message: Outgoing) -> SendResult:
        if not _ADDRESS.match(message.address):
            return SendResult(Outcome.failed, "malformed address")
        try:
            data = build_message(message, self.config).as_bytes()
        except TemplateError as err:
            return SendResult(Outcome.failed, f"template: {err}")
        smtp = self._client()
        try:
            try:
                await smtp.connect()  # greeting, EHLO, STARTTLS and login as configured
            except aiosmtplib.SMTPAuthenticationError as err:
                return SendResult(Outcome.retry, f"relay refused the login: {err.code}")
            except (aiosmtplib.SMTPException, ssl.SSLError, OSError) as err:
                return SendResult(Outcome.retry, f"no connection to the relay: {type(err).__name__}")
            return await self._transaction(smtp, message.address, data)
        finally:
            smtp.close()

    async def _transaction(self, smtp: aiosmtplib.SMTP, recipient: str, data: bytes) -> SendResult:
        message_sent = False
        try:
            await smtp.mail(sender_address(self.config.sender))
            await smtp.rcpt(recipient)
            message_sent = True  # from here on, the server may hold the message
            await smtp.data(data)
        except aiosmtplib.SMTPSenderRefused as err:
            return _refused(err.code, "MAIL", "sender refused")
        except aiosmtplib.SMTPRecipientRefused as err:
            return _refused(err.code, "RCPT", "bounce")
        except aiosmtplib.SMTPDataError as err:  # a definite answer to DATA or to the message: not taken
            return _refused(err.code, "DATA", "message refused")
        except aiosmtplib.SMTPResponseException as err:
            return _refused(err.code, "SMTP", "refused")
        except (aiosmtplib.SMTPException, OSError) as err:
            if message_sent:
                return SendResult(Outcome.unknown, f"no answer after DATA: {type(err).__name__}")
            return SendResult(Outcome.retry, f"connection lost before DATA: {type(err).__name__}")
        try:
            await smtp.quit()
        except (aiosmtplib.SMTPException, OSError):
            pass  # the message was accepted; a failed goodbye changes nothing
        return SendResult(Outcome.sent)
