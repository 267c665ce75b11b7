"""A view's JSON columns hold the JSON the event carried (an array, an object), never that JSON as one string:
the gateway's pool encodes a jsonb parameter itself, so a view that hands it text it already encoded stores a
string, and its rows differ from a rebuild's (the chaos soak found the appraisals view did)."""

from __future__ import annotations

from datetime import datetime

from aiokafka import AIOKafkaProducer

from contracts.clock import CHINA_TZ
from gateway.tests.conftest import Stack

OPENED = datetime(2026, 6, 1, 9, tzinfo=CHINA_TZ)
CLOSED = datetime(2026, 6, 1, 11, tzinfo=CHINA_TZ)


async def test_no_json_column_of_any_view_holds_encoded_json_as_a_string(stack: Stack,
                                                                          producer: AIOKafkaProducer) -> None:
    feed = stack.feed(producer, "c-json-cols")
    stream = f"appraisal:ap1:{feed.committee}"
    await feed.emit("appraisal-opened", {
        "appraisal_id": "ap1", "year": 2026, "kind": "law_enforcement", "title": "民主评议", "held_on": "2026-06-01",
        "subjects": [{"unit_id": "u-a", "name": "县教育局"}, {"unit_id": "u-b", "name": "县财政局"}],
        "dimensions": [{"dimension_id": "overall", "name": "总体评价"}], "special_supervisor_ids": [],
        "member_ids": ["m1", "m2"], "invited_representatives": 0, "entitled": 2}, stream=stream, at=OPENED)
    await feed.emit("appraisal-closed", {
        "appraisal_id": "ap1", "held_on": "2026-06-01", "entitled": 2, "issued": 2, "returned": 2,
        "board_head": "ab" * 32, "results": [
            {"unit_id": "u-a", "satisfied": 2, "basically_satisfied": 0, "dissatisfied": 0, "unknown": 0,
             "abstained": 0, "rate": "1.0000", "rank": 1},
            {"unit_id": "u-b", "satisfied": 0, "basically_satisfied": 1, "dissatisfied": 1, "unknown": 0,
             "abstained": 0, "rate": "0.5000", "rank": 2}],
        "top_unit_ids": ["u-a"], "bottom_unit_ids": ["u-b"]}, stream=stream, at=CLOSED)
    await feed.settle(stack.gateway.projector)
    s = stack.gateway.config.schema
    assert await stack.gateway.pool.fetchval(
        f"SELECT jsonb_typeof(results) FROM {s}.appraisals WHERE committee_id = $1", feed.committee) == "array"
    columns = await stack.gateway.pool.fetch(
        "SELECT table_name, column_name FROM information_schema.columns WHERE table_schema = $1 "
        "AND data_type = 'jsonb' ORDER BY 1, 2", s)
    assert columns, "the views have JSON columns"
    strings = {f"{c['table_name']}.{c['column_name']}": n for c in columns
               if (n := await stack.gateway.pool.fetchval(
                   f'SELECT count(*) FROM {s}."{c["table_name"]}" WHERE jsonb_typeof("{c["column_name"]}") = '
                   "'string'"))}
    assert strings == {}, strings
