"""`member-registered` stored as schema version 1 (one `name`, no township) reads back as version 2."""

from __future__ import annotations

import json
from pathlib import Path
from uuid import uuid4

from contracts.members.enums import ChairRole
from contracts.members.member import MemberRegistered, family_name_of
from contracts.registry import REGISTRY
from members.tests.conftest import Client, MembersHost
from yizheng.testing.wait import WaitUntil

V1 = json.loads((Path(__file__).parents[1] / "fixtures" / "member-registered.v1.json").read_text(encoding="utf-8"))


def test_the_v1_fixture_upcasts_to_the_current_version() -> None:
    event = REGISTRY.parse("member-registered", 1, V1)
    assert isinstance(event, MemberRegistered) and REGISTRY.current_version("member-registered") == 2
    assert (event.name, event.family_name, event.township_id) == ("欧阳明", "欧阳", None)
    assert event.chair_role is ChairRole.vice_chair


def test_surnames_are_split_with_compound_surnames_in_mind() -> None:
    assert [family_name_of(n) for n in ("欧阳明", "司马光", "王芳", "马")] == ["欧阳", "司马", "王", "马"]


async def test_a_v1_event_stored_in_the_database_reads_back_as_v2(
        host: MembersHost, client: Client, wait_until: WaitUntil) -> None:
    stream = "member-county-a-m-ouyang"
    row = {"event_id": str(uuid4()), "type": "member-registered", "schema_version": 1, "committee_id": "county-a",
           "data": V1, "metadata": {"actor": {"id": "legacy-import", "role": "office_staff"},
                                    "correlation_id": str(uuid4()), "causation_id": None, "source": "members"},
           "occurred_at": "2017-01-12T08:00:00+08:00"}
    await host.pool.fetch(f"SELECT * FROM {host.store.schema}.append_events($1, 0, $2::text::jsonb)",
                             stream, json.dumps([row], ensure_ascii=False))

    [stored] = await host.store.read_stream(stream)
    assert stored.envelope.schema_version == 1, "the row is kept as it was written"
    assert isinstance(stored.event, MemberRegistered) and stored.event.family_name == "欧阳"
    # The aggregate folds the old event: the member can be updated, and the roster projection knows them.
    await client.command("update-member", {"member_id": "m-ouyang", "township_id": "chengguan"})
    roster = await wait_until(lambda: host.pool.fetchrow(
        f"SELECT family_name, township_id FROM {host.store.schema}.roster WHERE member_id = 'm-ouyang' "
        "AND township_id IS NOT NULL"), message="the roster row")
    assert dict(roster) == {"family_name": "欧阳", "township_id": "chengguan"}
