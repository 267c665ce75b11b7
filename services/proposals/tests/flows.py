"""Short paths through the workflow for the integration tests (each step a real HTTP command)."""

from __future__ import annotations

from typing import Any

from .integration_kit import Api
from .kit import OFFICE, member

ZHANG = member("m-zhang")


def draft_body(title: str = "关于加强农村饮用水安全保障的建议", **extra: Any) -> dict[str, Any]:
    return {"submitter_kind": "individual", "category": "society", "title": title,
            "case": "部分村组饮用水水质不稳定", "analysis": "管网老化，监测不足",
            "suggestions": ["更新管网", "建立水质监测制度"], **extra}


async def submitted(api: Api, title: str = "关于加强农村饮用水安全保障的建议", **extra: Any) -> str:
    pid: str = (await api.do("draft-proposal", draft_body(title, **extra), ZHANG))["proposal_id"]
    await api.do("submit-proposal", {"proposal_id": pid}, ZHANG)
    return pid


async def accepted(api: Api, title: str = "关于加强农村饮用水安全保障的建议", **extra: Any) -> str:
    pid = await submitted(api, title, **extra)
    await api.do("accept-proposal", {"proposal_id": pid, "reason": "符合立案标准"}, OFFICE)
    return pid


async def assigned(api: Api, **slip: Any) -> str:
    pid = await accepted(api)
    await api.do("assign-proposal", {"proposal_id": pid, **(slip or {"mode": "separate", "unit_ids": ["u-water"]})},
                 OFFICE)
    return pid
