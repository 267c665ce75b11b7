"""The templates of the printouts: a default set in `templates/`, and per committee an override directory,
`$YIZHENG_PRINT_TEMPLATES/<committee>/<name>.html.j2`, searched first. An override may replace a template
whole, or extend the default of the same name (`{% extends "default/assignment-slip.html.j2" %}`) and change
one block: overriding `base.html.j2` that way (block `committee_name`) puts the committee's own name on
every document. Autoescape is on for every template; a variable a template uses but was not given is an
error (StrictUndefined), so a broken override fails loudly instead of printing a blank."""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from datetime import date
from functools import lru_cache
from pathlib import Path
from typing import Any

from jinja2 import (
    BaseLoader,
    ChoiceLoader,
    Environment,
    FileSystemLoader,
    PrefixLoader,
    StrictUndefined,
    TemplateError,
)

DEFAULTS = Path(__file__).resolve().parent / "templates"
OVERRIDES_VARIABLE = "YIZHENG_PRINT_TEMPLATES"
SUFFIX = ".html.j2"
# A committee id is a contracts Identifier ([A-Za-z0-9_.-]); "." and ".." would leave the override root.
_SAFE_DIRECTORY = re.compile(r"^(?!\.{1,2}$)[A-Za-z0-9_.-]{1,64}$")


class PrintTemplateError(Exception):
    """A template that cannot be rendered (a committee's override with a syntax error or an unknown variable)."""


def override_root() -> Path | None:
    """Read from the environment on each call, as `runtime.settings` reads every setting (tests monkeypatch it)."""
    raw = os.environ.get(OVERRIDES_VARIABLE, "").strip()
    return Path(raw) if raw else None


def cn_date(value: date | None, blank: str = "    年  月  日") -> str:
    """A day as Chinese documents write it, 2026年6月20日; a blank to fill in by hand when there is none."""
    return f"{value.year}年{value.month}月{value.day}日" if value else blank


@lru_cache(maxsize=128)
def _environment(root: str | None, committee_id: str) -> Environment:
    defaults = FileSystemLoader(DEFAULTS)
    loaders: list[BaseLoader] = []
    if root is not None and _SAFE_DIRECTORY.match(committee_id):
        loaders.append(FileSystemLoader(Path(root) / committee_id))  # checks mtimes: an edited file is reread
    loaders += [defaults, PrefixLoader({"default": defaults})]
    env = Environment(loader=ChoiceLoader(loaders), autoescape=True, undefined=StrictUndefined,
                      trim_blocks=True, lstrip_blocks=True)
    env.filters["cn_date"] = cn_date
    return env


def render(committee_id: str, name: str, variables: Mapping[str, Any]) -> str:
    """The document `name` (`<name>.html.j2`) as the committee's templates print it."""
    root = override_root()
    env = _environment(str(root) if root else None, committee_id)
    try:
        return env.get_template(f"{name}{SUFFIX}").render(variables)
    except TemplateError as err:
        filename, line = getattr(err, "filename", None), getattr(err, "lineno", None)  # syntax errors only
        where = f" ({filename}, line {line})" if filename else ""
        raise PrintTemplateError(f"template {name}{SUFFIX} of committee {committee_id}{where}: "
                                 f"{err.message or err}") from err
