"""The stream heads an audit anchor commits to, in a size that does not grow with the store.

An anchor signs a digest of every stream's head (`heads`: its last version and hash) and carries, in the anchor
file only, the heads that moved since the anchor before it (`changed`, checked against the signed
`changed_digest`). Listing every head in every anchor made each one grow with the store: a members store of
64,000 streams (a visit is a stream) signed 7.5 MB anchors, which the audit topic refused (Kafka's 1 MB
default), and the file grew by that every interval. Folding the file's `changed` from the first anchor gives
each anchor's heads, which the signed digest confirms; the topic's copy, without `changed`, stays a few hundred
bytes. Anchors written before this (with the whole map in `streams`, signed) are read as they are."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping, Sequence
from typing import Any

# stream -> (last version, hex hash of its last event)
Heads = dict[str, tuple[int, str]]

CHANGED = "changed"  # the anchor file's field outside the signature (its digest is inside)
WHOLE_MAP = "streams"  # anchors from before: every head, inside the signature


def digest(heads: Mapping[str, tuple[int, str]]) -> str:
    """The hex sha256 of heads in stream order (canonical JSON, so no stream id can be read two ways)."""
    rows = [[stream, version, hash_] for stream, (version, hash_) in sorted(heads.items())]
    return hashlib.sha256(json.dumps(rows, separators=(",", ":"), ensure_ascii=False).encode()).hexdigest()


def as_json(heads: Mapping[str, tuple[int, str]]) -> dict[str, list[Any]]:
    return {stream: [version, hash_] for stream, (version, hash_) in sorted(heads.items())}


def _parse(raw: Mapping[str, Sequence[Any]]) -> Heads:
    return {stream: (int(version), str(hash_)) for stream, (version, hash_) in raw.items()}


def moved(now: Heads, before: Heads | None) -> Heads:
    """The heads of `now` that differ from `before` (all of them when `before` is not known)."""
    if before is None:
        return dict(now)
    return {stream: head for stream, head in now.items() if before.get(stream) != head}


def fields(now: Heads, before: Heads | None) -> dict[str, Any]:
    """What a new anchor records of the heads: the signed digests and the file's `changed`."""
    changed = moved(now, before)
    return {"heads": digest(now), "changed_digest": digest(changed), CHANGED: as_json(changed)}


def changed_holds(record: Mapping[str, Any]) -> bool:
    """True unless the record carries a `changed` that is not what its signed digest says."""
    if CHANGED not in record:
        return True
    try:
        return digest(_parse(record[CHANGED])) == record.get("changed_digest")
    except (TypeError, ValueError):
        return False


def recorded(anchor: Mapping[str, Any]) -> Heads:
    """The heads an anchor lists itself: the whole map (before), or those that moved (now; none on the topic)."""
    raw = anchor.get(WHOLE_MAP, anchor.get(CHANGED, {}))
    return _parse(raw)


def heads_at_last(anchors: Sequence[Mapping[str, Any]]) -> Heads | None:
    """Every stream's head as of the last anchor, folded from the anchors in chain order; None when they cannot
    be told (an anchor without `changed`, from the topic alone, or a gap: the fold does not give the digest the
    last anchor signed)."""
    heads: Heads = {}
    for anchor in anchors:
        if WHOLE_MAP in anchor:
            heads = recorded(anchor)
        else:
            heads.update(recorded(anchor))
    if not anchors:
        return None
    last = anchors[-1]
    if WHOLE_MAP in last:
        return heads
    return heads if digest(heads) == last.get("heads") else None
