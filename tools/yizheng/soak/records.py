"""What the soak's clients saw, command by command, and the exactly-once arithmetic over what the stores and the
views hold afterwards. Pure: no I/O, so the counting is tested on synthetic rows (tests/unit/test_soak_records.py)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

TRANSPORT = 0  # a status for "no answer": connection refused or dropped, timed out

ACCEPTED, REFUSED, GAVE_UP, NOT_SENT = "accepted", "refused", "gave_up", "not_sent"


@dataclass
class Attempt:
    status: int  # TRANSPORT, or the HTTP status
    retry_after: bool = False  # the answer carried Retry-After

    @property
    def fate_unknown(self) -> bool:
        """The client cannot know whether the command acted: no answer, or a server error."""
        return self.status == TRANSPORT or self.status >= 500

    @property
    def server_error(self) -> bool:
        """What a client must never see: a 5xx other than a 503 that says when to retry."""
        return self.status >= 500 and not (self.status == 503 and self.retry_after)


@dataclass
class CommandRecord:
    committee_id: str
    key: str
    service: str
    command: str
    attempts: list[Attempt] = field(default_factory=list)
    outcome: str = NOT_SENT
    event_ids: list[str] = field(default_factory=list)
    replayed: bool = False
    code: str = ""  # the refusal's rule, or why the client gave up

    @property
    def retried_after_unknown_fate(self) -> bool:
        """Its first attempt's fate was unknown (a crash, a restart) and a retry with the same key was answered."""
        return bool(self.attempts) and self.attempts[0].fate_unknown and self.outcome == ACCEPTED


@dataclass(frozen=True)
class StoreEvent:
    """One row of a service's events table, as the checks read it."""

    service: str
    event_id: str
    correlation_id: str
    tx_id: int
    caused: bool  # written in reaction to another event (a consumer's, a worker's), not by a command
    settled: bool = True  # recorded before the views were seen caught up (a later one may not be applied yet)


@dataclass
class Tally:
    commands: int = 0  # commands sent
    accepted: int = 0
    refused: int = 0
    gave_up: int = 0
    retried_after_crash: int = 0  # accepted after a first attempt of unknown fate
    acted_once_after_crash: int = 0
    lost_commands: int = 0  # accepted, but an answered event is not in its store
    duplicated_commands: int = 0  # one key acted in more than one transaction
    duplicated_events: int = 0  # an event id twice in a store
    store_events: int = 0
    unapplied: int = 0  # (view, event) pairs missing from the gateway's inbox
    applied_twice: int = 0  # (view, event) pairs in the inbox more than once
    server_errors: int = 0
    server_error_kinds: Counter[str] = field(default_factory=Counter)  # "<service> <command>: <status>"
    refusals: Counter[str] = field(default_factory=Counter)

    @property
    def lost(self) -> int:
        return self.lost_commands + self.unapplied

    @property
    def duplicated(self) -> int:
        return self.duplicated_commands + self.duplicated_events + self.applied_twice


def tally(records: Iterable[CommandRecord], events: Iterable[StoreEvent], inbox: Iterable[tuple[str, str]],
          views: Iterable[str], viewed_services: Iterable[str]) -> Tally:
    """`inbox`: the gateway's (consumer, event_id) rows; `views`: the inbox names every event must appear under
    once; `viewed_services`: the services whose events the gateway consumes."""
    t = Tally()
    events = list(events)
    by_id: Counter[str] = Counter(e.event_id for e in events)
    t.store_events = len(by_id)
    t.duplicated_events = sum(n - 1 for n in by_id.values() if n > 1)
    correlation_of = {e.event_id: e.correlation_id for e in events}
    acts: dict[str, set[int]] = {}
    for e in events:
        if not e.caused:
            acts.setdefault(e.correlation_id, set()).add(e.tx_id)
    for r in records:
        if r.outcome == NOT_SENT:
            continue
        t.commands += 1
        for a in r.attempts:
            if a.server_error:
                t.server_errors += 1
                t.server_error_kinds[f"{r.service} {r.command}: {a.status}"] += 1
        if r.outcome == REFUSED:
            t.refused += 1
            t.refusals[f"{r.command}: {r.code}"] += 1
            continue
        if r.outcome == GAVE_UP:
            t.gave_up += 1
            t.refusals[f"{r.command}: gave up ({r.code})"] += 1
            continue
        t.accepted += 1
        if any(i not in by_id for i in r.event_ids):
            t.lost_commands += 1
            continue
        correlations = {correlation_of[i] for i in r.event_ids}
        twice = any(len(acts.get(c, ())) > 1 for c in correlations)
        t.duplicated_commands += twice
        if r.retried_after_unknown_fate:
            t.retried_after_crash += 1
            t.acted_once_after_crash += not twice
    seen: Counter[tuple[str, str]] = Counter((c, str(i)) for c, i in inbox)
    t.applied_twice = sum(n - 1 for n in seen.values() if n > 1)
    viewed = set(viewed_services)
    names = list(views)
    for event_id in {e.event_id for e in events if e.service in viewed and e.settled}:
        t.unapplied += sum(1 for v in names if (v, event_id) not in seen)
    return t


def mismatched(live: Mapping[str, Counter[str]], rebuilt: Mapping[str, Counter[str]]) -> dict[str, int]:
    """Rows (as canonical text) in one table set but not the other, per table, counting multiplicity."""
    out = {}
    for table in sorted(set(live) | set(rebuilt)):
        a, b = live.get(table, Counter()), rebuilt.get(table, Counter())
        diff = sum(((a - b) + (b - a)).values())
        if diff:
            out[table] = diff
    return out


def differences(key: Sequence[str], live: Iterable[Mapping[str, object]], rebuilt: Iterable[Mapping[str, object]],
                limit: int = 3) -> list[str]:
    """Up to `limit` rows that differ between the live view and its rebuild, paired by the table's primary key
    `key`: the columns that differ with both values, or the side a row is missing from. So a mismatch can be
    traced to the handler that wrote it."""
    def keyed(rows: Iterable[Mapping[str, object]]) -> dict[tuple[object, ...], Mapping[str, object]]:
        return {tuple(r.get(k) for k in key): r for r in rows}

    a, b = keyed(live), keyed(rebuilt)
    out: list[str] = []
    for k in sorted(set(a) | set(b), key=repr):
        if len(out) == limit:
            break
        here, there = a.get(k), b.get(k)
        if here == there:
            continue
        if here is None or there is None:
            out.append(f"{k}: only in the {'rebuild' if here is None else 'live view'}")
            continue
        changed = sorted(c for c in set(here) | set(there) if here.get(c) != there.get(c))
        out.append(f"{k}: " + "; ".join(f"{c} live {here.get(c)!r} rebuilt {there.get(c)!r}" for c in changed))
    return out
