"""Which webhook URLs an endpoint may be registered with. A malformed URL is refused everywhere; in
production settings (SSRF) so is one whose host resolves to any loopback, private, link-local, reserved or
otherwise non-public address: every address the host resolves to is checked, since a client may use any."""

from __future__ import annotations

import asyncio
import ipaddress
import socket
from collections.abc import Awaitable, Callable, Sequence
from urllib.parse import urlsplit

from eventstore.errors import DomainError

MAX_URL_LENGTH = 2048
FIELD = "url"
Resolver = Callable[[str, int], Awaitable[Sequence[str]]]


async def resolve(host: str, port: int) -> list[str]:
    infos = await asyncio.get_running_loop().getaddrinfo(host, port, type=socket.SOCK_STREAM)
    return sorted({str(info[4][0]) for info in infos})


def _refuse(message: str) -> DomainError:
    return DomainError("webhook_url_invalid", message, fields=[FIELD])


def _non_public(address: ipaddress.IPv4Address | ipaddress.IPv6Address) -> str | None:
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        return _non_public(address.ipv4_mapped)
    for label, test in (("loopback", address.is_loopback), ("link-local", address.is_link_local),
                        ("private", address.is_private), ("multicast", address.is_multicast),
                        ("reserved", address.is_reserved), ("unspecified", address.is_unspecified)):
        if test:
            return label
    if not address.is_global:  # e.g. 100.64.0.0/10 (carrier-grade NAT)
        return "not public"
    return None


async def _addresses(host: str, port: int, resolver: Resolver) -> list[ipaddress.IPv4Address | ipaddress.IPv6Address]:
    try:
        return [ipaddress.ip_address(host)]
    except ValueError:
        pass  # a name, not an address literal
    try:
        resolved = await resolver(host, port)
    except OSError:
        resolved = []
    if not resolved:
        raise _refuse(f"the webhook host {host!r} does not resolve")
    return [ipaddress.ip_address(a.split("%", 1)[0]) for a in resolved]  # drop an IPv6 zone (%eth0)


async def validate_webhook_url(url: str, *, refuse_private: bool, resolver: Resolver = resolve) -> str:
    """The URL, normalised, or DomainError `webhook_url_invalid` naming the field `url`."""
    url = url.strip()
    if not url or len(url) > MAX_URL_LENGTH:
        raise _refuse(f"the webhook URL must be 1 to {MAX_URL_LENGTH} characters")
    if any(ch.isspace() or ord(ch) < 0x20 for ch in url):
        raise _refuse("the webhook URL may not contain spaces or control characters")
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError as err:
        raise _refuse(f"the webhook URL is malformed: {err}") from None
    if parts.scheme not in ("https", "http"):
        raise _refuse("the webhook URL must start with https:// (or http:// outside production)")
    if refuse_private and parts.scheme != "https":
        raise _refuse("in production a webhook URL must use https://")
    if not parts.hostname:
        raise _refuse("the webhook URL names no host")
    if parts.username is not None or parts.password is not None:
        raise _refuse("the webhook URL may not carry a user name or password; the signature authenticates")
    if parts.fragment:
        raise _refuse("the webhook URL may not have a #fragment")
    if not refuse_private:
        return url
    host = parts.hostname
    addresses = await _addresses(host, port or (443 if parts.scheme == "https" else 80), resolver)
    for address in addresses:
        kind = _non_public(address)
        if kind:
            raise _refuse(f"the webhook host {host!r} resolves to a {kind} address ({address}); "
                          "only public addresses are allowed")
    return url
