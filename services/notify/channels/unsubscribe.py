"""The one-click unsubscribe token (RFC 8058): it names a committee, a recipient and a category, signed so
that following the link needs no login but cannot be forged for someone else.

Format: `v1.<base64url(JSON [committee, recipient, category])>.<base64url(HMAC-SHA256)>`. The MAC covers the
version and the payload, so a token cannot be replayed under another version's rules. It does not expire:
an unsubscribe link in an old mail must still work."""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
from dataclasses import dataclass
from urllib.parse import urlencode

from eventstore.errors import DomainError
from notify.channels.settings import UnsubscribeSettings

VERSION = "v1"
PATH = "/unsubscribe"  # served by the notify core (GET shows a confirmation, POST is the one-click)
MAX_TOKEN_LENGTH = 1024


@dataclass(frozen=True)
class UnsubscribeClaim:
    committee_id: str
    recipient_id: str
    category: str


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _mac(secret: str, version: str, payload: str) -> bytes:
    return hmac.new(secret.encode(), f"{version}.{payload}".encode("ascii"), hashlib.sha256).digest()


def make_token(claim: UnsubscribeClaim, secret: str) -> str:
    payload = _b64(json.dumps([claim.committee_id, claim.recipient_id, claim.category],
                              ensure_ascii=False, separators=(",", ":")).encode())
    return f"{VERSION}.{payload}.{_b64(_mac(secret, VERSION, payload))}"


def _invalid(message: str) -> DomainError:
    return DomainError("unsubscribe_token_invalid", message, fields=["token"])


def read_token(token: str, secret: str) -> UnsubscribeClaim:
    """The claim of a token this platform signed; DomainError `unsubscribe_token_invalid` otherwise."""
    if len(token) > MAX_TOKEN_LENGTH:
        raise _invalid(f"the unsubscribe token is longer than {MAX_TOKEN_LENGTH} characters")
    parts = token.split(".")
    if len(parts) != 3:
        raise _invalid("the unsubscribe token is not of the form version.payload.signature")
    version, payload, signature = parts
    if version != VERSION:
        raise _invalid(f"the unsubscribe token has version {version[:8]!r}; only {VERSION} is read")
    try:
        given = _unb64(signature)
    except (binascii.Error, ValueError):
        raise _invalid("the unsubscribe token's signature is not base64url") from None
    if not hmac.compare_digest(_mac(secret, version, payload), given):
        raise _invalid("the unsubscribe token's signature does not match")
    try:
        fields = json.loads(_unb64(payload))
    except (binascii.Error, ValueError):
        raise _invalid("the unsubscribe token's payload is not readable") from None
    if not (isinstance(fields, list) and len(fields) == 3 and all(isinstance(f, str) and f for f in fields)):
        raise _invalid("the unsubscribe token's payload does not name a committee, recipient and category")
    return UnsubscribeClaim(*fields)


def unsubscribe_url(claim: UnsubscribeClaim, config: UnsubscribeSettings | None = None) -> str:
    """The link for the mail's List-Unsubscribe header and footer."""
    config = config or UnsubscribeSettings.from_env()
    return f"{config.base_url}{PATH}?{urlencode({'token': make_token(claim, config.secret)})}"
