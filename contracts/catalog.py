"""Imports every package that declares event types, so that the registry is complete: each subpackage of
`contracts` (`contracts/<svc>/`) is one, and imports its own modules in its `__init__`. Nothing lists them."""

import importlib
import pkgutil
from pathlib import Path

HERE = Path(__file__).resolve().parent


def packages() -> list[str]:
    return sorted(f"contracts.{m.name}" for m in pkgutil.iter_modules([str(HERE)]) if m.ispkg and m.name != "tests")


def load_all() -> None:
    """Every event type, and every public view (`contracts/<svc>/public.py`, where a package has one)."""
    for name in packages():
        package = importlib.import_module(name)
        if (Path(package.__file__ or "").parent / "public.py").is_file():
            importlib.import_module(f"{name}.public")
