"""The one-click unsubscribe link names one person's one category, and only this platform can make one."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest
from hypothesis import given
from hypothesis import strategies as st

from eventstore.errors import DomainError
from notify.channels.settings import UnsubscribeSettings
from notify.channels.unsubscribe import PATH, UnsubscribeClaim, make_token, read_token, unsubscribe_url

SECRET = "test-unsubscribe-secret"
ids = st.text(min_size=1, max_size=40)


@given(ids, ids, ids)
def test_a_token_reads_back_as_what_was_signed(committee: str, recipient: str, category: str) -> None:
    claim = UnsubscribeClaim(committee, recipient, category)
    assert read_token(make_token(claim, SECRET), SECRET) == claim


@given(ids, ids, ids, st.data())
def test_any_changed_character_is_refused(committee: str, recipient: str, category: str, data: st.DataObject) -> None:
    token = make_token(UnsubscribeClaim(committee, recipient, category), SECRET)
    at = data.draw(st.integers(0, len(token) - 1))
    replacement = data.draw(st.sampled_from("ABCabc012-_.=").filter(lambda ch: ch != token[at]))
    tampered = token[:at] + replacement + token[at + 1:]
    try:
        claim = read_token(tampered, SECRET)
    except DomainError as err:
        assert (err.rule, err.fields) == ("unsubscribe_token_invalid", ["token"])
    else:  # base64 padding bits can change without changing the bytes: then it still names the same person
        assert claim == UnsubscribeClaim(committee, recipient, category)


def test_a_token_for_someone_else_cannot_be_made_without_the_secret() -> None:
    mine = make_token(UnsubscribeClaim("c-demo", "m-1", "deadline"), SECRET)
    forged = make_token(UnsubscribeClaim("c-demo", "m-2", "deadline"), "guessed")
    version, _, signature = mine.split(".")
    spliced = ".".join([version, forged.split(".")[1], signature])
    for token in (forged, spliced):
        with pytest.raises(DomainError, match="signature does not match"):
            read_token(token, SECRET)


@pytest.mark.parametrize(("token", "why"), [
    ("", "version.payload.signature"), ("v1.abc", "version.payload.signature"),
    ("v2.abc.def", "only v1"), ("v1.abc.!!!", "signature"), ("v1." + "a" * 2000 + ".x", "longer than"),
])
def test_a_malformed_token_is_refused_with_a_reason(token: str, why: str) -> None:
    with pytest.raises(DomainError, match=why):
        read_token(token, SECRET)


def test_the_link_points_at_the_public_route_and_carries_the_token() -> None:
    config = UnsubscribeSettings(secret=SECRET, base_url="https://cppcc.example")
    url = unsubscribe_url(UnsubscribeClaim("c-demo", "m-1", "meetings"), config)
    parts = urlsplit(url)
    assert (parts.scheme, parts.netloc, parts.path) == ("https", "cppcc.example", PATH)
    assert read_token(parse_qs(parts.query)["token"][0], SECRET) == UnsubscribeClaim("c-demo", "m-1", "meetings")


def test_production_refuses_the_development_secret(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("YIZHENG_ENV", "production")
    monkeypatch.delenv("YIZHENG_UNSUBSCRIBE_SECRET", raising=False)
    monkeypatch.setenv("YIZHENG_PUBLIC_URL", "https://cppcc.example")
    with pytest.raises(RuntimeError, match="YIZHENG_UNSUBSCRIBE_SECRET"):
        UnsubscribeSettings.from_env()
    monkeypatch.setenv("YIZHENG_UNSUBSCRIBE_SECRET", "a-real-secret")
    assert UnsubscribeSettings.from_env().secret == "a-real-secret"
