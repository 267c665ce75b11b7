"""`yizheng contracts export DIR`: the public contract for subscribers (JSON Schemas + AsyncAPI)."""

from __future__ import annotations

from pathlib import Path

import typer

app = typer.Typer(help="The event contracts other county systems subscribe to.", no_args_is_help=True)


@app.command("export")
def export(directory: Path = typer.Argument(..., help="where to write <type>.schema.json and asyncapi.yaml")) -> None:
    """Write one JSON Schema per event type and the AsyncAPI document of the public topics."""
    import contracts
    from contracts.export import export as write

    written = write(directory)
    typer.echo(f"wrote {len(written) - 1} event schemas ({len(contracts.REGISTRY.topics())} topics) "
               f"and asyncapi.yaml to {directory}")
