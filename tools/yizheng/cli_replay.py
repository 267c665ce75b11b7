"""`yizheng replay NAME…`: rebuild read models from the beginning of the event streams.

The replayable projections are those every listed service declares (`ServiceDefinition.projections` and
`.consumers`, named `<service>.<name>`) and the gateway's views (`gateway.replay`). A name may be given by
its last part when that is unambiguous (`yizheng replay scorecard` runs `gateway.scorecard`)."""

from __future__ import annotations

import typer

from contracts.topics import dlq
from runtime import event_loop
from runtime.replay import Replayable, ReplayOptions, of_service


def load_providers() -> dict[str, Replayable]:
    """Every replayable projection of the platform, by name."""
    from gateway.replay import replayables
    from yizheng.serve import definitions

    found = [r for d in definitions() for r in of_service(d)] + replayables()
    return {r.name: r for r in found}


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
    """Rebuild read models from the first event: empty them, then apply every event again. An event a
    projection cannot apply goes to its topic's dead-letter topic and is reported (exit status 3)."""
    from runtime import settings

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
    options = ReplayOptions(settings.database_url(), settings.kafka_access(), topic_prefix, schema)
    failed = False
    for target in targets:
        report = event_loop.run(target.run(options))
        typer.echo(f"{target.name}: rebuilt from {report.applied} events, "
                   f"{len(report.dead_lettered)} dead-lettered")
        for dead in report.dead_lettered:
            failed = True
            typer.secho(f"  dead-lettered {dead.event_id} {dead.type} (to {dlq(dead.topic)}): {dead.error}",
                        fg=typer.colors.YELLOW, err=True)
    if failed:  # rebuilt, but not whole: a script (or an operator) sees it in the exit status
        raise typer.Exit(3)
