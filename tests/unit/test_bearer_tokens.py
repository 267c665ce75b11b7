"""Bearer tokens as every process checks them: a verified token is kept until it expires, never past it, and
never across a change of the key that verified it."""

from __future__ import annotations

import time

import pytest

from contracts.envelope import Role
from runtime import auth
from runtime.auth import InvalidToken, issue_token, verify_token


def test_a_member_token_names_the_member_and_the_committee() -> None:
    principal = verify_token(issue_token(Role.member, "county-a", member_id="m-1"))
    assert (principal.committee_id, principal.role, principal.actor.member_id) == ("county-a", Role.member, "m-1")
    assert verify_token(issue_token(Role.member, "county-a", member_id="m-1")) == principal


def test_an_expired_token_is_refused() -> None:
    with pytest.raises(InvalidToken, match="expired"):
        verify_token(issue_token(Role.office_staff, "county-a", ttl_seconds=-10))


def test_a_token_kept_after_its_check_is_refused_once_it_expires(monkeypatch: pytest.MonkeyPatch) -> None:
    token = issue_token(Role.leadership, "county-a", ttl_seconds=60)
    verify_token(token)
    later = time.time() + 120
    monkeypatch.setattr(auth.time, "time", lambda: later)
    checked: list[str] = []

    def check_again(token: str, jwks_url: str | None) -> tuple[auth.Principal, float]:
        checked.append(token)  # PyJWT reads the real clock, so the check it makes is stood in for here
        raise InvalidToken("invalid bearer token: Signature has expired")

    monkeypatch.setattr(auth, "_verify", check_again)
    with pytest.raises(InvalidToken, match="expired"):
        verify_token(token)
    assert checked == [token]


def test_a_token_verified_under_one_key_is_refused_once_the_key_changes(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("YIZHENG_JWT_SECRET", "the-first-key-of-at-least-thirty-two-bytes")
    token = issue_token(Role.office_staff, "county-a")
    verify_token(token)
    monkeypatch.setenv("YIZHENG_JWT_SECRET", "another-key-of-at-least-thirty-two-bytes!")
    with pytest.raises(InvalidToken, match="Signature verification failed"):
        verify_token(token)
