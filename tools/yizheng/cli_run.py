"""`yizheng run` (what `make run` calls): the whole platform locally, with the demo county."""

from __future__ import annotations

import typer

from runtime import event_loop


def run(
    demo: bool = typer.Option(True, help="load the demo county into an empty database"),
) -> None:
    """Start PostgreSQL and Kafka if needed, the local mail and SMS sinks, then every service, relay,
    projector and the gateway."""
    from yizheng import local_sinks
    from yizheng.infra import InfraError, ensure_up
    from yizheng.supervisor import Supervisor, child_env, process_users, supervise

    try:
        endpoints = ensure_up(say=lambda message: typer.echo(message, err=True))
    except InfraError as exc:
        typer.secho(f"infrastructure is not available:\n{exc}", fg=typer.colors.RED, err=True)
        raise typer.Exit(1) from None

    sinks = local_sinks.start()  # mail and SMS stay on this machine; notify is pointed at them

    async def after_start(supervisor: Supervisor) -> None:
        from yizheng.welcome import welcome

        await welcome(supervisor, endpoints.database_url, load_demo=demo)
        for line in sinks.describe():
            supervisor.say("run", line)

    env = {**child_env(endpoints.database_url, endpoints.kafka_bootstrap), **sinks.env()}
    try:
        code = event_loop.run(supervise(env, after_start, process_env=process_users(endpoints.kafka_bootstrap)))
    finally:
        sinks.stop()
    raise typer.Exit(code)
