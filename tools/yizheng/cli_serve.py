"""`yizheng serve NAME`: run one process (a service or the gateway) in the foreground."""

from __future__ import annotations

import typer


def serve(
    name: str = typer.Argument(..., help="a service of contracts.platform.SERVICES, or gateway"),
    host: str = typer.Option("127.0.0.1", help="address to listen on (0.0.0.0 in a container)"),
    port: int | None = typer.Option(None, help="default: the process's local port"),
) -> None:
    """Run one process of the platform: its HTTP API and its relay, consumers and projectors."""
    from yizheng.serve import main, processes

    known = processes()
    if name not in known:
        raise typer.BadParameter(f"unknown process {name!r}; choose from {', '.join(known)}")
    main(name, host, port)
