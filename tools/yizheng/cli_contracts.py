"""`yizheng contracts export DIR`: the event contracts (JSON Schemas + AsyncAPI), public and internal apart."""

from __future__ import annotations

from pathlib import Path

import typer

app = typer.Typer(help="The event contracts other county systems subscribe to.", no_args_is_help=True)


@app.command("export")
def export(directory: Path = typer.Argument(..., help="where to write public/ and internal/")) -> None:
    """Write public/ (what other county systems subscribe to) and internal/ (the platform's own topics):
    one JSON Schema per event type and an AsyncAPI document each."""
    import contracts
    from contracts.export import export as write
    from contracts.public import PUBLIC

    write(directory)
    typer.echo(f"wrote {len(PUBLIC.published())} public event schemas to {directory / 'public'} and "
               f"{len(contracts.REGISTRY.names())} internal ones to {directory / 'internal'}, "
               "with asyncapi.yaml in each")
