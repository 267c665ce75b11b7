"""Imports run downward only: contracts <- kernel (eventstore) <- runtime <- services <- gateway and tooling.

Walks every module of the repository (tests left out: they stand on top of everything) and fails on an
import that runs upward or sideways between services, naming the file, the line and the import."""

from __future__ import annotations

import ast
from pathlib import Path

from contracts import platform

ROOT = Path(__file__).resolve().parents[2]
SERVICES = set(platform.SERVICES) | {"surveys", "notify"}
# Each top-level package, and the packages it may import.
LAYERS: dict[str, set[str]] = {
    "contracts": {"contracts"},
    "eventstore": {"contracts", "eventstore"},
    "runtime": {"contracts", "eventstore", "runtime"},
    **{s: {"contracts", "eventstore", "runtime", s} for s in SERVICES},
    "gateway": {"contracts", "eventstore", "runtime", "gateway"},
    "yizheng": {"contracts", "eventstore", "runtime", "gateway", "yizheng", *SERVICES},
}
SOURCE_ROOTS = {"contracts": ROOT / "contracts", "eventstore": ROOT / "libs" / "eventstore",
                "runtime": ROOT / "libs" / "runtime", "gateway": ROOT / "gateway",
                "yizheng": ROOT / "tools" / "yizheng", **{s: ROOT / "services" / s for s in SERVICES}}


def first_party(name: str) -> str | None:
    top = name.split(".", 1)[0]
    return top if top in LAYERS else None


def imports(path: Path) -> list[tuple[int, str]]:
    tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
    found: list[tuple[int, str]] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [(node.lineno, a.name) for a in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.append((node.lineno, node.module))
    return found


def is_test(path: Path, root: Path) -> bool:
    parts = path.relative_to(root).parts
    return "tests" in parts or path.name.startswith("test_") or path.name == "conftest.py"


def upward_imports() -> list[str]:
    wrong = []
    for package, root in SOURCE_ROOTS.items():
        if not root.exists():
            continue
        for path in sorted(root.rglob("*.py")):
            if is_test(path, root):
                continue
            for line, name in imports(path):
                target = first_party(name)
                if target is not None and target not in LAYERS[package]:
                    wrong.append(f"{path.relative_to(ROOT)}:{line} imports {name} ({package} -> {target})")
    return wrong


def test_no_import_runs_upward_or_between_services() -> None:
    assert upward_imports() == []


def test_the_walk_sees_an_upward_import(tmp_path: Path) -> None:
    """The check can fail: a kernel module importing the runtime is found."""
    module = tmp_path / "bad.py"
    module.write_text("from runtime.auth import bearer\nimport contracts\n")
    assert [(line, name) for line, name in imports(module) if first_party(name) not in LAYERS["eventstore"]] == [
        (1, "runtime.auth")]
