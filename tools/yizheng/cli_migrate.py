"""`yizheng migrate [NAME...]`: create or upgrade schemas before a release serves (Kubernetes runs it as an
init container). Idempotent and serialised by the kernel's install lock; needs only DATABASE_URL."""

from __future__ import annotations

import typer

from runtime import event_loop


def migrate(
    names: list[str] = typer.Argument(None, help="processes to migrate (default: all)"),
    wait_seconds: float = typer.Option(60.0, help="how long to wait for the database to answer"),
) -> None:
    """Install or upgrade each process's schema (event store, private tables, read models)."""
    from yizheng.serve import migrate as run
    from yizheng.serve import processes

    known = processes()
    unknown = [n for n in names or [] if n not in known]
    if unknown:
        raise typer.BadParameter(f"unknown process {', '.join(unknown)}; choose from {', '.join(known)}")
    try:
        done = event_loop.run(run(list(names or []), wait_seconds=wait_seconds))
    except RuntimeError as err:
        typer.secho(str(err), fg=typer.colors.RED, err=True)
        raise typer.Exit(1) from None
    typer.echo(f"migrated: {', '.join(done) or 'nothing'}")
