"""The soak's exactly-once arithmetic on synthetic rows: what counts as lost, as done twice, as a server error, and
which commands were retried with their idempotency key after a first attempt of unknown fate."""

from __future__ import annotations

from collections import Counter

from yizheng.soak.chaos import KILL, RESTART, schedule
from yizheng.soak.records import (
    ACCEPTED,
    GAVE_UP,
    NOT_SENT,
    REFUSED,
    TRANSPORT,
    Attempt,
    CommandRecord,
    StoreEvent,
    differences,
    mismatched,
    tally,
)
from yizheng.soak.report import SoakReport

VIEWS = ["gateway.proposals", "gateway.scorecard"]


def command(key: str, *event_ids: str, attempts: tuple[int, ...] = (200,), outcome: str = ACCEPTED) -> CommandRecord:
    return CommandRecord("county", key, "proposals", "submit-proposal", [Attempt(s) for s in attempts], outcome,
                         list(event_ids))


def event(event_id: str, correlation: str, tx: int, caused: bool = False) -> StoreEvent:
    return StoreEvent("proposals", event_id, correlation, tx, caused)


def in_every_view(*event_ids: str) -> list[tuple[str, str]]:
    return [(v, e) for e in event_ids for v in VIEWS]


def test_a_clean_run_counts_nothing_lost_or_duplicated() -> None:
    records = [command("k1", "e1", "e2"), command("k2", "e3")]
    events = [event("e1", "c1", 10), event("e2", "c1", 10), event("e3", "c2", 11), event("e4", "c2", 12, caused=True)]
    t = tally(records, events, in_every_view("e1", "e2", "e3", "e4"), VIEWS, ["proposals"])
    assert (t.commands, t.accepted, t.lost, t.duplicated, t.server_errors) == (2, 2, 0, 0, 0)
    assert t.store_events == 4


def test_an_accepted_command_whose_event_is_missing_from_its_store_is_lost() -> None:
    t = tally([command("k1", "e1"), command("k2", "e9")], [event("e1", "c1", 10)], in_every_view("e1"), VIEWS,
              ["proposals"])
    assert t.lost_commands == 1 and t.lost == 1


def test_an_event_one_view_has_not_applied_is_lost_to_that_view() -> None:
    inbox = [("gateway.proposals", "e1")]
    t = tally([command("k1", "e1")], [event("e1", "c1", 10)], inbox, VIEWS, ["proposals"])
    assert t.unapplied == 1 and t.lost == 1


def test_a_key_that_acted_in_two_transactions_is_duplicated_and_so_is_a_twice_applied_event() -> None:
    # The first attempt committed e1 and died before answering; a retry acted again and wrote e2.
    records = [command("k1", "e2", attempts=(TRANSPORT, 503, 200))]
    events = [event("e1", "c1", 10), event("e2", "c1", 14)]
    t = tally(records, events, in_every_view("e1", "e2"), VIEWS, ["proposals"])
    assert t.duplicated_commands == 1
    assert (t.retried_after_crash, t.acted_once_after_crash) == (1, 0)
    twice = tally([command("k1", "e1")], [event("e1", "c1", 10)], [*in_every_view("e1"), ("gateway.proposals", "e1")],
                  VIEWS, ["proposals"])
    assert twice.applied_twice == 1 and twice.duplicated == 1


def test_a_retry_after_a_crash_answered_from_the_first_attempt_acted_once() -> None:
    records = [command("k1", "e1", attempts=(TRANSPORT, 409, 200))]
    t = tally(records, [event("e1", "c1", 10), event("e5", "c1", 20, caused=True)], in_every_view("e1", "e5"), VIEWS,
              ["proposals"])
    assert (t.retried_after_crash, t.acted_once_after_crash, t.duplicated) == (1, 1, 0)


def test_a_500_is_a_server_error_and_a_503_with_retry_after_is_not() -> None:
    record = command("k1", "e1", attempts=())
    record.attempts = [Attempt(503, retry_after=True), Attempt(503), Attempt(500), Attempt(200)]
    t = tally([record], [event("e1", "c1", 1)], in_every_view("e1"), VIEWS, ["proposals"])
    assert t.server_errors == 2


def test_refusals_and_give_ups_are_counted_apart_and_unsent_steps_not_at_all() -> None:
    records = [command("k1", outcome=REFUSED), command("k2", outcome=GAVE_UP), command("k3", outcome=NOT_SENT)]
    t = tally(records, [], [], VIEWS, ["proposals"])
    assert (t.commands, t.refused, t.gave_up, t.accepted) == (2, 1, 1, 0)


def test_rows_differing_from_a_rebuild_are_counted_per_table_with_multiplicity() -> None:
    live = {"proposals": Counter({'{"id": 1}': 1, '{"id": 2}': 2}), "handling": Counter({"a": 1})}
    rebuilt = {"proposals": Counter({'{"id": 1}': 1, '{"id": 2}': 1, '{"id": 3}': 1}), "handling": Counter({"a": 1})}
    assert mismatched(live, rebuilt) == {"proposals": 2}
    assert mismatched(live, live) == {}


def test_the_line_names_every_count_and_any_failure_makes_the_report_fail() -> None:
    t = tally([command("k1", "e1")], [event("e1", "c1", 1)], in_every_view("e1"), VIEWS, ["proposals"])
    report = SoakReport(t, kills=7, restarts=2, process_restarts=7, mismatched={}, verify_ok=True, seconds=60)
    assert report.line() == "commands=1 kills=7 restarts=2 lost=0 duplicated=0 mismatched_rows=0"
    assert report.ok
    assert not SoakReport(t, 7, 2, 7, {"proposals": 1}, True, 60).ok
    assert not SoakReport(t, 7, 2, 7, {}, False, 60).ok


def test_the_chaos_plan_kills_every_kind_of_process_and_restarts_each_server_once() -> None:
    plan = schedule(["proposals", "members", "surveys", "notify"])
    targets = [a.target for a in plan]
    assert [a.target for a in plan if a.kind == RESTART] == ["postgresql", "kafka"]
    killed = {t.rsplit(":", 1)[-1] for a, t in zip(plan, targets, strict=True) if a.kind == KILL}
    assert killed == {"proposals", "members", "surveys", "notify", "gateway"}
    assert any(t.startswith("relay-leader:") for t in targets) and any(t.startswith("consumer:") for t in targets)
    assert abs(targets.index("postgresql") - targets.index("kafka")) > 1


def test_an_event_recorded_after_the_views_were_seen_caught_up_is_not_counted_as_lost_to_them() -> None:
    late = StoreEvent("proposals", "e2", "c9", 30, caused=True, settled=False)
    t = tally([command("k1", "e1")], [event("e1", "c1", 1), late], in_every_view("e1"), VIEWS, ["proposals"])
    assert t.unapplied == 0 and t.store_events == 2


def test_a_row_that_differs_from_its_rebuild_is_named_by_key_and_column() -> None:
    live: list[dict[str, object]] = [{"committee_id": "c", "appraisal_id": "a1", "phase": "closed", "issued": 40},
            {"committee_id": "c", "appraisal_id": "a2", "phase": "open", "issued": None}]
    rebuilt: list[dict[str, object]] = [{"committee_id": "c", "appraisal_id": "a1", "phase": "voting", "issued": 40},
               {"committee_id": "c", "appraisal_id": "a3", "phase": "open", "issued": None}]
    assert differences(["committee_id", "appraisal_id"], live, rebuilt) == [
        "('c', 'a1'): phase live 'closed' rebuilt 'voting'",
        "('c', 'a2'): only in the live view",
        "('c', 'a3'): only in the rebuild",
    ]
    assert differences(["committee_id", "appraisal_id"], live, live) == []
