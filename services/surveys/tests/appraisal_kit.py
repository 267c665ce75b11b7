"""Helpers for the appraisal tests: a round of the county's departments, slips, ballots signed the way a rater's
device signs them, and the stand-alone verifier loaded from its file (it imports nothing of the project)."""

from __future__ import annotations

import importlib.util
from pathlib import Path
from types import ModuleType
from typing import Any

from contracts.surveys.appraisal_board import Ballot, CastBallot
from surveys.appraisal.credentials import Slip, sign
from yizheng.testing.command_client import COMMITTEE

UNITS = [("u-police", "县公安局"), ("u-market", "县市场监管局"), ("u-tax", "县税务局"), ("u-court", "县人民法院"),
         ("u-traffic", "县交警大队"), ("u-permits", "县政务服务中心")]
UNIT_IDS = [u for u, _ in UNITS]
SUPERVISORS = ["m-zhao", "m-qian", "m-sun"]
MEMBERS = ["m-li", "m-zhou", "m-wu", "m-zheng", "m-wang"]


def open_body(appraisal_id: str = "ap-2026", *, invited: int = 2, **extra: Any) -> dict[str, Any]:
    """Ten entitled: three special supervisors, five members, two invited representatives."""
    return {"appraisal_id": appraisal_id, "year": 2026, "kind": "law_enforcement",
            "title": "2026年度执纪执法部门民主评议", "held_on": "2026-06-10",
            "subjects": [{"unit_id": u, "name": n} for u, n in UNITS],
            "special_supervisor_ids": SUPERVISORS, "member_ids": MEMBERS, "invited_representatives": invited, **extra}


def ballot(slip: Slip, marks: dict[str, str] | dict[str, dict[str, str]], *, appraisal_id: str = "ap-2026",
           committee_id: str = COMMITTEE) -> CastBallot:
    """A ballot signed by the slip's key; `marks` unit -> choice (the one dimension) or unit -> {dim: choice}."""
    full = {u: (m if isinstance(m, dict) else {"overall": m}) for u, m in marks.items()}
    b = Ballot(committee_id=committee_id, appraisal_id=appraisal_id, credential=slip.public_key,
               marks=full)  # type: ignore[arg-type]
    return CastBallot(ballot=b, signature=sign(slip.code, b))


def standalone_verifier() -> ModuleType:
    path = Path(__file__).resolve().parents[3] / "tools" / "verify_appraisal_board.py"
    spec = importlib.util.spec_from_file_location("verify_appraisal_board", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module
