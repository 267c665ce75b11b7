"""A sealed board verifies, with the platform's verifier and with the stand-alone script alike; a changed
ballot, a dropped ballot, a reordered chain, a doctored tally or a smuggled second ballot fails, naming what."""

from __future__ import annotations

import ast
import copy
import json
import sys
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from contracts.surveys import appraisal_commands as a
from surveys.appraisal import board as boards
from surveys.appraisal.credentials import generate
from surveys.appraisal.round import ROUND, Issue, Open, RoundState, check_ballot
from yizheng.cli import app

from ..appraisal_kit import UNIT_IDS, ballot, open_body, standalone_verifier
from ..kit import COMMITTEE, OFFICE, Harness

CHOICES = ["satisfied", "basically_satisfied", "dissatisfied", "unknown"]


@pytest.fixture(scope="module")
def sealed() -> dict[str, Any]:
    h: Harness[RoundState] = Harness(ROUND)
    h.run(Open("ap-2026", a.OpenAppraisal.model_validate(open_body())), OFFICE)
    slips = generate(10, COMMITTEE, "ap-2026")
    h.run(Issue(tuple(s.public_key for s in slips)), OFFICE)
    cast = [ballot(s, {u: CHOICES[(i + j) % 4] for j, u in enumerate(UNIT_IDS) if (i + j) % 5}) for i, s in
            enumerate(slips[:8])]
    box = [(boards.ballot_row(check_ballot(h.state, "ap-2026", c)), c.signature) for c in cast]
    return boards.build(h.state, COMMITTEE, box, entitled=10, issued=8)


def both(board: dict[str, Any]) -> tuple[list[str], list[str]]:
    return boards.verify(board), standalone_verifier().verify(json.loads(json.dumps(board)))


def test_a_sealed_board_verifies_with_both_verifiers(sealed: dict[str, Any]) -> None:
    assert both(sealed) == ([], [])
    trackers = [e["tracker"] for e in sealed["entries"]]
    assert trackers == sorted(trackers) and sealed["returned"] == 8
    assert boards.verify(sealed, expected_head=sealed["head"]) == []
    assert boards.verify(sealed, expected_head="0" * 64) != []


def test_a_changed_ballot_fails_naming_the_entry(sealed: dict[str, Any]) -> None:
    board = copy.deepcopy(sealed)
    marks = board["entries"][3]["ballot"]["marks"]
    marks["u-police"] = {"overall": "dissatisfied" if marks.get("u-police") != {"overall": "dissatisfied"}
                         else "satisfied"}
    mine, theirs = both(board)
    assert any(p.startswith("entry 3") and "ballot was changed" in p for p in mine), mine
    assert any(p.startswith("entry 3") and "ballot was changed" in p for p in theirs), theirs
    # Even re-hashed, the credential's signature gives it away.
    board["entries"][3]["tracker"] = boards.tracker_of(board["entries"][3]["ballot"])
    assert any("signature does not verify" in p for p in boards.verify(board))
    assert any("bad signature" in p for p in standalone_verifier().verify(board))


def test_a_dropped_ballot_fails(sealed: dict[str, Any]) -> None:
    board = copy.deepcopy(sealed)
    del board["entries"][2]
    mine, theirs = both(board)
    assert any(p.startswith("entry 2") and "dropped" in p for p in mine), mine
    assert any(p.startswith("entry 2") and "dropped" in p for p in theirs), theirs
    last = copy.deepcopy(sealed)
    last["entries"].pop()
    mine, theirs = both(last)
    assert any("head" in p and "dropped at the end" in p for p in mine), mine
    assert any("dropped at the end" in p for p in theirs), theirs
    assert any("returned says 8" in p for p in mine)


def test_a_reordered_chain_fails(sealed: dict[str, Any]) -> None:
    board = copy.deepcopy(sealed)
    board["entries"][4], board["entries"][5] = board["entries"][5], board["entries"][4]
    mine, theirs = both(board)
    assert any(p.startswith("entry 5") and "reordered" in p for p in mine), mine
    assert any(p.startswith("entry 5") and "reordered" in p for p in theirs), theirs


def test_a_doctored_tally_fails_naming_the_department_and_the_figure(sealed: dict[str, Any]) -> None:
    board = copy.deepcopy(sealed)
    board["tally"]["bottom_unit_ids"] = board["tally"]["bottom_unit_ids"][1:]
    mine, theirs = both(board)
    assert any("tally does not follow" in p and "bottom_unit_ids" in p for p in mine), mine
    assert any("tally does not follow" in p and "bottom_unit_ids" in p for p in theirs), theirs
    board = copy.deepcopy(sealed)
    court = next(r for r in board["tally"]["results"] if r["unit_id"] == "u-court")
    real = court["dissatisfied"]
    court["dissatisfied"] += 1
    court["dimensions"][0]["dissatisfied"] += 1
    mine, theirs = both(board)
    for problems in (mine, theirs):
        assert len(problems) == 1 and "tally does not follow" in problems[0], problems
        assert f"u-court dissatisfied is {real + 1}, the ballots give {real}" in problems[0], problems
        assert f"u-court overall dissatisfied is {real + 1}, the ballots give {real}" in problems[0], problems
        assert "u-police" not in problems[0]


def test_a_second_ballot_under_one_credential_or_a_foreign_key_fails(sealed: dict[str, Any]) -> None:
    board = copy.deepcopy(sealed)
    first = board["entries"][0]
    assert isinstance(first["ballot"], dict)
    # Another ballot signed by a credential the round never issued, chained in properly.
    stranger = generate(1, COMMITTEE, "ap-2026")[0]
    extra = ballot(stranger, {"u-police": "dissatisfied"})
    doc = boards.ballot_row(boards.canonical(boards.tracker_payload(extra)))
    entries = [*board["entries"], {"ballot": doc, "signature": extra.signature}]
    rebuilt = _rechain(board, entries)
    assert any("not one of the round's public keys" in p for p in boards.verify(rebuilt))
    assert any("unknown credential" in p for p in standalone_verifier().verify(rebuilt))
    # The same credential twice (a replaced ballot left on the board).
    slip_key = first["ballot"]["credential"]
    twice = dict(first["ballot"], marks={"u-tax": {"overall": "satisfied"}})
    rebuilt = _rechain(board, [*board["entries"], {"ballot": twice, "signature": first["signature"]}])
    assert slip_key and any("second ballot" in p for p in boards.verify(rebuilt))
    assert any("second ballot" in p for p in standalone_verifier().verify(rebuilt))


def _rechain(board: dict[str, Any], entries: list[dict[str, Any]], **header: Any) -> dict[str, Any]:
    """What a forger who can compute hashes would publish: header hashes, trackers, chain and head recomputed
    (with the header fields given changed)."""
    board = {**board, **header}
    hashes = boards.header_hashes(board)
    rows = sorted((boards.tracker_of(e["ballot"]), e["ballot"], e["signature"]) for e in entries)
    head = boards.genesis(hashes)
    out = []
    for tracker, b, s in rows:
        prev, head = head, boards.chain_step(head, tracker, s)
        out.append({"tracker": tracker, "ballot": b, "signature": s, "prev": prev, "hash": head})
    return {**board, "header_hashes": hashes, "entries": out, "head": head, "returned": len(out),
            "tally": boards.tally(board["unit_ids"], board["dimension_ids"], [e["ballot"]["marks"] for e in out])}


# Each header field, and a value a doctor of the board might put in its place.
DOCTORED = {"committee_id": "c-elsewhere", "appraisal_id": "ap-2025", "year": 2025, "kind": "service_windows",
            "title": "2026年度窗口行业民主评议", "unit_ids": UNIT_IDS[:-1], "dimension_ids": ["overall", "conduct"],
            "entitled": 12, "issued": 10, "credentials_digest": "0" * 64}


def test_every_header_field_is_chained() -> None:
    assert set(DOCTORED) == set(boards.HEADER_FIELDS)


@pytest.mark.parametrize("field", sorted(DOCTORED))
def test_a_changed_header_field_fails_naming_it(sealed: dict[str, Any], field: str) -> None:
    board = copy.deepcopy(sealed)
    assert board[field] != DOCTORED[field]
    board[field] = DOCTORED[field]
    mine, theirs = both(board)
    assert any(p.startswith(f"the header's {field} was changed") for p in mine), mine
    assert any(p.startswith(f"the header's {field} was changed") for p in theirs), theirs
    # The chain itself still starts from the published hashes: nothing else about it is blamed.
    assert not any(p.startswith("entry 0") and "genesis" in p for p in mine + theirs)
    # A header hash changed along with its field breaks the chain at its start.
    board["header_hashes"] = boards.header_hashes(board)
    mine, theirs = both(board)
    assert any(p.startswith("entry 0") and "genesis of the board's header" in p for p in mine), mine
    assert any(p.startswith("entry 0") and "genesis of the header" in p for p in theirs), theirs


def test_a_rechained_board_cannot_fake_the_quorum(sealed: dict[str, Any]) -> None:
    # Ten entitled, eight attended. A forger recomputing everything claims fewer entitled (a quorum for fewer
    # attendees) or more attendees than keys: the count of public keys gives both away.
    fewer = _rechain(sealed, sealed["entries"], entitled=5)
    mine, theirs = both(fewer)
    assert mine == ["entitled says 5 raters, but the round has 10 public keys (one credential per entitled rater)"]
    assert theirs == ["entitled says 5, but there are 10 public keys (one per entitled rater)"]
    for bad in ({"issued": 5}, {"issued": 11, "entitled": 11}):
        mine, theirs = both(_rechain(sealed, sealed["entries"], **bad))
        assert any("no quorum" in p or "more ballots" in p or "entitled says" in p for p in mine), (bad, mine)
        assert any("no quorum" in p or "more ballots" in p or "entitled says" in p for p in theirs), (bad, theirs)
    # Within the keys' bounds (ten attended, not eight), only the head the close recorded tells.
    more = _rechain(sealed, sealed["entries"], issued=10)
    assert both(more) == ([], [])
    assert any("the head the round's close recorded" in p for p in boards.verify(more, expected_head=sealed["head"]))
    assert standalone_verifier().verify(more, sealed["head"]) == ["the head is not the one given with --head"]


def test_a_board_of_another_format_is_not_read(sealed: dict[str, Any]) -> None:
    old = {**copy.deepcopy(sealed), "format": "yizheng-appraisal-board/1"}
    mine, theirs = both(old)
    assert len(mine) == 1 and "format yizheng-appraisal-board/2" in mine[0]
    assert len(theirs) == 1 and "format yizheng-appraisal-board/2" in theirs[0]


def test_the_cli_and_the_script_answer_ok_or_fail_by_exit_status(sealed: dict[str, Any], tmp_path: Path) -> None:
    good, bad = tmp_path / "board.json", tmp_path / "tampered.json"
    good.write_text(boards.dumps(sealed), encoding="utf-8")
    tampered = copy.deepcopy(sealed)
    del tampered["entries"][0]
    bad.write_text(boards.dumps(tampered), encoding="utf-8")
    runner = CliRunner()
    ok = runner.invoke(app, ["appraisal", "verify", str(good), "--head", sealed["head"]])
    assert ok.exit_code == 0 and f"head {sealed['head']}" in ok.output
    failed = runner.invoke(app, ["appraisal", "verify", str(bad)])
    assert failed.exit_code == 1 and "FAIL entry 0" in failed.output
    script = standalone_verifier()
    assert script.main([str(good), "--head", sealed["head"]]) == 0
    assert script.main([str(bad)]) == 1


def test_the_standalone_verifier_imports_only_the_standard_library_and_cryptography() -> None:
    path = Path(__file__).resolve().parents[4] / "tools" / "verify_appraisal_board.py"
    tree = ast.parse(path.read_text(encoding="utf-8"))
    imported: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            imported |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom):
            assert node.level == 0, f"a relative import in the stand-alone verifier (line {node.lineno})"
            imported.add(node.module or "")
        elif isinstance(node, ast.Call) and isinstance(node.func, ast.Name | ast.Attribute):
            name = node.func.id if isinstance(node.func, ast.Name) else node.func.attr
            assert name not in ("__import__", "import_module"), f"a dynamic import (line {node.lineno})"
    tops = {name.split(".")[0] for name in imported}
    assert "cryptography" in tops and "json" in tops
    assert sorted(tops - set(sys.stdlib_module_names) - {"cryptography", "__future__"}) == []
