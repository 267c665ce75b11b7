"""`yizheng replay NAME…`: rebuild read models from the beginning of the event streams.

A registry of replayable projections by name. Each provider module registers its own when imported:

    from yizheng.cli_replay import ReplayOptions, replayable

    @replayable("myservice.some_view", "what it holds")
    async def _replay(options: ReplayOptions) -> int:   # returns how many events were applied
        ...

and is listed once in PROVIDERS below. A name may be given by its last part when that is unambiguous
(`yizheng replay scorecard` runs `gateway.scorecard`)."""

from __future__ import annotations

import importlib
import logging
from collections.abc import Callable, Coroutine
from dataclasses import dataclass
from typing import Any

import typer

from yizheng import event_loop

log = logging.getLogger("yizheng.replay")

# Modules that register replayable projections when imported (one line per provider).
PROVIDERS: list[str] = [
    "gateway.replay",
    "proposals.replay",
    "members.replay",
]


@dataclass(frozen=True)
class ReplayOptions:
    dsn: str
    kafka_bootstrap: str
    topic_prefix: str = ""
    schema: str | None = None  # None: the provider's default schema


Runner = Callable[[ReplayOptions], Coroutine[Any, Any, int]]


@dataclass(frozen=True)
class Replayable:
    name: str
    description: str
    run: Runner


REGISTRY: dict[str, Replayable] = {}


def register(name: str, description: str, run: Runner) -> None:
    existing = REGISTRY.get(name)
    if existing is not None and existing.run is not run:
        raise ValueError(f"a replayable projection named {name!r} is already registered")
    REGISTRY[name] = Replayable(name, description, run)


def replayable(name: str, description: str) -> Callable[[Runner], Runner]:
    def decorate(run: Runner) -> Runner:
        register(name, description, run)
        return run

    return decorate


def load_providers() -> dict[str, Replayable]:
    """Import every provider; one that cannot be imported (a service being built) is skipped with a warning,
    so the others stay replayable."""
    for module in PROVIDERS:
        try:
            importlib.import_module(module)
        except Exception as err:
            log.warning("replayable projections of %s are not available: %s", module, err)
    return REGISTRY


def resolve(name: str) -> Replayable:
    known = load_providers()
    if name in known:
        return known[name]
    matches = [r for n, r in known.items() if n.rsplit(".", 1)[-1] == name]
    if len(matches) == 1:
        return matches[0]
    if matches:
        raise KeyError(f"{name!r} is ambiguous: {', '.join(sorted(m.name for m in matches))}")
    raise KeyError(f"no replayable projection {name!r} (known: {', '.join(sorted(known))})")


def replay(
    names: list[str] = typer.Argument(None, help="projections to rebuild (see --list)"),
    list_: bool = typer.Option(False, "--list", help="list the replayable projections and exit"),
    topic_prefix: str = typer.Option("", "--topic-prefix", help="prefix of the topics (tests, shared clusters)"),
    schema: str | None = typer.Option(None, "--schema", help="the PostgreSQL schema of the projection"),
) -> None:
    """Rebuild read models from the first event: empty them, then apply every event again."""
    from yizheng import settings

    known = load_providers()
    if list_ or not names:
        for name in sorted(known):
            typer.echo(f"{name:32} {known[name].description}")
        return
    try:
        targets = [resolve(n) for n in names]
    except KeyError as err:
        typer.secho(str(err.args[0]), fg=typer.colors.RED, err=True)
        raise typer.Exit(2) from None
    options = ReplayOptions(settings.database_url(), settings.kafka_bootstrap(), topic_prefix, schema)
    for target in targets:
        applied = event_loop.run(target.run(options))
        typer.echo(f"{target.name}: rebuilt from {applied} events")
