"""Bounded caches of what the gateway learnt about a document's text, kept for the next request of the same text:
least recently used entries go first. Per schema where the entry holds the schema's own objects."""

from __future__ import annotations

import weakref
from collections import OrderedDict
from typing import Any

from graphql import GraphQLSchema


class Lru:
    def __init__(self, size: int) -> None:
        self.size = size
        self.items: OrderedDict[Any, Any] = OrderedDict()

    def get(self, key: Any) -> Any:
        found = self.items.get(key)
        if found is not None:
            self.items.move_to_end(key)
        return found

    def put(self, key: Any, value: Any) -> None:
        self.items[key] = value
        self.items.move_to_end(key)
        while len(self.items) > self.size:
            self.items.popitem(last=False)


class PerSchema:
    """An Lru of `size` entries for each schema (a test may build several)."""

    def __init__(self, size: int) -> None:
        self.size = size
        self._caches: weakref.WeakKeyDictionary[GraphQLSchema, Lru] = weakref.WeakKeyDictionary()

    def of(self, schema: GraphQLSchema) -> Lru:
        if (found := self._caches.get(schema)) is None:
            found = self._caches[schema] = Lru(self.size)
        return found
