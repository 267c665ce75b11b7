"""The mail side of `yizheng bench notify`: the local SMTP sink (the tests' `SmtpSink`, on loopback) keeping
each message's bytes as received, and the baseline — plain aiosmtplib sending those very messages (same
bytes, same sender and recipient) to the same sink, as many at once as the worker's `senders`, one
connection per message as notify's email channel does (connect with EHLO, MAIL, RCPT, DATA, QUIT)."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from typing import Any

import aiosmtplib

from yizheng.testing.smtp import SmtpSink


@dataclass(frozen=True)
class Sent:
    mail_from: str
    rcpt_tos: tuple[str, ...]
    data: bytes


@dataclass
class RecordingSmtpSink(SmtpSink):
    """`SmtpSink` that also keeps the raw bytes of each message (what the baseline sends again)."""

    raw: list[Sent] = field(default_factory=list)

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # aiosmtpd handler hook
        content = envelope.original_content or envelope.content
        data = content if isinstance(content, bytes) else str(content).encode()
        answer = await super().handle_DATA(server, session, envelope)
        with self._lock:
            self.raw.append(Sent(str(envelope.mail_from), tuple(envelope.rcpt_tos), data))
        return answer

    def take(self) -> list[Sent]:
        """What arrived since the last take, and forget it (a round's mail is not kept)."""
        with self._lock:
            out, self.raw = self.raw, []
            self.received.clear()
        return out

    def count(self) -> int:
        with self._lock:
            return len(self.raw)


async def send_one(host: str, port: int, message: Sent, *, timeout: float = 30.0) -> None:
    smtp = aiosmtplib.SMTP(hostname=host, port=port, timeout=timeout, start_tls=False)
    try:
        await smtp.connect()
        await smtp.mail(message.mail_from)
        for rcpt in message.rcpt_tos:
            await smtp.rcpt(rcpt)
        await smtp.data(message.data)
        await smtp.quit()
    finally:
        smtp.close()


async def send_raw(host: str, port: int, messages: list[Sent], *, concurrency: int) -> None:
    """Every message, `concurrency` at a time (each sender takes the next one when its last is accepted)."""
    queue: asyncio.Queue[Sent] = asyncio.Queue()
    for m in messages:
        queue.put_nowait(m)

    async def sender() -> None:
        while True:
            try:
                m = queue.get_nowait()
            except asyncio.QueueEmpty:
                return
            await send_one(host, port, m)

    await asyncio.gather(*(sender() for _ in range(max(1, concurrency))))
