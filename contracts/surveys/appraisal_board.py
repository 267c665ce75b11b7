"""The canonical forms of an appraisal's ballots and board: what a credential signs, what a tracker hashes, how
the board's chain is computed. A client that signs ballots, the service, and any verifier (the stand-alone
`tools/verify_appraisal_board.py` restates these rules without importing them) agree on these bytes.

- Canonical JSON: keys sorted, no spaces (`,` and `:`), UTF-8; every value in a ballot is ASCII.
- A ballot: `{"format", "committee_id", "appraisal_id", "credential", "marks"}`; `marks` maps a unit id to
  `{dimension id: choice}`; a blank is a missing key (an abstention), and a unit with no choice is left out.
- The signature: Ed25519 by the credential over the canonical ballot, in hex.
- The tracker: SHA-256 of the canonical ballot, in hex: the rater's receipt, to find the ballot on the board.
- The board's header (`HEADER_FIELDS`): committee, appraisal, year, kind, title, unit ids, dimension ids,
  entitled, issued and the credentials' digest, each a top-level field of the board. `header_hashes` maps each
  field to SHA-256 of its canonical value, so a verifier names the field that was changed; the genesis is
  SHA-256 of the canonical `{"format": BOARD_FORMAT, "header": header_hashes}`. Format 1 (the genesis over
  committee, appraisal, units, dimensions and digest only, with entitled and issued outside the chain) was
  never kept anywhere and is not read.
- The chain: entries sorted by tracker; each entry's hash is
  SHA-256(`prev` + "\\n" + tracker + "\\n" + signature) where `prev` is the previous entry's hash (the genesis
  for the first); the head is the last hash (the genesis on an empty board).
- The credentials' digest: SHA-256 of the sorted public keys joined by "\\n"."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from contracts.bounded import MAX_LIST_ITEMS, MAX_RECORDED_ITEMS, Identifier
from contracts.surveys.appraisal import Choice, Hex32
from contracts.topics import COMMITTEE_ID_PATTERN

BALLOT_FORMAT = "yizheng-appraisal-ballot/1"
BOARD_FORMAT = "yizheng-appraisal-board/2"
CHOICES = tuple(c.value for c in Choice)
# The round's header as the board carries it, in the order a verifier reports on it: each is chained.
HEADER_FIELDS = ("committee_id", "appraisal_id", "year", "kind", "title", "unit_ids", "dimension_ids", "entitled",
                 "issued", "credentials_digest")

# An Ed25519 signature in lower-case hex (64 bytes).
SignatureHex = Annotated[str, StringConstraints(min_length=128, max_length=128, pattern=r"^[0-9a-f]{128}$")]
# A committee id as the topics name it.
CommitteeId = Annotated[str, StringConstraints(max_length=64, pattern=COMMITTEE_ID_PATTERN)]
# One unit's choices: a dimension id -> the choice (at most 50 dimensions).
UnitMarks = Annotated[dict[Identifier, Choice], Field(max_length=MAX_LIST_ITEMS)]
# A ballot's marks: a unit id -> its choices (at most 100 units, the bound of an appraisal's subjects).
Marks = Annotated[dict[Identifier, UnitMarks], Field(max_length=MAX_RECORDED_ITEMS)]


class Ballot(BaseModel):
    """A ballot as a rater's device builds it, before signing it with the credential."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    format: Annotated[str, StringConstraints(max_length=40, pattern=f"^{BALLOT_FORMAT}$")] = BALLOT_FORMAT
    committee_id: CommitteeId
    appraisal_id: Identifier
    credential: Hex32 = Field(description="the credential's public key")
    marks: Marks = Field(default_factory=dict, description="unit id -> {dimension id -> choice}; blanks left out")


class CastBallot(BaseModel):
    """The body of `POST /appraisals/{appraisal_id}/ballots`: the ballot and its signature by the credential.
    The credential is the only authorization: no login, no token."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    ballot: Ballot
    signature: SignatureHex


def canonical(value: Any) -> bytes:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode("utf-8")


def sha256_hex(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def ballot_document(ballot: Ballot) -> dict[str, Any]:
    """The ballot as the board carries it: choices as their values, units without a choice left out."""
    marks = {unit: {dim: Choice(choice).value for dim, choice in dims.items()}
             for unit, dims in ballot.marks.items() if dims}
    return {"format": ballot.format, "committee_id": ballot.committee_id, "appraisal_id": ballot.appraisal_id,
            "credential": ballot.credential, "marks": marks}


def canonical_ballot(ballot: Ballot | Mapping[str, Any]) -> bytes:
    """The bytes a credential signs and a tracker hashes."""
    return canonical(ballot_document(ballot) if isinstance(ballot, Ballot) else dict(ballot))


def tracker_of(ballot: Ballot | Mapping[str, Any]) -> str:
    return sha256_hex(canonical_ballot(ballot))


def credentials_digest(public_keys: Iterable[str]) -> str:
    return sha256_hex("\n".join(sorted(public_keys)).encode("ascii"))


def header_hashes(board: Mapping[str, Any]) -> dict[str, str]:
    """Each header field of the board (`HEADER_FIELDS`) -> SHA-256 of its canonical value."""
    return {name: sha256_hex(canonical(board[name])) for name in HEADER_FIELDS}


def genesis(hashes: Mapping[str, str]) -> str:
    """The chain's first `prev`: it commits to every header field through its hash."""
    return sha256_hex(canonical({"format": BOARD_FORMAT, "header": dict(hashes)}))


def chain_step(prev: str, tracker: str, signature: str) -> str:
    return sha256_hex(f"{prev}\n{tracker}\n{signature}".encode("ascii"))
