"""Imports every package that declares public event types, so that the registry is complete.

Each package imports its own modules in its `__init__`."""

import importlib

PACKAGES: list[str] = ["contracts.proposals", "contracts.members", "contracts.surveys"]


def load_all() -> None:
    for name in PACKAGES:
        importlib.import_module(name)
