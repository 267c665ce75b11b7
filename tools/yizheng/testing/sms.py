"""A local SMS sink that speaks Aliyun SMS's `SendSms` request shape: `POST /` with the RPC form parameters,
the signature checked against the access keys it knows, each accepted message kept. `GET /messages` lists
them as JSON (newest last). `yizheng run` starts one for development; tests start their own.

Set `answer_code` (e.g. "isv.BUSINESS_LIMIT_CONTROL") to make it refuse every message with that code."""

from __future__ import annotations

import asyncio
import base64
import hashlib
import hmac
import json
import re
import threading
import time
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from typing import Any
from urllib.parse import parse_qsl, quote

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

REQUIRED = ("AccessKeyId", "Action", "Format", "SignatureMethod", "SignatureNonce", "SignatureVersion",
            "Timestamp", "Version", "Signature", "PhoneNumbers", "SignName", "TemplateCode")
_MOBILE = re.compile(r"^1[3-9]\d{9}$")
_TIMESTAMP = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$")


@dataclass(frozen=True)
class ReceivedSms:
    phone: str
    sign_name: str
    template_code: str
    template_param: dict[str, str]
    out_id: str
    biz_id: str
    received_at: str


def _encode(value: str) -> str:
    # Aliyun's rule, written out independently of the sender's code: RFC 3986 unreserved characters stay.
    return "".join(ch if re.match(r"[A-Za-z0-9\-_.~]", ch) else quote(ch, safe="") for ch in value)


def aliyun_signature(method: str, params: Mapping[str, str], secret: str) -> str:
    query = "&".join(f"{_encode(k)}={_encode(v)}" for k, v in sorted(params.items()) if k != "Signature")
    to_sign = "&".join((method, _encode("/"), _encode(query)))
    return base64.b64encode(hmac.new(f"{secret}&".encode(), to_sign.encode(), hashlib.sha1).digest()).decode()


@dataclass
class SmsSink:
    access_keys: dict[str, str] = field(default_factory=lambda: {"yizheng-dev-sms": "yizheng-dev-sms-secret"})
    answer_code: str = "OK"
    received: list[ReceivedSms] = field(default_factory=list)
    host: str = "127.0.0.1"
    port: int = 0
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)
    _server: Any = field(default=None, repr=False)
    _thread: threading.Thread | None = field(default=None, repr=False)

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}/"

    def messages_to(self, phone: str) -> list[ReceivedSms]:
        with self._lock:
            return [m for m in self.received if m.phone == phone]

    @staticmethod
    def _refuse(code: str, message: str, status: int = 400) -> JSONResponse:
        return JSONResponse({"Code": code, "Message": message, "RequestId": "local"}, status_code=status)

    def _check(self, method: str, params: dict[str, str]) -> JSONResponse | None:
        missing = [name for name in REQUIRED if not params.get(name)]
        if missing:
            return self._refuse("MissingParameter", f"missing {', '.join(missing)}")
        if (params["Action"], params["Version"]) != ("SendSms", "2017-05-25"):
            return self._refuse("InvalidAction", "only SendSms 2017-05-25 is served here")
        if (params["SignatureMethod"], params["SignatureVersion"]) != ("HMAC-SHA1", "1.0"):
            return self._refuse("InvalidSignatureMethod", "use HMAC-SHA1, signature version 1.0")
        if not _TIMESTAMP.match(params["Timestamp"]):
            return self._refuse("InvalidTimeStamp.Format", "Timestamp must be YYYY-MM-DDThh:mm:ssZ in UTC")
        secret = self.access_keys.get(params["AccessKeyId"])
        if secret is None:
            return self._refuse("InvalidAccessKeyId.NotFound", "unknown AccessKeyId", 404)
        expected = aliyun_signature(method, params, secret)
        if not hmac.compare_digest(expected, params["Signature"]):
            return self._refuse("SignatureDoesNotMatch", "the signature does not match")
        if not all(_MOBILE.match(p) for p in params["PhoneNumbers"].split(",")):
            return self._refuse("isv.MOBILE_NUMBER_ILLEGAL", "PhoneNumbers holds an invalid number")
        try:
            template_param = json.loads(params.get("TemplateParam") or "{}")
        except json.JSONDecodeError:
            return self._refuse("isv.INVALID_JSON_PARAM", "TemplateParam is not JSON")
        if not isinstance(template_param, dict):
            return self._refuse("isv.INVALID_JSON_PARAM", "TemplateParam must be a JSON object")
        return None

    async def _send(self, request: Request) -> JSONResponse:
        raw = (await request.body()).decode() if request.method == "POST" else request.url.query
        params = dict(parse_qsl(raw, keep_blank_values=True))
        refusal = self._check(request.method, params)
        if refusal is not None:
            return refusal
        if self.answer_code != "OK":
            return self._refuse(self.answer_code, "refused by the local sink, as asked")
        with self._lock:
            biz_id = f"local-{len(self.received) + 1}"
            self.received.append(ReceivedSms(
                phone=params["PhoneNumbers"], sign_name=params["SignName"], template_code=params["TemplateCode"],
                template_param=json.loads(params.get("TemplateParam") or "{}"), out_id=params.get("OutId", ""),
                biz_id=biz_id, received_at=datetime.now(UTC).isoformat()))
        return JSONResponse({"Code": "OK", "Message": "OK", "BizId": biz_id, "RequestId": biz_id})

    async def _list(self, request: Request) -> JSONResponse:
        with self._lock:
            return JSONResponse({"messages": [asdict(m) for m in self.received]})

    @property
    def app(self) -> Starlette:
        return Starlette(routes=[Route("/", self._send, methods=["GET", "POST"]),
                                 Route("/messages", self._list, methods=["GET"])])

    def start(self, timeout: float = 10.0) -> SmsSink:
        """Serve on `port` (else a free one) from a thread with its own event loop, as aiosmtpd's
        controller does: the caller's loop and signal handlers are left alone."""
        import uvicorn

        from yizheng.infra.ports import free_port

        self.port = self.port or free_port(self.host)
        self._server = uvicorn.Server(uvicorn.Config(self.app, host=self.host, port=self.port, log_level="warning",
                                                     lifespan="off", access_log=False))
        self._thread = threading.Thread(target=lambda: asyncio.run(self._server.serve()), name="sms-sink",
                                        daemon=True)
        self._thread.start()
        deadline = time.monotonic() + timeout
        while not self._server.started:  # a thread starting a server, not a consistency wait
            if not self._thread.is_alive() or time.monotonic() > deadline:
                raise RuntimeError(f"the SMS sink did not start on {self.host}:{self.port}")
            time.sleep(0.01)
        return self

    def stop(self) -> None:
        if self._server is not None and self._thread is not None:
            self._server.should_exit = True
            self._thread.join(10)
        self._server = self._thread = None
