"""The gateway's one HTTP client to the services (commands forwarded, reads and lookups between services).

httpx's interface, so tests hand the same code an ASGI transport; aiohttp's connection pool underneath (the
`httpx-aiohttp` transport, by httpx's maintainer). httpcore's own pool looks at every idle connection's socket
on each request to see whether it expired: under 16 concurrent mutations that bookkeeping was a quarter of the
gateway's CPU (`py-spy` of `yizheng run`, bench/RESULTS.md)."""

from __future__ import annotations

import httpx
from httpx_aiohttp import AiohttpTransport


def service_client(timeout_seconds: float) -> httpx.AsyncClient:
    return httpx.AsyncClient(timeout=timeout_seconds, transport=AiohttpTransport())
