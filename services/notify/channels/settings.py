"""The channels' settings, read from the environment on each call (as `runtime.settings` does, so tests can
monkeypatch it). In the cluster the SMTP relay's and the SMS provider's credentials come from Secrets
mounted as these variables. Every default points at the local sinks `yizheng run` starts."""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from typing import Literal

from runtime import settings

LOCAL_SMTP_PORT = 58025  # the local SMTP server `yizheng run` starts (mailbox under .yizheng/mailbox)
LOCAL_SMS_PORT = 58026  # the local SMS sink `yizheng run` starts
# Dev-only keys; production must set its own (refused below), since anyone can read these.
DEV_UNSUBSCRIBE_SECRET = "yizheng-dev-unsubscribe-not-for-production-0123456789"
DEV_SMS_ACCESS_KEY_ID = "yizheng-dev-sms"
DEV_SMS_ACCESS_KEY_SECRET = "yizheng-dev-sms-secret"

ALIYUN_SMS_ENDPOINT = "https://dysmsapi.aliyuncs.com/"  # production's default: Aliyun SMS itself
# `aliyun`: Aliyun SMS's SendSms (in development, to the local sink); `none`: a deployment without SMS.
SMS_PROVIDERS = ("aliyun", "none")

TlsMode = Literal["none", "starttls", "tls"]


def _env(name: str, default: str = "") -> str:
    return os.environ.get(name, "").strip() or default


def _int(name: str, default: int) -> int:
    raw = _env(name)
    try:
        return int(raw) if raw else default
    except ValueError:
        raise ValueError(f"{name}={raw!r} is not a whole number") from None


def _float(name: str, default: float) -> float:
    raw = _env(name)
    try:
        return float(raw) if raw else default
    except ValueError:
        raise ValueError(f"{name}={raw!r} is not a number") from None


def _production() -> bool:
    return settings.environment() == "production"


def _secret(name: str, dev_default: str) -> str:
    value = _env(name)
    if value:
        return value
    if _production():
        raise RuntimeError(f"{name} is not set and YIZHENG_ENV=production: refusing the development key")
    return dev_default


@dataclass(frozen=True)
class EmailSettings:
    host: str = settings.LOOPBACK
    port: int = LOCAL_SMTP_PORT
    tls: TlsMode = "none"  # "starttls" (submission, 587) or "tls" (implicit, 465) for a real relay
    username: str | None = None
    password: str | None = field(default=None, repr=False)
    sender: str = "县政协提案委 <noreply@cppcc.example>"
    timeout_seconds: float = 30.0
    validate_certs: bool = True

    @classmethod
    def from_env(cls) -> EmailSettings:
        tls = _env("YIZHENG_SMTP_TLS", "none").lower()
        if tls not in ("none", "starttls", "tls"):
            raise ValueError(f"YIZHENG_SMTP_TLS={tls!r}: use none, starttls or tls")
        if _production() and tls == "none":
            raise RuntimeError("YIZHENG_SMTP_TLS=none and YIZHENG_ENV=production: mail to a relay must use TLS")
        return cls(
            host=_env("YIZHENG_SMTP_HOST", settings.LOOPBACK),
            port=_int("YIZHENG_SMTP_PORT", LOCAL_SMTP_PORT),
            tls=tls,  # type: ignore[arg-type]  # checked just above
            username=_env("YIZHENG_SMTP_USER") or None,
            password=_env("YIZHENG_SMTP_PASSWORD") or None,
            sender=_env("YIZHENG_MAIL_FROM", cls.sender),
            timeout_seconds=_float("YIZHENG_SMTP_TIMEOUT", cls.timeout_seconds),
        )


@dataclass(frozen=True)
class UnsubscribeSettings:
    secret: str = field(default=DEV_UNSUBSCRIBE_SECRET, repr=False)
    base_url: str = "http://127.0.0.1:8000"  # where the one-click route is served (the public address)

    @classmethod
    def from_env(cls) -> UnsubscribeSettings:
        base_url = _env("YIZHENG_PUBLIC_URL", cls.base_url).rstrip("/")
        if _production() and not base_url.startswith("https://"):
            raise RuntimeError("YIZHENG_PUBLIC_URL must be https:// in production (RFC 8058 asks for HTTPS)")
        return cls(secret=_secret("YIZHENG_UNSUBSCRIBE_SECRET", DEV_UNSUBSCRIBE_SECRET), base_url=base_url)


@dataclass(frozen=True)
class WebhookSettings:
    timeout_seconds: float = 10.0
    refuse_private_addresses: bool = False  # SSRF: production refuses loopback, private and link-local targets

    @classmethod
    def from_env(cls) -> WebhookSettings:
        return cls(timeout_seconds=_float("YIZHENG_WEBHOOK_TIMEOUT", cls.timeout_seconds),
                   refuse_private_addresses=_production())


@dataclass(frozen=True)
class SmsSettings:
    endpoint: str = f"http://{settings.LOOPBACK}:{LOCAL_SMS_PORT}/"  # Aliyun: https://dysmsapi.aliyuncs.com/
    access_key_id: str = DEV_SMS_ACCESS_KEY_ID
    access_key_secret: str = field(default=DEV_SMS_ACCESS_KEY_SECRET, repr=False)
    sign_name: str = "县政协"  # the pre-approved signature shown as 【县政协】
    region_id: str = "cn-hangzhou"
    template_codes: dict[str, str] = field(default_factory=dict)  # template id -> pre-approved TemplateCode
    timeout_seconds: float = 10.0

    @classmethod
    def from_env(cls) -> SmsSettings:
        """Development: the local SMS sink with the development keys. Production: Aliyun SMS over https, with
        the access keys it must be given (refused without)."""
        endpoint = _env("YIZHENG_SMS_ENDPOINT", ALIYUN_SMS_ENDPOINT if _production() else cls.endpoint)
        if _production() and not endpoint.startswith("https://"):
            raise RuntimeError("YIZHENG_SMS_ENDPOINT must be https:// in production: the request carries a signature "
                               "and members' mobile numbers")
        raw_codes = _env("YIZHENG_SMS_TEMPLATE_CODES")
        try:
            codes = json.loads(raw_codes) if raw_codes else {}
        except json.JSONDecodeError as err:
            raise ValueError(f"YIZHENG_SMS_TEMPLATE_CODES is not JSON: {err}") from None
        if not isinstance(codes, dict) or not all(isinstance(v, str) for v in codes.values()):
            raise ValueError('YIZHENG_SMS_TEMPLATE_CODES must be a JSON object {"template-id": "SMS_123"}')
        return cls(
            endpoint=endpoint,
            access_key_id=_secret("YIZHENG_SMS_ACCESS_KEY_ID", DEV_SMS_ACCESS_KEY_ID),
            access_key_secret=_secret("YIZHENG_SMS_ACCESS_KEY_SECRET", DEV_SMS_ACCESS_KEY_SECRET),
            sign_name=_env("YIZHENG_SMS_SIGN_NAME", cls.sign_name),
            region_id=_env("YIZHENG_SMS_REGION", cls.region_id),
            template_codes={str(k): v for k, v in codes.items()},
            timeout_seconds=_float("YIZHENG_SMS_TIMEOUT", cls.timeout_seconds),
        )


def sms_provider() -> str:
    """`YIZHENG_SMS_PROVIDER`: which provider the SMS channel sends through; `aliyun` unless told otherwise."""
    name = _env("YIZHENG_SMS_PROVIDER", "aliyun").lower()
    if name not in SMS_PROVIDERS:
        raise ValueError(f"YIZHENG_SMS_PROVIDER={name!r}: use {' or '.join(SMS_PROVIDERS)}")
    return name
