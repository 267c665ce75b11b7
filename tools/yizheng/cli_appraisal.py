"""`yizheng appraisal verify BOARD.json`: check a published appraisal board (民主评议公示栏): the chain, every
signature against the round's public keys, one ballot per credential, the round's header (each field
committed to by the chain's genesis), entitled = the public keys, returned <= issued, the quorum and the
tally (`surveys.appraisal.board.verify`). `tools/verify_appraisal_board.py` makes the same checks with no
project imports, for anyone outside the platform."""

from __future__ import annotations

import json
from pathlib import Path

import typer

app = typer.Typer(help="Democratic appraisal (民主评议): verify a published board.", no_args_is_help=True)


@app.command("verify")
def verify(board: Path = typer.Argument(..., exists=True, dir_okay=False, help="the board's JSON file"),
           head: str | None = typer.Option(None, help="the chain head appraisal-closed recorded (board_head)")) -> None:
    """Recompute the board's chain, signatures and tally; exit 1 naming each problem."""
    from surveys.appraisal.board import verify as check

    try:
        data = json.loads(board.read_text(encoding="utf-8"))
    except ValueError as err:
        typer.echo(f"FAIL {board} is not JSON: {err}", err=True)
        raise typer.Exit(1) from None
    problems = check(data, expected_head=head)
    if problems:
        for p in problems:
            typer.echo(f"FAIL {p}", err=True)
        raise typer.Exit(1)
    t = data["tally"]
    typer.echo(f"OK {data['appraisal_id']} ({data['year']} {data['kind']}: {data['title']}): "
               f"{data['returned']} ballots of {data['issued']} handed out ({data['entitled']} entitled); "
               f"head {data['head']}; credentials {data['credentials_digest']}")
    typer.echo(f"top: {', '.join(t['top_unit_ids'])}; bottom: {', '.join(t['bottom_unit_ids'])}")
