"""Poll instead of sleep: eventual consistency is awaited with a deadline, never guessed with a nap."""

from __future__ import annotations

import asyncio
import inspect
from collections.abc import Awaitable, Callable
from typing import Any, Protocol, TypeVar, overload

T = TypeVar("T")


@overload
async def wait_until(
    predicate: Callable[[], Awaitable[T]],
    timeout: float = ...,
    interval: float = ...,
    message: str = ...,
) -> T: ...
@overload
async def wait_until(
    predicate: Callable[[], T],
    timeout: float = ...,
    interval: float = ...,
    message: str = ...,
) -> T: ...


async def wait_until(
    predicate: Callable[[], Any],
    timeout: float = 10.0,
    interval: float = 0.02,
    message: str = "condition",
) -> Any:
    """Call `predicate` (sync or async) until it returns something truthy and return that value;
    raise AssertionError naming `message` and the last value (or exception) after `timeout` seconds.
    Exceptions from the predicate count as 'not yet' until the deadline."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while True:
        last: Any
        error: Exception | None = None
        try:
            result = predicate()
            if inspect.isawaitable(result):
                result = await result
            if result:
                return result
            last = result
        except Exception as exc:  # e.g. a table the projector has not created yet, or a failed assert
            last, error = exc, exc
        if loop.time() >= deadline:
            raise AssertionError(f"timed out after {timeout:g}s waiting for {message}; last: {last!r}") from error
        await asyncio.sleep(interval)


class WaitUntil(Protocol):
    """The type of the `wait_until` fixture, for annotating test parameters."""

    def __call__(
        self, predicate: Callable[[], Any], timeout: float = ..., interval: float = ..., message: str = ...
    ) -> Awaitable[Any]: ...
