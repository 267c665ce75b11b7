"""An SMS reaches a unit's mobile through the Aliyun-shaped provider, received by the local sink that
checks the request as Aliyun would."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import httpx

from notify.channels.aliyun_sms import AliyunSmsProvider, percent_encode, send_sms_params, signature
from notify.channels.base import Outcome, Outgoing
from notify.channels.settings import SmsSettings
from notify.channels.sms import SmsChannel, SmsRequest
from yizheng.infra.ports import free_port
from yizheng.testing.sms import SmsSink, aliyun_signature

MOBILE = "13800138000"


def reply_due(address: str = MOBILE, template: str = "reply-due", **variables: Any) -> Outgoing:
    return Outgoing(notification_id="n-2026-015-unit-7-sms", committee_id="c-demo", channel="sms",
                    recipient_id="unit-7", address=address, template=template, category="deadline",
                    urgency="normal", variables={"number": "2026-015", "days_left": 5, "deadline": "6月30日",
                                                 "title": "关于加强农村饮用水安全保障的建议", **variables})


def sms(settings: SmsSettings) -> SmsChannel:
    return SmsChannel(AliyunSmsProvider(settings), settings)


async def test_a_unit_gets_the_reply_due_sms_with_the_approved_template(
        sms_sink: SmsSink, sms_settings: SmsSettings) -> None:
    result = await sms(sms_settings).send(reply_due(address="+86 138-0013-8000"))

    assert result.outcome is Outcome.sent, result
    (received,) = sms_sink.messages_to(MOBILE)
    assert (received.sign_name, received.template_code) == ("县政协", "SMS_DEV_0003")
    assert received.template_param == {"number": "2026-015", "days_left": "5", "deadline": "6月30日"}
    assert received.out_id == "n-2026-015-unit-7-sms"
    async with httpx.AsyncClient() as client:  # what a developer reads at the sink's list endpoint
        listed = (await client.get(f"{sms_sink.url}messages")).json()["messages"]
    assert [m["phone"] for m in listed] == [MOBILE]


async def test_production_template_codes_replace_the_development_ones(
        sms_sink: SmsSink, sms_settings: SmsSettings) -> None:
    settings = SmsSettings(endpoint=sms_settings.endpoint, template_codes={"reply-due": "SMS_465120001"})
    assert (await sms(settings).send(reply_due())).outcome is Outcome.sent
    assert sms_sink.received[0].template_code == "SMS_465120001"


async def test_a_forged_signature_is_refused_by_the_sink(sms_sink: SmsSink, sms_settings: SmsSettings) -> None:
    forged = SmsSettings(endpoint=sms_settings.endpoint, access_key_secret="not-the-secret")
    result = await sms(forged).send(reply_due())
    assert (result.outcome, result.detail) == (Outcome.failed, "SignatureDoesNotMatch")
    assert sms_sink.received == []


async def test_flow_control_at_the_provider_is_retried(sms_sink: SmsSink, sms_settings: SmsSettings) -> None:
    sms_sink.answer_code = "isv.BUSINESS_LIMIT_CONTROL"
    result = await sms(sms_settings).send(reply_due())
    assert (result.outcome, result.detail) == (Outcome.retry, "isv.BUSINESS_LIMIT_CONTROL")


async def test_a_template_without_an_approved_sms_is_not_sent(sms_sink: SmsSink, sms_settings: SmsSettings) -> None:
    result = await sms(sms_settings).send(reply_due(template="grade-published"))
    assert result.outcome is Outcome.failed and "no approved SMS template" in result.detail
    assert sms_sink.received == []


async def test_a_malformed_mobile_number_fails_without_a_request(sms_settings: SmsSettings) -> None:
    result = await sms(sms_settings).send(reply_due(address="12345"))
    assert (result.outcome, result.detail) == (Outcome.failed, "malformed mobile number")


async def test_a_long_title_is_shortened_to_the_providers_limit(sms_sink: SmsSink, sms_settings: SmsSettings) -> None:
    long_title = "关于" + "加强农村饮用水安全保障" * 6 + "的建议"
    result = await sms(sms_settings).send(reply_due(template="proposal-assigned", title=long_title, role="主办"))
    assert result.outcome is Outcome.sent, result
    title = sms_sink.received[0].template_param["title"]
    assert len(title) == 35 and title.endswith("…")


async def test_no_provider_listening_is_retried() -> None:
    result = await sms(SmsSettings(endpoint=f"http://127.0.0.1:{free_port()}/")).send(reply_due())
    assert result.outcome is Outcome.retry


def test_the_request_has_aliyuns_sendsms_shape_and_both_signers_agree() -> None:
    request = SmsRequest("n-1", MOBILE, "SMS_DEV_0003", {"number": "2026-015", "deadline": "6月30日"})
    params = send_sms_params(request, SmsSettings(), now=datetime(2026, 3, 2, 1, 2, 3, tzinfo=UTC), nonce="abc")
    assert {k: params[k] for k in ("Action", "Version", "Format", "SignatureMethod", "SignatureVersion",
                                   "Timestamp", "PhoneNumbers", "SignName", "TemplateCode")} == {
        "Action": "SendSms", "Version": "2017-05-25", "Format": "JSON", "SignatureMethod": "HMAC-SHA1",
        "SignatureVersion": "1.0", "Timestamp": "2026-03-02T01:02:03Z", "PhoneNumbers": MOBILE,
        "SignName": "县政协", "TemplateCode": "SMS_DEV_0003"}
    assert params["TemplateParam"] == '{"number":"2026-015","deadline":"6月30日"}'
    unsigned = {k: v for k, v in params.items() if k != "Signature"}
    assert params["Signature"] == signature("POST", unsigned, "yizheng-dev-sms-secret")
    assert params["Signature"] == aliyun_signature("POST", params, "yizheng-dev-sms-secret")
    assert percent_encode("a b*c~") == "a%20b%2Ac~"  # Aliyun's encoding, not form encoding
