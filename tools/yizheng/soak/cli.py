"""`yizheng soak`: the chaos soak (yizheng.soak)."""

from __future__ import annotations

import json
from pathlib import Path

import typer


def soak(
    minutes: float = typer.Option(9.0, min=0.5, max=240,
                                  help="how long load and chaos run (9: about 10,000 commands on 2 busy cores)"),
    committees: int = typer.Option(3, min=1, max=50, help="demo counties loaded at once, each a committee"),
    clients: int = typer.Option(16, min=1, max=128, help="concurrent clients (lanes), over all counties"),
    per_service: int = typer.Option(12, min=1, max=64, help="requests in flight to one service at a time"),
    json_file: Path | None = typer.Option(None, "--json", help="write the report as JSON to this file"),
    keep: bool = typer.Option(False, help="keep the scratch home (databases, logs) afterwards"),
) -> None:
    """Load demo counties from many clients while every kind of process is SIGKILLed in turn and PostgreSQL and
    Kafka are restarted, on infrastructure of its own; then check that every accepted command's events are in its
    store and every view exactly once, that the views equal a fresh rebuild, that `yizheng verify` passes and
    that no client saw a 500. Prints `commands=… kills=… restarts=… lost=… duplicated=… mismatched_rows=…`;
    exits 1 if any check failed."""
    from runtime import event_loop
    from yizheng.soak.run import SoakOptions
    from yizheng.soak.run import soak as run_soak

    def say(line: str) -> None:
        typer.echo(f"soak | {line}", err=True)

    report = event_loop.run(run_soak(SoakOptions(minutes, committees, clients, per_service, keep=keep), say))
    for line in [*report.chaos, *report.details(), *report.notes]:
        say(line)
    if json_file is not None:
        json_file.write_text(json.dumps(report.as_json(), indent=2, ensure_ascii=False))
    typer.echo(report.line())
    if not report.ok:
        raise typer.Exit(1)
