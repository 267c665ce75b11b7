"""PLACEHOLDER — to be replaced by the real supervisor (`yizheng run` starting every service, relay,
projector and the gateway, loading the demo county). Until then it keeps the infrastructure up, prints
the endpoints and waits for Ctrl-C, so `make run` already works end to end."""

from __future__ import annotations

import typer


def run() -> None:
    """Run the whole platform locally (placeholder: infrastructure only, until the supervisor lands)."""
    import time

    from yizheng.infra import InfraError, ensure_up

    try:
        endpoints = ensure_up(say=lambda message: typer.echo(message, err=True))
    except InfraError as exc:
        typer.secho(f"infrastructure is not available:\n{exc}", fg=typer.colors.RED, err=True)
        raise typer.Exit(1) from None
    typer.echo(f"DATABASE_URL={endpoints.database_url}")
    typer.echo(f"KAFKA_BOOTSTRAP_SERVERS={endpoints.kafka_bootstrap}")
    typer.echo("(placeholder `yizheng run`: services are not wired yet) — Ctrl-C to quit; infra stays up")
    try:
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        typer.echo("bye (`yizheng infra down` stops PostgreSQL and Kafka)")
