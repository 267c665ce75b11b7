"""SMS through a provider adapter. Providers send only pre-approved templates, so a notification's template
id maps to the provider's template code and the few variables that template takes
(`services/notify/templates/sms/catalog.yaml`); a template with no approved SMS fails rather than sends
free text."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Protocol

import yaml

from notify.channels.base import Outcome, Outgoing, SendResult
from notify.channels.settings import SmsSettings

CATALOG = Path(__file__).resolve().parent.parent / "templates" / "sms" / "catalog.yaml"
MAX_PARAM_LENGTH = 35  # Aliyun's limit for one variable's value in a notification template
_MOBILE = re.compile(r"^(?:\+?86)?1[3-9]\d{9}$")  # mainland China mobile numbers


@dataclass(frozen=True)
class SmsTemplate:
    template_id: str
    code: str  # the provider's approved template code
    params: tuple[str, ...]  # the variables the approved template takes
    text: str  # the approved text, with ${name} placeholders


@dataclass(frozen=True)
class SmsRequest:
    """One SMS to one number, as a provider takes it."""

    reference: str  # the notification id, for the provider's receipt (Aliyun's OutId)
    phone: str
    template_code: str
    params: Mapping[str, str]


class SmsProvider(Protocol):
    """One attempt at one SMS, answered as a channel answers."""

    async def send(self, request: SmsRequest) -> SendResult: ...


@cache
def catalog() -> Mapping[str, SmsTemplate]:
    raw = yaml.safe_load(CATALOG.read_text(encoding="utf-8"))
    return {tid: SmsTemplate(tid, spec["code"], tuple(spec["params"]), spec["text"]) for tid, spec in raw.items()}


def _bounded(value: object) -> str:
    text = " ".join(str(value).split())
    return text if len(text) <= MAX_PARAM_LENGTH else text[: MAX_PARAM_LENGTH - 1] + "…"


def normalise_mobile(number: str) -> str | None:
    digits = re.sub(r"[\s-]", "", number)
    if not _MOBILE.match(digits):
        return None
    return digits[-11:]


class SmsChannel:
    name = "sms"

    def __init__(self, provider: SmsProvider, config: SmsSettings | None = None,
                 templates: Mapping[str, SmsTemplate] | None = None) -> None:
        self.provider = provider
        self.codes = (config or SmsSettings.from_env()).template_codes
        self.templates = templates if templates is not None else catalog()

    def request(self, message: Outgoing) -> SmsRequest | SendResult:
        """The provider request for a message, or the reason it cannot be sent."""
        template = self.templates.get(message.template)
        if template is None:
            return SendResult(Outcome.failed, f"no approved SMS template for {message.template!r}")
        phone = normalise_mobile(message.address)
        if phone is None:
            return SendResult(Outcome.failed, "malformed mobile number")
        missing = [p for p in template.params if p not in message.variables]
        if missing:
            return SendResult(Outcome.failed, f"SMS template {message.template!r} lacks {', '.join(missing)}")
        params = {p: _bounded(message.variables[p]) for p in template.params}
        return SmsRequest(message.notification_id, phone, self.codes.get(message.template, template.code), params)

    async def send(self, message: Outgoing) -> SendResult:
        request = self.request(message)
        if isinstance(request, SendResult):
            return request
        return await self.provider.send(request)
