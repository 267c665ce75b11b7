"""`yizheng run` (what `make run` calls): the whole platform locally, with the demo county."""

from __future__ import annotations

import typer

from runtime import event_loop


def run(
    demo: bool = typer.Option(True, help="load the demo county into an empty database"),
) -> None:
    """Start PostgreSQL and Kafka if needed, then every service, relay, projector and the gateway."""
    from yizheng.infra import InfraError, ensure_up
    from yizheng.supervisor import Supervisor, child_env, supervise

    try:
        endpoints = ensure_up(say=lambda message: typer.echo(message, err=True))
    except InfraError as exc:
        typer.secho(f"infrastructure is not available:\n{exc}", fg=typer.colors.RED, err=True)
        raise typer.Exit(1) from None

    async def after_start(supervisor: Supervisor) -> None:
        from yizheng.welcome import welcome

        await welcome(supervisor, endpoints.database_url, load_demo=demo)

    code = event_loop.run(supervise(child_env(endpoints.database_url, endpoints.kafka_bootstrap), after_start))
    raise typer.Exit(code)
