"""`yizheng` — the one command-line entry point (pyproject: yizheng = "yizheng.cli:app").

Each command group lives in its own small module `yizheng/cli_<name>.py` that defines a Typer app (or a
single command function) and keeps heavy imports inside the command bodies, so `yizheng --help` stays
fast. This file only registers them.
"""

from __future__ import annotations

import typer

from yizheng import (
    cli_anchor,
    cli_appraisal,
    cli_bench,
    cli_contracts,
    cli_demo,
    cli_infra,
    cli_migrate,
    cli_replay,
    cli_run,
    cli_serve,
    cli_subscribers,
    cli_token,
    cli_verify,
)
from yizheng.soak import cli as cli_soak

app = typer.Typer(
    name="yizheng",
    help="Yizheng: the county CPPCC committee's event-sourced platform.",
    no_args_is_help=True,
    add_completion=False,
)

# ---------------------------------------------------------------------------------------------------
# REGISTER COMMANDS HERE, one line each, keeping the imports above in alphabetical order:
#   a group of sub-commands:  app.add_typer(cli_<name>.app, name="<name>")   ->  yizheng <name> <sub>
#   a single command:         app.command("<name>")(cli_<name>.<function>)   ->  yizheng <name>
# ---------------------------------------------------------------------------------------------------
app.add_typer(cli_bench.app, name="bench")
app.add_typer(cli_demo.app, name="demo")
app.add_typer(cli_infra.app, name="infra")
app.command("run")(cli_run.run)
app.add_typer(cli_contracts.app, name="contracts")
app.command("verify")(cli_verify.verify)
app.command("anchor")(cli_anchor.anchor)
app.add_typer(cli_appraisal.app, name="appraisal")
app.command("serve")(cli_serve.serve)
app.command("migrate")(cli_migrate.migrate)
app.command("replay")(cli_replay.replay)
app.command("token")(cli_token.token)
app.add_typer(cli_subscribers.app, name="subscribers")
app.command("soak")(cli_soak.soak)


if __name__ == "__main__":
    app()
