"""Helpers for the surveys tests: actors, a clock on China's dates, the domain's sample records, and a
harness that runs commands against a decider the way the handlers do (fold, decide, keep the events)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any, TypeVar

from contracts.envelope import Actor, Role
from yizheng.testing.command_client import ADMIN as ADMIN
from yizheng.testing.command_client import COMMITTEE as COMMITTEE
from yizheng.testing.command_client import LEADER as LEADER
from yizheng.testing.command_client import OFFICE as OFFICE
from yizheng.testing.command_client import member as member
from yizheng.testing.command_client import on as on
from yizheng.testing.command_client import unit as unit
from yizheng.testing.decider_harness import Harness as DeciderHarness
from yizheng.testing.decider_harness import types as types

SERVICE = Actor(id="surveys-worker", role=Role.service)


S = TypeVar("S")


@dataclass
class Harness(DeciderHarness[S]):
    today: date = date(2026, 4, 1)  # the surveys samples are dated in April


# ---- the domain's sample records --------------------------------------------------------------------------------

def plan_items() -> list[dict[str, Any]]:
    """Items of each kind, as the office drafts them."""
    return [
        {"item_id": "i-topic", "kind": "topic", "title": "推进县域医共体建设专题协商", "lead": "教科卫体委员会",
         "leader_member_id": "m-chen", "participating_unit_ids": ["u-health"], "planned_month": 5},
        {"item_id": "i-counterpart", "kind": "counterpart", "title": "农村生活污水治理对口协商",
         "lead": "人口资源环境委员会", "participating_unit_ids": ["u-env", "u-water"], "planned_month": 4,
         "counterpart_unit_id": "u-env"},
        {"item_id": "i-sector", "kind": "sector", "title": "民营企业融资难界别协商", "lead": "经济委员会",
         "planned_month": 6, "sectors": ["经济界", "工商联"]},
        {"item_id": "i-proposal", "kind": "proposal_handling", "title": "重点提案办理协商", "lead": "提案委员会",
         "planned_month": 7, "proposal_ids": ["p-2026-017"], "participating_unit_ids": ["u-water"]},
        {"item_id": "i-grassroots", "kind": "grassroots", "title": "城关镇老旧小区改造基层协商",
         "lead": "城关镇政协联络组", "planned_month": 9, "liaison_group": "城关镇政协联络组"},
    ]


def plan_draft(year: int = 2026, items: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    return {"year": year, "title": f"县政协{year}年度协商监督计划", "items": plan_items() if items is None else items}


def outcome(consultation_id: str, **extra: Any) -> dict[str, Any]:
    return {"consultation_id": consultation_id, "title": "关于加快农村生活污水治理的协商意见",
            "text": "建议分年度推进污水管网建设，落实运维经费。",
            "sent_to": ["county_party_committee", "county_government"],
            "sent_on": "2026-04-24", "responsible_unit_ids": ["u-env", "u-water"], "due_working_days": 5, **extra}
