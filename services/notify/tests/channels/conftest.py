"""Fixtures for the channel tests: channels pointed at the real local sinks each test starts."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from notify.channels.email import EmailChannel
from notify.channels.settings import EmailSettings, SmsSettings, UnsubscribeSettings
from yizheng.testing.sms import SmsSink
from yizheng.testing.smtp import SmtpSink


@pytest.fixture
def email_channel(smtp_server: SmtpSink) -> EmailChannel:
    return EmailChannel(EmailSettings(host=smtp_server.host, port=smtp_server.port, timeout_seconds=5.0))


@pytest.fixture
def unsubscribe_settings() -> UnsubscribeSettings:
    return UnsubscribeSettings(secret="test-unsubscribe-secret", base_url="https://cppcc.example")


@pytest.fixture
def sms_sink() -> Iterator[SmsSink]:
    """The local Aliyun-shaped SMS sink on a free loopback port."""
    sink = SmsSink().start()
    try:
        yield sink
    finally:
        sink.stop()


@pytest.fixture
def sms_settings(sms_sink: SmsSink) -> SmsSettings:
    return SmsSettings(endpoint=sms_sink.url, timeout_seconds=5.0)
