"""Credentials of an appraisal round: Ed25519 key pairs. The service generates them, keeps only the public keys
(in `appraisal-credentials-issued`), and hands the private parts once to the office as slips; it never stores
them, logs them or answers with them again. An online round's private parts wait in the service's pool of
undrawn slips until each is drawn, once, by a rater (`surveys.appraisal.box`).

A slip's code is the private key's 32-byte seed in base32 (52 letters and digits, in groups of four, easy to
type); its QR code carries `YZAPPRAISAL:<committee>:<appraisal>:<code>`. A rater's device turns the code back
into the key and signs the canonical ballot (`contracts.surveys.appraisal_board`)."""

from __future__ import annotations

import base64
from dataclasses import dataclass

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.serialization import Encoding, NoEncryption, PrivateFormat, PublicFormat

from contracts.surveys.appraisal_board import Ballot, canonical_ballot

QR_PREFIX = "YZAPPRAISAL"


@dataclass(frozen=True)
class Slip:
    """What one printed slip carries: the private part (never stored) and the public key it belongs to."""

    code: str
    public_key: str
    qr: str


def _public_hex(key: Ed25519PrivateKey) -> str:
    return key.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw).hex()


def code_of(key: Ed25519PrivateKey) -> str:
    raw = base64.b32encode(key.private_bytes(Encoding.Raw, PrivateFormat.Raw, NoEncryption())).decode("ascii")
    letters = raw.rstrip("=")
    return "-".join(letters[i:i + 4] for i in range(0, len(letters), 4))


def key_of(code: str) -> Ed25519PrivateKey:
    """The private key a slip's code (or its QR payload) stands for; spaces, dashes and case do not matter."""
    if code.startswith(f"{QR_PREFIX}:"):
        code = code.rsplit(":", 1)[1]
    letters = "".join(ch for ch in code.upper() if ch.isalnum())
    seed = base64.b32decode(letters + "=" * (-len(letters) % 8))
    if len(seed) != 32:
        raise ValueError("a credential code stands for 32 bytes")
    return Ed25519PrivateKey.from_private_bytes(seed)


def generate(count: int, committee_id: str, appraisal_id: str) -> list[Slip]:
    """`count` fresh credentials, in no particular order."""
    return [slip_of(code_of(Ed25519PrivateKey.generate()), committee_id, appraisal_id) for _ in range(count)]


def slip_of(code: str, committee_id: str, appraisal_id: str) -> Slip:
    """The slip a code stands for: its public key and its QR payload."""
    return Slip(code=code, public_key=_public_hex(key_of(code)), qr=f"{QR_PREFIX}:{committee_id}:{appraisal_id}:{code}")


def public_key_of(code: str) -> str:
    return _public_hex(key_of(code))


def sign(code: str, ballot: Ballot) -> str:
    """What a rater's device does: the signature (hex) of the canonical ballot by the slip's key."""
    return key_of(code).sign(canonical_ballot(ballot)).hex()


def signature_valid(public_key: str, message: bytes, signature: str) -> bool:
    try:
        Ed25519PublicKey.from_public_bytes(bytes.fromhex(public_key)).verify(bytes.fromhex(signature), message)
    except (InvalidSignature, ValueError):
        return False
    return True
