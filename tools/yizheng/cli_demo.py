"""`yizheng demo`: the demo county — load it (or N of them, as separate committees, for benchmarks) into
the running platform, show what its script holds and the figures it implies, print its tokens."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import typer

from runtime import event_loop
from yizheng.demo.generator import DEFAULT_SEED

app = typer.Typer(help="The demo county: a generated year of a county committee's work.", no_args_is_help=True)

SEED = typer.Option(DEFAULT_SEED, help="the seed the county is generated from")
SMALL = typer.Option(False, "--small", help="40 members and 40 proposals instead of 200 and 300")


def _say(message: str) -> None:
    typer.echo(message, err=True)


@app.command()
def load(
    committees: int = typer.Option(1, min=1, help="how many counties, each a committee of its own "
                                                  "(demo-county, demo-county-2, …)"),
    seed: int = SEED,
    small: bool = SMALL,
    concurrency: int = typer.Option(8, min=1, help="lanes of commands run at once"),
    proposals_url: str = typer.Option("http://127.0.0.1:8101", help="the proposals service's command API"),
    members_url: str = typer.Option("http://127.0.0.1:8102", help="the members service's command API"),
) -> None:
    """Load demo counties into the running platform (`yizheng run`) through the services' command APIs.
    A county loaded already is left as it is; an interrupted load is completed."""
    from yizheng.demo.generator import Size
    from yizheng.demo.load import load_counties

    urls = {"proposals": proposals_url, "members": members_url}
    summaries = event_loop.run(load_counties(committees, seed=seed, size=Size.small() if small else None, urls=urls,
                                          concurrency=concurrency, say=_say))
    loaded = [s.report for s in summaries if s.report is not None]
    failed = sum(len(r.failures) for r in loaded)
    total_steps, total_seconds = sum(r.steps for r in loaded), sum(r.seconds for r in loaded)
    if len(loaded) > 1 and total_seconds:
        _say(f"{len(loaded)} counties loaded now: {total_steps} commands in {total_seconds:.1f} s "
             f"({total_steps / total_seconds:.0f}/s)")
    if failed:
        _say(f"{failed} commands were refused (listed above)")
        raise typer.Exit(1)


def _plain(value: Any) -> Any:
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    if hasattr(value, "__dataclass_fields__"):
        return {k: _plain(getattr(value, k)) for k in value.__dataclass_fields__}
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return value


@app.command()
def plan(seed: int = SEED, small: bool = SMALL,
         as_json: bool = typer.Option(False, "--json", help="the commands and expected figures as JSON")) -> None:
    """What the demo county's script holds (commands by name) and the figures it implies. No platform needed."""
    from yizheng.demo.generator import Size, generate

    script = generate(seed, now=datetime.now(UTC), size=Size.small() if small else None)
    e = script.expected
    if as_json:
        typer.echo(json.dumps({"committee_id": script.committee_id, "year": script.year,
                               "commands": dict(script.command_counts().most_common()),
                               "expected": _plain(e)}, ensure_ascii=False, indent=2))
        return
    typer.echo(f"{script.committee_id}, {script.year}: {len(script.steps)} commands")
    for name, n in script.command_counts().most_common():
        typer.echo(f"  {n:5d}  {name}")
    typer.echo(f"proposals by status: {dict(sorted(e.proposals_by_status.items()))}")
    typer.echo(f"replies A/B/C: {e.classes}; satisfaction {e.satisfaction[0]}/{e.satisfaction[1]}; "
               f"met the proposers {e.meeting[0]}/{e.meeting[1]}; key proposals {e.key_proposals}")
    typer.echo(f"overdue as of {e.overdue_as_of}: {sum(e.overdue_by_unit.values())} "
               f"({', '.join(f'{script.labels.get(u, u)} {n}' for u, n in e.overdue_by_unit.items())})")
    for member_id in e.featured_members:
        c = e.cards[member_id]
        flags = f", flags {', '.join(c.flags)}" if c.flags else ""
        typer.echo(f"scorecard {member_id} {c.name}: {c.total} ({c.grade}{flags}) "
                   f"{ {k: _plain(v) for k, v in c.by_category.items()} }")


@app.command()
def tokens(seed: int = SEED, small: bool = SMALL) -> None:
    """Ready-to-paste bearer tokens of the demo county: office, leadership, a member, a unit."""
    from yizheng.demo.generator import Size, generate

    script = generate(seed, now=datetime.now(UTC), size=Size.small() if small else None)
    for role, token in script.tokens().items():
        typer.echo(f"{role}: {token}")
