"""The local stand-ins for the outside world that `yizheng run` starts next to the platform: an SMTP server
that keeps every mail in a Maildir under .yizheng/mailbox, and an SMS sink speaking Aliyun's SendSms shape.
Nothing leaves the machine; the notify service is pointed at them through its environment."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from contracts.notify.service import SERVICE as NOTIFY
from notify.channels.settings import LOCAL_SMS_PORT, LOCAL_SMTP_PORT
from runtime import settings
from yizheng.infra.ports import preferred_or_free
from yizheng.testing.sms import SmsSink
from yizheng.testing.smtp import SmtpSink


@dataclass
class LocalSinks:
    smtp: SmtpSink
    sms: SmsSink
    mailbox: Path

    def env(self) -> dict[str, str]:
        """What the notify service reads to send to these sinks, and where its mails' links point: locally
        nothing routes /unsubscribe from the gateway's port (the cluster's ingress does), so the one-click
        link in a mail names the notify service itself, unless YIZHENG_PUBLIC_URL is set."""
        public = os.environ.get("YIZHENG_PUBLIC_URL", "").strip() or f"http://{settings.LOOPBACK}:{NOTIFY.port}"
        return {"YIZHENG_SMTP_HOST": self.smtp.host, "YIZHENG_SMTP_PORT": str(self.smtp.port),
                "YIZHENG_SMTP_TLS": "none", "YIZHENG_SMS_ENDPOINT": self.sms.url, "YIZHENG_PUBLIC_URL": public}

    def describe(self) -> list[str]:
        return [f"mail: smtp://{self.smtp.host}:{self.smtp.port} keeps every message in {self.mailbox} "
                f"(a Maildir: `mutt -f {self.mailbox}`, or open the files in {self.mailbox}/new)",
                f"sms:  {self.sms.url} (Aliyun SendSms shape); read what arrived at {self.sms.url}messages"]

    def stop(self) -> None:
        self.sms.stop()
        self.smtp.stop()


def start(mailbox: Path | None = None, *, smtp_port: int | None = None, sms_port: int | None = None) -> LocalSinks:
    """On the usual ports unless told otherwise (0: any free port)."""
    mailbox = mailbox or settings.state_dir() / "mailbox"
    # A second `yizheng run` (or anything else, even a client's outgoing socket) on the usual port: take a free one.
    smtp_port = preferred_or_free(settings.LOOPBACK, LOCAL_SMTP_PORT) if smtp_port is None else smtp_port
    sms_port = preferred_or_free(settings.LOOPBACK, LOCAL_SMS_PORT) if sms_port is None else sms_port
    smtp = SmtpSink(host=settings.LOOPBACK, port=smtp_port, mailbox_dir=mailbox).start()
    try:
        sms = SmsSink(host=settings.LOOPBACK, port=sms_port).start()
    except BaseException:
        smtp.stop()
        raise
    return LocalSinks(smtp, sms, mailbox)
