"""The store's cache of streams read: bounded by the events it holds, least recently read out first."""

from __future__ import annotations

from eventstore.stream_cache import StreamCache


def test_the_least_recently_read_stream_goes_first_when_the_cache_is_full() -> None:
    cache: StreamCache[int] = StreamCache(max_events=5)
    cache.keep("a", [1, 2], b"a2")
    cache.keep("b", [1, 2], b"b2")
    assert cache.kept("a") == ((1, 2), b"a2")  # read: now the most recent
    cache.keep("c", [1, 2], b"c2")
    assert cache.kept("b") == ((), b"")
    assert cache.kept("a") == ((1, 2), b"a2") and cache.kept("c") == ((1, 2), b"c2")


def test_a_stream_longer_than_the_cache_is_not_kept_and_keeping_again_replaces() -> None:
    cache: StreamCache[int] = StreamCache(max_events=3)
    cache.keep("long", [1, 2, 3, 4], b"x")
    assert cache.kept("long") == ((), b"")
    cache.keep("s", [1], b"1")
    cache.keep("s", [1, 2, 3], b"3")
    assert cache.kept("s") == ((1, 2, 3), b"3")
    cache.forget("s")
    assert cache.kept("s") == ((), b"")
    cache.keep("t", [1, 2, 3], b"3")  # the forgotten events no longer count against the bound
    assert cache.kept("t") == ((1, 2, 3), b"3")
