"""Imports every package that declares event types, so that the registry is complete: each subpackage of
`contracts` (`contracts/<svc>/`) is one, and imports its own modules in its `__init__`. Nothing lists them."""

import importlib
import pkgutil
from pathlib import Path

HERE = Path(__file__).resolve().parent


def packages() -> list[str]:
    return sorted(f"contracts.{m.name}" for m in pkgutil.iter_modules([str(HERE)]) if m.ispkg and m.name != "tests")


def load_all() -> None:
    for name in packages():
        importlib.import_module(name)
