"""The one error local infrastructure raises: its message says plainly what is missing or broken."""

from __future__ import annotations

from pathlib import Path


class InfraError(RuntimeError):
    pass


def log_tail(path: Path, lines: int = 30) -> str:
    """The last lines of a log file, indented, for error messages ('' if there is no log)."""
    try:
        text = path.read_text(errors="replace")
    except OSError:
        return ""
    tail = text.splitlines()[-lines:]
    if not tail:
        return ""
    return f"\n--- last {len(tail)} lines of {path} ---\n" + "\n".join("    " + line for line in tail)
