"""Stream ids, message-db style: `<category>-<committee>-<id>`.

The category is everything before the first `-` (camelCase, no dash: `proposal`, `proposalNumbers`), so a
reader can select a category with a prefix. Every stream is named within its committee, so an id sent by a
caller of committee B names nothing of committee A."""

from __future__ import annotations

import re

CATEGORY = re.compile(r"^[a-z][A-Za-z0-9]*$")


def stream_id(category: str, committee_id: str, *ids: str | int) -> str:
    if not CATEGORY.match(category):
        raise ValueError(f"stream category {category!r} must be camelCase without '-'")
    return "-".join([category, committee_id, *(str(i) for i in ids)])


def category_of(stream: str) -> str:
    return stream.split("-", 1)[0]
