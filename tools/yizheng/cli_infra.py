"""`yizheng infra up | down | status`: the local PostgreSQL and Kafka (see yizheng.infra)."""

from __future__ import annotations

import typer

app = typer.Typer(
    help="Local PostgreSQL and Kafka on loopback ports, data under .yizheng/ "
    "(or DATABASE_URL / KAFKA_BOOTSTRAP_SERVERS).",
    no_args_is_help=True,
)


def _say(message: str) -> None:
    typer.echo(message, err=True)


@app.command()
def up() -> None:
    """Start whatever is not running yet and wait until both answer (idempotent)."""
    from runtime import settings
    from yizheng.infra import InfraError, ensure_up

    try:
        endpoints = ensure_up(say=_say)
    except InfraError as exc:
        typer.secho(f"infra up failed:\n{exc}", fg=typer.colors.RED, err=True)
        raise typer.Exit(1) from None
    typer.echo(f"DATABASE_URL={endpoints.database_url}")
    kafka = endpoints.kafka_bootstrap
    for name, value in kafka.env().items():
        if value and name != "KAFKA_PASSWORD":
            typer.echo(f"{name}={value}")
    if kafka.password:
        typer.echo(f"# KAFKA_PASSWORD of {kafka.username}: in {settings.local_kafka_users_file()} (0600)"
                   if not settings.external_kafka_bootstrap() else "# KAFKA_PASSWORD: as you set it")


@app.command()
def down() -> None:
    """Stop the servers this checkout started (data is kept; delete .yizheng/ to reset)."""
    from yizheng.infra import InfraError
    from yizheng.infra import down as stop_all

    try:
        stop_all(say=_say)
    except InfraError as exc:
        typer.secho(f"infra down failed:\n{exc}", fg=typer.colors.RED, err=True)
        raise typer.Exit(1) from None


@app.command()
def status() -> None:
    """Each component, its address and whether it answers; exit code 1 if any does not."""
    from yizheng.infra import status as current_status

    components = current_status()
    for c in components:
        mark = typer.style("up  ", fg=typer.colors.GREEN) if c.answers else typer.style("DOWN", fg=typer.colors.RED)
        typer.echo(f"{mark} {c.name:<11} {c.address:<48} {c.detail}")
    if not all(c.answers for c in components):
        raise typer.Exit(1)
