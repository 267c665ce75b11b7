"""Load for `yizheng bench platform`: closed-loop HTTP clients (each sends its next request when the last one
answered) and an open-loop sender at a fixed rate, with the rate and latency percentiles of what they saw."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from dataclasses import asdict, dataclass
from typing import Any

import httpx
from httpx_aiohttp import AiohttpTransport

# One request of a client: True when it succeeded as a user would count it (a 200 with the expected answer).
Request = Callable[[httpx.AsyncClient, int], Awaitable[bool]]


@dataclass(frozen=True)
class Window:
    clients: int
    seconds: float
    ok: int
    failed: int
    per_s: float
    p50_ms: float
    p95_ms: float
    p99_ms: float
    offered_per_s: float | None = None  # open loop: the rate it was sent at

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def percentile(values: list[float], q: float) -> float:
    if not values:
        return 0.0
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def _window(clients: int, elapsed: float, latencies: list[float], failed: int,
            offered: float | None = None) -> Window:
    return Window(clients=clients, seconds=round(elapsed, 3), ok=len(latencies), failed=failed,
                  per_s=len(latencies) / elapsed if elapsed else 0.0,
                  p50_ms=round(percentile(latencies, 0.50) * 1000, 2),
                  p95_ms=round(percentile(latencies, 0.95) * 1000, 2),
                  p99_ms=round(percentile(latencies, 0.99) * 1000, 2), offered_per_s=offered)


def http_client(connections: int) -> httpx.AsyncClient:
    """The clients' connections, on aiohttp's pool behind httpx's interface (as the gateway's own client):
    the load generator shares the machine's two cores with the platform it measures, and httpcore's pool
    cost it about 2.2 ms of CPU per mutation against 1.2 ms on aiohttp's (py-spy and /proc, bench/RESULTS.md)."""
    limits = httpx.Limits(max_connections=connections, max_keepalive_connections=connections)
    return httpx.AsyncClient(timeout=httpx.Timeout(30.0), transport=AiohttpTransport(limits=limits))


async def closed_loop(request: Request, *, clients: int, seconds: float) -> Window:
    """`clients` tasks, each on its own keep-alive connection, sending request after request for `seconds`."""
    latencies: list[float] = []
    failed = 0
    stop_at = time.perf_counter() + seconds
    counter = iter(range(10**12))

    async def one(client: httpx.AsyncClient) -> None:
        nonlocal failed
        while time.perf_counter() < stop_at:
            started = time.perf_counter()
            try:
                ok = await request(client, next(counter))
            except httpx.HTTPError:
                ok = False
            if ok:
                latencies.append(time.perf_counter() - started)
            else:
                failed += 1

    async with http_client(clients) as client:
        started = time.perf_counter()
        await asyncio.gather(*(one(client) for _ in range(clients)))
        elapsed = time.perf_counter() - started
    return _window(clients, elapsed, latencies, failed)


async def open_loop(request: Request, *, rate: float, seconds: float, max_in_flight: int = 128) -> Window:
    """Requests sent at `rate` per second for `seconds` whatever the answers (latency counted from when each
    was due, so a backlog shows), at most `max_in_flight` at once."""
    latencies: list[float] = []
    failed = 0
    gate = asyncio.Semaphore(max_in_flight)
    total = max(1, int(rate * seconds))

    async def one(client: httpx.AsyncClient, i: int, due: float) -> None:
        nonlocal failed
        async with gate:
            try:
                ok = await request(client, i)
            except httpx.HTTPError:
                ok = False
        if ok:
            latencies.append(time.perf_counter() - due)
        else:
            failed += 1

    async with http_client(max_in_flight) as client:
        started = time.perf_counter()
        tasks = []
        for i in range(total):
            due = started + i / rate
            if (wait := due - time.perf_counter()) > 0:
                await asyncio.sleep(wait)  # pacing the sender, not waiting for consistency
            tasks.append(asyncio.create_task(one(client, i, due)))
        await asyncio.gather(*tasks)
        elapsed = time.perf_counter() - started
    return _window(max_in_flight, elapsed, latencies, failed, offered=rate)


async def closed_loop_calls(call: Callable[[], Awaitable[bool]], *, clients: int, seconds: float) -> Window:
    """As `closed_loop`, for a call that needs no HTTP client (the asyncpg baselines)."""
    latencies: list[float] = []
    failed = 0
    stop_at = time.perf_counter() + seconds

    async def one() -> None:
        nonlocal failed
        while time.perf_counter() < stop_at:
            started = time.perf_counter()
            if await call():
                latencies.append(time.perf_counter() - started)
            else:
                failed += 1

    started = time.perf_counter()
    await asyncio.gather(*(one() for _ in range(clients)))
    return _window(clients, time.perf_counter() - started, latencies, failed)
