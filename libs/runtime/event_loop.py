"""The event loop every process of the platform runs on: uvloop.

Why: the services spend much of their CPU in the event loop itself (scheduling, socket reads and writes
for PostgreSQL and Kafka round trips). Measured with the kernel benchmark's 4-client append load, uvloop
cut this process's CPU per append by about 20 % (79-84 us to 63-67 us) and raised appends/s by 5-10 %.
uvloop comes with uvicorn[standard]; the test suite runs on it too (yizheng.testing.fixtures)."""

from __future__ import annotations

import asyncio
from collections.abc import Coroutine
from typing import Any, TypeVar

import uvloop

T = TypeVar("T")


def new_event_loop() -> asyncio.AbstractEventLoop:
    return uvloop.new_event_loop()


def run(main: Coroutine[Any, Any, T]) -> T:
    """`asyncio.run(main)` on a uvloop loop."""
    with asyncio.Runner(loop_factory=new_event_loop) as runner:
        return runner.run(main)
