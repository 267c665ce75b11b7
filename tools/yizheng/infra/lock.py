"""An inter-process file lock so concurrent `up`/`down` calls (parallel pytest sessions, two shells)
never start the same server twice or stop it under each other."""

from __future__ import annotations

import fcntl
import os
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from yizheng.infra.errors import InfraError


@contextmanager
def infra_lock(path: Path, timeout: float = 900.0, say: Callable[[str], None] | None = None) -> Iterator[None]:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        deadline = time.monotonic() + timeout
        announced = False
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if not announced and say is not None:
                    holder = os.pread(fd, 64, 0).decode(errors="replace").strip() or "?"
                    say(f"waiting for another infra command (pid {holder}) to finish...")
                    announced = True
                if time.monotonic() > deadline:
                    raise InfraError(f"gave up after {timeout:.0f}s waiting for the lock {path}") from None
                time.sleep(0.2)
        os.ftruncate(fd, 0)
        os.pwrite(fd, str(os.getpid()).encode(), 0)
        yield
    finally:
        os.close(fd)  # closing the descriptor releases the flock
