"""The sealed board of a closed round, built from the ballot box, and its verification.

The board (`BOARD_FORMAT`, canonical forms in `contracts.surveys.appraisal_board`) lists every ballot that
stands (one per credential) sorted by tracker, hash-chained in that order, with the round's public keys and
the tally. It is sealed at close, not appended to while the round runs: a chain grown at cast time would
record the order ballots came in, which a watcher at the sign-in desk could match to people.

`verify` is the platform's own check (`yizheng appraisal verify`); `tools/verify_appraisal_board.py` makes the
same checks without importing anything of the project."""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from typing import Any

from contracts.surveys.appraisal import UnitResult
from contracts.surveys.appraisal_board import (
    BALLOT_FORMAT,
    BOARD_FORMAT,
    CHOICES,
    HEADER_FIELDS,
    Ballot,
    CastBallot,
    ballot_document,
    canonical,
    chain_step,
    credentials_digest,
    genesis,
    header_hashes,
    tracker_of,
)
from surveys.appraisal.credentials import signature_valid
from surveys.appraisal.round import RoundState, Sealed
from surveys.appraisal.tally import tally


def build(state: RoundState, committee_id: str, box: Iterable[tuple[Mapping[str, Any], str]], *,
          entitled: int, issued: int) -> dict[str, Any]:
    """The board of the round from the ballot box's (ballot, signature) rows, in any order."""
    keys = sorted(state.public_keys)
    header: dict[str, Any] = {
        "committee_id": committee_id, "appraisal_id": state.appraisal_id, "year": state.year,
        "kind": state.kind.value, "title": state.title, "unit_ids": list(state.unit_ids),
        "dimension_ids": list(state.dimension_ids), "entitled": entitled, "issued": issued,
        "credentials_digest": credentials_digest(keys),
    }
    hashes = header_hashes(header)
    head = genesis(hashes)
    rows = sorted(((tracker_of(b), dict(b), s) for b, s in box), key=lambda r: r[0])
    entries: list[dict[str, Any]] = []
    for tracker, ballot, signature in rows:
        prev, head = head, chain_step(head, tracker, signature)
        entries.append({"tracker": tracker, "ballot": ballot, "signature": signature, "prev": prev, "hash": head})
    return {
        "format": BOARD_FORMAT,
        **header,
        "header_hashes": hashes,
        "choices": list(CHOICES),
        "returned": len(entries),
        "public_keys": keys,
        "entries": entries,
        "head": head,
        "tally": tally(state.unit_ids, state.dimension_ids, (e["ballot"]["marks"] for e in entries)),
    }


def tracker_payload(cast: CastBallot | Ballot) -> dict[str, Any]:
    """The ballot document a cast ballot stands for on the board."""
    return ballot_document(cast.ballot if isinstance(cast, CastBallot) else cast)


def ballot_row(canonical_ballot: bytes) -> Mapping[str, Any]:
    """A ballot as the box keeps it (its canonical bytes) read back as the board carries it."""
    value: Mapping[str, Any] = json.loads(canonical_ballot)
    return value


def sealed(board: Mapping[str, Any]) -> Sealed:
    t = board["tally"]
    results = tuple(UnitResult(unit_id=r["unit_id"], satisfied=r["satisfied"],
                               basically_satisfied=r["basically_satisfied"], dissatisfied=r["dissatisfied"],
                               unknown=r["unknown"], abstained=r["abstained"], rate=r["rate"], rank=r["rank"])
                    for r in t["results"])
    return Sealed(returned=board["returned"], head=board["head"], results=results,
                  top_unit_ids=tuple(t["top_unit_ids"]), bottom_unit_ids=tuple(t["bottom_unit_ids"]))


def dumps(board: Mapping[str, Any]) -> str:
    """The board as published: indented JSON, keys sorted (the chain does not depend on the layout)."""
    return json.dumps(board, ensure_ascii=False, sort_keys=True, indent=1)


# ---- verification ----------------------------------------------------------------------------------------------

def verify(board: Mapping[str, Any], *, expected_head: str | None = None) -> list[str]:
    """What is wrong with the board, each problem naming the entry and what it is; empty when it verifies."""
    try:
        return _verify(board, expected_head)
    except (KeyError, TypeError, ValueError, AttributeError) as err:
        return [f"the board is malformed: {type(err).__name__}: {err}"]


def _verify(board: Mapping[str, Any], expected_head: str | None) -> list[str]:
    problems: list[str] = []
    if board.get("format") != BOARD_FORMAT:
        return [f"not an appraisal board of format {BOARD_FORMAT}: {board.get('format')!r}"]
    problems += _header_problems(board)
    committee, appraisal = board["committee_id"], board["appraisal_id"]
    units, dims = list(board["unit_ids"]), list(board["dimension_ids"])
    keys = list(board["public_keys"])
    if keys != sorted(set(keys)):
        problems.append("the public keys are not sorted and distinct")
    digest = credentials_digest(keys)
    if digest != board["credentials_digest"]:
        problems.append("the public keys do not match the credentials' digest (a key was changed, added or removed)")
    known = set(keys)
    head = genesis(board["header_hashes"])
    seen: set[str] = set()
    previous_tracker = ""
    entries = list(board["entries"])
    for i, e in enumerate(entries):
        where = f"entry {i} (tracker {str(e.get('tracker'))[:12]}…)"
        ballot, tracker, signature = e["ballot"], e["tracker"], e["signature"]
        if tracker <= previous_tracker:
            problems.append(f"{where}: not in tracker order after entry {i - 1} (the chain was reordered)")
        previous_tracker = tracker
        if tracker_of(ballot) != tracker:
            problems.append(f"{where}: the ballot does not match its tracker (the ballot was changed)")
        if e["prev"] != head:
            problems.append(f"{where}: its prev is not the genesis of the board's header (a header hash was changed, "
                            "or an entry was dropped or inserted before it)" if i == 0 else
                            f"{where}: its prev is not the hash before it (an entry was dropped, inserted or "
                            "reordered before it)")
        head = chain_step(head, tracker, signature)
        if e["hash"] != head:
            problems.append(f"{where}: its hash is not the chain's hash at this entry")
        if ballot.get("format") != BALLOT_FORMAT or ballot.get("committee_id") != committee \
                or ballot.get("appraisal_id") != appraisal:
            problems.append(f"{where}: the ballot is not of this round")
        credential = ballot.get("credential")
        if credential not in known:
            problems.append(f"{where}: the credential is not one of the round's public keys")
        elif not signature_valid(credential, canonical(ballot), signature):
            problems.append(f"{where}: the signature does not verify (the ballot or its signature was changed)")
        if credential in seen:
            problems.append(f"{where}: a second ballot for the same credential")
        seen.add(credential)
        for unit, marks in ballot.get("marks", {}).items():
            if unit not in units:
                problems.append(f"{where}: marks a unit not appraised: {unit}")
                continue
            for dim, choice in marks.items():
                if dim not in dims or choice not in CHOICES:
                    problems.append(f"{where}: marks {unit} with an unknown dimension or choice: {dim}={choice}")
    if head != board["head"]:
        problems.append("the board's head is not the chain's last hash (an entry was dropped at the end, or the "
                        "chain was changed)")
    if expected_head is not None and board["head"] != expected_head:
        problems.append(f"the board's head is not the head the round's close recorded ({expected_head[:12]}…)")
    problems += _count_problems(board, len(entries), len(keys))
    recomputed = tally(units, dims, (e["ballot"].get("marks", {}) for e in entries))
    if recomputed != board["tally"]:
        problems.append("the tally does not follow from the ballots: " + tally_difference(recomputed, board["tally"]))
    return problems


def _header_problems(board: Mapping[str, Any]) -> list[str]:
    """Each header field whose value is not the one its hash (and so the chain's genesis) committed to."""
    published = board["header_hashes"]
    if sorted(published) != sorted(HEADER_FIELDS):
        return [f"the header's hashes are not one per header field ({', '.join(HEADER_FIELDS)})"]
    return [f"the header's {name} was changed: {board[name]!r} is not the value the chain's genesis committed to"
            for name, digest in header_hashes(board).items() if digest != published[name]]


def _count_problems(board: Mapping[str, Any], returned: int, keys: int) -> list[str]:
    """The counts of the chained header against the ballots and the keys: one credential per entitled rater,
    no more ballots than credentials handed out, more than half of those entitled attended."""
    problems = []
    entitled, issued = board["entitled"], board["issued"]
    if entitled != keys:
        problems.append(f"entitled says {entitled} raters, but the round has {keys} public keys (one credential "
                        "per entitled rater)")
    if board["returned"] != returned:
        problems.append(f"returned says {board['returned']} ballots, the board has {returned}")
    if returned > issued:
        problems.append(f"more ballots ({returned}) than credentials handed out ({issued})")
    if 2 * issued <= entitled:
        problems.append(f"no quorum: {issued} of {entitled} entitled attended")
    if issued > keys:
        problems.append(f"more credentials handed out ({issued}) than issued ({keys})")
    return problems


def tally_difference(mine: Mapping[str, Any], theirs: Mapping[str, Any]) -> str:
    """Where the board's tally (`theirs`) differs from the ballots' (`mine`): each department and figure."""
    found = [f"{key} is {theirs.get(key)!r}, the ballots give {mine.get(key)!r}"
             for key in ("ballots", "top_unit_ids", "bottom_unit_ids") if mine.get(key) != theirs.get(key)]
    theirs_by_unit = {r.get("unit_id"): r for r in theirs.get("results", []) if isinstance(r, Mapping)}
    for r in mine["results"]:
        unit = r["unit_id"]
        t = theirs_by_unit.get(unit)
        if t is None:
            found.append(f"{unit} has no result")
            continue
        for figure, value in r.items():
            if figure == "dimensions":
                theirs_dims = {d.get("dimension_id"): d for d in t.get("dimensions") or [] if isinstance(d, Mapping)}
                for d in value:
                    td = theirs_dims.get(d["dimension_id"], {})
                    found += [f"{unit} {d['dimension_id']} {k} is {td.get(k)!r}, the ballots give {v!r}"
                              for k, v in d.items() if td.get(k) != v]
            elif t.get(figure) != value:
                found.append(f"{unit} {figure} is {t.get(figure)!r}, the ballots give {value!r}")
    appraised = {r["unit_id"] for r in mine["results"]}
    found += [f"a result for {unit}, which is not appraised" for unit in theirs_by_unit if unit not in appraised]
    return "; ".join(found[:10]) if found else "its layout differs"
