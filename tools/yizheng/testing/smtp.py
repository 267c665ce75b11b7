"""A real SMTP server on a loopback port that keeps what it receives: for tests of outgoing mail, and (with a
mailbox directory) the local mail server `yizheng run` starts.

Faults a test can switch on while it runs, to see how a sender copes:
- `refuse_rcpt[address] = "550 5.1.1 ..."` answers RCPT for that mailbox with the given reply (a bounce);
- `drop_after_data = True` keeps the message, then drops the connection without answering it: the sender
  cannot know whether the server took it."""

from __future__ import annotations

import asyncio
import email
import email.policy
import mailbox
import threading
from dataclasses import dataclass, field
from email.message import Message
from pathlib import Path
from typing import Any

from yizheng.infra.ports import free_port


@dataclass
class ReceivedMail:
    mail_from: str
    rcpt_tos: list[str]
    message: Message


@dataclass
class SmtpSink:
    """aiosmtpd runs its own event loop in a thread; `messages` fills as mail arrives. With `mailbox_dir`,
    every message is also written to that Maildir (readable with any mail client, e.g. `mutt -f DIR`)."""

    host: str = "127.0.0.1"
    port: int = 0
    mailbox_dir: Path | None = None
    received: list[ReceivedMail] = field(default_factory=list)
    refuse_rcpt: dict[str, str] = field(default_factory=dict)
    drop_after_data: bool = False
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)
    _controller: Any = field(default=None, repr=False)
    _maildir: mailbox.Maildir | None = field(default=None, repr=False)

    @property
    def messages(self) -> list[Message]:
        with self._lock:
            return [r.message for r in self.received]

    def messages_to(self, address: str) -> list[Message]:
        """What reached one mailbox (counted at the server, for exactly-once checks)."""
        with self._lock:
            return [r.message for r in self.received if address.lower() in (a.lower() for a in r.rcpt_tos)]

    async def handle_RCPT(self, server: Any, session: Any, envelope: Any, address: str,  # aiosmtpd hook
                          rcpt_options: list[str]) -> str:
        refusal = self.refuse_rcpt.get(address) or self.refuse_rcpt.get(address.lower())
        if refusal:
            return refusal
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # aiosmtpd handler hook
        raw = envelope.original_content or envelope.content
        data = raw if isinstance(raw, bytes) else str(raw).encode()
        message = email.message_from_bytes(data, policy=email.policy.default)
        with self._lock:
            self.received.append(ReceivedMail(str(envelope.mail_from), list(envelope.rcpt_tos), message))
            if self._maildir is not None:
                self._maildir.add(data)
        if self.drop_after_data and isinstance(server.transport, asyncio.WriteTransport):
            server.transport.abort()  # gone before the 250: the sender never hears that we have it
        return "250 Message accepted for delivery"

    def start(self) -> SmtpSink:
        from aiosmtpd.controller import Controller

        if self.mailbox_dir is not None:
            self._maildir = mailbox.Maildir(self.mailbox_dir, create=True)
        self.port = self.port or free_port(self.host)
        self._controller = Controller(self, hostname=self.host, port=self.port)
        self._controller.start()
        return self

    def stop(self) -> None:
        if self._controller is not None:
            self._controller.stop()
            self._controller = None
