"""Streams already read and parsed, kept so the next read of a stream fetches and parses only what was appended
since.

A decision loads its streams whole; a stream that grows with every command (a member's score ledger, a
committee's numbering) would otherwise be fetched and parsed again, all of it, by each command: work that grows
with the stream's age. Stored events never change (the append-only trigger), so a stream's first n events, once
committed, stay its first n events. Only committed events are kept: a row is kept when its transaction is older
than every transaction in flight (`pg_snapshot_xmin`), so a reader inside a transaction never keeps its own
appends, which may yet roll back. Each read re-fetches the last kept event and compares its hash, which chains
every earlier event of the stream, so a stream removed or rewritten behind the cache (a store dropped and
installed anew, a repair by the maintenance role that recomputes the chain) is read afresh. Bounded by the number
of events held, least recently read streams first out."""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Sequence
from typing import Generic, TypeVar

E = TypeVar("E")


class StreamCache(Generic[E]):
    def __init__(self, max_events: int = 20_000) -> None:
        self.max_events = max_events
        # stream id -> (its first events, the hash of the last of them)
        self._streams: OrderedDict[str, tuple[tuple[E, ...], bytes]] = OrderedDict()
        self._held = 0
        self.hits = 0  # reads that fetched only what came after the kept events

    def kept(self, stream_id: str) -> tuple[tuple[E, ...], bytes]:
        """The stream's first events as last kept (versions 1..n) and the last one's hash, or ((), b"")."""
        found = self._streams.get(stream_id)
        if found is None:
            return (), b""
        self._streams.move_to_end(stream_id)
        return found

    def keep(self, stream_id: str, events: Sequence[E], last_hash: bytes) -> None:
        """Keep the stream's first `len(events)` events (committed, versions 1..n, in order)."""
        self.forget(stream_id)
        if not events or len(events) > self.max_events:
            return
        self._streams[stream_id] = (tuple(events), last_hash)
        self._held += len(events)
        while self._held > self.max_events:
            _, (dropped, _) = self._streams.popitem(last=False)
            self._held -= len(dropped)

    def forget(self, stream_id: str) -> None:
        found = self._streams.pop(stream_id, None)
        if found is not None:
            self._held -= len(found[0])
