"""Aliyun SMS (短信服务) `SendSms`, in the shape of its RPC API (version 2017-05-25): a form POST of the common
parameters and PhoneNumbers, SignName, TemplateCode, TemplateParam (JSON) and OutId, signed with
HMAC-SHA1 over the canonical query string (signature version 1.0). Locally the same request goes to the SMS
sink `yizheng run` starts, which checks the signature the same way."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import uuid
from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from urllib.parse import quote

import httpx

from notify.channels.base import Outcome, SendResult
from notify.channels.settings import SmsSettings
from notify.channels.sms import SmsRequest

API_VERSION = "2017-05-25"
# Codes that mean "not now" (flow control, the provider's own trouble): safe to try again later.
RETRY_CODES = frozenset({"isv.BUSINESS_LIMIT_CONTROL", "isv.DAY_LIMIT_CONTROL", "Throttling.User",
                         "Throttling", "isp.SYSTEM_ERROR", "ServiceUnavailable"})


def percent_encode(value: str) -> str:
    """Aliyun's encoding: UTF-8, everything but A-Z a-z 0-9 - _ . ~ as %XY (so space is %20, * is %2A)."""
    return quote(value, safe="~")


def string_to_sign(method: str, params: Mapping[str, str]) -> str:
    canonical = "&".join(f"{percent_encode(k)}={percent_encode(v)}" for k, v in sorted(params.items()))
    return f"{method}&{percent_encode('/')}&{percent_encode(canonical)}"


def signature(method: str, params: Mapping[str, str], access_key_secret: str) -> str:
    digest = hmac.new(f"{access_key_secret}&".encode(), string_to_sign(method, params).encode(), hashlib.sha1)
    return base64.b64encode(digest.digest()).decode("ascii")


def send_sms_params(request: SmsRequest, config: SmsSettings, *, now: datetime, nonce: str) -> dict[str, str]:
    """Every parameter of the SendSms call, Signature included."""
    params = {
        "AccessKeyId": config.access_key_id,
        "Action": "SendSms",
        "Format": "JSON",
        "RegionId": config.region_id,
        "SignatureMethod": "HMAC-SHA1",
        "SignatureNonce": nonce,
        "SignatureVersion": "1.0",
        "Timestamp": now.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "Version": API_VERSION,
        "PhoneNumbers": request.phone,
        "SignName": config.sign_name,
        "TemplateCode": request.template_code,
        "TemplateParam": json.dumps(dict(request.params), ensure_ascii=False, separators=(",", ":")),
        "OutId": request.reference,
    }
    params["Signature"] = signature("POST", params, config.access_key_secret)
    return params


class AliyunSmsProvider:
    def __init__(self, config: SmsSettings | None = None, *,
                 clock: Callable[[], datetime] = lambda: datetime.now(UTC),
                 nonce: Callable[[], str] = lambda: uuid.uuid4().hex) -> None:
        self.config = config or SmsSettings.from_env()
        self.clock = clock
        self.nonce = nonce

    async def send(self, request: SmsRequest) -> SendResult:
        params = send_sms_params(request, self.config, now=self.clock(), nonce=self.nonce())
        body = "&".join(f"{percent_encode(k)}={percent_encode(v)}" for k, v in params.items())
        try:
            async with httpx.AsyncClient(timeout=self.config.timeout_seconds, follow_redirects=False) as client:
                response = await client.post(self.config.endpoint, content=body.encode("ascii"), headers={
                    "content-type": "application/x-www-form-urlencoded; charset=utf-8"})
        except (httpx.ConnectError, httpx.ConnectTimeout) as err:
            return SendResult(Outcome.retry, f"no connection to the SMS provider: {type(err).__name__}")
        except httpx.HTTPError as err:
            # The request went out and no answer came: the SMS may be on its way, and a second is not free.
            return SendResult(Outcome.unknown, f"no answer from the SMS provider: {type(err).__name__}")
        try:
            answer = response.json()
            code = str(answer.get("Code", ""))
        except (ValueError, AttributeError):
            code = ""
        if code == "OK":
            return SendResult(Outcome.sent, f"BizId {answer.get('BizId', '')}".strip())
        if code in RETRY_CODES or (not code and response.status_code >= 500):
            return SendResult(Outcome.retry, code or f"HTTP {response.status_code}")
        return SendResult(Outcome.failed, code or f"HTTP {response.status_code}")
