"""What the store must never show: a refused command that wrote something, a committee seeing another's
proposal, a read model that disagrees with a rebuild."""

from __future__ import annotations

from datetime import date
from typing import Any

from contracts.envelope import Actor
from contracts.proposals.service import SERVICE
from eventstore.kafka_access import KafkaAccess
from eventstore.projection import replay_from_store
from eventstore.store import Checkpoint

from ..flows import ZHANG, accepted, assigned, draft_body, submitted
from ..integration_kit import COMMITTEE, OTHER_COMMITTEE, Api, FakeClock, ProposalsService, count_events
from ..kit import OFFICE, member, unit


async def test_every_refused_command_leaves_the_store_unchanged(api: Api, service: ProposalsService,
                                                                clock: FakeClock) -> None:
    pid = await assigned(api)
    joint = (await api.do("draft-proposal", draft_body(submitter_kind="joint", cosigner_member_ids=["m-li"]),
                          ZHANG))["proposal_id"]
    await api.do("submit-proposal", {"proposal_id": joint}, ZHANG)
    before = await count_events(service)
    refusals: list[tuple[str, dict[str, Any], Actor, str] | tuple[str, dict[str, Any], Actor, str, str]] = [
        ("accept-proposal", {"proposal_id": joint, "reason": "立案"}, OFFICE, "cosigners_pending"),  # two streams
        ("not-accept-proposal", {"proposal_id": joint, "converted_to": "opinion_report", "reason": "x"}, ZHANG,
         "not_authorized"),
        ("merge-proposal", {"proposal_id": joint, "into_proposal_id": "nope", "reason": "x"}, OFFICE,
         "proposal_not_found"),
        ("accept-proposal", {"proposal_id": pid, "reason": "again"}, OFFICE, "not_under_review"),
        ("assign-proposal", {"proposal_id": pid, "mode": "separate", "unit_ids": ["u-x"]}, OFFICE, "already_assigned"),
        ("reply-to-proposal", {"proposal_id": pid, "result_class": "B", "text": "计划"}, unit("u-water"),
         "commitments_required"),
        ("reply-to-proposal", {"proposal_id": pid, "result_class": "A", "text": "x"}, unit("u-roads"),
         "proposal_not_found"),
        ("evaluate-reply", {"proposal_id": pid, "unit_id": "u-water", "rating": "satisfied", "attitude": "satisfied",
                            "contact": "satisfied"}, ZHANG, "no_reply_to_evaluate"),
        ("record-holiday-schedule", {"year": 2027, "days_off": ["2027-02-08"], "workdays": ["2027-02-08"]}, OFFICE,
         "schedule_contradiction"),
        ("publish-opinion-report", {"report_id": "none", "issue": "x"}, OFFICE, "report_not_found"),
        ("submit-proposal", {"proposal_id": pid}, ZHANG, "proposal_not_found", OTHER_COMMITTEE),
    ]
    for command, body, actor, rule, *committee in refusals:
        await api.refused(command, body, actor, rule, committee[0] if committee else COMMITTEE)
    assert await count_events(service) == before


async def test_a_committee_never_sees_another_committees_proposal(api: Api, service: ProposalsService) -> None:
    pid = await accepted(api)
    other_office = OFFICE
    attempts: list[tuple[str, dict[str, Any]]] = [
        ("accept-proposal", {"proposal_id": pid, "reason": "x"}),
        ("assign-proposal", {"proposal_id": pid, "mode": "separate", "unit_ids": ["u-x"]}),
        ("designate-key-proposal", {"proposal_id": pid, "supervising_leaders": ["m-vice"]}),
    ]
    for command, body in attempts:
        await api.refused(command, body, other_office, "proposal_not_found", committee=OTHER_COMMITTEE)
    # The same id names an unrelated proposal there.
    await api.do("draft-proposal", draft_body(proposal_id=pid), member("m-zhang"), committee=OTHER_COMMITTEE)


async def test_the_read_model_rebuilds_to_the_same_answers(api: Api, service: ProposalsService,
                                                           clock: FakeClock) -> None:
    clock.set(date(2025, 3, 3))
    for i in range(3):
        await accepted(api, f"关于第{i}项农村供水工作的建议")
    clock.set(date(2026, 3, 2))
    await submitted(api)
    await api.caught_up()
    due_before = await service.parts.read_model.due(service.pool, date(2027, 1, 1))
    numbers_before = await service.parts.read_model.numbers(service.pool, "cppcc-county-a", 2025)
    await replay_from_store(service.store, service.parts.read_model)
    assert await service.parts.read_model.numbers(service.pool, "cppcc-county-a", 2025) == numbers_before == [
        "2025-001", "2025-002", "2025-003"]
    assert await service.parts.read_model.due(service.pool, date(2027, 1, 1)) == due_before


async def test_the_openapi_document_lists_every_command(api: Api) -> None:
    response = await api.http.get("/openapi.json")
    paths = response.json()["paths"]
    assert set(paths) == {f"/commands/{c.name}" for c in SERVICE.commands}  # every command of the contract
    assert "/commands/accept-proposal" in paths and "/commands/record-opinion-report-instruction" in paths


async def test_the_replay_command_rebuilds_the_read_model(api: Api, service: ProposalsService, database_url: str,
                                                          fresh_schema: str) -> None:
    from runtime.replay import ReplayOptions
    from yizheng.cli_replay import resolve

    await accepted(api)
    await api.caught_up()  # every event is readable now (no older transaction still in flight hides one)
    await service.projectors["read_model"].stop()  # else the live projector may apply them first
    replayable = resolve("proposals.read_model")
    report = await replayable.run(ReplayOptions(database_url, KafkaAccess("unused:9092"), schema=fresh_schema))
    assert report.applied == len(await service.store.read_all(Checkpoint.zero())) == 4
    assert await service.parts.read_model.numbers(service.pool, "cppcc-county-a", 2026) == ["2026-001"]


async def test_yizheng_serve_builds_the_service_from_the_process_config(database_url: str) -> None:
    from runtime.service_host import ServiceHost
    from yizheng.serve import ProcessConfig, build

    built = await build("proposals", ProcessConfig(database_url, KafkaAccess("127.0.0.1:1"), topic_prefix="t-x."))
    assert isinstance(built, ServiceHost)
    try:
        assert built.schema == "proposals"
        assert built.relay is not None and built.relay.topic == "t-x.proposals.internal"
    finally:
        await built.stop()
