"""The schema as a contract: `gateway/schema.graphql` is the checked-in SDL; a change that breaks existing
clients (graphql-core's `find_breaking_changes`) must be listed in `gateway/BREAKING_CHANGES.md`.

    python -m gateway.sdl check                      # exit 1 if the file is stale or a break is unmarked
    python -m gateway.sdl export                     # rewrite the file (refuses unmarked breaks)
    python -m gateway.sdl export --accept "why"      # record the breaks in the marker file, then rewrite
"""

from __future__ import annotations

import argparse
import subprocess
import sys
from datetime import date
from pathlib import Path

from graphql import build_schema as parse_sdl
from graphql import find_breaking_changes

HERE = Path(__file__).resolve().parent
SDL_PATH = HERE / "schema.graphql"
MARKER_PATH = HERE / "BREAKING_CHANGES.md"


def live_sdl() -> str:
    from gateway.schema.build import build_schema

    return build_schema(development=True).as_str() + "\n"


def breaking_changes(old_sdl: str, new_sdl: str) -> list[str]:
    """Each change of `new_sdl` that breaks a client of `old_sdl`, as `TYPE: description`."""
    changes = find_breaking_changes(parse_sdl(old_sdl), parse_sdl(new_sdl))
    return sorted(f"{c.type.name}: {c.description}" for c in changes)


def unmarked(changes: list[str], marker_text: str) -> list[str]:
    return [c for c in changes if c not in marker_text]


def marker_text() -> str:
    return MARKER_PATH.read_text(encoding="utf-8") if MARKER_PATH.exists() else ""


def base_sdl(ref: str = "HEAD") -> str | None:
    """The SDL as committed at `ref` (None outside a git checkout or before the file was committed)."""
    try:
        out = subprocess.run(["git", "show", f"{ref}:gateway/schema.graphql"], cwd=HERE, capture_output=True,
                             text=True, check=False)
    except OSError:
        return None
    return out.stdout if out.returncode == 0 else None


def accept(changes: list[str], reason: str) -> None:
    lines = [f"- {date.today().isoformat()} — {c} — {reason}" for c in changes]
    text = marker_text().rstrip("\n") + "\n" + "\n".join(lines) + "\n"
    MARKER_PATH.write_text(text, encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m gateway.sdl")
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("check", help="fail if schema.graphql is stale or a breaking change is unmarked")
    export = sub.add_parser("export", help="rewrite schema.graphql from the live schema")
    export.add_argument("--accept", metavar="REASON", help="record the breaking changes as accepted")
    args = parser.parse_args(argv)

    live = live_sdl()
    current = SDL_PATH.read_text(encoding="utf-8") if SDL_PATH.exists() else None
    breaks = breaking_changes(current, live) if current else []
    missing = unmarked(breaks, marker_text())
    if args.command == "check":
        ok = True
        if current != live:
            print("gateway/schema.graphql differs from the live schema: run `python -m gateway.sdl export`")
            ok = False
        for change in missing:
            print(f"unmarked breaking change: {change}")
            ok = False
        return 0 if ok else 1
    if missing and not args.accept:
        print("these changes break existing clients; list them in gateway/BREAKING_CHANGES.md "
              "(or export with --accept REASON):")
        for change in missing:
            print(f"  {change}")
        return 1
    if missing:
        accept(missing, args.accept)
    SDL_PATH.write_text(live, encoding="utf-8")
    print(f"wrote {SDL_PATH} ({len(live.splitlines())} lines)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
