"""The default rulebook shipped with the service (default_rulebook.yaml; sources in
docs/rulebook-sources.md), loaded for a given year."""

from __future__ import annotations

from importlib import resources
from typing import Any

import yaml

from contracts.members.rulebook import Rulebook


def default_rulebook_data() -> dict[str, Any]:
    text = resources.files("members.scoring").joinpath("default_rulebook.yaml").read_text(encoding="utf-8")
    data: dict[str, Any] = yaml.safe_load(text)
    return data


def default_rulebook(year: int) -> Rulebook:
    """The shipped rules, dated for `year` (the values are the same every year until a committee publishes
    its own)."""
    return Rulebook.model_validate({**default_rulebook_data(), "year": year})
