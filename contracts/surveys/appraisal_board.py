"""The canonical forms of an appraisal's ballots and board: what a credential signs, what a tracker hashes, how
the board's chain is computed. A client that signs ballots, the service, and any verifier (the stand-alone
`tools/verify_appraisal_board.py` restates these rules without importing them) agree on these bytes.

- Canonical JSON: keys sorted, no spaces (`,` and `:`), UTF-8; every value in a ballot is ASCII.
- A ballot: `{"format", "committee_id", "appraisal_id", "credential", "marks"}`; `marks` maps a unit id to
  `{dimension id: choice}`; a blank is a missing key (an abstention), and a unit with no choice is left out.
- The signature: Ed25519 by the credential over the canonical ballot, in hex.
- The tracker: SHA-256 of the canonical ballot, in hex: the rater's receipt, to find the ballot on the board.
- The board: entries sorted by tracker; the genesis is SHA-256 of the canonical header (format, committee,
  appraisal, unit ids, dimension ids, the credentials' digest); each entry's hash is
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
BOARD_FORMAT = "yizheng-appraisal-board/1"
CHOICES = tuple(c.value for c in Choice)

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


def genesis(committee_id: str, appraisal_id: str, unit_ids: Iterable[str], dimension_ids: Iterable[str],
            keys_digest: str) -> str:
    return sha256_hex(canonical({"format": BOARD_FORMAT, "committee_id": committee_id, "appraisal_id": appraisal_id,
                                 "unit_ids": list(unit_ids), "dimension_ids": list(dimension_ids),
                                 "credentials_digest": keys_digest}))


def chain_step(prev: str, tracker: str, signature: str) -> str:
    return sha256_hex(f"{prev}\n{tracker}\n{signature}".encode("ascii"))
