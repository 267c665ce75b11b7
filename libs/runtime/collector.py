"""CPython's cyclic garbage collector, set for a long-running process once it has started.

A full collection walks every tracked object and holds the event loop meanwhile. With a county's caches
warm (the members scorer's parsed facts, the stores' kept streams, the gateway's views) one took 90-200 ms
and came several times in ten seconds of mutations: the p99 of a mutation at half the platform's rate was
that pause. So, once a process is up, what it built to start (modules, schemas, the app) is frozen out of
every collection, and full collections come a tenth as often. The young generation keeps its default size:
requests leave cycles behind (tasks, resolver contexts), and at 50,000 allocations a young collection freed
about as many objects at once and held the loop 120-400 ms under the platform bench. A collection that still
holds the loop long is logged.

What survives a full collection is frozen too (`gc.freeze`): the warm caches are long-lived, and a full
collection that walks them again frees nothing of them (members: 273,000 objects walked in 115-179 ms, none
freed). The next full collections walk only what was promoted since (members under 16 mutating clients: 8-86
ms a full collection, against 76-157 ms walking everything). Something frozen that later becomes
garbage in a cycle waits for the next thaw: every `FULL_COLLECTIONS_PER_THAW`-th full collection unfreezes
everything first and walks it all, as CPython would each time. (Frozen objects are still freed by reference
counting; only cycles wait.)"""

from __future__ import annotations

import gc
import logging
import time
from typing import Any

log = logging.getLogger("runtime.collector")

# Allocations before a young collection (CPython's 700), young collections per middle one (10), middle ones per
# full collection (CPython's 10).
THRESHOLDS = (700, 10, 100)
# A collection holding the loop longer than this is reported.
REPORTED_PAUSE_SECONDS = 0.1
# One full collection in this many walks everything, what earlier ones froze included.
FULL_COLLECTIONS_PER_THAW = 10
FULL = 2  # the oldest generation's number

_started: dict[str, float] = {}
_full_collections = [0]


def _timed(phase: str, info: dict[str, Any]) -> None:
    if phase == "start":
        if info["generation"] == FULL and _full_collections[0] % FULL_COLLECTIONS_PER_THAW == 0:
            gc.unfreeze()  # into the oldest generation, which this collection is about to walk
        _started["at"] = time.perf_counter()
        return
    if info["generation"] == FULL:
        _full_collections[0] += 1
        gc.freeze()  # the survivors: what the next full collections need not walk again
    took = time.perf_counter() - _started.get("at", time.perf_counter())
    if took > REPORTED_PAUSE_SECONDS:
        log.warning("a generation-%d garbage collection held the process %.0f ms (%d objects freed)",
                    info["generation"], took * 1000, info["collected"])


def settle_after_start() -> None:
    """Call once the process has built and started what it runs, before it serves."""
    gc.collect()
    gc.freeze()
    _full_collections[0] = 1  # the next full collection walks only what was promoted since this freeze
    gc.set_threshold(*THRESHOLDS)
    if _timed not in gc.callbacks:
        gc.callbacks.append(_timed)
