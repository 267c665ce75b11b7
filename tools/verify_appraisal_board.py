#!/usr/bin/env python3
"""Verify a published democratic-appraisal board (民主评议公示栏) on your own machine.

    python verify_appraisal_board.py BOARD.json [--head HEX]

Needs only Python 3.11+ and the `cryptography` package; it imports nothing of the platform, so anyone can
read all of it. It recomputes, from the board alone:

- the credentials' digest from the public keys (compare it with `appraisal-credentials-issued`),
- every tracker (SHA-256 of the canonical ballot: JSON, keys sorted, no spaces, UTF-8),
- the round's header (committee, appraisal, year, kind, title, units, dimensions, entitled, issued, the
  credentials' digest): each field's SHA-256 in `header_hashes`, which the chain's genesis commits to
  (genesis = SHA-256 of the canonical {"format", "header": header_hashes}),
- the chain: entries sorted by tracker; each hash = SHA-256(prev + "\\n" + tracker + "\\n" + signature); the
  head (compare it with `appraisal-closed`, or pass it with --head),
- every Ed25519 signature against the round's public keys, one ballot per credential, only the round's units,
  dimensions and choices,
- from the chained header: entitled = the number of public keys, returned <= issued, the quorum (more than
  half of those entitled attended),
- the tally, naming each department and figure that differs: counts per choice and abstentions per unit
  (pooled over dimensions and per dimension), the satisfaction rate (satisfied + basically satisfied over
  those three; "unknown" and blanks left out), the rank with ties (1, 2, 2, 4), the top three and the bottom
  three (ties included).

Exit status 0 when everything verifies; 1 with each problem printed (naming the entry) otherwise."""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

BOARD_FORMAT = "yizheng-appraisal-board/2"
BALLOT_FORMAT = "yizheng-appraisal-ballot/1"
CHOICES = ["satisfied", "basically_satisfied", "dissatisfied", "unknown"]
HEADER = ["committee_id", "appraisal_id", "year", "kind", "title", "unit_ids", "dimension_ids", "entitled", "issued",
          "credentials_digest"]


def canonical(value: Any) -> bytes:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode("utf-8")


def sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def signed_by(public_key: str, message: bytes, signature: str) -> bool:
    try:
        Ed25519PublicKey.from_public_bytes(bytes.fromhex(public_key)).verify(bytes.fromhex(signature), message)
        return True
    except (InvalidSignature, ValueError):
        return False


def rate_text(rate: Fraction | None) -> str | None:
    if rate is None:
        return None
    d = (Decimal(rate.numerator) / Decimal(rate.denominator)).quantize(Decimal("0.0001"), rounding=ROUND_HALF_UP)
    return f"{d:.4f}"


def rate_of(c: dict[str, int]) -> Fraction | None:
    knew = c["satisfied"] + c["basically_satisfied"] + c["dissatisfied"]
    return Fraction(c["satisfied"] + c["basically_satisfied"], knew) if knew else None


def tally(units: list[str], dims: list[str], all_marks: list[dict[str, dict[str, str]]]) -> dict[str, Any]:
    def zero() -> dict[str, int]:
        return {"satisfied": 0, "basically_satisfied": 0, "dissatisfied": 0, "unknown": 0, "abstained": 0}

    pooled = {u: zero() for u in units}
    per = {u: {d: zero() for d in dims} for u in units}
    for marks in all_marks:
        for u in units:
            for d in dims:
                choice = marks.get(u, {}).get(d) or "abstained"
                pooled[u][choice] += 1
                per[u][d][choice] += 1
    rates = {u: rate_of(pooled[u]) for u in units}
    rated = [r for r in rates.values() if r is not None]
    rank = {u: 1 + len([o for o in rated if o > r]) for u, r in rates.items() if r is not None}
    low = {u: 1 + len([o for o in rated if o < r]) for u, r in rates.items() if r is not None}
    pos = {u: i for i, u in enumerate(units)}
    results = []
    for u in units:
        c = pooled[u]
        results.append({"unit_id": u, **c, "knew": c["satisfied"] + c["basically_satisfied"] + c["dissatisfied"],
                        "rate": rate_text(rates[u]), "rank": rank.get(u),
                        "dimensions": [{"dimension_id": d, **per[u][d], "rate": rate_text(rate_of(per[u][d]))}
                                       for d in dims]})
    return {"ballots": len(all_marks), "results": results,
            "top_unit_ids": sorted([u for u in rank if rank[u] <= 3], key=lambda u: (rank[u], pos[u])),
            "bottom_unit_ids": sorted([u for u in low if low[u] <= 3], key=lambda u: (low[u], pos[u]))}


def tally_difference(mine: dict[str, Any], theirs: dict[str, Any]) -> str:
    found = [f"{k} is {theirs.get(k)!r}, the ballots give {mine[k]!r}"
             for k in ("ballots", "top_unit_ids", "bottom_unit_ids") if mine[k] != theirs.get(k)]
    theirs_by_unit = {r.get("unit_id"): r for r in theirs.get("results", []) if isinstance(r, dict)}
    for r in mine["results"]:
        u, t = r["unit_id"], theirs_by_unit.get(r["unit_id"])
        if t is None:
            found.append(f"{u} has no result")
            continue
        for k, v in r.items():
            if k == "dimensions":
                t_dims = {d.get("dimension_id"): d for d in t.get("dimensions") or [] if isinstance(d, dict)}
                for d in v:
                    td = t_dims.get(d["dimension_id"], {})
                    found += [f"{u} {d['dimension_id']} {dk} is {td.get(dk)!r}, the ballots give {dv!r}"
                              for dk, dv in d.items() if td.get(dk) != dv]
            elif t.get(k) != v:
                found.append(f"{u} {k} is {t.get(k)!r}, the ballots give {v!r}")
    appraised = {r["unit_id"] for r in mine["results"]}
    found += [f"a result for {u}, which is not appraised" for u in theirs_by_unit if u not in appraised]
    return "; ".join(found[:10]) if found else "its layout differs"


def verify(board: dict[str, Any], expected_head: str | None = None) -> list[str]:
    out: list[str] = []
    if board.get("format") != BOARD_FORMAT:
        return [f"not a board of format {BOARD_FORMAT}"]
    hashes = board["header_hashes"]
    if sorted(hashes) != sorted(HEADER):
        out.append(f"the header's hashes are not one per header field ({', '.join(HEADER)})")
    else:
        for name in HEADER:
            if sha(canonical(board[name])) != hashes[name]:
                out.append(f"the header's {name} was changed: {board[name]!r} is not the value the chain's genesis "
                           "committed to")
    committee, appraisal = board["committee_id"], board["appraisal_id"]
    units, dims, keys = list(board["unit_ids"]), list(board["dimension_ids"]), list(board["public_keys"])
    if keys != sorted(set(keys)):
        out.append("the public keys are not sorted and distinct")
    if sha("\n".join(sorted(keys)).encode("ascii")) != board["credentials_digest"]:
        out.append("the public keys do not match the credentials' digest")
    head = sha(canonical({"format": BOARD_FORMAT, "header": hashes}))
    seen: set[str] = set()
    last = ""
    for i, e in enumerate(board["entries"]):
        name = f"entry {i} (tracker {str(e['tracker'])[:12]}...)"
        ballot = e["ballot"]
        if e["tracker"] <= last:
            out.append(f"{name}: out of tracker order (the chain was reordered)")
        last = e["tracker"]
        if sha(canonical(ballot)) != e["tracker"]:
            out.append(f"{name}: the ballot does not match its tracker (the ballot was changed)")
        if e["prev"] != head:
            out.append(f"{name}: prev is not the genesis of the header (a header hash was changed, or an entry was "
                       "dropped or inserted before it)" if i == 0 else
                       f"{name}: prev is not the hash before it (an entry was dropped, inserted or reordered)")
        head = sha(f"{head}\n{e['tracker']}\n{e['signature']}".encode("ascii"))
        if e["hash"] != head:
            out.append(f"{name}: hash is not the chain's hash here")
        if (ballot.get("format"), ballot.get("committee_id"), ballot.get("appraisal_id")) != (
                BALLOT_FORMAT, committee, appraisal):
            out.append(f"{name}: the ballot is not of this round")
        cred = ballot.get("credential")
        if cred not in keys:
            out.append(f"{name}: unknown credential")
        elif not signed_by(cred, canonical(ballot), e["signature"]):
            out.append(f"{name}: bad signature")
        if cred in seen:
            out.append(f"{name}: a second ballot for the same credential")
        seen.add(cred)
        for u, marks in ballot.get("marks", {}).items():
            if u not in units or any(d not in dims or c not in CHOICES for d, c in marks.items()):
                out.append(f"{name}: marks an unknown unit, dimension or choice ({u})")
    if head != board["head"]:
        out.append("the head is not the chain's last hash (an entry was dropped at the end, or the chain changed)")
    if expected_head and board["head"] != expected_head:
        out.append("the head is not the one given with --head")
    n, entitled, issued = len(board["entries"]), board["entitled"], board["issued"]
    if entitled != len(keys):
        out.append(f"entitled says {entitled}, but there are {len(keys)} public keys (one per entitled rater)")
    if board["returned"] != n:
        out.append(f"returned says {board['returned']}, the board has {n} ballots")
    if n > issued:
        out.append(f"more ballots ({n}) than credentials handed out ({issued})")
    if 2 * issued <= entitled:
        out.append(f"no quorum: {issued} of {entitled} attended")
    if issued > len(keys):
        out.append("more credentials handed out than issued")
    recomputed = tally(units, dims, [e["ballot"].get("marks", {}) for e in board["entries"]])
    if recomputed != board["tally"]:
        out.append("the tally does not follow from the ballots: " + tally_difference(recomputed, board["tally"]))
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Verify a published appraisal board.")
    parser.add_argument("board", help="the board's JSON file")
    parser.add_argument("--head", help="the chain head the round's close recorded (appraisal-closed.board_head)")
    args = parser.parse_args(argv)
    with open(args.board, encoding="utf-8") as f:
        board = json.load(f)
    try:
        problems = verify(board, args.head)
    except (KeyError, TypeError, ValueError, AttributeError) as err:
        problems = [f"the board is malformed: {type(err).__name__}: {err}"]
    if problems:
        for p in problems:
            print(f"FAIL {p}")
        return 1
    print(f"OK {board['appraisal_id']} ({board['year']} {board['kind']}: {board['title']}): "
          f"{board['returned']} ballots of {board['issued']} handed out ({board['entitled']} entitled); "
          f"head {board['head']}; credentials {board['credentials_digest']}")
    t = board["tally"]
    print("top: " + ", ".join(t["top_unit_ids"]) + "; bottom: " + ", ".join(t["bottom_unit_ids"]))
    return 0


if __name__ == "__main__":
    sys.exit(main())
